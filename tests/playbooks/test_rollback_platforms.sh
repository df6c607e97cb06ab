#!/bin/sh
# rollback.lua restores every platform to its backup: lines removed, re-added and changed
# inside sections, ACL / prefix-list entries and Junos filter terms back in their order. The
# devices are compared with the backups by rollback_check.sh (awk), not by nethost's config
# module. A difference the rollback cannot fix is reported by name.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
here=$(dirname "$0")
. "$here/lab.sh"
. "$here/rollback_check.sh"
start_lab 6 127.17.100.1 --mix cisco_ios=34,arista_eos=33,juniper_junos=33
inv=$tmp/lab/lab.yaml
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir="$tmp/b" -e date=2026-01-01 -e git=no
[ "$rc" = 0 ] || fail "backup"
# The issue's change on IOS (with push.lua), and more by hand on every platform.
nh run -i "$inv" -l cisco_ios "$SRC/playbooks/push.lua" -e confirm=0 -e snapshots="$tmp/snap" \
  -e 'lines=no ip name-server 10.0.0.53;ip name-server 10.0.0.54;interface GigabitEthernet1/0/2;description changed by push'
[ "$rc" = 0 ] || fail "push"
nh run -i "$inv" -l cisco_ios "$here/change.lua" \
  -e 'lines=ip access-list extended MGMT-IN;no permit tcp 10.0.0.0 0.255.255.255 any eq 22;permit ip host 10.6.6.6 any;exit;no ntp server 10.0.0.2;interface GigabitEthernet1/0/4;shutdown'
[ "$rc" = 0 ] || fail "change ios"
nh run -i "$inv" -l arista_eos "$here/change.lua" \
  -e 'lines=ip prefix-list CUSTOMER-ROUTES;no seq 20 permit 100.64.2.0/24;seq 15 permit 10.15.0.0/16;exit;no ntp server 10.0.0.1;logging host 10.9.9.9;interface Ethernet3;description eos changed'
[ "$rc" = 0 ] || fail "change eos"
nh run -i "$inv" -l juniper_junos "$here/change.lua" \
  -e 'lines=delete firewall family inet filter PROTECT-RE term SSH;set firewall family inet filter PROTECT-RE term SSH then accept;delete system ntp server 10.0.0.1;set interfaces ge-0/0/1 description "junos changed";set snmp location moved'
[ "$rc" = 0 ] || fail "change junos"
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir="$tmp/mid" -e date=2026-01-02 -e git=no
for f in "$tmp/b/2026-01-01/"*.cfg; do
  same_config "$f" "$tmp/mid/2026-01-02/$(basename "$f")" >/dev/null && fail "$(basename "$f") was not changed"
done
# The ordered entries really moved: the restore has to put them back in place.
grep -A1 "^ip access-list extended MGMT-IN" "$tmp/mid/2026-01-02/sw-0001.cfg" | grep -q "deny" &&
  grep -q "seq 15 permit 10.15.0.0/16" "$tmp/mid/2026-01-02/sw-0002.cfg" && ! grep -q "seq 20 " "$tmp/mid/2026-01-02/sw-0002.cfg" ||
  fail "the IOS ACL entry was not removed from the top"
nh run -i "$inv" "$SRC/playbooks/rollback.lua" -e dir="$tmp/b" -o "$tmp/rb.jsonl"
[ "$rc" = 0 ] || fail "rollback"
[ "$(grep -cE "^(sw|r)-[0-9]+ +restored" "$tmp/out")" = 6 ] || fail "6 hosts restored"
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir="$tmp/after" -e date=2026-01-03 -e git=no
[ "$rc" = 0 ] || fail "backup after rollback"
for f in "$tmp/b/2026-01-01/"*.cfg; do
  same_config "$f" "$tmp/after/2026-01-03/$(basename "$f")" || fail "$(basename "$f") differs from its backup"
done
nh run -i "$inv" "$SRC/playbooks/rollback.lua" -e dir="$tmp/b"
[ "$(grep -c "already equal" "$tmp/out")" = 6 ] || fail "a second rollback finds every device equal"
# A backup line the device accepts but never shows ("no shutdown" inside an interface) cannot
# be restored: the host fails with the line named, never "0 line(s)".
mkdir -p "$tmp/odd/2026-01-01"
sed 's/^ description changed by push$/ description changed by push/' "$tmp/after/2026-01-03/sw-0001.cfg" |
  awk '{ print } /^interface GigabitEthernet1\/0\/5$/ { print " no shutdown" }' >"$tmp/odd/2026-01-01/sw-0001.cfg"
nh run -i "$inv" -l sw-0001 "$SRC/playbooks/rollback.lua" -e dir="$tmp/odd"
[ "$rc" = 2 ] || fail "an impossible restore fails"
grep -q "restore incomplete: 1 difference(s) left: missing 'no shutdown' (in interface GigabitEthernet1/0/5)" "$tmp/out" ||
  fail "the message names the line"
echo "rollback on three platforms: ok"
