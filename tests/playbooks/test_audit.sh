#!/bin/sh
# audit.lua against a lab: vulnerable versions found, report files, unreachable hosts.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
start_lab 30 127.1.60.1 --fault refuse:devices=sw-0030
nh run -i "$tmp/lab/lab.yaml" "$SRC/playbooks/audit.lua" -o "$tmp/r.jsonl" -e report="$tmp/audit.csv"
[ "$rc" = 2 ] || fail "an unreachable host must give exit 2 (got $rc)"
grep -q "30 hosts: [1-9][0-9]* vulnerable, [1-9][0-9]* ok, 1 unreachable" "$tmp/out" || fail "summary"
grep -q "^sw-0030 *unreachable" "$tmp/out" || fail "unreachable row"
grep -Eq "^sw-[0-9]+ +vulnerable +15\.2\(4\)E1 " "$tmp/out" || fail "no vulnerable 15.2(4)E1 row"
head -1 "$tmp/audit.csv" | grep -q "^host,status,version,model,advisories$" || fail "csv header"
[ "$(wc -l <"$tmp/audit.csv")" = 31 ] || fail "csv rows"
[ "$(grep -c '"host"' "$tmp/r.jsonl")" = 30 ] || fail "jsonl"
grep '"host":"sw-0001"' "$tmp/r.jsonl" | grep -q '"timings":{"co' || fail "per-phase timings"
# Every row's version is what the device really runs (asked independently).
cat >"$tmp/check.lua" <<'LUA'
for line in io.lines(arg[1]) do
  local host, status, version = line:match("^([^,]+),([^,]+),([^,]*)")
  if host ~= "host" and status ~= "unreachable" then
    local h = nethost.inventory:get(host)
    local facts = parse(h.platform, "show version", ssh.run(h, "show version").stdout)
    assert(facts.version == version, host .. ": " .. version .. " vs " .. tostring(facts.version))
  end
end
print("versions match")
LUA
nh run -i "$tmp/lab/lab.yaml" -l '!sw-0030' "$tmp/check.lua" "$tmp/audit.csv"
[ "$rc" = 0 ] || fail "versions"
# Without the unreachable host: exit 0, unless vulnerable hosts must fail the run.
nh run -i "$tmp/lab/lab.yaml" -l 'all:!sw-0030' "$SRC/playbooks/audit.lua"
[ "$rc" = 0 ] || fail "exit status without unreachable hosts: $rc"
nh run -i "$tmp/lab/lab.yaml" -l 'all:!sw-0030' "$SRC/playbooks/audit.lua" -e fail_on_vulnerable=yes
[ "$rc" = 2 ] || fail "fail_on_vulnerable"
echo "audit: ok"
