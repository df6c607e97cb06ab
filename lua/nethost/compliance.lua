-- compliance: configuration rules checked against a running configuration, with the
-- commands that would fix each violation.
--
-- A rule (from YAML or Lua):
--   id: portfast                     # a name for reports
--   description: access ports have portfast
--   platforms: [cisco_ios]           # optional: only these platforms
--   section: '^interface (Gig|Fast)' # optional regex: check inside each matching section
--   when: '^switchport mode access$' # optional regex: only sections with a matching line
--   required: ['spanning-tree portfast']      # exact lines that must be present
--   forbidden: ['ip http server']             # exact lines that must be absent
--   required_regex: ['^ntp server ']          # at least one line must match each
--   forbidden_regex: ['^snmp-server community (public|private)']
-- Lines are compared without their indentation. Without `section` the rule checks the
-- top-level lines.

local config = require("nethost.config")
local re = require("nethost.re")

local compliance = {}

local function list(v)
  if v == nil then return {} end
  if type(v) == "string" then return { v } end
  return v
end

local function applies(rule, platform)
  if not rule.platforms then return true end
  for _, p in ipairs(list(rule.platforms)) do if p == platform then return true end end
  return false
end

-- Checks the lines of one scope (top level, or one section); appends violations and fixes.
local function check_scope(rule, lines, header, violations, fixes)
  local present = {}
  for _, l in ipairs(lines) do present[l] = true end
  local where = header and (" in '" .. header .. "'") or ""
  local fix = {}
  for _, want in ipairs(list(rule.required)) do
    if not present[want] then
      violations[#violations + 1] = "missing '" .. want .. "'" .. where
      fix[#fix + 1] = want
    end
  end
  for _, bad in ipairs(list(rule.forbidden)) do
    if present[bad] then
      violations[#violations + 1] = "forbidden '" .. bad .. "'" .. where
      fix[#fix + 1] = bad:match("^no (.*)") or ("no " .. bad)
    end
  end
  for _, pattern in ipairs(list(rule.required_regex)) do
    local found = false
    for _, l in ipairs(lines) do
      if re.test(l, pattern) then found = true break end
    end
    if not found then violations[#violations + 1] = "no line matches /" .. pattern .. "/" .. where end
  end
  for _, pattern in ipairs(list(rule.forbidden_regex)) do
    for _, l in ipairs(lines) do
      if re.test(l, pattern) then
        violations[#violations + 1] = "forbidden '" .. l .. "'" .. where
        fix[#fix + 1] = l:match("^no (.*)") or ("no " .. l)
      end
    end
  end
  if fix[1] then
    if header then fixes[#fixes + 1] = header end
    table.move(fix, 1, #fix, #fixes + 1, fixes)
    if header then fixes[#fixes + 1] = "exit" end
  end
end

local function lines_of(nodes)
  local out = {}
  for _, n in ipairs(nodes) do out[#out + 1] = n.line end
  return out
end

--- compliance.check(rules, text, platform) -> {{id =, description =, ok =, violations =
--- {...}, fix = {commands}}, ...} for the rules that apply to platform; ok is true when no
--- rule is violated.
function compliance.check(rules, text, platform)
  local tree = config.parse(config.normalize(text, platform), platform)
  local report, all_ok = {}, true
  for i, rule in ipairs(rules) do
    if applies(rule, platform) then
      local violations, fixes = {}, {}
      if rule.section then
        for _, node in ipairs(tree.children) do
          if re.test(node.line, rule.section) then
            local lines = lines_of(node.children)
            local relevant = true
            if rule.when then
              relevant = false
              for _, l in ipairs(lines) do
                if re.test(l, rule.when) then relevant = true break end
              end
            end
            if relevant then check_scope(rule, lines, node.line, violations, fixes) end
          end
        end
      else
        check_scope(rule, lines_of(tree.children), nil, violations, fixes)
      end
      local ok = violations[1] == nil
      all_ok = all_ok and ok
      report[#report + 1] = { id = rule.id or ("rule " .. i), description = rule.description,
                              ok = ok, violations = violations, fix = fixes }
    end
  end
  return report, all_ok
end

--- compliance.validate(rules) -> rules, or raises naming the first bad rule.
function compliance.validate(rules)
  if type(rules) ~= "table" then error("compliance: rules must be a list", 2) end
  if rules.rules then rules = rules.rules end
  local known = { id = 1, description = 1, platforms = 1, section = 1, when = 1, required = 1,
                  forbidden = 1, required_regex = 1, forbidden_regex = 1 }
  for i, rule in ipairs(rules) do
    if type(rule) ~= "table" then error(("compliance: rule %d is not a map"):format(i), 2) end
    for k in pairs(rule) do
      if not known[k] then
        error(("compliance: rule %s: unknown field '%s'"):format(rule.id or i, k), 2)
      end
    end
    for _, field in ipairs({ "section", "when" }) do
      if rule[field] then
        local ok, e = pcall(re.compile, rule[field])
        if not ok then error(("compliance: rule %s: %s: %s"):format(rule.id or i, field, e), 2) end
      end
    end
  end
  return rules
end

return compliance
