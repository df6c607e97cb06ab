# Sourced by the rollback tests: an independent check (awk, not nethost's config module) that
# a configuration equals its backup. Lines are compared with their enclosing section headers
# (IOS/EOS indentation, Junos braces), as sorted lists: top-level order does not count. The
# ordered lists compare in order: every IOS/EOS ACL and prefix-list section, and the terms of
# every Junos firewall filter and policy statement.
# same_config BACKUP CURRENT -> 0 when equal; prints the first differences otherwise.
flat_lines() { # FILE: one line per statement, prefixed by its section path, blanks collapsed
  awk '
    /^## Last commit|^! Last configuration change|^! NVRAM config|^Building configuration|^Current configuration|^! Time:/ { next }
    { sub(/\r$/, ""); line = $0; gsub(/[ \t]+$/, "", line) }
    line ~ /^[ \t]*$/ || line ~ /^[ \t]*!/ || line == "end" { next }
    line ~ /\{$/ { sub(/^[ \t]+/, "", line); sub(/ *\{$/, "", line); stack[++d] = line; next }
    line ~ /^[ \t]*\}$/ { d--; next }
    {
      match(line, /^ */); ind = RLENGTH; body = substr(line, ind + 1); gsub(/ +/, " ", body)
      if (d > 0) { p = ""; for (i = 1; i <= d; i++) p = p stack[i] " > "; print p body; next }
      if (ind == 0) { head[0] = body; print body; next }
      lvl = ind; head[lvl] = body; p = ""
      for (i = 0; i < lvl; i++) if (i in head && head[i] != "") p = p head[i] " > "
      for (i = lvl + 1; i < 16; i++) delete head[i]
      print p body
    }' "$1"
}
ordered_of() { # FLAT_FILE: ordered_lines from flat_lines' output
  grep -E '^(ip access-list|ipv6 access-list|ip prefix-list|route-map|access-list)' "$1"
  grep -E '(filter|policy-statement) [^ ]+ > term ' "$1" | sed -E 's/( > term [^ ]+).*/\1/' | uniq
}
same_config() {
  flat_lines "$1" >"$tmp/sf1"; flat_lines "$2" >"$tmp/sf2"
  sort "$tmp/sf1" >"$tmp/sc1"; sort "$tmp/sf2" >"$tmp/sc2"
  ordered_of "$tmp/sf1" >"$tmp/so1"; ordered_of "$tmp/sf2" >"$tmp/so2"
  if ! cmp -s "$tmp/sc1" "$tmp/sc2"; then echo "$2: lines differ:"; diff "$tmp/sc1" "$tmp/sc2" | head -8; return 1; fi
  if ! cmp -s "$tmp/so1" "$tmp/so2"; then echo "$2: order differs:"; diff "$tmp/so1" "$tmp/so2" | head -8; return 1; fi
  return 0
}
