#!/bin/sh
# The example plugin (plugins/example) built out of tree with pkg-config — against the
# build tree's nethost-plugin.pc and against an installed nethost — then loaded through
# --plugins, NETHOST_PLUGIN_PATH and `nethost run --plugins`. Also: failing plugins are
# reported with their file and the rest keeps working.
# usage: outoftree.sh NETHOST SOURCE_DIR BUILD_DIR
set -eu
NETHOST=$1 SRC=$2 BUILD=$3
for tool in pkg-config make cc nm; do
  command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir "$tmp/ex"
cp "$SRC/plugins/example/"* "$tmp/ex/"
PKG_CONFIG_PATH="$BUILD/lib/pkgconfig" make -s -C "$tmp/ex" >/dev/null

exported=$(nm -D --defined-only "$tmp/ex/acme_os.so" | awk '$2 == "T" { print $3 }')
[ "$exported" = nh_plugin_entry ] || fail "exported symbols: $exported"

out=$("$NETHOST" parse acme 'sh ver' "$tmp/ex/show_version.txt" --plugins "$tmp/ex" --compact)
[ "$out" = '{"version":"3.1.4","hostname":"edge-01","model":"ACME-4800","serial":"AC123456","uptime":"12 days, 3:04:05"}' ] ||
  fail "parse: $out"
out=$(NETHOST_PLUGIN_PATH="/nonexistent:$tmp/ex" "$NETHOST" parse acme_os 'show ports' "$tmp/ex/show_ports.txt" --compact)
[ "$out" = '[{"interface":"p1","status":"up","speed":"10G"},{"interface":"p2","status":"down","speed":"-"}]' ] ||
  fail "NETHOST_PLUGIN_PATH: $out"
if echo "garbage" | "$NETHOST" parse acme 'show ports' --plugins "$tmp/ex" 2>"$tmp/err"; then
  fail "garbage parsed"
fi
grep -q "expected the 'Port State Speed' header" "$tmp/err" || fail "error: $(cat "$tmp/err")"

"$NETHOST" plugins --plugins "$tmp/ex" >"$tmp/list"
grep -q "acme_os  *0.1.0  *ABI 1.2  *$tmp/ex/acme_os.so" "$tmp/list" || fail "plugins: $(cat "$tmp/list")"
grep -q "acme_os  *show ports" "$tmp/list" || fail "plugins lists no parser"

# nethost run --plugins DIR: a playbook using the plugin
cat >"$tmp/play.lua" <<'LUA'
local f = assert(io.open(arg[1]))
local facts = parse("acme", "show version", f:read("a"))
f:close()
assert(facts.model == "ACME-4800", facts.model)
print("model " .. facts.model)
LUA
out=$("$NETHOST" run "$tmp/play.lua" --plugins "$tmp/ex" -- "$tmp/ex/show_version.txt")
[ "$out" = "model ACME-4800" ] || fail "run: $out"
if "$NETHOST" run "$tmp/play.lua" --plugins "$tmp/nonexistent" 2>"$tmp/err"; then fail "bad --plugins accepted"; fi
grep -q "nonexistent" "$tmp/err" || fail "bad --plugins: $(cat "$tmp/err")"

# Broken plugins are reported with their files; the good ones still load, the run goes on.
TP="$BUILD/tests/plugin/tp"
if [ -d "$TP" ]; then
  if "$NETHOST" plugins --plugins "$TP" >"$tmp/list" 2>"$tmp/err"; then fail "plugins exit 0 with failures"; fi
  grep -q "tp_abi.so: plugin built for ABI 2.3, this nethost has ABI 1.2" "$tmp/list" ||
    fail "ABI mismatch not reported: $(cat "$tmp/list")"
  grep -q "tp_initfail.so: plugin tp_initfail failed to initialise" "$tmp/list" || fail "init failure"
  grep -q "tp_dup  " "$tmp/list" || fail "the good plugin did not load"
  out=$("$NETHOST" run "$tmp/play.lua" --plugins "$TP" --plugins "$tmp/ex" -- "$tmp/ex/show_version.txt" 2>"$tmp/err")
  [ "$out" = "model ACME-4800" ] || fail "run with broken plugins: $out"
  grep -q "tp_abi.so" "$tmp/err" || fail "no warning for a broken plugin: $(cat "$tmp/err")"
fi

# Against an installed nethost: the installed header and .pc are enough.
cmake --install "$BUILD" --prefix "$tmp/inst" >/dev/null
pc=$(find "$tmp/inst" -name nethost-plugin.pc | head -1)
[ -n "$pc" ] || fail "nethost-plugin.pc not installed"
[ -f "$tmp/inst/include/nethost/plugin.h" ] || fail "plugin.h not installed"
mkdir "$tmp/ex2"
cp "$SRC/plugins/example/"* "$tmp/ex2/"
# The .pc is relocatable: its include path must lead to the installed header.
inc=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags-only-I nethost-plugin | sed 's/^-I//; s/ *$//')
[ "$(cd "$inc" && pwd -P)" = "$(cd "$tmp/inst/include" && pwd -P)" ] || fail "installed .pc points at $inc"
PKG_CONFIG_PATH=$(dirname "$pc") make -s -C "$tmp/ex2" >/dev/null
PKG_CONFIG_PATH=$(dirname "$pc") make -s -C "$tmp/ex2" install >/dev/null
out=$("$tmp/inst/bin/nethost" parse acme 'sh ver' "$tmp/ex/show_version.txt" --compact)
case "$out" in *'"model":"ACME-4800"'*) ;; *) fail "installed nethost + installed plugin: $out" ;; esac
echo "ok"
