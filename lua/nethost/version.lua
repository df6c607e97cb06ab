-- version: compares network OS versions the way their vendors number them.
--
--   version.compare("15.2(4)E1", "15.2(4)E10") -> -1
--   version.matches("15.2(4)E1", ">=15.2(1)E, <15.2(7)E3") -> true
--
-- A version is split into numbers and letters ("15.2(4)E1" -> 15 2 4 E 1, "21.4R3-S2" ->
-- 21 4 R 3 S 2, "4.28.3M" -> 4 28 3 M) and compared piece by piece: numbers by value,
-- letters alphabetically; a version that is a prefix of another is the smaller one.

local version = {}

local function pieces(v)
  local out = {}
  for num, word in tostring(v):gmatch("(%d*)(%a*)") do
    if num ~= "" then out[#out + 1] = tonumber(num) end
    if word ~= "" then out[#out + 1] = word:upper() end
  end
  return out
end

--- version.compare(a, b) -> -1, 0 or 1
function version.compare(a, b)
  local pa, pb = pieces(a), pieces(b)
  for i = 1, math.max(#pa, #pb) do
    local x, y = pa[i], pb[i]
    if x == nil then return -1 end
    if y == nil then return 1 end
    if x ~= y then
      if type(x) == type(y) then return x < y and -1 or 1 end
      return type(x) == "number" and 1 or -1 -- 15.2(4) > 15.2E: a number outranks a letter
    end
  end
  return 0
end

local OPS = {
  ["<"] = function(c) return c < 0 end, ["<="] = function(c) return c <= 0 end,
  [">"] = function(c) return c > 0 end, [">="] = function(c) return c >= 0 end,
  ["="] = function(c) return c == 0 end, ["=="] = function(c) return c == 0 end,
  ["!="] = function(c) return c ~= 0 end,
}

local function glob_match(v, pattern)
  local lua_pattern = "^" .. pattern:gsub("[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0"):gsub("%*", ".*") .. "$"
  return v:find(lua_pattern) ~= nil
end

--- version.matches(v, spec) -> whether v satisfies spec: "15.2(4)E1" (exactly), "15.2(4)*"
--- (a glob), ">=15.2(1)E, <15.2(7)E3" (every comparison, comma separated), or a list of
--- such specs (any of them).
function version.matches(v, spec)
  if type(spec) == "table" then
    for _, s in ipairs(spec) do if version.matches(v, s) then return true end end
    return false
  end
  v = tostring(v)
  for part in tostring(spec):gmatch("[^,]+") do
    part = part:match("^%s*(.-)%s*$")
    local op, ref = part:match("^([<>=!]+)%s*(.+)$")
    if op then
      if not OPS[op] then error("version: bad comparison '" .. part .. "'", 2) end
      if not OPS[op](version.compare(v, ref)) then return false end
    elseif part:find("*", 1, true) then
      if not glob_match(v, part) then return false end
    elseif version.compare(v, part) ~= 0 then
      return false
    end
  end
  return true
end

return version
