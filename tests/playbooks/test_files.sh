#!/bin/sh
# Files nethost writes (issue 16 items 3 and 4): a file name built from a host name never
# leaves its folder (backup.lua, rollback.lua, push.lua snapshots), and backups, diffs,
# snapshots, results, logs and reports are 0600 in 0700 folders under umask 022.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
umask 022
start_lab 2 127.1.161.1
inv=$tmp/lab/hostile.yaml
# Hostile names on the lab's first device (its address keeps its known_hosts line).
sed 's/^  sw-0002:.*//' "$tmp/lab/lab.yaml" >"$inv"
cat >>"$inv" <<'YAML'
  "../../PWNED": {address: 127.1.161.1, groups: [cisco_ios]}
  "a/b": {address: 127.1.161.1, groups: [cisco_ios]}
  "..": {address: 127.1.161.1, groups: [cisco_ios]}
  ".hidden": {address: 127.1.161.1, groups: [cisco_ios]}
YAML
mkdir -p "$tmp/w/x/y"
cd "$tmp/w/x/y" || fail "cd"
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir=b -e date=2026-01-01 -e git=no \
  -o "$tmp/w/res.jsonl" --log "$tmp/w/run.log"
[ "$rc" = 0 ] || fail "backup with hostile host names (rc $rc)"
grep -q "5 new" "$tmp/out" || fail "backup: 5 new"
outside=$(find "$tmp/w" -type f ! -path "$tmp/w/x/y/b/2026-01-01/*" ! -name res.jsonl ! -name run.log)
[ -z "$outside" ] || fail "files outside the backup folder: $outside"
[ "$(ls b/2026-01-01 | wc -l)" = 5 ] || fail "5 backup files: $(ls -a b/2026-01-01)"
[ -f "b/2026-01-01/%2E.%2F..%2FPWNED.cfg" ] || fail "../../PWNED: $(ls -a b/2026-01-01)"
[ -f "b/2026-01-01/a%2Fb.cfg" ] && [ -f "b/2026-01-01/%2E..cfg" ] && [ -f "b/2026-01-01/%2Ehidden.cfg" ] ||
  fail "encoded names: $(ls -a b/2026-01-01)"
# rollback.lua finds each host's backup under the same name.
nh run -i "$inv" "$SRC/playbooks/rollback.lua" -e from=b/2026-01-01 --check -o "$tmp/w/rb.jsonl"
[ "$rc" = 0 ] || fail "rollback --check (rc $rc)"
[ "$(grep -c '"status":"skipped"' "$tmp/w/rb.jsonl")" = 0 ] || fail "rollback skipped a hostile name"
# push.lua's snapshots.
printf 'ntp server 10.9.9.9\n' >"$tmp/lines.cfg"
nh run -i "$inv" -l "../../PWNED" "$SRC/playbooks/push.lua" -e file="$tmp/lines.cfg" -e snapshots=snap
[ "$rc" = 0 ] || fail "push (rc $rc)"
ls snap/*/%2E.%2F..%2FPWNED.cfg >/dev/null 2>&1 || fail "push snapshot: $(find snap)"
[ ! -e "$tmp/w/PWNED.cfg" ] && [ ! -e "$tmp/w/x/PWNED.cfg" ] || fail "push wrote outside snap"

# Modes: nothing group- or world-readable.
nh run -i "$inv" "$SRC/playbooks/audit.lua" -e report="$tmp/w/audit.csv"
[ -f "$tmp/w/audit.csv" ] || fail "audit report"
bad=$(find "$tmp/w" -type f -perm /077 -o -type d -perm /077 ! -path "$tmp/w" ! -path "$tmp/w/x" ! -path "$tmp/w/x/y")
[ -z "$bad" ] || fail "readable by others: $(ls -ld $bad)"
for f in res.jsonl run.log audit.csv x/y/b/2026-01-01/a%2Fb.cfg; do
  [ "$(stat -c %a "$tmp/w/$f")" = 600 ] || fail "$f is $(stat -c %a "$tmp/w/$f")"
done
[ "$(stat -c %a "$tmp/w/x/y/b")" = 700 ] || fail "backup folder is $(stat -c %a "$tmp/w/x/y/b")"
echo "files: ok"
