-- config: device configurations as data — volatile-line filters, a section-aware model,
-- comparison, and the minimal commands that turn one configuration into another.
--
-- Dialects: "indent" (Cisco IOS, Arista EOS: sections by indentation), "braces" (Junos
-- curly-brace form) and "set" (Junos set form). Braces are read as set form. Which one a
-- platform writes is its plugin's config_dialect (nethost/platform.lua).

local platform = require("nethost.platform")
local platform_volatile = platform.volatile
local re_test = require("nethost.re").test

local config = {}

--- config.dialect(platform) -> "indent" | "braces" | "set": what the platform's plugin
--- says, "indent" for a platform no plugin defines.
config.dialect = platform.dialect

--- config.normalize(text, platform) -> text without volatile lines (what the platform's plugin
--- lists as changing on its own: timestamps, byte counts, ntp clock-period), blank lines,
--- trailing spaces and CRs, so two backups compare equal when nothing really changed.
function config.normalize(text, platform)
  local volatile = platform_volatile(platform)
  local out = {}
  for line in (text:gsub("\r", "")):gmatch("([^\n]*)\n?") do
    line = line:gsub("%s+$", "")
    local skip = line == ""
    for i = 1, #volatile do
      if skip then break end
      skip = re_test(line, volatile[i])
    end
    if not skip then out[#out + 1] = line end
  end
  while out[#out] == "" do out[#out] = nil end
  return table.concat(out, "\n") .. "\n"
end


-- Indent dialect -------------------------------------------------------------------------

--- config.parse(text [, platform]) -> tree: {children = {{line =, children = {...}}, ...}}
--- Indented lines belong to the section above; "!" comments and "end" are dropped.
function config.parse(text, platform)
  local dialect = config.dialect(platform)
  if dialect ~= "indent" then return config.parse_set(config.to_set(text)) end
  local root = { children = {}, indent = -1 }
  local stack = { root }
  for raw in (text:gsub("\r", "")):gmatch("([^\n]*)\n?") do
    local indent, line = raw:match("^(%s*)(.*)$")
    if line:find("%s$") then line = line:gsub("%s+$", "") end
    if line ~= "" and line:sub(1, 1) ~= "!" and not (line == "end" and #indent == 0) then
      local depth = #indent
      while #stack > 1 and stack[#stack].indent >= depth do stack[#stack] = nil end
      local node = { line = line, children = {}, indent = depth }
      local parent = stack[#stack]
      parent.children[#parent.children + 1] = node
      stack[#stack + 1] = node
    end
  end
  return root
end

--- config.sections(text [, platform]) -> {header = {lines of the section}} for top-level
--- sections (a header with children), plus the lines of each.
function config.sections(text, platform)
  local tree = config.parse(text, platform)
  local out = {}
  for _, node in ipairs(tree.children) do
    if node.children[1] then
      local lines = {}
      for _, c in ipairs(node.children) do lines[#lines + 1] = c.line end
      out[node.line] = lines
    end
  end
  return out
end

-- Commands whose new value replaces the old one: no need to negate the old line first.
local OVERWRITE = { "hostname", "description", "ip address", "switchport access vlan",
                    "switchport mode", "mtu", "speed", "duplex", "ip domain%-name",
                    "ip domain name", "clock timezone", "banner motd", "enable secret",
                    "logging buffered", "snmp%-server location", "snmp%-server contact" }

local function overwrite_key(line)
  for _, k in ipairs(OVERWRITE) do
    if line:find("^" .. k .. " ") and not line:find(" secondary$") then return k end
  end
  return nil
end

local function negate(line)
  local positive = line:match("^no (.*)$")
  return positive or ("no " .. line)
end

-- Comparison and remediation ---------------------------------------------------------------
--
-- A configuration is compared as the platform means it, not as text: top-level lines and
-- the lines of most sections are sets (a device shows them in its own order, and a line
-- re-added after a rollback lands where the device puts it), while the entries of ACLs,
-- prefix lists, route maps and policy maps (Junos: the terms of firewall filters and policy
-- statements) are sequences — their order decides what matches first.

-- Lines compare with runs of blanks collapsed: IOS aligns ACL entries ("deny   ip any any")
-- but accepts and stores them typed with one space.
local function canon(line)
  if not line:find("%s%s") and not line:find("\t", 1, true) then return line end
  return (line:gsub("%s+", " "))
end

-- Sections whose child lines are an ordered list of entries.
local ORDERED_SECTION = {
  "^ip access%-list ", "^ipv6 access%-list ", "^mac access%-list ", "^ip prefix%-list ",
  "^ipv6 prefix%-list ", "^route%-map ", "^policy%-map ", "^ip as%-path access%-list ",
  "^object%-group ", "^ip community%-list ",
}

local function ordered_section(header)
  for _, p in ipairs(ORDERED_SECTION) do
    if header:find(p) then return true end
  end
  return false
end

-- Lines (or section headers) that are entries of an ordered list at their level: the list
-- they belong to, or nil. Numbered ACLs, prefix lists and community lists written as
-- top-level lines; route-map entries ("route-map NAME permit 10") are sections.
local ORDERED_GROUP = {
  "^(access%-list %S+) ", "^(ipv6 access%-list %S+) ", "^(ip prefix%-list %S+) ",
  "^(ipv6 prefix%-list %S+) ", "^(route%-map %S+) ", "^(ip as%-path access%-list %S+) ",
  "^(ip community%-list %S+ %S+) ", "^(ip community%-list %S+) ",
  "^(ip extcommunity%-list %S+ %S+) ",
}

-- The first letters of the lines ORDERED_GROUP can match: most lines are rejected at once.
local GROUP_START = { [string.byte("a")] = true, [string.byte("i")] = true,
                      [string.byte("r")] = true }

local function ordered_group(line, in_ordered)
  if in_ordered then return "" end
  if not GROUP_START[line:byte(1)] then return nil end
  if line:byte(1) == string.byte("i") and not (line:find("^ip ") or line:find("^ipv6 ")) then
    return nil
  end
  for _, p in ipairs(ORDERED_GROUP) do
    local g = line:match(p)
    if g then return g end
  end
  return nil
end

local function where(path)
  return path[1] and (" (in " .. table.concat(path, " / ") .. ")") or ""
end

-- Matches the ordered lists `have` and `want` (node lists) the way a device that appends
-- new entries at the end can reach: the longest prefix of `want` that is a subsequence of
-- `have` stays; every other `have` entry is removed, and the rest of `want` is added in
-- order. Returns the kept pairs, the removed nodes and the index of the first added one.
local function match_sequence(have, want)
  local pairs_, removed, k = {}, {}, 0
  for _, h in ipairs(have) do
    local w = want[k + 1]
    if w and w.key == h.key then
      k = k + 1
      pairs_[#pairs_ + 1] = { h, w }
    else
      removed[#removed + 1] = h
    end
  end
  return pairs_, removed, k + 1
end

-- Entries that carry their own sequence number ("seq 10 permit ...", "10 permit ...",
-- "route-map NAME permit 10"): the device puts each where its number says, so a missing
-- entry is added alone and the others stay.
local function seq_number(key)
  return tonumber(key:match("^seq (%d+) ") or key:match("^(%d+) ") or
                  key:match("^route%-map %S+ %a+ (%d+)$"))
end

local function numbered(list)
  for _, n in ipairs(list) do
    if not seq_number(n.key) then return false end
  end
  return true
end

local function match_numbered(have, want)
  local by = {}
  for _, w in ipairs(want) do by[w.key] = w end
  local pairs_, removed, kept = {}, {}, {}
  for _, h in ipairs(have) do
    if by[h.key] then
      pairs_[#pairs_ + 1] = { h, by[h.key] }
      kept[h.key] = true
    else
      removed[#removed + 1] = h
    end
  end
  -- The entries to add, in number order, moved to the end of a copy of want.
  local added = {}
  for _, w in ipairs(want) do
    if not kept[w.key] then added[#added + 1] = w end
  end
  local list = {}
  for _, p in ipairs(pairs_) do list[#list + 1] = p[2] end
  local first_new = #list + 1
  table.move(added, 1, #added, first_new, list)
  return pairs_, removed, first_new, list
end

local function emit_tree(node, out)
  out[#out + 1] = node.line
  if node.children[1] then
    for _, c in ipairs(node.children) do emit_tree(c, out) end
    out[#out + 1] = "exit"
  end
end

-- Walks two node lists. out: remediation commands (nil: only compare); diffs: the
-- differences found, {kind = "missing"|"extra"|"order", line =, path = {...}}.
local walk

local function walk_children(h, w, out, diffs, path)
  local sub = out and {} or nil
  path[#path + 1] = w.line
  walk(h.children, w.children, sub, diffs, path, ordered_section(w.line))
  path[#path] = nil
  if sub and sub[1] then
    out[#out + 1] = w.line
    table.move(sub, 1, #sub, #out + 1, out)
    out[#out + 1] = "exit"
  end
end

local function copy_path(path) return table.move(path, 1, #path, 1, {}) end

walk = function(have, want, out, diffs, path, in_ordered)
  for _, n in ipairs(have) do n.key = n.key or canon(n.line) end
  for _, n in ipairs(want) do n.key = n.key or canon(n.line) end
  -- Split both lists into the ordered lists they hold and the set of other lines.
  local groups, order = {}, {}
  local set_have, set_want = {}, {}
  local function place(list, n, side)
    local g = ordered_group(n.key, in_ordered)
    if g then
      if not groups[g] then
        groups[g] = { have = {}, want = {} }
        order[#order + 1] = g
      end
      local t = groups[g][side]
      t[#t + 1] = n
    else
      list[#list + 1] = n
    end
  end
  for _, n in ipairs(have) do place(set_have, n, "have") end
  for _, n in ipairs(want) do place(set_want, n, "want") end

  -- The set part.
  local have_by, want_by = {}, {}
  for _, n in ipairs(set_have) do have_by[n.key] = n end
  for _, n in ipairs(set_want) do want_by[n.key] = n end
  local replaced = {}
  for _, n in ipairs(set_want) do
    local k = not have_by[n.key] and overwrite_key(n.key)
    if k then replaced[k] = true end
  end
  for _, n in ipairs(set_have) do
    if not want_by[n.key] then
      diffs[#diffs + 1] = { kind = "extra", line = n.line, path = copy_path(path) }
      -- A line whose value a wanted line overwrites needs no negation; "no shutdown"
      -- removed where "shutdown" is wanted neither.
      if out and not replaced[overwrite_key(n.key) or false] and not want_by[negate(n.key)] then
        out[#out + 1] = negate(n.key)
      end
    end
  end
  -- The ordered lists: entries out of place go and come back in order.
  for _, g in ipairs(order) do
    local pairs_, removed, first_new, reordered
    if numbered(groups[g].have) and numbered(groups[g].want) then
      pairs_, removed, first_new, reordered = match_numbered(groups[g].have, groups[g].want)
    else
      pairs_, removed, first_new = match_sequence(groups[g].have, groups[g].want)
    end
    local wl = reordered or groups[g].want
    local later, gone = {}, {}
    for i = first_new, #wl do later[wl[i].key] = true end
    for _, n in ipairs(removed) do
      gone[n.key] = true
      diffs[#diffs + 1] = { kind = later[n.key] and "order" or "extra", line = n.line,
                            path = copy_path(path) }
      if out then out[#out + 1] = negate(n.key) end
    end
    for _, p in ipairs(pairs_) do
      if p[1].children[1] or p[2].children[1] then walk_children(p[1], p[2], out, diffs, path) end
    end
    for i = first_new, #wl do
      local n = wl[i]
      if not gone[n.key] then diffs[#diffs + 1] = { kind = "missing", line = n.line, path = copy_path(path) } end
      if out then emit_tree(n, out) end
    end
  end
  -- What has to come, and sections that differ inside.
  for _, n in ipairs(set_want) do
    local h = have_by[n.key]
    if not h then
      diffs[#diffs + 1] = { kind = "missing", line = n.line, path = copy_path(path) }
      if out then emit_tree(n, out) end
    elseif n.children[1] or h.children[1] then
      walk_children(h, n, out, diffs, path)
    end
  end
end

-- Set dialect (Junos) ------------------------------------------------------------------

--- config.to_set(text) -> Junos set-form text from curly-brace (or set) form.
function config.to_set(text)
  if not text:find("{") then return text end
  local out, path = {}, {}
  local in_comment = false
  for raw in text:gmatch("([^\n]*)\n?") do
    local line = raw:gsub("#.*$", ""):match("^%s*(.-)%s*$")
    if in_comment then
      if line:find("%*/") then in_comment = false end
    elseif line:find("^/%*") then
      in_comment = not line:find("%*/")
    elseif line:find("{%s*$") then
      path[#path + 1] = line:gsub("%s*{%s*$", "")
    elseif line == "}" then
      path[#path] = nil
    elseif line:find(";$") then
      local leaf = line:gsub(";$", "")
      local prefix = table.concat(path, " ")
      out[#out + 1] = "set " .. (prefix ~= "" and (prefix .. " ") or "") .. leaf
    end
  end
  return table.concat(out, "\n") .. (out[1] and "\n" or "")
end

function config.parse_set(text)
  local root = { children = {} }
  for line in text:gmatch("[^\n]+") do
    line = line:match("^%s*(.-)%s*$")
    if line:find("^set ") then root.children[#root.children + 1] = { line = line, children = {} } end
  end
  return root
end


-- Junos terms whose order matters: firewall filter terms and policy-statement terms.
local ORDERED_TERM = {
  "^(set firewall .-filter %S+) term (%S+)",
  "^(set policy%-options policy%-statement %S+) term (%S+)",
}

-- Junos statements that hold one value: a new value replaces the old, and the old one is
-- deleted by its path alone.
local SINGLE_LEAF = { "description", "host%-name", "domain%-name", "time%-zone", "location",
                      "contact" }

local function leaf_path(line)
  for _, k in ipairs(SINGLE_LEAF) do
    local p = line:match("^(set .- " .. k .. ") ")
    if p then return p end
  end
  return nil
end

local function set_lines(text, platform)
  local out = {}
  for line in config.to_set(text):gmatch("[^\n]+") do
    line = canon(line:match("^%s*(.-)%s*$"))
    if line:find("^set ") then out[#out + 1] = line end
  end
  return out
end

local function set_walk(have, want, out, diffs)
  -- Terms of ordered containers, in order of first appearance; other lines as a set.
  local function split(lines)
    local terms, flat, seq = {}, {}, {}
    for _, l in ipairs(lines) do
      local c, t
      for _, p in ipairs(ORDERED_TERM) do
        c, t = l:match(p)
        if c then break end
      end
      if c then
        terms[c] = terms[c] or {}
        local tt = terms[c]
        if not tt[t] then
          tt[t] = {}
          seq[c] = seq[c] or {}
          seq[c][#seq[c] + 1] = { key = t }
        end
        tt[t][#tt[t] + 1] = l
      else
        flat[#flat + 1] = l
      end
    end
    return terms, flat, seq
  end
  local hterms, hflat, hseq = split(have)
  local wterms, wflat, wseq = split(want)
  local readd = {}
  local containers, seen = {}, {}
  for _, s in ipairs({ hseq, wseq }) do
    for c in pairs(s) do
      if not seen[c] then seen[c] = true containers[#containers + 1] = c end
    end
  end
  table.sort(containers)
  for _, c in ipairs(containers) do
    local pairs_, removed, first_new = match_sequence(hseq[c] or {}, wseq[c] or {})
    local wl = wseq[c] or {}
    local later = {}
    for i = first_new, #wl do later[wl[i].key] = true end
    for _, r in ipairs(removed) do
      diffs[#diffs + 1] = { kind = later[r.key] and "order" or "extra", line = c .. " term " .. r.key,
                            path = {} }
      if out then out[#out + 1] = "delete " .. c:sub(5) .. " term " .. r.key end
    end
    -- Terms kept in place compare line by line, as the other statements.
    for _, p in ipairs(pairs_) do
      table.move(hterms[c][p[1].key], 1, #hterms[c][p[1].key], #hflat + 1, hflat)
      table.move(wterms[c][p[2].key], 1, #wterms[c][p[2].key], #wflat + 1, wflat)
    end
    local was_removed = {}
    for _, r in ipairs(removed) do was_removed[r.key] = true end
    for i = first_new, #wl do
      for _, l in ipairs(wterms[c][wl[i].key]) do
        readd[#readd + 1] = l
        if not was_removed[wl[i].key] then
          diffs[#diffs + 1] = { kind = "missing", line = l, path = {} }
        end
      end
    end
  end
  local h, w, wpaths = {}, {}, {}
  for _, l in ipairs(hflat) do h[l] = true end
  for _, l in ipairs(wflat) do
    w[l] = true
    local p = leaf_path(l)
    if p then wpaths[p] = true end
  end
  for _, l in ipairs(hflat) do
    if not w[l] then
      diffs[#diffs + 1] = { kind = "extra", line = l, path = {} }
      local p = leaf_path(l)
      if out and not (p and wpaths[p]) then out[#out + 1] = "delete " .. (p or l):sub(5) end
    end
  end
  for _, l in ipairs(wflat) do
    if not h[l] then
      diffs[#diffs + 1] = { kind = "missing", line = l, path = {} }
      if out then out[#out + 1] = l end
    end
  end
  if out then table.move(readd, 1, #readd, #out + 1, out) end
end

-- Both configurations walked once: the commands (when out is a table) and the differences.
local function compare(have, want, platform, out)
  local diffs = {}
  have, want = config.normalize(have, platform), config.normalize(want, platform)
  if have == want then return diffs end
  if config.dialect(platform) ~= "indent" then
    set_walk(set_lines(have, platform), set_lines(want, platform), out, diffs)
  else
    local h = config.parse(have, platform)
    local w = config.parse(want, platform)
    walk(h.children, w.children, out, diffs, {}, false)
  end
  return diffs
end

--- config.differences(have, want [, platform]) -> list of {kind =, line =, path =}: what
--- keeps `have` from being `want`. kind is "missing" (in want only), "extra" (in have
--- only) or "order" (an ACL / prefix-list / route-map entry or Junos term out of place);
--- path lists the enclosing section headers. Top-level lines and most sections compare as
--- sets, the entries of ordered lists as sequences; blanks inside a line do not count.
function config.differences(have, want, platform)
  return compare(have, want, platform, nil)
end

--- config.equal(a, b, platform) -> whether a and b are the same configuration: no
--- differences (volatile lines, top-level order and alignment blanks ignored).
function config.equal(a, b, platform)
  return compare(a, b, platform, nil)[1] == nil
end

--- config.describe(diffs [, max]) -> one line naming the first `max` (3) differences, e.g.
--- "missing 'ip name-server 10.0.0.53'; extra 'description x' (in interface Gi1/0/2)".
function config.describe(diffs, max)
  max = max or 3
  local parts = {}
  for i = 1, math.min(max, #diffs) do
    local d = diffs[i]
    local what = d.kind == "order" and "out of order" or d.kind
    parts[#parts + 1] = ("%s '%s'%s"):format(what, d.line, where(d.path))
  end
  if #diffs > max then parts[#parts + 1] = ("and %d more"):format(#diffs - max) end
  return table.concat(parts, "; ")
end

--- config.remediation(have, want [, platform]) -> the commands (a list of lines, config-mode
--- relative) that turn configuration `have` into `want`, and the differences. Indent
--- dialect: negations, then ordered lists (entries out of place removed and re-added in
--- order, since devices append new entries), then missing lines and sections that differ
--- inside ("exit" leaves a section). Junos: delete lines, then set lines; terms of filters
--- and policy statements out of place are deleted and set again in order.
function config.remediation(have, want, platform)
  local out = {}
  local diffs = compare(have, want, platform, out)
  return out, diffs
end

-- Applying lines offline ------------------------------------------------------------------
--
-- What a change would do, without a device: the lines of a push applied to a model of the
-- running configuration with the semantics devices have — a line already there changes
-- nothing, single-valued settings (description, hostname) replace the old value, "no X"
-- removes what X set. It tells --check which hosts would change and exactly which lines
-- would be sent, and renders the configuration the change would leave for --diff.

-- Lines that open a section from config mode.
local SECTION = { "^interface ", "^router ", "^vlan ", "^line ", "^ip access%-list ",
                  "^ipv6 access%-list ", "^mac access%-list ", "^route%-map ", "^policy%-map ",
                  "^class%-map ", "^management ", "^key chain ", "^ip vrf ", "^vrf definition ",
                  "^vrf instance ", "^controller ", "^object%-group ", "^ip sla ",
                  "^aaa group server ", "^ip prefix%-list %S+$", "^ipv6 prefix%-list %S+$" }

local function is_section(line, tree_by)
  if tree_by[line] and tree_by[line].children[1] then return true end
  for _, p in ipairs(SECTION) do
    if line:find(p) then return true end
  end
  return false
end

local function words_prefix(line, prefix)
  return line == prefix or line:sub(1, #prefix + 1) == prefix .. " "
end

-- Where the model puts a new line: after the last line sharing its first two words (ntp
-- servers together), else its first word, else at the end — roughly where devices show it.
local function insert_at(kids, line)
  local two, one = line:match("^(%S+ %S+)"), line:match("^(%S+)")
  local at2, at1
  for i, c in ipairs(kids) do
    if two and words_prefix(c.line, two) then at2 = i end
    if words_prefix(c.line, one) then at1 = i end
  end
  return (at2 or at1 or #kids) + 1
end

local function render_tree(nodes, depth, out)
  for _, n in ipairs(nodes) do
    out[#out + 1] = (" "):rep(depth) .. n.line
    render_tree(n.children, depth + 1, out)
  end
  return out
end

local function apply_indent(text, lines, platform)
  local tree = config.parse(config.normalize(text, platform), platform)
  local by = {}
  for _, n in ipairs(tree.children) do n.key = canon(n.line) by[n.key] = n end
  local sent, section, section_sent = {}, nil, false
  local function send(line)
    if section and not section_sent then
      sent[#sent + 1] = section.line
      section_sent = true
    end
    sent[#sent + 1] = line
  end
  local function leave()
    if section and section_sent then sent[#sent + 1] = "exit" end
    section, section_sent = nil, false
  end
  for _, raw in ipairs(lines) do
    local line = canon(raw:match("^%s*(.-)%s*$"))
    local positive = line:match("^no (.*)$")
    if line == "exit" or line == "end" then
      leave()
    elseif line ~= "" and is_section(positive or line, by) then
      leave()
      if positive then
        local n = by[positive]
        if n then
          for i, c in ipairs(tree.children) do
            if c == n then table.remove(tree.children, i) break end
          end
          by[positive] = nil
          sent[#sent + 1] = line
        end
      else
        local n = by[line]
        if not n then
          n = { line = line, key = line, children = {} }
          tree.children[#tree.children + 1] = n
          by[line] = n
          sent[#sent + 1] = line
          section_sent = true
        end
        section = n
      end
    elseif line ~= "" then
      local parent = section or tree
      local kids = parent.children
      if positive then
        local removed = false
        for i = #kids, 1, -1 do
          if words_prefix(canon(kids[i].line), positive) then
            table.remove(kids, i)
            removed = true
          end
        end
        -- A global "no X" that turns off a default (no ip domain-lookup) shows as a line.
        local literal = false
        for _, c in ipairs(kids) do if canon(c.line) == line then literal = true end end
        if removed then
          send(line)
        elseif not section and not literal and not positive:find("%d") then
          kids[#kids + 1] = { line = line, children = {} }
          send(line)
        end
      else
        local present, key = false, overwrite_key(line)
        for i, c in ipairs(kids) do
          local k = canon(c.line)
          if k == line then present = true break end
          if k == "no " .. line then table.remove(kids, i) break end
        end
        if not present then
          local replaced = false
          if key then
            for _, c in ipairs(kids) do
              if overwrite_key(canon(c.line)) == key then
                c.line, replaced = line, true
                break
              end
            end
          end
          if not replaced then table.insert(kids, insert_at(kids, line), { line = line, children = {} }) end
          send(line)
        end
      end
    end
  end
  leave()
  return table.concat(render_tree(tree.children, 0, {}), "\n") .. "\n", sent
end

-- Removes the statements at or below path ("set a b") from have (and present); returns the
-- index of the first one removed, where a replacement goes, or nil if there was none.
local function remove_under(have, present, path)
  local at
  for i = #have, 1, -1 do
    if words_prefix(have[i], path) then
      present[have[i]] = nil
      table.remove(have, i)
      at = i
    end
  end
  return at
end

local function apply_set(text, lines, platform)
  local have = set_lines(config.normalize(text, platform), platform)
  local present = {}
  for _, l in ipairs(have) do present[l] = true end
  local sent = {}
  for _, raw in ipairs(lines) do
    local line = canon(raw:match("^%s*(.-)%s*$"))
    if line:find("^set ") then
      if not present[line] then
        local path = leaf_path(line)
        local at = path and remove_under(have, present, path)
        table.insert(have, at or #have + 1, line)
        present[line] = true
        sent[#sent + 1] = line
      end
    elseif line:find("^delete ") then
      if remove_under(have, present, "set " .. line:sub(8)) then sent[#sent + 1] = line end
    elseif line ~= "" then
      sent[#sent + 1] = line -- not a statement (commit, edit, ...): sent as it is
    end
  end
  return table.concat(have, "\n") .. "\n", sent
end

--- config.apply(text, lines [, platform]) -> new_text, sent: the configuration `lines`
--- would leave (rendered in the model's own form: compare it with config.equal, or diff it
--- with config.render(text)), and the lines that change something, in order, with the
--- section header before the lines of a section and "exit" after them. Lines already
--- present, and "no" lines that remove nothing, are left out (a global "no KEYWORD" that
--- turns off a default, such as "no ip domain-lookup", counts unless the device shows it).
--- Junos: set lines already present and deletes of absent statements are left out.
function config.apply(text, lines, platform)
  if config.dialect(platform) ~= "indent" then return apply_set(text, lines, platform) end
  return apply_indent(text, lines, platform)
end

--- config.render(text [, platform]) -> the configuration in the form config.apply renders
--- (one-space indentation, no comments; Junos set form), for diffs against its result.
function config.render(text, platform)
  if config.dialect(platform) ~= "indent" then
    return table.concat(set_lines(config.normalize(text, platform), platform), "\n") .. "\n"
  end
  local tree = config.parse(config.normalize(text, platform), platform)
  return table.concat(render_tree(tree.children, 0, {}), "\n") .. "\n"
end

return config
