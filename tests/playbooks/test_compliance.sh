#!/bin/sh
# compliance.lua against a lab: violations found per host and rule, --check fixes nothing,
# fix=yes remediates and a second run is clean.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
start_lab 12 127.1.64.1 --mix cisco_ios=75,arista_eos=25
inv=$tmp/lab/lab.yaml
nh run -i "$inv" "$SRC/playbooks/compliance.lua" -e report="$tmp/c.csv"
[ "$rc" = 2 ] || fail "violations must give exit 2"
grep -Eq "^sw-[0-9]+ +portfast +missing 'spanning-tree portfast' in 'interface GigabitEthernet1/0/[0-9]+'" "$tmp/out" ||
  fail "portfast violation"
grep -Eq "^sw-[0-9]+ +snmp-community +forbidden 'snmp-server community public" "$tmp/out" || fail "snmp violation"
head -1 "$tmp/c.csv" | grep -q "^host,rule,violations,fix$" || fail "report"
n=$(grep -c "" "$tmp/c.csv")
nh run -i "$inv" "$SRC/playbooks/compliance.lua" -e fix=yes --check -o "$tmp/check.jsonl"
grep -q '"would_send":\[' "$tmp/check.jsonl" || fail "check mode shows the remediation"
nh run -i "$inv" "$SRC/playbooks/compliance.lua" -e report="$tmp/c2.csv"
[ "$(grep -c "" "$tmp/c2.csv")" = "$n" ] || fail "--check changed something"
nh run -i "$inv" "$SRC/playbooks/compliance.lua" -e fix=yes
[ "$rc" = 0 ] || fail "fix=yes"
nh run -i "$inv" "$SRC/playbooks/compliance.lua"
[ "$rc" = 0 ] || fail "still violations after the fix"
grep -q "12 hosts, 5 rules: 0 violations, 0 unreachable" "$tmp/out" || fail "clean summary"
echo "compliance: ok"
