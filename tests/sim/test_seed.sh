#!/bin/sh
# The lab is a function of its options: the same --seed gives the same versions, models,
# serials and configurations; another seed gives another lab. Versions come from realistic
# lists that include known-vulnerable releases, and running configurations have the sizes
# of real ones (200-2,000 lines, some devices much larger).
# usage: test_seed.sh BIN_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"

cat >"$tmp/facts.lua" <<'LUA'
-- one line per device: name, version line, serial, running-config lines and checksum
local rows = {}
for rec in nethost.run(nethost.inventory, function(h)
  local s <close> = ssh.open(h)
  local junos = h.platform == "juniper_junos"
  local ver = s:run("show version").stdout
  local cfg = s:run(junos and "show configuration" or "show running-config").stdout
  local version = ver:match("Junos: (%S+)") or ver:match("Version (%S+),")
               or ver:match("Software image version: (%S+)")
  local serial = junos and s:run("show chassis hardware").stdout:match("Chassis%s+(%S+)")
              or ver:match("[Ss]erial [Nn]umber%s*:?%s*(%S+)") or ver:match("Processor board ID (%S+)")
  local sum = 0
  for i = 1, #cfg, 7 do sum = (sum * 31 + cfg:byte(i)) % 1000000007 end
  local _, lines = cfg:gsub("\n", "")
  return ("%s %s %s %d %d"):format(h.name, version, serial, lines, sum)
end, { concurrency = 100 }):each() do
  assert(rec.status == "ok", rec.host .. ": " .. tostring(rec.error))
  rows[#rows + 1] = rec.value
end
table.sort(rows)
print(table.concat(rows, "\n"))
LUA

facts() { # SEED OUTFILE
  start_lab 60 127.1.94.1 --seed "$1"
  nh run -q -i "$tmp/lab/lab.yaml" "$tmp/facts.lua"
  [ "$rc" = 0 ] || fail "facts with seed $1 (rc $rc)"
  grep -E '^(sw|r)-[0-9]+ ' "$tmp/out" >"$2"
  stop_lab
}
# lab.sh starts every lab with --seed 7; a later --seed wins.
facts 11 "$tmp/a"
facts 11 "$tmp/b"
facts 12 "$tmp/c"
[ "$(wc -l <"$tmp/a")" = 60 ] || fail "expected 60 devices, got $(wc -l <"$tmp/a")"
grep -q ' nil ' "$tmp/a" && fail "a version or serial was not found: $(grep ' nil ' "$tmp/a" | head -3)"
cmp -s "$tmp/a" "$tmp/b" || fail "the same seed gave another lab: $(diff "$tmp/a" "$tmp/b" | head -5)"
changed=$(paste -d' ' "$tmp/a" "$tmp/c" | awk '$2 != $7 || $3 != $8 || $5 != $10' | wc -l)
[ "$changed" -ge 30 ] || fail "seed 12 changed only $changed of 60 devices"
# Sizes: most configurations 200-2,000 lines, some much larger.
normal=$(awk '$4 >= 200 && $4 <= 2000' "$tmp/a" | wc -l)
big=$(cat "$tmp/a" "$tmp/c" | awk '$4 > 2000' | wc -l)
[ "$normal" -ge 45 ] || fail "only $normal of 60 configurations have 200-2,000 lines"
[ "$big" -ge 1 ] || fail "no device has a configuration over 2,000 lines in 120"
# Known-vulnerable releases are part of the draw (the audit playbook needs findings).
cat "$tmp/a" "$tmp/c" | grep -q -E ' (15\.2\(4\)E1|15\.2\(2\)E9|4\.26\.4M|21\.4R3-S3) ' ||
  fail "no known-vulnerable version in 120 devices"
[ "$(cut -d' ' -f2 "$tmp/a" | sort -u | wc -l)" -ge 6 ] || fail "too few distinct versions"
echo "seed: ok ($normal of 60 with 200-2,000 lines, $big over 2,000 in 120)"
