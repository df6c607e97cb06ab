#!/bin/sh
# File transfer benchmark: N transfers of a 1 MB file to a local OpenSSH sshd (internal-sftp),
# all at once, by nethost (ssh.put, SFTP and SCP), OpenSSH's sftp and scp clients run in
# parallel, and asyncssh's SFTP client (/usr/bin/python3). Prints throughput and client
# CPU per MB side by side. Not a test: figures depend on the machine.
# usage: tests/bench/sftp/run.sh NETHOST [N]   (default N = 200)
# One sshd forking a process per connection is the server here, so keep N modest; the
# issue's 1,000 lab devices are lab.sh (nethost-sim serves SFTP and SCP into flash).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export BENCH_N=${2:-200} BENCH_DIR=$HERE
exec sh "$HERE/../../ssh/sshd_harness.sh" "$1" 46401 "$HERE/bench.lua"
