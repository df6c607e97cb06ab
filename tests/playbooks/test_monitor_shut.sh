#!/bin/sh
# monitor.lua sees an interface shut mid-run: while it polls, a second SSH session shuts one
# enabled interface on an IOS, an EOS and a Junos device; the next poll reports each as a
# change. monitor's and health's counts of down interfaces agree (the parsers' one
# interface model).
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
start_lab 4 127.1.66.1 --mix cisco_ios=50,arista_eos=25,juniper_junos=25
inv=$tmp/lab/lab.yaml
cat >"$tmp/shut.lua" <<'LUA'
-- shut.lua: on each host, shut the first enabled physical interface through its CLI and
-- print "host interface previous-state".
local res = nethost.run(nethost.inventory, function(h)
  local s <close> = ssh.open(h)
  for _, i in ipairs(parse(h.platform, "show interfaces", s:run("show interfaces").stdout)) do
    if i.admin_state == "up" and not i.interface:find("[.]") and not i.interface:find("^Vlan") then
      local cli = s:shell()
      if h.platform == "juniper_junos" then
        cli:config({ "set interfaces " .. i.interface .. " disable" })
      else
        cli:config({ "interface " .. i.interface, "shutdown" })
      end
      return i.interface .. " " .. (i.oper_state == "up" and "up" or "down")
    end
  end
  error("no enabled interface")
end, { summary = false, progress = false })
for rec in res:each() do print("SHUT", rec.host, rec.value or tostring(rec.error)) end
LUA

# The baseline: monitor's "down" count is health's "down" alert count.
nh run -i "$inv" "$SRC/playbooks/health.lua" -e max_errors=100000000
health_down=$(grep -Ec "^(sw|r)-[0-9]+ +[^ ]+: down" "$tmp/out")
nh run -i "$inv" "$SRC/playbooks/monitor.lua" -e interval=1 -e polls=1
grep -q "interfaces [0-9]* up, $health_down down" "$tmp/out" || fail "monitor and health disagree (health: $health_down down)"

# The monitor polls every 20 s; the shutdown happens right after its first poll, so the
# second poll must report it (20 s is the room for the shutdown on a loaded machine).
: >"$tmp/mon"
"$BIN/nethost" run -i "$inv" "$SRC/playbooks/monitor.lua" -e interval=20 -e polls=2 >"$tmp/mon" 2>&1 &
mon=$!
for _ in $(seq 600); do grep -q "poll 1 at" "$tmp/mon" && break; sleep 0.1; done
grep -q "poll 1 at" "$tmp/mon" || fail "monitor's first poll"
nh run -i "$inv" "$tmp/shut.lua"
[ "$rc" = 0 ] || fail "shutting interfaces"
grep -q "poll 2 at" "$tmp/mon" && fail "the shutdown took longer than a poll interval"
wait $mon || fail "monitor exit status"
cat "$tmp/mon" >>"$tmp/out"
shut=0
while read -r _ host intf was; do
  sed -n '/poll 2 at/,$p' "$tmp/mon" | grep -Eq "^$host +$intf $was -> disabled" ||
    fail "$host: $intf shut mid-run not reported as '$was -> disabled' by the next poll"
  shut=$((shut + 1))
done <<EOF2
$(grep '^SHUT' "$tmp/out")
EOF2
[ "$shut" = 4 ] || fail "expected 4 shut interfaces, got $shut"
grep -q "monitor: 2 poll(s), 4 change(s)" "$tmp/mon" || fail "exactly the 4 shutdowns are changes"
echo "monitor sees shut interfaces: ok"
