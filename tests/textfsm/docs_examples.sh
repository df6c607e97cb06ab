#!/bin/sh
# Runs every ```lua example of docs/textfsm.md through nethost (with NET_TEXTFSM set), so
# the documentation cannot drift from the code.
set -e
nethost=$1 doc=$2 templates=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
awk -v dir="$dir" '/^```lua$/ {n++; f=dir "/example" n ".lua"; on=1; next}
                   /^```$/ {on=0; next}
                   on {print > f}' "$doc"
count=0
for f in "$dir"/example*.lua; do
  NET_TEXTFSM=$templates "$nethost" run "$f" > "$f.out"
  count=$((count + 1))
done
[ "$count" -ge 2 ] || { echo "no examples found in $doc"; exit 1; }
grep -q "cisco_ios_show_clock.textfsm" "$dir/example1.lua.out"
grep -q "c1	2	b,c" "$dir/example2.lua.out"
echo "$count examples ran"
