# Sourced by the tests that run a docs/ page's examples, so a page cannot drift from the code.
# extract_lua_examples DOC DIR: writes each ```lua block of DOC to DIR/exampleN.lua (N from
# 1, in page order).
extract_lua_examples() {
  awk -v dir="$2" '/^```lua$/ {n++; f=dir "/example" n ".lua"; on=1; next}
                   /^```$/ {on=0; next}
                   on {print > f}' "$1"
}
