#!/bin/sh
# nethost's known_hosts reading against the lab (issue 16 item 8): a line it cannot parse
# is reported with its file:line and skipped (the other hosts still connect); @revoked
# keys are refused under strict and never pinned under accept-new; @cert-authority lines
# are reported as unsupported and skipped.
# usage: test_knownhosts.sh BIN_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
start_lab 3 127.1.162.1 --host-keys device
kh=$tmp/lab/lab.known_hosts
cp "$kh" "$tmp/kh.orig"
cat >"$tmp/each.lua" <<'LUA'
for rec in nethost.run(nethost.inventory, function(h) return ssh.run(h, "show clock").exit_status end):each() do
  print(rec.host, rec.status, rec.error and rec.error.kind or "-", rec.error and rec.error.message or "")
end
LUA
name1=$(sed -n 's/^  \([a-z0-9-]*\): {address: 127.1.162.1,.*/\1/p' "$tmp/lab/lab.yaml")
key1=$(grep '^\[127.1.162.1\]:2222 ' "$tmp/kh.orig" | cut -d' ' -f2,3)

# One unparseable line (line 2: a host without a key): reported, skipped; every host still connects.
{ sed -n 1p "$tmp/kh.orig"; echo "127.9.9.9 ssh-ed25519"; sed -n '2,$p' "$tmp/kh.orig"; } >"$kh"
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/each.lua"
[ "$(grep -c '	ok	' "$tmp/out")" = 3 ] || fail "a bad line failed the hosts (rc $rc)"
grep -q "lab.known_hosts:2: cannot parse" "$tmp/out" || fail "the bad line is not reported with file:line"

# @revoked: strict refuses the revoked key; the other hosts connect.
{ cat "$tmp/kh.orig"; echo "@revoked * $key1"; } >"$kh"
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/each.lua"
grep -q "^$name1	failed	hostkey	.*REVOKED" "$tmp/out" || fail "strict accepted a revoked key"
[ "$(grep -c '	ok	' "$tmp/out")" = 2 ] || fail "revoked: the other two hosts"

# accept-new never pins a revoked key.
sed 's/host_key_policy: strict/host_key_policy: accept-new/' "$tmp/lab/lab.yaml" >"$tmp/lab/new.yaml"
echo "@revoked [127.1.162.1]:2222 $key1" >"$kh"
nh run -q -i "$tmp/lab/new.yaml" "$tmp/each.lua"
grep -q "^$name1	failed	hostkey	.*REVOKED" "$tmp/out" || fail "accept-new accepted a revoked key"
[ "$(grep -c '	ok	' "$tmp/out")" = 2 ] || fail "accept-new: the other two hosts"
grep -v '^@revoked' "$kh" | grep -q "127.1.162.1" && fail "accept-new pinned a revoked key"
[ "$(grep -c '^\[127.1.162.[23]\]:2222 ssh-ed25519 ' "$kh")" = 2 ] || fail "accept-new pinned the others: $(cat "$kh")"

# @cert-authority is reported and skipped.
{ echo "@cert-authority *.example.com $key1"; cat "$tmp/kh.orig"; } >"$kh"
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/each.lua"
[ "$(grep -c '	ok	' "$tmp/out")" = 3 ] || fail "@cert-authority failed the hosts"
grep -q "lab.known_hosts:1: @cert-authority is not supported" "$tmp/out" || fail "@cert-authority not reported"
# The lookup by host name (ssh_knownhosts.c indexes the entries by name) finds what a scan
# of the whole file finds: hashed names (ssh-keygen -H), a name in a comma list, a name
# without its port, and a changed key whichever way the name is written.
key2=$(grep '^\[127.1.162.2\]:2222 ' "$tmp/kh.orig" | cut -d' ' -f2,3)
cp "$tmp/kh.orig" "$kh"
ssh-keygen -q -H -f "$kh" >/dev/null 2>&1 || fail "ssh-keygen -H"
grep -q '^|1|' "$kh" || fail "ssh-keygen -H did not hash: $(cat "$kh")"
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/each.lua"
[ "$(grep -c '	ok	' "$tmp/out")" = 3 ] || fail "hashed names: $(cat "$tmp/out")"
{ grep -v '^\[127.1.162.1\]:2222 ' "$tmp/kh.orig"; echo "[127.1.162.9]:2222,[127.1.162.1]:2222 $key1"; } >"$kh"
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/each.lua"
[ "$(grep -c '	ok	' "$tmp/out")" = 3 ] || fail "a name in a comma list: $(cat "$tmp/out")"
{ grep -v '^\[127.1.162.1\]:2222 ' "$tmp/kh.orig"; echo "127.1.162.1 $key1"; } >"$kh"
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/each.lua"
[ "$(grep -c '	ok	' "$tmp/out")" = 3 ] || fail "a name without its port: $(cat "$tmp/out")"
{ grep -v '^\[127.1.162.1\]:2222 ' "$tmp/kh.orig"; echo "[127.1.162.1]:2222 $key2"; } >"$kh"
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/each.lua"
grep -q "^$name1	failed	hostkey	.*HOST KEY CHANGED" "$tmp/out" || fail "a changed key: $(cat "$tmp/out")"
[ "$(grep -c '	ok	' "$tmp/out")" = 2 ] || fail "changed key: the other two hosts"
ssh-keygen -q -H -f "$kh" >/dev/null 2>&1 || fail "ssh-keygen -H"
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/each.lua"
grep -q "^$name1	failed	hostkey	.*HOST KEY CHANGED" "$tmp/out" || fail "a changed key, hashed: $(cat "$tmp/out")"
[ "$(grep -c '	ok	' "$tmp/out")" = 2 ] || fail "changed key, hashed: the other two hosts"
echo "knownhosts: ok"
