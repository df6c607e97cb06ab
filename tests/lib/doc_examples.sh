# Sourced by the tests that run a docs/ page's examples, so a page cannot drift from the code.
# Sourcing it makes the scratch folder $dir (removed on exit).
# extract_lua_examples DOC: writes each ```lua block of DOC to $dir/exampleN.lua (N from 1,
# in page order).
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
extract_lua_examples() {
  awk -v dir="$dir" '/^```lua$/ {n++; f=dir "/example" n ".lua"; on=1; next}
                     /^```$/ {on=0; next}
                     on {print > f}' "$1"
}
