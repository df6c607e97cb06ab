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

--- config.equal(a, b, platform) -> whether a and b are the same configuration once
--- volatile lines are ignored.
function config.equal(a, b, platform)
  return config.normalize(a, platform) == config.normalize(b, platform)
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
    local indent, line = raw:match("^(%s*)(.-)%s*$")
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

local function emit_tree(node, out)
  out[#out + 1] = node.line
  if node.children[1] then
    for _, c in ipairs(node.children) do emit_tree(c, out) end
    out[#out + 1] = "exit"
  end
end

local function remediate(have, want, out)
  local have_by, want_by = {}, {}
  for _, n in ipairs(have) do have_by[n.line] = n end
  for _, n in ipairs(want) do want_by[n.line] = n end
  local replaced = {}
  for _, n in ipairs(want) do
    local k = not have_by[n.line] and overwrite_key(n.line)
    if k then replaced[k] = true end
  end
  -- What has to go: negated (a whole section goes with its header).
  for _, n in ipairs(have) do
    if not want_by[n.line] and not replaced[overwrite_key(n.line) or false] then
      -- "no shutdown" removed from a section where "shutdown" is wanted needs no command:
      -- adding "shutdown" below does it.
      if not want_by[negate(n.line)] then out[#out + 1] = negate(n.line) end
    end
  end
  -- What has to come, and sections that differ inside.
  for _, n in ipairs(want) do
    local h = have_by[n.line]
    if not h then
      emit_tree(n, out)
    elseif n.children[1] or h.children[1] then
      local sub = {}
      remediate(h.children, n.children, sub)
      if sub[1] then
        out[#out + 1] = n.line
        table.move(sub, 1, #sub, #out + 1, out)
        out[#out + 1] = "exit"
      end
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

--- config.remediation(have, want [, platform]) -> the commands (a list of lines, config-mode
--- relative) that turn configuration `have` into `want`: negations first, then additions,
--- section by section ("exit" leaves a section). Junos gets delete/set lines.
function config.remediation(have, want, platform)
  local out = {}
  if config.dialect(platform) ~= "indent" then
    local h, w = {}, {}
    for line in config.to_set(config.normalize(have, platform)):gmatch("[^\n]+") do h[line] = true end
    local wl = {}
    for line in config.to_set(config.normalize(want, platform)):gmatch("[^\n]+") do
      w[line] = true
      wl[#wl + 1] = line
    end
    for line in config.to_set(config.normalize(have, platform)):gmatch("[^\n]+") do
      if not w[line] then out[#out + 1] = "delete " .. line:sub(5) end
    end
    for _, line in ipairs(wl) do if not h[line] then out[#out + 1] = line end end
    return out
  end
  local h = config.parse(config.normalize(have, platform), platform)
  local w = config.parse(config.normalize(want, platform), platform)
  remediate(h.children, w.children, out)
  return out
end

return config
