#!/bin/sh
# Runs every ```lua example of docs/net.md through nethost, so the page cannot drift.
set -e
nethost=$1 doc=$2
. "$(dirname "$0")/../lib/doc_examples.sh"
extract_lua_examples "$doc"
count=0
for f in "$dir"/example*.lua; do
  if ! "$nethost" run "$f" > "$f.out" 2>&1; then
    if grep -q "not permitted" "$f.out"; then echo "ICMP not permitted: skipped"; exit 77; fi
    cat "$f.out"; exit 1
  fi
  count=$((count + 1))
done
[ "$count" -ge 1 ] || { echo "no examples found in $doc"; exit 1; }
grep -q "^refused	false" "$dir/example1.lua.out"
grep -q "^true	3/3" "$dir/example1.lua.out"
grep -q "^254$" "$dir/example1.lua.out"
grep -q "^2001:db8::1 2001:db8::2 2001:db8::3$" "$dir/example1.lua.out"
grep -q "^false	resolve$" "$dir/example1.lua.out"
echo "$count examples ran"
