#!/bin/sh
# Enable and privilege against nethost-sim (docs/ssh.md, "Enable"): a missing or unreadable
# enable secret (enable_secret_env naming an unset variable, an Ansible lookup('env', ...)
# whose variable is unset), a secret the device refuses, or none at all for a shell left in
# unprivileged mode is an `auth` error saying so (op "enable") before any config line is
# sent; the device's configuration stays untouched. Nornir's
# connection_options.netmiko.extras.secret is read as the enable secret.
# usage: test_enable.sh BIN_DIR SOURCE_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
[ -x "$BIN/nethost-sim" ] || { echo "SKIP: nethost-sim not built"; exit 77; }
unset NH_TEST_NO_SUCH_SECRET

for try in 1 2 3; do
  start_lab 5 127.1.113.1 --mix cisco_ios=1 && break
done
inv=$tmp/lab/lab.yaml
kh=$tmp/lab/lab.known_hosts

# Each case gets its own inventory of the lab's devices, differing only in the secret.
sed 's/^  enable_secret: enable$/  enable_secret_env: NH_TEST_NO_SUCH_SECRET/' "$inv" >"$tmp/lab/env.yaml"
sed 's/^  enable_secret: enable$/  enable_secret: not-the-secret/' "$inv" >"$tmp/lab/wrong.yaml"
sed '/^  enable_secret: enable$/d' "$inv" >"$tmp/lab/none.yaml"
for f in env wrong none; do
  cmp -s "$inv" "$tmp/lab/$f.yaml" && fail "could not derive $f.yaml from $inv"
done
cat >"$tmp/ansible.yaml" <<YAML
all:
  vars:
    ansible_port: 2222
    ansible_user: admin
    ansible_password: admin
    ansible_network_os: cisco.ios.ios
    ansible_become_password: "{{ lookup('env', 'NH_TEST_NO_SUCH_SECRET') }}"
  hosts:
    sw-0004: {ansible_host: 127.1.113.4}
YAML
mkdir -p "$tmp/nornir"
cat >"$tmp/nornir/hosts.yaml" <<YAML
sw-0005:
  hostname: 127.1.113.5
  port: 2222
  username: admin
  password: admin
  platform: ios
  connection_options:
    netmiko:
      extras:
        secret: enable
YAML
cat >"$tmp/nornir/defaults.yaml" <<YAML
ssh:
  host_key_policy: strict
  known_hosts: $kh
YAML

cat >"$tmp/config.lua" <<'LUA'
local ssh = require("nethost.ssh")
nethost.run(nethost.inventory, function(h)
  local s <close> = ssh.open(h, { host_key_policy = nethost.vars.policy })
  local cli = s:shell()
  cli:config({ "ntp server 10.9.9." .. h.name:match("(%d)$") })
end, {})
LUA
cat >"$tmp/check.lua" <<'LUA'
-- check.lua RESULTS HOST STATUS [MESSAGE]: HOST's record has STATUS; a failed one is an
-- `auth` error of op "enable" whose one-line form contains "HOST: enable: MESSAGE", and no
-- config line was sent (none in the transcript it carries).
local json = require("nethost.json")
local fs = require("nethost.fs")
local file, host, status, want = arg[1], arg[2], arg[3], arg[4]
local rec
for line in assert(fs.read(file)):gmatch("[^\n]+") do
  local r = json.decode(line)
  if r.host == host then rec = r end
end
assert(rec, "no record for " .. host)
assert(rec.status == status, host .. ": status " .. tostring(rec.status) .. ": " ..
       json.encode(rec.error or {}))
if status == "failed" then
  local e = rec.error
  assert(e.kind == "auth", host .. ": kind " .. tostring(e.kind) .. ": " .. tostring(e.message))
  assert(e.op == "enable", host .. ": op " .. tostring(e.op))
  local line = e.host .. ": " .. e.op .. ": " .. e.message
  assert(line:find(host .. ": enable: " .. want, 1, true), "message: " .. line)
  assert(not (e.transcript or ""):find("ntp server", 1, true), "a config line was sent")
  assert(not (e.transcript or ""):find("Invalid input", 1, true), "the device saw bad input")
  local tail = table.concat(rec.transcript_tail or {}, "\n")
  assert(not tail:find("ntp server", 1, true), "a config line in the transcript tail")
  assert(tail:find("enable:", 1, true), "the transcript tail does not end with the error")
end
print(host .. ": ok")
LUA

# run CASE INVENTORY HOST STATUS [MESSAGE] [POLICY]
run() {
  nh run "$tmp/config.lua" -i "$2" -l "$3" -o "$tmp/$1.jsonl" -e policy="${6:-strict}"
  "$BIN/nethost" run "$tmp/check.lua" "$tmp/$1.jsonl" "$3" "$4" "${5:-}" || fail "case $1"
}
run env "$tmp/lab/env.yaml" sw-0001 failed \
  "no enable secret (enable_secret_env NH_TEST_NO_SUCH_SECRET is not set)"
run wrong "$tmp/lab/wrong.yaml" sw-0002 failed "the device refused the enable secret"
run none "$tmp/lab/none.yaml" sw-0003 failed "no enable secret ("
grep -q "the device asks for one" "$tmp/none.jsonl" || fail "case none: the reason"
run ansible "$tmp/ansible.yaml" sw-0004 failed \
  "no enable secret (enable_secret_env NH_TEST_NO_SUCH_SECRET is not set)" off
run nornir "$tmp/nornir" sw-0005 changed

# The lab's own state: only sw-0005 (the Nornir secret) got its line.
cat >"$tmp/ntp.lua" <<'LUA'
local ssh = require("nethost.ssh")
local got = {}
nethost.run(nethost.inventory, function(h)
  local s <close> = ssh.open(h)
  local cli = s:shell()
  got[h.name] = cli:send("show running-config | include ntp server 10.9.9")
end, {})
for i = 1, 5 do
  local name = "sw-000" .. i
  local has = (got[name] or ""):find("ntp server 10.9.9." .. i, 1, true) ~= nil
  assert(has == (i == 5), name .. ": " .. tostring(got[name]))
end
print("lab state ok")
LUA
nh run "$tmp/ntp.lua" -i "$inv"
[ "$rc" = 0 ] || fail "lab state"
echo PASS
