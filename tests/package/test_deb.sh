#!/bin/sh
# cpack -G DEB on this build: the .deb's name, its generated Depends, its FHS paths; then
# the package unpacked into a scratch folder and its nethost run from there against a lab
# started by that same nethost (nethost finds its library and plugins relative to itself).
# usage: test_deb.sh BUILD_DIR SOURCE_DIR VERSION
set -u
BUILD=$1 SRC=$2 VERSION=$3 ALLOCATOR=${4:-system}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/out" ] && tail -30 "$tmp/out" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps; do
  command -v $tool >/dev/null || { echo "SKIP: no $tool (apt-get install dpkg-dev)"; exit 77; }
done
arch=$(dpkg --print-architecture)
cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$tmp/pkg" >"$tmp/out" 2>&1 || fail "cpack"
deb="$tmp/pkg/nethost_${VERSION}_${arch}.deb"
[ -f "$deb" ] || { ls "$tmp/pkg" >&2; fail "no $deb"; }

dpkg-deb -I "$deb" >"$tmp/info" || fail "dpkg-deb -I"
depends=$(sed -n 's/^ Depends: //p' "$tmp/info")
libs="libuv1 libssh2-1 libcurl4 libyaml-0-2 liblua5.4-0 libpcre2-8-0 libc6 libssh-4"
[ "$ALLOCATOR" = mimalloc ] && libs="$libs libmimalloc2.0"
for lib in $libs; do
  echo "$depends" | grep -q "\b$lib\b" || fail "Depends lacks $lib: $depends"
done
grep -q "^ Package: nethost$" "$tmp/info" || fail "package name"

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$tmp/files"
for f in /usr/bin/nethost /usr/bin/nethost-sim /usr/share/nethost/lua/nethost/cli.lua \
         /usr/share/nethost/playbooks/audit.lua /usr/include/nethost/plugin.h \
         /usr/lib/pkgconfig/nethost-plugin.pc /usr/share/man/man1/nethost.1 \
         /usr/share/man/man1/nethost-sim.1 /usr/share/man/man7/nethost-playbook.7 \
         /usr/share/bash-completion/completions/nethost /usr/share/doc/nethost/README.md; do
  grep -qx "$f" "$tmp/files" || fail "$f not in the package"
done
grep -q '^/usr/lib/\(.*-linux-gnu/\)\?nethost/plugins/cisco_ios.so$' "$tmp/files" || fail "no plugins"
# Nothing from the build or the tests gets in.
grep -v '^/usr/\(bin\|share\|lib\|include\)/' "$tmp/files" | grep -v '^/$\|^/usr/$' && fail "files outside /usr"
grep -q 'test_\|bench' "$tmp/files" && fail "tests or benchmarks in the package"
grep -q '^/usr/share/doc/nethost/docs/ssh\.md$' "$tmp/files" || fail "the docs are not in the package"
grep '^/usr/share/doc/nethost/docs/.*[^/]$' "$tmp/files" | grep -v '\.md$' && fail "build files among the docs"

dpkg-deb -x "$deb" "$tmp/root" || fail "dpkg-deb -x"
N="$tmp/root/usr/bin/nethost"
"$N" version >"$tmp/out" 2>&1 || fail "nethost version"
grep -q "^nethost $VERSION" "$tmp/out" || fail "version: $(cat "$tmp/out")"
"$N" plugins >"$tmp/out" 2>&1 || fail "nethost plugins"
grep -q "$tmp/root/usr/lib/.*cisco_ios.so" "$tmp/out" || fail "plugins not found beside the unpacked nethost"
ulimit -n "$(ulimit -Hn)" 2>/dev/null
(cd / && "$N" lab run --devices 5 --dir "$tmp/lab" --port 2222 --base 127.1.86.1 \
    "$tmp/root/usr/share/nethost/playbooks/audit.lua") >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "lab run audit.lua from the package: exit $rc"
grep -q "5 hosts: .* 0 unreachable" "$tmp/out" || fail "audit output"
# A plugin builds against the unpacked header with the unpacked .pc file (relocatable).
PKG_CONFIG_PATH="$tmp/root/usr/lib/pkgconfig" pkg-config --cflags nethost-plugin >"$tmp/cflags" || fail "pkg-config"
inc=$(sed -n 's/^-I\([^ ]*\).*/\1/p' "$tmp/cflags")
[ -f "$inc/nethost/plugin.h" ] && [ "$(cd "$inc" && pwd -P)" = "$(cd "$tmp/root/usr/include" && pwd -P)" ] ||
  fail "pkg-config cflags: $(cat "$tmp/cflags")"
echo "package.deb: ok ($(du -k "$deb" | cut -f1) KB; Depends: $depends)"
