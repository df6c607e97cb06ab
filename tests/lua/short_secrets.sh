#!/bin/sh
# Secrets of 1 or 2 bytes are not masked (hiding every "a" would garble the output and still
# show it; issue 16 item 1): the run warns once per such secret on stderr, naming the host and
# the secret's name but never the value, and secrets of 3 bytes or more stay masked.
set -u
NH=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset NETHOST_INVENTORY
fail() { echo "FAIL: $*"; [ -f "$T/err" ] && cat "$T/err"; exit 1; }
cat >"$T/inv.yaml" <<'YAML'
hosts:
  sw-1: {address: 127.0.0.1, password: Qz}
  sw-2: {address: 127.0.0.2, password: Qz}
  sw-3: {address: 127.0.0.3, password: "%"}
  sw-4: {address: 127.0.0.4, password: Long-Secret-9}
YAML
cat >"$T/pb.lua" <<'LUA'
nethost.run(nethost.inventory, function(host) print(host.name .. " pw=" .. host:secret("password")) end)
LUA
"$NH" run -i "$T/inv.yaml" -c 1 "$T/pb.lua" >"$T/out" 2>"$T/err" || fail "rc $?"
grep -q "^sw-4 pw=\*\*\*$" "$T/out" || fail "the long secret is not masked: $(cat "$T/out")"
grep -q "^sw-1 pw=Qz$" "$T/out" || fail "the short secret (documented as not masked): $(cat "$T/out")"
[ "$(grep -c 'too short to be masked' "$T/err")" = 2 ] || fail "one warning per short secret"
grep -q "warning: sw-1: password: a secret of 2 byte(s) is too short to be masked" "$T/err" ||
  fail "the warning names the host and the secret"
grep -q "warning: sw-3: password: a secret of 1 byte(s)" "$T/err" || fail "the 1-byte warning"
grep -q "Qz\|Long-Secret" "$T/err" && fail "a secret in the warnings"
echo "short secrets: ok"
