-- compare.lua — render every case with nethost's template engine and compare it byte for
-- byte with what python3-jinja2 rendered (jinja_render.py).
--
--   nethost run tests/template/compare.lua -- CASES OUT
--
-- For OUT/<name>.<mode>.out the texts must be equal; for OUT/<name>.<mode>.err (jinja2
-- raised) nethost must raise a template error naming the case file and a line.
local template = require("nethost.template")

local cases, out = arg[1], arg[2]
assert(cases and out, "usage: compare.lua CASES OUT")
local MODES = {
  plain = {},
  trim = { trim_blocks = true },
  lstrip = { lstrip_blocks = true },
  trim_lstrip = { trim_blocks = true, lstrip_blocks = true },
  keep = { keep_trailing_newline = true },
}

local function first_difference(a, b)
  local i = 1
  while i <= #a and i <= #b and a:byte(i) == b:byte(i) do i = i + 1 end
  local line = select(2, a:sub(1, i - 1):gsub("\n", "")) + 1
  return i, line
end

local vars_cache = {}
local function vars_of(name)
  if vars_cache[name] == nil then
    -- Dicts keep the document's key order, as Python's json and yaml modules keep it.
    local text = fs.read(cases .. "/" .. name .. ".json")
    if text then
      vars_cache[name] = json.decode(text, { ordered = true })
    elseif fs.read(cases .. "/" .. name .. ".yaml") then
      vars_cache[name] = yaml.load(cases .. "/" .. name .. ".yaml")
    else
      vars_cache[name] = {}
    end
  end
  return vars_cache[name]
end

local checked, failed = 0, 0
for _, file in ipairs(assert(fs.list(out))) do
  local name, mode, ext = file:match("^(.+)%.([%w_]+)%.(%a+)$")
  if name and MODES[mode] then
    checked = checked + 1
    local path = cases .. "/" .. name .. ".j2"
    local ok, got = pcall(template.render_file, path, vars_of(name), MODES[mode])
    local want = assert(fs.read(out .. "/" .. file))
    if ext == "out" then
      if not ok then
        failed = failed + 1
        print(("FAIL %s [%s]: jinja2 rendered it, nethost raised: %s"):format(name, mode, tostring(got)))
      elseif got ~= want then
        failed = failed + 1
        local at, line = first_difference(got, want)
        print(("FAIL %s [%s]: differs at byte %d (output line %d)\n  nethost: %q\n  jinja2:  %q"):format(
              name, mode, at, line, got:sub(math.max(1, at - 40), at + 40), want:sub(math.max(1, at - 40), at + 40)))
      end
    else
      local msg = ok and "" or tostring(got)
      if ok then
        failed = failed + 1
        print(("FAIL %s [%s]: jinja2 raised (%s) but nethost rendered %q"):format(name, mode, want:gsub("\n$", ""), got))
      elseif not (nethost.is_error(got) and got.kind == "template" and msg:find(path, 1, true) and
                  msg:find(":%d+:")) then
        failed = failed + 1
        print(("FAIL %s [%s]: the error does not name %s:LINE: %s"):format(name, mode, path, msg))
      end
    end
  end
end
print(("%d renderings compared with python3-jinja2, %d differ"):format(checked, failed))
if checked == 0 then error("no reference renderings found in " .. out, 0) end
return failed == 0 and 0 or 1
