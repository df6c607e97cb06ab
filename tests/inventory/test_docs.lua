-- Every example of docs/inventory.md runs: its YAML inventories load, its Lua block runs
-- against the first of them.
local dir = assert(arg[1])
local f = assert(io.open(dir .. "/../../../docs/inventory.md"))
local text = f:read("a")
f:close()

local first
local blocks = 0
for yaml_text in text:gmatch("```yaml\n(.-)```") do
  local path = os.tmpname()
  local out = assert(io.open(path .. ".yaml", "w"))
  out:write(yaml_text)
  out:close()
  os.remove(path)
  local ok, inv = pcall(inventory.load, path .. ".yaml")
  assert(ok, "docs example does not load: " .. tostring(type(inv) == "table" and inv.message or inv))
  assert(#inv > 0)
  blocks = blocks + 1
  if not first then first = path .. ".yaml" else os.remove(path .. ".yaml") end
end
assert(blocks >= 2, "YAML examples found: " .. blocks)

local lua_text = assert(text:match("```lua\n(.-)```"), "the Lua example")
lua_text = lua_text:gsub('"inventory/lab.yaml"', string.format("%q", first))
local printed = {}
local env = setmetatable({ print = function(...) printed[#printed + 1] = table.concat(
  (function(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end return t end)(...), "\t") end },
  { __index = _G })
local chunk = assert(load(lua_text, "docs/inventory.md", "t", env))
chunk()
os.remove(first)
assert(printed[1] == "3\tnethost", printed[1])
assert(printed[#printed] == "group core", printed[#printed])
