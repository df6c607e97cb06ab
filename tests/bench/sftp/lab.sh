#!/bin/sh
# The issue's figure: one 1 MB file to each of N lab devices (nethost-sim, default 1,000),
# into their flash, by nethost (ssh.put over SFTP and over SCP, every device at once),
# OpenSSH's sftp and scp -O (one process per device, P at a time through xargs -P) and
# asyncssh's SFTP client (/usr/bin/python3, every device at once in one process). Prints
# throughput and client CPU per MB side by side. The lab runs on the same machine, so the
# wall-clock figures include its share of the CPU; the CPU figures are the client's only.
# Not a test: the figures depend on the machine.
# usage: tests/bench/sftp/lab.sh BIN_DIR [N [P]]   (lab on 127.1.232.1 and up, port 2222)
set -u
BIN=$1 N=${2:-1000} P=${3:-100}
HERE=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
. "$HERE/../../playbooks/lab.sh"
start_lab "$N" 127.1.232.1 --quiet --mix cisco_ios=70,arista_eos=30 --login-grace-s 0
head -c 1048576 /dev/urandom >"$tmp/1mb"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/key"
sed -n 's/^  [a-z0-9-]*: {address: \([0-9.]*\),.*/\1/p' "$tmp/lab/lab.yaml" >"$tmp/addrs"
[ "$(wc -l <"$tmp/addrs")" = "$N" ] || fail "inventory"
BENCH_INV=$tmp/lab/lab.yaml BENCH_TMP=$tmp BENCH_P=$P BENCH_HERE=$HERE \
  "$BIN/nethost" run "$HERE/lab.lua" || fail "lab.lua"
# The lab held the last run's files: one per device, replaced by every run.
printf 'print(ssh.run(inventory.load(os.getenv("INV")):get("%s"), "dir flash:").stdout)\n' \
  "$(sed -n 's/^  \([a-z0-9-]*\): {address:.*/\1/p' "$tmp/lab/lab.yaml" | head -1)" >"$tmp/dir.lua"
INV=$tmp/lab/lab.yaml "$BIN/nethost" run "$tmp/dir.lua" | grep -E "bench|bytes total"
echo "nethost-sim peak memory: $(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$sim_pid/status")"
