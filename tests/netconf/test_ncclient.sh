#!/bin/sh
# The lab's NETCONF server against the reference client (python3-ncclient), for Junos and
# IOS-XE models; the change ncclient commits shows in the device's CLI.
# usage: test_ncclient.sh BIN_DIR SRC_DIR
BIN=$1
tmp=$(mktemp -d)
. "$2/tests/playbooks/lab.sh"
/usr/bin/python3 -c "import ncclient" 2>/dev/null || { echo "SKIP: python3-ncclient not installed"; exit 77; }

start_lab 6 127.1.98.1
/usr/bin/python3 "$2/tests/netconf/ncclient_check.py" 127.1.98.1 2222 ios >"$tmp/out" 2>&1 ||
  fail "ncclient against cisco_ios"
grep -q "ncclient ok ios" "$tmp/out" || fail "ncclient ios"
/usr/bin/python3 "$2/tests/netconf/ncclient_check.py" 127.1.98.6 2222 junos >"$tmp/out" 2>&1 ||
  fail "ncclient against juniper_junos"
grep -q "ncclient ok junos" "$tmp/out" || fail "ncclient junos"

# What ncclient committed is in the CLI's running configuration.
cat >"$tmp/cli.lua" <<'LUA'
for h in nethost.inventory:each() do
  if h.name == "sw-0001" then
    async.spawn(function()
      print(ssh.run(h, "show running-config interface GigabitEthernet1/0/4").stdout)
    end):wait()
  elseif h.name == "r-0006" then
    async.spawn(function()
      print(ssh.run(h, "show configuration interfaces ge-0/0/2").stdout)
    end):wait()
  end
end
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/cli.lua"
[ "$(grep -c 'set by ncclient' "$tmp/out")" = 2 ] || fail "ncclient's change not in the CLI"
echo "netconf.ncclient ok"
