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
  # A client that asks for 100 MB and reads nothing: the lab's output stays bounded.
  $PY -W ignore "$here/sftp_hostile.py" "$ios" 2222 "$sim_pid" >"$tmp/out" 2>&1 || fail "hostile sftp client"
  grep -q "sftp_hostile: ok" "$tmp/out" || fail "hostile sftp client did not finish"
  cat "$tmp/out"
else
  echo "note: no asyncssh: skipping the asyncssh checks"
fi

# playbooks/upload.lua: free space, transfer, verify, report; then a file that does not fit.
# IOS and EOS (`dir flash:`, `verify /sha512`) and Junos (`show system storage`, `file
# checksum sha-256`, /var/tmp), two of each: all the vendor knowledge comes from the plugins.
stop_lab
[ "$sim_rc" = 0 ] || fail "nethost-sim exit status $sim_rc (after the independent clients)"
start_lab 6 127.1.231.1 --flash-mb 8 --mix cisco_ios=34,arista_eos=33,juniper_junos=33
[ "$(grep -c "groups: \[juniper_junos" "$tmp/lab/lab.yaml")" = 2 ] || fail "the lab has not 2 Junos devices"
head -c 2500000 /dev/urandom >"$tmp/w/image.bin"
nh run "$here/../../playbooks/upload.lua" -i "$tmp/lab/lab.yaml" -c 3 -e file="$tmp/w/image.bin"
[ $rc = 0 ] || fail "upload.lua"
[ "$(grep -c " verified  *2500000 .* sftp flash:image.bin (sha512, device)" "$tmp/out")" = 4 ] ||
  fail "upload report (IOS/EOS)"
[ "$(grep -c " verified  *2500000 .* sftp /var/tmp/image.bin (sha256, device)" "$tmp/out")" = 2 ] ||
  fail "upload report (Junos)"
grep -q "6 hosts have it, 0 failed" "$tmp/out" || fail "upload summary"
cp "$tmp/w/image.bin" "$tmp/w/second.bin"
nh run "$here/../../playbooks/upload.lua" -i "$tmp/lab/lab.yaml" -e file="$tmp/w/second.bin" \
  -e protocol=scp -e verify=read
[ $rc = 0 ] || fail "upload.lua over scp"
[ "$(grep -c " verified  *2500000 .* scp .*second.bin (sha256, read)" "$tmp/out")" = 6 ] ||
  fail "upload scp report"
head -c 4000000 /dev/urandom >"$tmp/w/large.bin"
nh run "$here/../../playbooks/upload.lua" -i "$tmp/lab/lab.yaml" -e file="$tmp/w/large.bin"
[ $rc = 2 ] || fail "upload of a file that does not fit: exit $rc"
[ "$(grep -c "failed  *not enough space for flash:large.bin: 4000000 bytes needed, 3388608 free" "$tmp/out")" = 4 ] ||
  fail "upload space message (IOS/EOS)"
# Junos prints sizes as df -h does: 3388608 bytes free is "3.2M".
[ "$(grep -c "failed  *not enough space for /var/tmp/large.bin: 4000000 bytes needed, 3355443 free" "$tmp/out")" = 2 ] ||
  fail "upload space message (Junos)"
grep -q "0 hosts have it, 6 failed" "$tmp/out" || fail "upload space summary"
# A destination with a line break never reaches a device command; a bad timeout is named.
nh run "$here/../../playbooks/upload.lua" -i "$tmp/lab/lab.yaml" -e file="$tmp/w/image.bin" \
  -e "dest=flash:x.bin
reload"
[ $rc = 2 ] || fail "upload with a line break in dest: exit $rc"
[ "$(grep -c "failed  *file path .flash:x.bin.10reload. has a control character: refused" "$tmp/out")" = 6 ] ||
  fail "upload dest with a line break"
nh run "$here/../../playbooks/upload.lua" -i "$tmp/lab/lab.yaml" -e file="$tmp/w/image.bin" -e timeout=soon
[ $rc != 0 ] || fail "upload with -e timeout=soon"
grep -q "upload: -e timeout must be a positive number of seconds" "$tmp/out" || fail "upload timeout message"
printf 'local h\nfor x in inventory.load(os.getenv("INV")):each() do if x.platform ~= "juniper_junos" then h = x end end\nprint(ssh.run(h, "dir flash:").stdout)\n' >"$tmp/dir.lua"
INV=$tmp/lab/lab.yaml nh run "$tmp/dir.lua"
grep -q " 2500000 .* image.bin$" "$tmp/out" || fail "dir after upload"
grep -q "large.bin" "$tmp/out" && fail "upload sent a file that did not fit"
# The Junos file commands over the same flash.
cat >"$tmp/junos.lua" <<'LUA'
local h
for x in inventory.load(os.getenv("INV")):each() do if x.platform == "juniper_junos" then h = x end end
local s <close> = ssh.open(h)
local function run(cmd) local r = s:run(cmd); print("== " .. cmd .. " (" .. r.exit_status .. ")"); print(r.stdout) end
run("show system storage")
run("file list /var/tmp/ detail")
run("file list /var/tmp/image.bin")
run("file checksum md5 /var/tmp/image.bin")
run("file checksum sha-256 /var/tmp/second.bin")
run("file delete /var/tmp/second.bin")
run("file list /var/tmp/")
run("file delete /var/tmp/second.bin")
run("file checksum sha-256 /var/tmp/nothing.bin")
LUA
INV=$tmp/lab/lab.yaml nh run "$tmp/junos.lua"
[ $rc = 0 ] || fail "junos file commands"
grep -q "^/dev/gpt/var  *8.0M  *4.8M  *3.2M  *60%  /.mount/var$" "$tmp/out" || fail "show system storage"
grep -q "^-rw-r--r--  1 admin  wheel  *2500000 .* image.bin$" "$tmp/out" || fail "file list detail"
grep -q "^total files: 2$" "$tmp/out" || fail "file list detail total"
grep -q "^/var/tmp/image.bin$" "$tmp/out" || fail "file list of one file"
grep -q "^MD5 (/var/tmp/image.bin) = $(md5sum <"$tmp/w/image.bin" | cut -c1-32)$" "$tmp/out" ||
  fail "file checksum md5"
grep -q "^SHA256 (/var/tmp/second.bin) = $(sha256sum <"$tmp/w/image.bin" | cut -c1-64)$" "$tmp/out" ||
  fail "file checksum sha-256"
sed -n '/^== file list \/var\/tmp\/ (0)/,/^==/p' "$tmp/out" | grep -q "^second.bin" && fail "file delete"
grep -q "^rm: /var/tmp/second.bin: No such file or directory" "$tmp/out" || fail "file delete twice"
grep -q "^error: could not resolve file: /var/tmp/nothing.bin" "$tmp/out" || fail "checksum of no file"
stop_lab
[ "$sim_rc" = 0 ] || fail "nethost-sim exit status $sim_rc"
echo "transfer: all checks passed"
