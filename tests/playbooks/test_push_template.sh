#!/bin/sh
# push.lua -e template=FILE.j2: the template is rendered per host with the host's fields,
# its data and the -e vars; every device gets its own lines; an undefined variable fails
# the host with the template's file:line.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
cat >"$tmp/ntp.j2" <<'J2'
{# one NTP server per device, derived from its address #}
{% set octet = address.split('.')[3] %}
{% if platform == 'juniper_junos' %}
set system ntp server 10.88.{{ octet }}.{{ ntp_host }}
{% else %}
ntp server 10.88.{{ octet }}.{{ ntp_host }}
{% endif %}
J2
cat >"$tmp/bad.j2" <<'J2'
ntp server {{ ntp_host }}
ntp server {{ no_such_var }}
J2
cat >"$tmp/has.lua" <<'LUA'
-- has.lua: prints "host yes|no": whether the device has its own templated NTP line
local device = require("nethost.device")
local res = nethost.run(nethost.inventory, function(h)
  local s <close> = ssh.open(h)
  local want = "10.88." .. h.address:match("(%d+)$") .. ".7"
  return device.running_config(s, h):find(want, 1, true) ~= nil
end, { summary = false, progress = false })
for rec in res:each() do print(rec.host, rec.value and "yes" or "no") end
LUA
start_lab 6 127.1.67.1 --mix cisco_ios=50,arista_eos=25,juniper_junos=25
inv=$tmp/lab/lab.yaml

nh run -i "$inv" "$SRC/playbooks/push.lua" -e template="$tmp/ntp.j2" -e trim_blocks=yes \
  -e ntp_host=7 --check -o "$tmp/check.jsonl"
[ "$rc" = 0 ] || fail "push --check with a template"
grep -q '"would_send":\["ntp server 10.88.1.7"\]' "$tmp/check.jsonl" || fail "would_send for .1"
grep -q '"would_send":\["set system ntp server 10.88.' "$tmp/check.jsonl" || fail "junos lines"

nh run -i "$inv" "$SRC/playbooks/push.lua" -e template="$tmp/ntp.j2" -e trim_blocks=yes \
  -e ntp_host=7 -e confirm=0 -e snapshots="$tmp/snap"
[ "$rc" = 0 ] || fail "push with a template"
nh run -i "$inv" "$tmp/has.lua"
[ "$(grep -c ' yes$\|	yes$' "$tmp/out")" = 6 ] || fail "every device has its own templated line"

nh run -i "$inv" "$SRC/playbooks/push.lua" -e template="$tmp/bad.j2" -e ntp_host=7 -e confirm=0 \
  -e snapshots="$tmp/snap"
[ "$rc" = 2 ] || fail "an undefined variable fails the hosts (rc $rc)"
grep -q "bad.j2:2: 'no_such_var' is undefined" "$tmp/out" || fail "the error names file:line and the variable"
echo "push template: ok"
