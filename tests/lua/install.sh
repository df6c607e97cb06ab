#!/bin/sh
# cmake --install puts nethost, its Lua library and its plugin folder in place, and an
# installed nethost finds them relative to itself, even after the tree is moved.
# usage: install.sh BUILD_DIR
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$1" --prefix "$tmp/first" >/dev/null
mv "$tmp/first" "$tmp/moved"
echo 'print("installed ok", async ~= nil)' >"$tmp/p.lua"
out=$(cd / && "$tmp/moved/bin/nethost" run "$tmp/p.lua")
[ "$out" = "installed ok	true" ] || { echo "FAIL: $out"; exit 1; }
[ -d "$tmp/moved/lib/nethost/plugins" ] || { echo "FAIL: no plugin folder"; exit 1; }
echo "install: ok"
