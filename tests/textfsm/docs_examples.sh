#!/bin/sh
# Runs every ```lua example of docs/textfsm.md through nethost (with NET_TEXTFSM set), so
# the documentation cannot drift from the code.
set -e
nethost=$1 doc=$2 templates=$3
. "$(dirname "$0")/../lib/doc_examples.sh"
extract_lua_examples "$doc"
count=0
for f in "$dir"/example*.lua; do
  NET_TEXTFSM=$templates "$nethost" run "$f" > "$f.out"
  count=$((count + 1))
done
[ "$count" -ge 2 ] || { echo "no examples found in $doc"; exit 1; }
grep -q "cisco_ios_show_clock.textfsm" "$dir/example1.lua.out"
grep -q "c1	2	b,c" "$dir/example2.lua.out"
echo "$count examples ran"
