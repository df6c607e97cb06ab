#!/bin/sh
# backup.lua and rollback.lua against a lab: dated folders, unchanged configs skipped,
# diffs, git commits; a change rolled back leaves every device equal to its backup.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
start_lab 8 127.1.61.1 --mix cisco_ios=50,arista_eos=25,juniper_junos=25
inv=$tmp/lab/lab.yaml
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir="$tmp/b" -e date=2026-01-01
[ "$rc" = 0 ] || fail "first backup"
grep -q "8 new, 0 changed, 0 unchanged, 0 failed" "$tmp/out" || fail "first backup summary"
[ "$(ls "$tmp/b/2026-01-01" | grep -c '\.cfg$')" = 8 ] || fail "8 files"
grep -q "^hostname sw-0001" "$tmp/b/2026-01-01/sw-0001.cfg" || fail "ios backup content"
grep -q "host-name" "$tmp/b/2026-01-01/"r-*.cfg || fail "junos backup content"
if command -v git >/dev/null; then
  [ "$(git -C "$tmp/b" log --oneline | wc -l)" = 1 ] || fail "git commit"
fi
# Nothing changed (volatile lines differ: timestamps): nothing written.
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir="$tmp/b" -e date=2026-01-02
grep -q "0 new, 0 changed, 8 unchanged" "$tmp/out" || fail "unchanged run"
[ -d "$tmp/b/2026-01-02" ] && [ -z "$(ls "$tmp/b/2026-01-02")" ] || fail "unchanged configs written"
# Change two devices; the next backup has them, with diffs.
nh run -i "$inv" -l sw-0001 "$(dirname "$0")/change.lua" -e 'lines=ntp server 10.66.66.66;interface GigabitEthernet1/0/3;description changed by test'
[ "$rc" = 0 ] || fail "change ios"
nh run -i "$inv" -l 'juniper_junos' "$(dirname "$0")/change.lua" -e 'lines=set system ntp server 10.66.66.66'
[ "$rc" = 0 ] || fail "change junos"
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir="$tmp/b" -e date=2026-01-03
grep -q "0 new, 3 changed, 5 unchanged" "$tmp/out" || fail "changed run"
grep -q "^+ntp server 10.66.66.66" "$tmp/b/2026-01-03/sw-0001.diff" || fail "diff content"
grep -q "^+ description changed by test" "$tmp/b/2026-01-03/sw-0001.diff" || fail "diff section"
# Roll back to the first backup; then every device equals it again.
nh run -i "$inv" "$SRC/playbooks/rollback.lua" -e from="$tmp/b/2026-01-01" --check -o "$tmp/check.jsonl"
[ "$rc" = 0 ] || fail "rollback --check"
grep '"host":"sw-0001"' "$tmp/check.jsonl" | grep -q 'no ntp server 10.66.66.66' || fail "check mode shows the commands"
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir="$tmp/b2" -e date=2026-01-04 -e git=no
same() { # same configuration, ignoring the change timestamp
  grep -v "Last configuration change\|## Last commit" "$1" >"$tmp/x1"
  grep -v "Last configuration change\|## Last commit" "$2" >"$tmp/x2"
  cmp -s "$tmp/x1" "$tmp/x2"
}
same "$tmp/b2/2026-01-04/sw-0001.cfg" "$tmp/b/2026-01-03/sw-0001.cfg" || fail "--check changed a device"
nh run -i "$inv" "$SRC/playbooks/rollback.lua" -e from="$tmp/b/2026-01-01"
[ "$rc" = 0 ] || fail "rollback"
grep -Eq "^sw-0001 +restored +[1-9]" "$tmp/out" || fail "sw-0001 restored"
grep -Eq "^sw-0002 +already equal" "$tmp/out" || fail "untouched device left alone"
# Back to the first backup: the three changed hosts differ from the 01-03 backup again,
# and equal the 01-01 one.
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir="$tmp/b" -e date=2026-01-05
grep -q "0 new, 3 changed, 5 unchanged" "$tmp/out" || fail "backup after rollback"
for f in "$tmp/b/2026-01-05/"*.cfg; do
  same "$f" "$tmp/b/2026-01-01/$(basename "$f")" || fail "$(basename "$f") differs from its first backup"
done
nh run -i "$inv" "$SRC/playbooks/rollback.lua" -e from="$tmp/b/2026-01-01"
[ "$(grep -c "already equal" "$tmp/out")" = 8 ] || fail "a second rollback finds every device equal"
echo "backup/rollback: ok"
