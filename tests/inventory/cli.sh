#!/bin/sh
# nethost inventory and nethost run -i/-l from the command line.
set -u
NH=$1
DATA=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset NETHOST_INVENTORY
fail() { echo "FAIL: $*"; exit 1; }

out=$("$NH" inventory -i "$DATA/lab.yaml" 2>/dev/null) || fail "inventory exit $?"
[ "$(echo "$out" | wc -l)" -eq 5 ] || fail "5 lines: $out"
echo "$out" | grep -q '^core-2 .*127.1.0.2:2222 .*cisco_ios .*core$' || fail "core-2 line: $out"

out=$("$NH" inventory -i "$DATA/lab.yaml" -l 'core:!edge' 2>/dev/null)
[ "$(echo "$out" | wc -l)" -eq 2 ] || fail "-l core:!edge: $out"

out=$("$NH" inventory -i "$DATA/lab.yaml" --json)
echo "$out" | grep -q '"password": "\*\*\*"' || fail "masked password in --json"
echo "$out" | grep -q 'inline-secret' && fail "secret in --json"
python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==5 and d[2]["name"]=="edge-1"' <<EOF2 || fail "--json is not a JSON array of 5"
$out
EOF2

out=$("$NH" inventory -i "$DATA/lab.yaml" --host edge-1)
echo "$out" | grep -q '"platform": "arista_eos"' || fail "--host: $out"
echo "$out" | grep -q 'inline-secret' && fail "secret in --host"

out=$("$NH" inventory -i "$DATA/lab.yaml" --explain core-2)
echo "$out" | grep -q '^ssh.timeout  *group site-lon$' || fail "--explain: $out"

out=$("$NH" inventory -i "$DATA/lab.yaml" -l nothing-here 2>&1) && fail "-l matching nothing succeeded"
echo "$out" | grep -q "nothing-here matches no host" || fail "-l message: $out"
out=$("$NH" inventory -i "$DATA/lab.yaml" -l 'core:acess' 2>&1 >/dev/null)
echo "$out" | grep -q "warning: -l core:acess: no host or group matches acess" || fail "-l typo warning: $out"

printf 'hosts:\n  a:\n    plaform: x\n' >"$T/typo.yaml"
out=$("$NH" inventory -i "$T/typo.yaml" 2>&1) && fail "typo loaded"
echo "$out" | grep -q "typo.yaml:3:5: host 'a': unknown key 'plaform' (did you mean 'platform'?)" || fail "typo message: $out"

head -c 3000 /dev/urandom >"$T/garbage.yaml"
"$NH" inventory -i "$T/garbage.yaml" >/dev/null 2>&1
[ $? -eq 1 ] || fail "garbage inventory: exit status not 1"

# nethost run -i/-l and NETHOST_INVENTORY.
cat >"$T/pb.lua" <<'EOF2'
local inv = nethost.inventory
print(inv and #inv or "none")
EOF2
[ "$("$NH" run "$T/pb.lua")" = none ] || fail "no -i: nethost.inventory is not nil"
[ "$("$NH" run -i "$DATA/lab.yaml" -l access "$T/pb.lua")" = 2 ] || fail "run -i -l"
[ "$(NETHOST_INVENTORY="$DATA/lab.yaml" "$NH" run "$T/pb.lua")" = 5 ] || fail "NETHOST_INVENTORY"
out=$("$NH" run -i "$DATA/lab.yaml" -l 'zzz*' "$T/pb.lua" 2>&1) && fail "run -l nothing succeeded"
echo "$out" | grep -q "zzz\* matches no host" || fail "run -l message: $out"
out=$("$NH" run -i "$T/typo.yaml" "$T/pb.lua" 2>&1) && fail "run with a bad inventory succeeded"
echo "$out" | grep -q "typo.yaml:3:5:" || fail "run -i message: $out"
[ "$(NETHOST_INVENTORY="$DATA/nornir" "$NH" inventory 2>/dev/null | wc -l)" -eq 3 ] || fail "inventory with NETHOST_INVENTORY"
"$NH" help inventory | grep -q -- "--explain NAME" || fail "help inventory"

# -e KEY=@file.yaml goes through the YAML module.
cat >"$T/vars.lua" <<'EOF2'
print(nethost.vars.lab.hosts["core-1"].address, nethost.vars.lab.defaults.ssh.connect_timeout)
EOF2
[ "$("$NH" run "$T/vars.lua" -e "lab=@$DATA/lab.yaml")" = "$(printf '127.1.0.1\t10')" ] || fail "-e @file.yaml"
printf 'a: [1\n' >"$T/broken.yaml"
out=$("$NH" run "$T/vars.lua" -e "x=@$T/broken.yaml" 2>&1) && fail "-e with broken YAML succeeded"
echo "$out" | grep -q "broken.yaml:2:1: " || fail "-e broken YAML message: $out"

# A NUL byte, bytes that are not UTF-8 and "\0" escapes are reported where they are (issue 16
# item 9), in inventories (YAML, INI, JSON) and in -e @vars files, never at 1:1 or cut short.
printf 'all:\n  hosts:\n    r1:\n      host: 10.0.0.1\n    r2:\n      host: 10.0\000.0.2\n' >"$T/nul.yaml"
out=$("$NH" inventory -i "$T/nul.yaml" 2>&1) && fail "NUL byte loaded"
echo "$out" | grep -q "nul.yaml:6:17: a NUL byte" || fail "NUL byte message: $out"
printf '[core]\nr1 ansible_host=10.0.0.1\nr2 ansible_host=10.0.0.2 pw=caf\351\n' >"$T/hosts"
out=$("$NH" inventory -i "$T/hosts" 2>&1) && fail "non-UTF-8 INI loaded"
echo "$out" | grep -q "hosts:3:32: a byte that is not UTF-8 (0xE9)" || fail "INI UTF-8 message: $out"
printf 'hosts:\n  r1:\n    address: 10.0.0.1\n    password: "se\\0cret"\n' >"$T/esc.yaml"
out=$("$NH" inventory -i "$T/esc.yaml" 2>&1) && fail "a \\0 escape loaded"
echo "$out" | grep -q "esc.yaml:4:15: the value of 'password' holds a NUL character" || fail "\\0 message: $out"
echo "$out" | grep -q "cret" && fail "the secret is in the message: $out"
printf '{"site": "par",\n "snmp": {"community": "pub\\u0000lic"}}\n' >"$T/vars.json"
out=$("$NH" run "$T/vars.lua" -e "@$T/vars.json" 2>&1) && fail "-e @vars.json with \\u0000 succeeded"
echo "$out" | grep -q "vars.json:2:24: the value of 'community' holds a NUL" || fail "-e @vars.json message: $out"
echo ok
