#!/bin/sh
# The lab's SFTP and SCP into device flash (tests/sim/sftp.c, scp.c): nethost's ssh.put and
# ssh.get on every personality (transfer.lua), independent clients (OpenSSH sftp -b, scp -O
# and asyncssh's SFTP client), playbooks/upload.lua end to end, and malformed SFTP
# packets that must close the session, never the lab.
# usage: test_transfer.sh BIN_DIR
BIN=$1
tmp=$(mktemp -d)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../playbooks/lab.sh"
PY=/usr/bin/python3

start_lab 6 127.1.231.1 --flash-mb 8 --mix cisco_ios=50,arista_eos=30,juniper_junos=20
mkdir -p "$tmp/w"

# nethost: ssh.put / ssh.get
SIM_INVENTORY=$tmp/lab/lab.yaml WORK=$tmp/w nh run "$here/transfer.lua"
[ $rc = 0 ] || fail "transfer.lua"
grep -q "all checks passed" "$tmp/out" || fail "transfer.lua did not finish"

ios=$(sed -n 's/^  \([a-z0-9-]*\): {address: \([0-9.]*\), groups: \[cisco_ios,.*/\2/p' "$tmp/lab/lab.yaml" | head -1)
[ -n "$ios" ] || fail "no cisco_ios device"
# A fresh lab for the independent clients (transfer.lua filled the flash of every device).
stop_lab
[ "$sim_rc" = 0 ] || fail "nethost-sim exit status $sim_rc"
start_lab 6 127.1.231.1 --flash-mb 8 --mix cisco_ios=50,arista_eos=30,juniper_junos=20

# OpenSSH (the lab trusts any key offered for admin).
if command -v sftp >/dev/null && command -v scp >/dev/null; then
  ssh-keygen -q -t ed25519 -N '' -f "$tmp/key" || fail "ssh-keygen"
  set -- -F /dev/null -i "$tmp/key" -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$tmp/lab/lab.known_hosts" -o LogLevel=ERROR
  head -c 1500000 /dev/urandom >"$tmp/w/os.bin"
  printf 'x' >"$tmp/w/one"
  cd "$tmp/w" || fail "cd"
  printf 'put os.bin\nput one flash:/one.txt\nls -l\nget os.bin os.back\nrename one.txt uno\nrm uno\n-mkdir sub\nls\n' \
    >"$tmp/batch"
  timeout 60 sftp -P 2222 "$@" -b "$tmp/batch" "admin@$ios" >"$tmp/out" 2>&1 || fail "sftp -b"
  cmp -s os.bin os.back || fail "sftp get differs"
  grep -q "^-rw-r--r-- .* 1500000 .* os.bin" "$tmp/out" || fail "sftp ls -l"
  grep -q "^-rw-r--r-- .* 1 .* one.txt" "$tmp/out" || fail "sftp ls -l one.txt"
  grep -q "mkdir.*unsupported" "$tmp/out" || fail "sftp mkdir should be refused"
  timeout 60 scp -O -P 2222 "$@" os.bin "admin@$ios:flash:legacy.bin" >"$tmp/out" 2>&1 || fail "scp -O put"
  timeout 60 scp -O -P 2222 "$@" "admin@$ios:flash:legacy.bin" legacy.back >"$tmp/out" 2>&1 || fail "scp -O get"
  cmp -s os.bin legacy.back || fail "scp -O get differs"
  timeout 60 scp -P 2222 "$@" one "admin@$ios:flash:modern.txt" >"$tmp/out" 2>&1 || fail "scp (SFTP mode) put"
  timeout 60 scp -O -P 2222 "$@" "admin@$ios:flash:nothere" x >"$tmp/out" 2>&1 && fail "scp of a missing file"
  grep -q "No such file" "$tmp/out" || fail "scp missing-file message"
  head -c 9000000 /dev/zero >"$tmp/w/huge"
  timeout 60 scp -O -P 2222 "$@" huge "admin@$ios:flash:huge" >"$tmp/out" 2>&1 && fail "scp past the flash"
  grep -q "No space left on device" "$tmp/out" || fail "scp no-space message"
  timeout 20 ssh -p 2222 "$@" "admin@$ios" "dir flash:" >"$tmp/out" 2>&1 || fail "dir"
  grep -q " 1500000 .* os.bin$" "$tmp/out" || fail "dir lists os.bin"
  grep -q " 1500000 .* legacy.bin$" "$tmp/out" || fail "dir lists legacy.bin"
  grep -q " 1 .* modern.txt$" "$tmp/out" || fail "dir lists modern.txt"
  grep -q "^8388608 bytes total (5388607 bytes free)$" "$tmp/out" || fail "dir free space"
  cd "$here" || fail "cd"
else
  echo "note: no OpenSSH sftp/scp client: skipping the OpenSSH checks"
fi

# asyncssh's SFTP client, and malformed SFTP packets (the lab must stay up).
if $PY -c "import asyncssh" 2>/dev/null; then
  $PY -W ignore "$here/sftp_check.py" "$ios" 2222 "$tmp/w" >"$tmp/out" 2>&1 || fail "asyncssh sftp"
  grep -q "sftp_check: ok" "$tmp/out" || fail "asyncssh sftp did not finish"
  kill -0 "$sim_pid" || fail "the lab died"
  [ "$(grep -c "sftp: bad packet length\|sftp: malformed packet" "$tmp/lab/sim.log")" = 6 ] ||
    fail "the malformed SFTP packets were not all refused"
else
  echo "note: no asyncssh: skipping the asyncssh checks"
fi

# playbooks/upload.lua: free space, transfer, verify, report; then a file that does not fit.
stop_lab
[ "$sim_rc" = 0 ] || fail "nethost-sim exit status $sim_rc (after the independent clients)"
start_lab 6 127.1.231.1 --flash-mb 8 --mix cisco_ios=50,arista_eos=50
head -c 2500000 /dev/urandom >"$tmp/w/image.bin"
nh run "$here/../../playbooks/upload.lua" -i "$tmp/lab/lab.yaml" -c 3 -e file="$tmp/w/image.bin"
[ $rc = 0 ] || fail "upload.lua"
[ "$(grep -c " verified  *2500000 .* sftp flash:image.bin" "$tmp/out")" = 6 ] || fail "upload report"
grep -q "6 hosts have it, 0 failed" "$tmp/out" || fail "upload summary"
nh run "$here/../../playbooks/upload.lua" -i "$tmp/lab/lab.yaml" -e file="$tmp/w/image.bin" \
  -e dest=flash:second.bin -e protocol=scp
[ $rc = 0 ] || fail "upload.lua over scp"
grep -q "6 hosts have it" "$tmp/out" || fail "upload scp summary"
head -c 4000000 /dev/urandom >"$tmp/w/large.bin"
nh run "$here/../../playbooks/upload.lua" -i "$tmp/lab/lab.yaml" -e file="$tmp/w/large.bin"
[ $rc = 2 ] || fail "upload of a file that does not fit: exit $rc"
grep -q "not enough space for flash:large.bin: 4000000 bytes needed, 3388608 free" "$tmp/out" ||
  fail "upload space message"
grep -q "0 hosts have it, 6 failed" "$tmp/out" || fail "upload space summary"
printf 'local h\nfor x in inventory.load(os.getenv("INV")):each() do h = x end\nprint(ssh.run(h, "dir flash:").stdout)\n' >"$tmp/dir.lua"
INV=$tmp/lab/lab.yaml nh run "$tmp/dir.lua"
grep -q " 2500000 .* image.bin$" "$tmp/out" || fail "dir after upload"
grep -q "large.bin" "$tmp/out" && fail "upload sent a file that did not fit"
stop_lab
[ "$sim_rc" = 0 ] || fail "nethost-sim exit status $sim_rc"
echo "transfer: all checks passed"
