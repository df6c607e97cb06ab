-- template: Jinja2-compatible templates, rendered byte for byte as python3-jinja2 renders
-- them (Environment(undefined=StrictUndefined), autoescape off).
--
--   local template = require("nethost.template")
--   local text = template.render("hostname {{ name }}\n", {name = "sw-1"})
--   local text = template.render_file("ios.j2", vars, {trim_blocks = true, lstrip_blocks = true})
--
-- A template is lexed as jinja2's lexer does (same whitespace control, trim_blocks,
-- lstrip_blocks, keep_trailing_newline), parsed to a tree with the same operator
-- precedence, and the tree is interpreted with Python's value semantics: integers and
-- floats stay apart (4/2 is 2.0), str() of None/True/lists/dicts is Python's, `%` and the
-- `format` filter are printf-style, sorting is stable and case-insensitive by default.
-- Every error (syntax, undefined variable, type error) raises a nethost error of kind
-- "template" whose message starts with "FILE:LINE: ".
--
-- Lua values map to Python ones: strings, integers, floats and booleans as they are; a
-- table with [1] (or an empty table) is a list, any other table a dict. Dicts decoded from
-- YAML or JSON (vars files, inventory data, json.decode) iterate in document order as
-- Python's do; dicts built in Lua, which have no order, in sorted key order. json.null,
-- yaml.null and template.none are None; Lua functions are callables.

local M = {}

---------------------------------------------------------------------------------------------
-- Values
---------------------------------------------------------------------------------------------

local NONE_MT = { __name = "None", __tostring = function() return "None" end }
local NONE = setmetatable({}, NONE_MT)
M.none = NONE

local UNDEF_MT = { __name = "Undefined" }
local TUPLE_MT = { __name = "tuple" }
local LIST_MT = { __name = "list" }
local DICT_MT = { __name = "dict" }
local CALL_MT = { __name = "callable" }   -- {fn = function(args, kwargs, ctx)}
local NS_MT = { __name = "Namespace" }
local LOOP_MT = { __name = "LoopContext" }
M.list_mt, M.dict_mt = LIST_MT, DICT_MT

-- json.array / json.object mark tables the JSON decoder made; honour them when present.
local JSON_ARRAY_MT, JSON_OBJECT_MT
do
  local ok, json = pcall(require, "nethost.json")
  if ok and type(json) == "table" and json.array and json.object then
    local okarr, a = pcall(json.array)
    local okobj, o = pcall(json.object)
    if okarr then JSON_ARRAY_MT = getmetatable(a) end
    if okobj then JSON_OBJECT_MT = getmetatable(o) end
  end
end

-- A template error carries its line; render() turns it into "FILE:LINE: message".
local TERR_MT = { __name = "TemplateError" }
local function fail(line, fmt, ...)
  error(setmetatable({ line = line, message = select("#", ...) > 0 and fmt:format(...) or fmt },
                     TERR_MT), 0)
end

local function undef(line, name, hint)
  return setmetatable({ name = name, hint = hint, line = line }, UNDEF_MT)
end

local function undef_message(u)
  return u.hint or ("'" .. tostring(u.name) .. "' is undefined")
end

-- Dicts keep their insertion order, as Python's do: those the template makes (literals,
-- dict()), in ORDER beside the table so the table stays a plain Lua table, and those decoded
-- from YAML or JSON documents (vars files, inventory data, -e @file, json.decode with
-- {ordered = true}), which nethost.keyorder knows. Tables built in Lua have no order: their
-- keys are sorted, and keys added to a decoded table in Lua come after the recorded ones,
-- sorted, so the output never depends on Lua's hash order.
local ORDER = setmetatable({}, { __mode = "k" })
local decoded_order
do
  local ok, keyorder = pcall(require, "nethost.keyorder")
  decoded_order = ok and type(keyorder) == "table" and keyorder.get or function() return nil end
end

local function kind(v)
  local tv = type(v)
  if tv == "string" then return "str" end
  if tv == "number" then return math.type(v) == "integer" and "int" or "float" end
  if tv == "boolean" then return "bool" end
  if tv == "nil" then return "undef" end
  if tv == "function" then return "callable" end
  if tv == "userdata" then
    if getmetatable(v) == nil then return "none" end -- json.null / yaml.null
    return "object"
  end
  if tv == "table" then
    local mt = getmetatable(v)
    if mt == UNDEF_MT then return "undef" end
    if mt == NONE_MT then return "none" end
    if mt == TUPLE_MT then return "tuple" end
    if mt == LIST_MT or (mt and mt == JSON_ARRAY_MT) then return "list" end
    if mt == DICT_MT or (mt and mt == JSON_OBJECT_MT) then return "dict" end
    if mt == CALL_MT then return "callable" end
    if mt == NS_MT then return "namespace" end
    if mt == LOOP_MT then return "loop" end
    if mt and mt.__pairs then return "dict" end -- a proxy (a task's host): its fields
    if mt and mt.__keyorder then return "dict" end -- a decoded map (maybe empty)
    if rawget(v, 1) ~= nil or next(v) == nil then return "list" end
    return "dict"
  end
  return "object"
end

local TYPE_NAME = { str = "str", int = "int", float = "float", bool = "bool", none = "NoneType",
                    list = "list", tuple = "tuple", dict = "dict", callable = "function",
                    namespace = "Namespace", loop = "LoopContext", object = "object",
                    undef = "Undefined" }
local function tname(v) return TYPE_NAME[kind(v)] end

local function check(v, line)
  -- The error names the line that used the value, as jinja2's traceback does.
  if kind(v) == "undef" and not (v and v.lenient) then
    fail(line or (v and v.line), "%s", undef_message(v or undef(line, "?")))
  end
  return v
end

local function is_seq(k) return k == "list" or k == "tuple" end

local function list(t) return setmetatable(t or {}, LIST_MT) end
local function tuple(t) return setmetatable(t, TUPLE_MT) end

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function sorted_keys(d)
  local order = ORDER[d] or decoded_order(d)
  local keys, n = {}, 0
  if order then
    local seen, extra = {}, nil
    for _, k in ipairs(order) do
      if not seen[k] and rawget(d, k) ~= nil then
        seen[k] = true
        n = n + 1
        keys[n] = k
      end
    end
    for k in pairs(d) do
      if not seen[k] then
        extra = extra or {}
        extra[#extra + 1] = k
      end
    end
    if extra then
      table.sort(extra, key_less)
      for _, k in ipairs(extra) do n = n + 1; keys[n] = k end
    end
    return keys
  end
  for k in pairs(d) do n = n + 1; keys[n] = k end
  table.sort(keys, key_less)
  return keys
end

-- Python's repr of a float: the shortest digits that read back, fixed notation when the
-- exponent is in [-4, 16), else scientific with at least two exponent digits.
local function pyfloat(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  if x == 0 then return (1 / x < 0) and "-0.0" or "0.0" end
  local s
  for p = 0, 16 do
    s = string.format("%." .. p .. "e", x)
    if tonumber(s) == x then break end
  end
  local sign, int, frac, exp = s:match("^(-?)(%d)%.?(%d*)e([-+]%d+)$")
  local digits = (int .. frac):gsub("0+$", "")
  if digits == "" then digits = "0" end
  local e = tonumber(exp)
  local n = #digits
  if e >= -4 and e < 16 then
    if e >= n - 1 then
      return sign .. digits .. string.rep("0", e - n + 1) .. ".0"
    elseif e < 0 then
      return sign .. "0." .. string.rep("0", -e - 1) .. digits
    end
    return sign .. digits:sub(1, e + 1) .. "." .. digits:sub(e + 2)
  end
  local mant = digits:sub(1, 1)
  if n > 1 then mant = mant .. "." .. digits:sub(2) end
  return ("%s%se%s%02d"):format(sign, mant, e < 0 and "-" or "+", math.abs(e))
end
M.pyfloat = pyfloat

local str, repr

local function repr_str(s)
  local q = "'"
  if s:find("'", 1, true) and not s:find('"', 1, true) then q = '"' end
  local out = s:gsub("[%c\\'\"]", function(c)
    if c == "\\" then return "\\\\" end
    if c == q then return "\\" .. c end
    if c == "'" or c == '"' then return c end
    if c == "\n" then return "\\n" end
    if c == "\r" then return "\\r" end
    if c == "\t" then return "\\t" end
    return ("\\x%02x"):format(c:byte())
  end)
  return q .. out .. q
end

function repr(v, line)
  local k = kind(v)
  if k == "str" then return repr_str(v) end
  return str(v, line)
end

function str(v, line)
  local k = kind(v)
  if k == "str" then return v end
  if k == "int" then return tostring(v) end
  if k == "float" then return pyfloat(v) end
  if k == "bool" then return v and "True" or "False" end
  if k == "none" then return "None" end
  if k == "undef" then check(v, line) return "" end
  if k == "list" or k == "tuple" then
    local parts = {}
    for i = 1, #v do parts[i] = repr(v[i], line) end
    if k == "tuple" then
      return "(" .. table.concat(parts, ", ") .. (#v == 1 and ",)" or ")")
    end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  if k == "dict" then
    local parts = {}
    for _, key in ipairs(sorted_keys(v)) do
      parts[#parts + 1] = repr(key, line) .. ": " .. repr(v[key], line)
    end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  if k == "namespace" then
    local parts = {}
    for _, key in ipairs(sorted_keys(v.attrs)) do
      parts[#parts + 1] = key .. "=" .. repr(v.attrs[key], line)
    end
    return "<Namespace " .. table.concat(parts, ", ") .. ">"
  end
  if k == "loop" then return ("<LoopContext %d/%d>"):format(v.index, v.length) end
  if k == "callable" then return "<function>" end
  return tostring(v)
end
M.str = str

local function truthy(v, line)
  local k = kind(v)
  if k == "undef" then check(v, line) return false end
  if k == "bool" then return v end
  if k == "none" then return false end
  if k == "int" or k == "float" then return v ~= 0 end
  if k == "str" then return v ~= "" end
  if k == "list" or k == "tuple" then return #v > 0 end
  if k == "dict" then return next(v) ~= nil end
  return true
end

-- Python's len(): characters (code points) of a string, items of a container.
local function ulen(s) return utf8.len(s) or #s end
local function chars(s)
  local out = list()
  for c in s:gmatch("[%z\1-\127\194-\253][\128-\191]*") do out[#out + 1] = c end
  return out
end

-- Items of an iterable, as a Lua array: list/tuple items, dict keys (sorted), characters.
local function items_of(v, line)
  local k = kind(v)
  if k == "list" or k == "tuple" then
    local out = {}
    for i = 1, #v do out[i] = v[i] end
    return out
  end
  if k == "dict" then return sorted_keys(v) end
  if k == "str" then return chars(v) end
  if k == "undef" then check(v, line) return {} end
  if k == "namespace" then return sorted_keys(v.attrs) end
  fail(line, "'%s' object is not iterable", tname(v))
end

local function num(v)
  if type(v) == "boolean" then return v and 1 or 0 end
  return v
end
local function is_num(v) local k = kind(v) return k == "int" or k == "float" or k == "bool" end

local eq
function eq(a, b, line)
  local ka, kb = kind(a), kind(b)
  if ka == "undef" then check(a, line) end
  if kb == "undef" then check(b, line) end
  if is_num(a) and is_num(b) then return num(a) == num(b) end
  if is_seq(ka) and is_seq(kb) then
    if ka ~= kb or #a ~= #b then return false end
    for i = 1, #a do if not eq(a[i], b[i], line) then return false end end
    return true
  end
  if ka == "dict" and kb == "dict" then
    for key, val in pairs(a) do
      if b[key] == nil or not eq(val, b[key], line) then return false end
    end
    for key in pairs(b) do if a[key] == nil then return false end end
    return true
  end
  if ka == "none" and kb == "none" then return true end
  return rawequal(a, b)
end

local OPS = { lt = "<", gt = ">", lteq = "<=", gteq = ">=" }
local lt
function lt(a, b, line, op)
  if is_num(a) and is_num(b) then return num(a) < num(b) end
  local ka, kb = kind(a), kind(b)
  if ka == "undef" then check(a, line) end
  if kb == "undef" then check(b, line) end
  if ka == "str" and kb == "str" then return a < b end
  if is_seq(ka) and ka == kb then
    for i = 1, math.min(#a, #b) do
      if not eq(a[i], b[i], line) then return lt(a[i], b[i], line, op) end
    end
    return #a < #b
  end
  fail(line, "'%s' not supported between instances of '%s' and '%s'", op or "<", tname(a), tname(b))
end

local function contains(container, item, line)
  local k = kind(container)
  if k == "str" then
    if kind(item) ~= "str" then
      fail(line, "'in <string>' requires string as left operand, not %s", tname(item))
    end
    return container:find(item, 1, true) ~= nil
  end
  if is_seq(k) then
    for i = 1, #container do if eq(container[i], item, line) then return true end end
    return false
  end
  if k == "dict" then
    check(item, line)
    return type(item) ~= "table" and container[item] ~= nil
  end
  if k == "undef" then check(container, line) end
  fail(line, "argument of type '%s' is not iterable", tname(container))
end

---------------------------------------------------------------------------------------------
-- Python printf-style formatting (`"%s-%d" % (a, b)` and the format filter)
---------------------------------------------------------------------------------------------

local function to_int_for_format(v, conv, line)
  if kind(v) == "int" or kind(v) == "bool" then return math.tointeger(num(v)) end
  if kind(v) == "float" then
    if conv == "x" or conv == "X" or conv == "o" or conv == "c" then
      fail(line, "%%%s format: an integer is required, not float", conv)
    end
    if v ~= v or v == math.huge or v == -math.huge then fail(line, "cannot convert float to integer") end
    local t = v >= 0 and math.floor(v) or math.ceil(v)
    return math.tointeger(t) or t
  end
  fail(line, "%%%s format: a real number is required, not %s", conv, tname(v))
end

local function pyformat(fmt, args, line)
  local ka = kind(args)
  local seq, map
  if ka == "tuple" then seq = args
  elseif ka == "dict" then map = args; seq = { args }
  else seq = { args } end
  local used = 0
  local function nextarg()
    used = used + 1
    if used > #seq then fail(line, "not enough arguments for format string") end
    return seq[used]
  end
  local out = {}
  local i, n = 1, #fmt
  local named = false
  while i <= n do
    local p = fmt:find("%", i, true)
    if not p then out[#out + 1] = fmt:sub(i); break end
    out[#out + 1] = fmt:sub(i, p - 1)
    local j = p + 1
    local key
    if fmt:sub(j, j) == "(" then
      local close = fmt:find(")", j, true)
      if not close then fail(line, "incomplete format key") end
      key = fmt:sub(j + 1, close - 1)
      j = close + 1
      named = true
    end
    local flags = fmt:match("^[-+ #0]*", j)
    j = j + #flags
    local width = fmt:match("^%*", j) or fmt:match("^%d*", j)
    j = j + #width
    local prec
    if fmt:sub(j, j) == "." then
      prec = fmt:match("^%*", j + 1) or fmt:match("^%d*", j + 1)
      j = j + 1 + #prec
    end
    local conv = fmt:sub(j, j)
    if conv == "" then fail(line, "incomplete format") end
    i = j + 1
    if conv == "%" then
      out[#out + 1] = "%"
    else
      if width == "*" then width = tostring(nextarg()) end
      if prec == "*" then prec = tostring(nextarg()) end
      local v
      if key then
        if not map then fail(line, "format requires a mapping") end
        v = map[key]
        if v == nil then fail(line, "KeyError: %s", repr_str(key)) end
      else
        v = nextarg()
      end
      local spec = "%" .. flags:gsub("#", "") .. width
      local s
      if conv == "s" or conv == "r" or conv == "a" then
        s = conv == "s" and str(v, line) or repr(v, line)
        if prec and prec ~= "" then s = s:sub(1, tonumber(prec)) end
        local w = tonumber(width) or 0
        local pad = w - ulen(s)
        if pad > 0 then
          s = flags:find("-", 1, true) and s .. (" "):rep(pad) or (" "):rep(pad) .. s
        end
      elseif conv == "d" or conv == "i" or conv == "u" or conv == "x" or conv == "X" or conv == "o" then
        local iv = to_int_for_format(v, conv, line)
        local c = (conv == "i" or conv == "u") and "d" or conv
        local neg = iv < 0
        local body = string.format("%" .. c, neg and -iv or iv)
        if flags:find("#", 1, true) and c ~= "d" then body = "0" .. c:lower() .. body end
        if prec and prec ~= "" and #body < tonumber(prec) then
          body = ("0"):rep(tonumber(prec) - #body) .. body
        end
        local sign = neg and "-" or (flags:find("+", 1, true) and "+" or (flags:find(" ", 1, true) and " " or ""))
        local w = tonumber(width) or 0
        local total = #sign + #body
        if total < w then
          if flags:find("-", 1, true) then body = body .. (" "):rep(w - total)
          elseif flags:find("0", 1, true) then body = ("0"):rep(w - total) .. body
          else sign = (" "):rep(w - total) .. sign end
        end
        s = sign .. body
      elseif conv:find("^[eEfFgG]$") then
        if not is_num(v) then
          fail(line, "must be real number, not %s", tname(v))
        end
        local fv = num(v) + 0.0
        if fv ~= fv or fv == math.huge or fv == -math.huge then
          s = pyfloat(fv)
          if conv:find("%u") then s = s:upper() end
        else
          s = string.format(spec .. (flags:find("#", 1, true) and "#" or "") .. (prec and ("." .. (prec == "" and "0" or prec)) or "") .. conv, fv)
        end
      elseif conv == "c" then
        if kind(v) == "str" then s = v else s = utf8.char(to_int_for_format(v, conv, line)) end
      else
        fail(line, "unsupported format character '%s'", conv)
      end
      out[#out + 1] = s
    end
  end
  if not named and ka == "tuple" and used < #seq then
    fail(line, "not all arguments converted during string formatting")
  end
  if not named and ka ~= "tuple" and ka ~= "dict" and used == 0 then
    fail(line, "not all arguments converted during string formatting")
  end
  return table.concat(out)
end
M.pyformat = pyformat

---------------------------------------------------------------------------------------------
-- Lexer (jinja2/lexer.py's rules)
---------------------------------------------------------------------------------------------

local OPERATORS = { "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]",
                    "(", ")", "{", "}", ".", ":", "|", ",", ";", "=", "<", ">" }

local ESCAPES = { n = "\n", t = "\t", r = "\r", a = "\a", b = "\b", f = "\f", v = "\v",
                  ["\\"] = "\\", ["'"] = "'", ['"'] = '"', ["\n"] = "" }

local function unescape(s, line)
  return (s:gsub("\\(.)([^\\]*)", function(c, rest)
    if ESCAPES[c] then return ESCAPES[c] .. rest end
    if c == "x" then
      local h = rest:match("^%x%x")
      if not h then fail(line, "truncated \\xXX escape") end
      return utf8.char(tonumber(h, 16)) .. rest:sub(3)
    end
    if c == "u" or c == "U" then
      local len = c == "u" and 4 or 8
      local h = rest:match("^" .. ("%x"):rep(len))
      if not h then fail(line, "truncated \\%sXXXX escape", c) end
      return utf8.char(tonumber(h, 16)) .. rest:sub(len + 1)
    end
    if c:match("[0-7]") then
      local o = (c .. rest):match("^[0-7][0-7]?[0-7]?")
      return utf8.char(tonumber(o, 8)) .. (c .. rest):sub(#o + 1)
    end
    return "\\" .. c .. rest
  end))
end

local function count_nl(s) local _, n = s:gsub("\n", "") return n end

local function lex(src, opts)
  src = src:gsub("\r\n", "\n"):gsub("\r", "\n")
  if not opts.keep_trailing_newline and src:sub(-1) == "\n" then src = src:sub(1, -2) end
  local toks = {}
  local function emit(t, v, line) toks[#toks + 1] = { t = t, v = v, line = line } end
  local pos, line, n = 1, 1, #src
  local line_starting = true
  local trim = opts.trim_blocks

  -- Text before a tag, with the tag's left whitespace control applied.
  local function data_before(text, sign, tagkind)
    if sign == "-" then
      text = text:gsub("%s+$", "")
    elseif sign ~= "+" and opts.lstrip_blocks and tagkind ~= "{" then
      local last = 0
      for i = #text, 1, -1 do if text:byte(i) == 10 then last = i break end end
      if last > 0 or line_starting then
        local tail = text:sub(last + 1)
        if tail ~= "" and not tail:find("%S") then text = text:sub(1, last) end
      end
    end
    return text
  end

  -- A tag end with "-" at p (three characters): emits it and strips the whitespace after it;
  -- returns the position after that and whether the whitespace ended in a newline.
  local function strip_end(kind, p)
    emit(kind, nil, line)
    local after = src:match("^%s*", p + 3)
    line = line + count_nl(after)
    return p + 3 + #after, src:sub(p + 3 + #after - 1, p + 3 + #after - 1) == "\n"
  end

  -- Inside a tag: tokens until its end; returns the position after the end.
  local function tag_tokens(p, closer, startline)
    local balance = {}
    while true do
      local ws = src:match("^%s+", p)
      if ws then line = line + count_nl(ws); p = p + #ws end
      if p > n then fail(startline, "unexpected end of template, expected '%s'", closer == "%" and "end of statement block" or "end of print statement") end
      if #balance == 0 then
        if closer == "%" then
          if src:sub(p, p + 2) == "-%}" then
            return strip_end("block_end", p)
          elseif src:sub(p, p + 2) == "+%}" then
            emit("block_end", nil, line)
            return p + 3, false
          elseif src:sub(p, p + 1) == "%}" then
            emit("block_end", nil, line)
            if trim and src:sub(p + 2, p + 2) == "\n" then line = line + 1; return p + 3, true end
            return p + 2, false
          end
        else
          if src:sub(p, p + 2) == "-}}" then
            return strip_end("var_end", p)
          elseif src:sub(p, p + 1) == "}}" then
            emit("var_end", nil, line)
            return p + 2, false
          end
        end
      end
      local c = src:sub(p, p)
      local m
      -- numbers: float first, then integer (jinja2's order)
      if c:match("%d") then
        local prev = p > 1 and src:sub(p - 1, p - 1) or ""
        local f = prev ~= "." and (src:match("^%d[%d_]*%.%d[%d_]*[eE][-+]?%d[%d_]*", p) or
                                   src:match("^%d[%d_]*[eE][-+]?%d[%d_]*", p) or
                                   src:match("^%d[%d_]*%.%d[%d_]*", p))
        if f and not f:find("__") and not f:find("_[%.eE]") and not f:find("[%.eE]_") then
          emit("float", tonumber((f:gsub("_", ""))) + 0.0, line)
          p = p + #f
        else
          m = src:match("^0[bB][_01]+", p) or src:match("^0[oO][_0-7]+", p) or
              src:match("^0[xX][_%x]+", p) or src:match("^[1-9][%d_]*", p) or src:match("^0[0_]*", p)
          local clean = m:gsub("_", "")
          local v
          local prefix = clean:sub(1, 2):lower()
          if prefix == "0b" then v = tonumber(clean:sub(3), 2)
          elseif prefix == "0o" then v = tonumber(clean:sub(3), 8)
          elseif prefix == "0x" then v = tonumber(clean:sub(3), 16)
          else v = math.tointeger(tonumber(clean)) or tonumber(clean) end
          emit("integer", v, line)
          p = p + #m
        end
      elseif c:match("[%a_]") then
        m = src:match("^[%a_][%w_]*", p)
        emit("name", m, line)
        p = p + #m
      elseif c == "'" or c == '"' then
        local q = p + 1
        while true do
          local e = src:find("[\\" .. c .. "]", q)
          if not e then fail(line, "unexpected char %s at %d", repr_str(c), p - 1) end
          if src:sub(e, e) == "\\" then q = e + 2 else q = e; break end
        end
        local raw = src:sub(p + 1, q - 1)
        emit("string", unescape(raw, line), line)
        line = line + count_nl(raw)
        p = q + 1
      else
        for _, op in ipairs(OPERATORS) do
          if src:sub(p, p + #op - 1) == op then m = op break end
        end
        if not m then fail(line, "unexpected char %s at %d", repr_str(c), p - 1) end
        if m == "(" then balance[#balance + 1] = ")"
        elseif m == "[" then balance[#balance + 1] = "]"
        elseif m == "{" then balance[#balance + 1] = "}"
        elseif m == ")" or m == "]" or m == "}" then
          if #balance == 0 then fail(line, "unexpected '%s'", m) end
          local want = table.remove(balance)
          if want ~= m then fail(line, "unexpected '%s', expected '%s'", m, want) end
        end
        emit("op", m, line)
        p = p + #m
      end
    end
  end

  while pos <= n do
    local s = src:find("{[{%%#]", pos)
    if not s then
      emit("data", src:sub(pos), line)
      break
    end
    local tagkind = src:sub(s + 1, s + 1)
    local sign = src:sub(s + 2, s + 2)
    if sign ~= "-" and sign ~= "+" then sign = "" end
    local text = src:sub(pos, s - 1)
    local textline = line
    line = line + count_nl(text)
    -- {% raw %} ... {% endraw %}
    local raw_end
    if tagkind == "%" then
      raw_end = src:match("^{%%[-+]?%s*raw%s*%-%%}%s*()", s) or src:match("^{%%[-+]?%s*raw%s*%%}()", s)
    end
    local d = data_before(text, sign, tagkind)
    if d ~= "" then emit("data", d, textline) end
    if raw_end then
      line = line + count_nl(src:sub(s, raw_end - 1))
      line_starting = src:sub(raw_end - 1, raw_end - 1) == "\n"
      local p = raw_end
      local es, ee, esign, ctl
      local q = p
      while true do
        es = src:find("{%", q, true)
        if not es then fail(line, "Missing end of raw directive") end
        local sg, after = src:match("^{%%([-+]?)%s*endraw%s*()", es)
        if sg then
          esign = sg
          if src:sub(after, after + 2) == "-%}" then
            ctl = "-"
            ee = after + 3 + #src:match("^%s*", after + 3)
          elseif src:sub(after, after + 2) == "+%}" then
            ee = after + 3
          elseif src:sub(after, after + 1) == "%}" then
            ee = after + 2
            if trim and src:sub(ee, ee) == "\n" then ee = ee + 1 end
          end
          if ee then break end
        end
        q = es + 2
      end
      local body = data_before(src:sub(p, es - 1), esign, "%")
      if body ~= "" then emit("data", body, line) end
      line = line + count_nl(src:sub(p, ee - 1))
      line_starting = src:sub(ee - 1, ee - 1) == "\n"
      pos = ee
      local _ = ctl
    elseif tagkind == "#" then
      local e = src:find("#}", s + 2, true)
      if not e then fail(line, "Missing end of comment tag") end
      local stop = e + 2
      if e - 1 >= s + 2 + #sign and src:sub(e - 1, e - 1) == "-" then
        stop = stop + #src:match("^%s*", stop)
      elseif e - 1 >= s + 2 + #sign and src:sub(e - 1, e - 1) == "+" then
        -- "+#}": no trim
        stop = stop + 0
      elseif trim and src:sub(stop, stop) == "\n" then
        stop = stop + 1
      end
      line = line + count_nl(src:sub(s, stop - 1))
      line_starting = src:sub(stop - 1, stop - 1) == "\n"
      pos = stop
    else
      local closer = tagkind == "{" and "}" or "%"
      emit(tagkind == "{" and "var_begin" or "block_begin", nil, line)
      local ends_nl
      pos, ends_nl = tag_tokens(s + 2 + #sign, closer, line)
      line_starting = ends_nl
    end
    if pos > n then break end
    -- data after a tag starts a line only if the tag's match ended with a newline
  end
  emit("eof", nil, line)
  return toks
end

---------------------------------------------------------------------------------------------
-- Parser (jinja2/parser.py's grammar)
---------------------------------------------------------------------------------------------

local Parser = {}
Parser.__index = Parser

local function describe(tok)
  if tok.t == "name" or tok.t == "op" then return tok.v end
  if tok.t == "eof" then return "end of template" end
  if tok.t == "block_end" then return "end of statement block" end
  if tok.t == "var_end" then return "end of print statement" end
  if tok.t == "string" then return "string" end
  return tok.t
end

function Parser:cur() return self.toks[self.i] end
function Parser:look() return self.toks[self.i + 1] end
function Parser:next() local t = self.toks[self.i]; self.i = self.i + 1; return t end
function Parser:is(t, v) local c = self.toks[self.i] return c.t == t and (v == nil or c.v == v) end
function Parser:skip_if(t, v) if self:is(t, v) then return self:next() end end
function Parser:expect(t, v)
  local c = self:cur()
  if c.t ~= t or (v ~= nil and c.v ~= v) then
    if c.t == "eof" then
      fail(c.line, "unexpected end of template, expected '%s'", v or t)
    end
    fail(c.line, "expected token '%s', got '%s'", v or describe({ t = t }), describe(c))
  end
  return self:next()
end

local COMPARE = { ["=="] = "eq", ["!="] = "ne", ["<"] = "lt", [">"] = "gt", ["<="] = "lteq", [">="] = "gteq" }
local MATH1 = { ["+"] = "add", ["-"] = "sub" }
local MATH2 = { ["*"] = "mul", ["/"] = "div", ["//"] = "floordiv", ["%"] = "mod" }
local POW = { ["**"] = "pow" }

-- A left-associative chain of operands joined by the operators in ops (symbol -> the "bin"
-- node's op), each operand parsed by the method named operand.
local function binary_chain(self, ops, operand)
  local line = self:cur().line
  local left = self[operand](self)
  while self:cur().t == "op" and ops[self:cur().v] do
    local op = ops[self:next().v]
    left = { t = "bin", op = op, a = left, b = self[operand](self), line = line }
  end
  return left
end

function Parser:expression(with_cond)
  if with_cond == false then return self:p_or() end
  return self:condexpr()
end

function Parser:condexpr()
  local line = self:cur().line
  local e1 = self:p_or()
  while self:skip_if("name", "if") do
    local e2 = self:p_or()
    local e3
    if self:skip_if("name", "else") then e3 = self:condexpr() end
    e1 = { t = "cond", test = e2, a = e1, b = e3, line = line }
    line = self:cur().line
  end
  return e1
end

-- A left-associative chain of operands joined by the keyword op ("or", "and"), each operand
-- parsed by the method named operand; the node is named after the keyword.
local function keyword_chain(self, op, operand)
  local line = self:cur().line
  local left = self[operand](self)
  while self:skip_if("name", op) do
    left = { t = op, a = left, b = self[operand](self), line = line }
  end
  return left
end

function Parser:p_or() return keyword_chain(self, "or", "p_and") end

function Parser:p_and() return keyword_chain(self, "and", "p_not") end

function Parser:p_not()
  if self:is("name", "not") then
    local line = self:next().line
    return { t = "not", a = self:p_not(), line = line }
  end
  return self:compare()
end

function Parser:compare()
  local line = self:cur().line
  local expr = self:math1()
  local ops = {}
  while true do
    local c = self:cur()
    if c.t == "op" and COMPARE[c.v] then
      self:next()
      ops[#ops + 1] = { op = COMPARE[c.v], e = self:math1() }
    elseif self:skip_if("name", "in") then
      ops[#ops + 1] = { op = "in", e = self:math1() }
    elseif self:is("name", "not") and self:look().t == "name" and self:look().v == "in" then
      self.i = self.i + 2
      ops[#ops + 1] = { op = "notin", e = self:math1() }
    else
      break
    end
  end
  if #ops == 0 then return expr end
  return { t = "compare", e = expr, ops = ops, line = line }
end

function Parser:math1() return binary_chain(self, MATH1, "concat") end

function Parser:concat()
  local line = self:cur().line
  local args = { self:math2() }
  while self:skip_if("op", "~") do args[#args + 1] = self:math2() end
  if #args == 1 then return args[1] end
  return { t = "concat", args = args, line = line }
end

function Parser:math2() return binary_chain(self, MATH2, "pow") end

function Parser:pow() return binary_chain(self, POW, "unary") end

function Parser:unary(with_filter)
  local c = self:cur()
  local node
  if c.t == "op" and c.v == "-" then
    self:next()
    node = { t = "neg", a = self:unary(false), line = c.line }
  elseif c.t == "op" and c.v == "+" then
    self:next()
    node = { t = "pos", a = self:unary(false), line = c.line }
  else
    node = self:primary()
  end
  node = self:postfix(node)
  if with_filter ~= false then node = self:filter_expr(node) end
  return node
end

function Parser:primary()
  local tok = self:cur()
  if tok.t == "name" then
    self:next()
    local v = tok.v
    if v == "true" or v == "True" then return { t = "const", v = true, line = tok.line } end
    if v == "false" or v == "False" then return { t = "const", v = false, line = tok.line } end
    if v == "none" or v == "None" then return { t = "const", v = NONE, line = tok.line } end
    return { t = "name", name = v, line = tok.line }
  elseif tok.t == "string" then
    self:next()
    local buf = { tok.v }
    while self:cur().t == "string" do buf[#buf + 1] = self:next().v end
    return { t = "const", v = table.concat(buf), line = tok.line }
  elseif tok.t == "integer" or tok.t == "float" then
    self:next()
    return { t = "const", v = tok.v, line = tok.line }
  elseif tok.t == "op" and tok.v == "(" then
    self:next()
    local node = self:tuple({ explicit = true })
    self:expect("op", ")")
    return node
  elseif tok.t == "op" and tok.v == "[" then
    self:next()
    local items = {}
    while not self:is("op", "]") do
      if #items > 0 then self:expect("op", ",") end
      if self:is("op", "]") then break end
      items[#items + 1] = self:expression()
    end
    self:expect("op", "]")
    return { t = "list", items = items, line = tok.line }
  elseif tok.t == "op" and tok.v == "{" then
    self:next()
    local keys, vals = {}, {}
    while not self:is("op", "}") do
      if #keys > 0 then self:expect("op", ",") end
      if self:is("op", "}") then break end
      keys[#keys + 1] = self:expression()
      self:expect("op", ":")
      vals[#vals + 1] = self:expression()
    end
    self:expect("op", "}")
    return { t = "dict", keys = keys, vals = vals, line = tok.line }
  end
  fail(tok.line, "unexpected '%s'", describe(tok))
end

-- extra_end: a function(tok) -> bool for tokens that end the tuple too.
function Parser:tuple(o)
  o = o or {}
  local line = self:cur().line
  local parse
  if o.simplified then parse = function() return self:primary() end
  elseif o.with_cond == false then parse = function() return self:expression(false) end
  else parse = function() return self:expression() end end
  local args, is_tuple = {}, false
  while true do
    if #args > 0 then self:expect("op", ",") end
    local c = self:cur()
    if c.t == "var_end" or c.t == "block_end" or (c.t == "op" and c.v == ")") or
       (o.extra_end and o.extra_end(c)) then
      break
    end
    args[#args + 1] = parse()
    if self:is("op", ",") then is_tuple = true else break end
  end
  if not is_tuple then
    if #args > 0 then return args[1] end
    if not o.explicit then fail(self:cur().line, "Expected an expression, got '%s'", describe(self:cur())) end
  end
  return { t = "tuple", items = args, line = line }
end

-- Which method parses what follows a node, by the next token's kind and value: attribute,
-- item and call after a primary; filter, test and call after a unary expression.
local POSTFIX = { op = { ["."] = "subscript", ["["] = "subscript", ["("] = "call" } }
local FILTERS = { op = { ["|"] = "filter", ["("] = "call" }, name = { is = "test" } }

-- Applies the methods of `by` (POSTFIX or FILTERS) to node while the next token has one.
local function trailers(self, node, by)
  while true do
    local c = self:cur()
    local method = by[c.t] and by[c.t][c.v]
    if not method then return node end
    node = self[method](self, node)
  end
end

function Parser:postfix(node) return trailers(self, node, POSTFIX) end

function Parser:filter_expr(node) return trailers(self, node, FILTERS) end

function Parser:subscript(node)
  local tok = self:next()
  if tok.v == "." then
    local a = self:next()
    if a.t == "name" then return { t = "getattr", obj = node, attr = a.v, line = tok.line } end
    if a.t ~= "integer" then fail(a.line, "expected name or number") end
    return { t = "getitem", obj = node, arg = { t = "const", v = a.v, line = a.line }, line = tok.line }
  end
  local args = {}
  while not self:is("op", "]") do
    if #args > 0 then self:expect("op", ",") end
    args[#args + 1] = self:subscribed()
  end
  self:expect("op", "]")
  local arg = #args == 1 and args[1] or { t = "tuple", items = args, line = tok.line }
  return { t = "getitem", obj = node, arg = arg, line = tok.line }
end

function Parser:subscribed()
  local line = self:cur().line
  local args = {}
  if self:is("op", ":") then
    self:next()
    args[1] = false
  else
    local node = self:expression()
    if not self:is("op", ":") then return node end
    self:next()
    args[1] = node
  end
  local function ends() local c = self:cur() return c.t == "op" and (c.v == "]" or c.v == ",") end
  if self:is("op", ":") then args[2] = false
  elseif not ends() then args[2] = self:expression()
  else args[2] = false end
  if self:is("op", ":") then
    self:next()
    if not ends() then args[3] = self:expression() else args[3] = false end
  else
    args[3] = false
  end
  return { t = "slice", start = args[1] or nil, stop = args[2] or nil, step = args[3] or nil, line = line }
end

function Parser:call_args()
  local tok = self:expect("op", "(")
  local args, kwargs = {}, {}
  local need_comma = false
  while not self:is("op", ")") do
    if need_comma then
      self:expect("op", ",")
      if self:is("op", ")") then break end
    end
    local c = self:cur()
    if c.t == "op" and (c.v == "*" or c.v == "**") then
      fail(c.line, "*args and **kwargs in calls are not supported")
    elseif c.t == "name" and self:look().t == "op" and self:look().v == "=" then
      self.i = self.i + 2
      kwargs[#kwargs + 1] = { name = c.v, e = self:expression() }
    else
      if #kwargs > 0 then fail(tok.line, "invalid syntax for function call expression") end
      args[#args + 1] = self:expression()
    end
    need_comma = true
  end
  self:expect("op", ")")
  return args, kwargs
end

function Parser:call(node)
  local line = self:cur().line
  local args, kwargs = self:call_args()
  return { t = "call", fn = node, args = args, kwargs = kwargs, line = line }
end

function Parser:dotted_name()
  local name = self:expect("name").v
  while self:is("op", ".") do
    self:next()
    name = name .. "." .. self:expect("name").v
  end
  return name
end

function Parser:filter(node, start_inline)
  while self:is("op", "|") or start_inline do
    if not start_inline then self:next() end
    local tok = self:cur()
    local name = self:dotted_name()
    local args, kwargs = {}, {}
    if self:is("op", "(") then args, kwargs = self:call_args() end
    node = { t = "filter", name = name, node = node, args = args, kwargs = kwargs, line = tok.line }
    start_inline = false
  end
  return node
end

local TEST_ARG_START = { name = true, string = true, integer = true, float = true }
function Parser:test(node)
  local tok = self:next()
  local negated = self:skip_if("name", "not") ~= nil
  local name = self:dotted_name()
  local args, kwargs = {}, {}
  local c = self:cur()
  if c.t == "op" and c.v == "(" then
    args, kwargs = self:call_args()
  elseif (TEST_ARG_START[c.t] or (c.t == "op" and (c.v == "[" or c.v == "{"))) and
         not (c.t == "name" and (c.v == "else" or c.v == "or" or c.v == "and")) then
    if c.t == "name" and c.v == "is" then fail(c.line, "You cannot chain multiple tests with is") end
    args = { self:postfix(self:primary()) }
  end
  node = { t = "test", name = name, node = node, args = args, kwargs = kwargs, line = tok.line }
  if negated then node = { t = "not", a = node, line = tok.line } end
  return node
end

-- Statements ------------------------------------------------------------------------------

function Parser:assign_target(o)
  o = o or {}
  local line = self:cur().line
  if o.with_namespace and self:look().t == "op" and self:look().v == "." then
    local ns = self:expect("name").v
    self:next()
    local attr = self:expect("name").v
    return { t = "nsref", name = ns, attr = attr, line = line }
  end
  if o.name_only then
    return { t = "name", name = self:expect("name").v, line = line }
  end
  local target = self:tuple({ simplified = true, extra_end = o.extra_end })
  local function ok(n)
    if n.t == "name" then return true end
    if n.t == "tuple" then
      for _, x in ipairs(n.items) do if not ok(x) then return false end end
      return true
    end
    return false
  end
  if not ok(target) then fail(line, "can't assign to %s", target.t) end
  return target
end

function Parser:subparse(end_tokens)
  local body = {}
  while true do
    local tok = self:cur()
    if tok.t == "data" then
      self:next()
      body[#body + 1] = { t = "data", v = tok.v, line = tok.line }
    elseif tok.t == "var_begin" then
      self:next()
      body[#body + 1] = { t = "output", e = self:tuple(), line = tok.line }
      self:expect("var_end")
    elseif tok.t == "block_begin" then
      self:next()
      local c = self:cur()
      if end_tokens and c.t == "name" and end_tokens[c.v] then return body end
      body[#body + 1] = self:statement()
    elseif tok.t == "eof" then
      if end_tokens then
        local names = {}
        for k in pairs(end_tokens) do names[#names + 1] = "'" .. k .. "'" end
        table.sort(names)
        fail(tok.line, "Unexpected end of template. Jinja was looking for the following tags: %s. The innermost block that needs to be closed is '%s'.",
             table.concat(names, " or "), self.stack[#self.stack] or "?")
      end
      return body
    else
      fail(tok.line, "unexpected '%s'", describe(tok))
    end
  end
end

function Parser:statements(end_tokens, drop_needle)
  self:skip_if("op", ":")
  self:expect("block_end")
  local body = self:subparse(end_tokens)
  if self:cur().t == "eof" then fail(self:cur().line, "unexpected end of template") end
  if drop_needle then self:next() end
  return body
end

-- The body of a block tag up to its {% end<tag> %}, which it consumes whole.
function Parser:block_body(tag)
  local body = self:statements({ ["end" .. tag] = true }, true)
  self:expect("block_end")
  return body
end

local STATEMENTS = {}

function Parser:statement()
  local tok = self:cur()
  if tok.t ~= "name" then fail(tok.line, "tag name expected") end
  local f = STATEMENTS[tok.v]
  if not f then
    if tok.v:match("^end") or tok.v == "else" or tok.v == "elif" then
      fail(tok.line, "Encountered unknown tag '%s'.%s", tok.v,
           self.stack[1] and (" Jinja was looking for the tags closing '" .. self.stack[#self.stack] .. "'.")
           or " You probably made a nesting mistake.")
    end
    fail(tok.line, "Encountered unknown tag '%s'.", tok.v)
  end
  self.stack[#self.stack + 1] = tok.v
  local node = f(self, tok)
  self.stack[#self.stack] = nil
  return node
end

STATEMENTS["for"] = function(self, tok)
  self:next()
  local target = self:assign_target({ extra_end = function(c) return c.t == "name" and c.v == "in" end })
  self:expect("name", "in")
  local iter = self:tuple({ with_cond = false,
                            extra_end = function(c) return c.t == "name" and c.v == "recursive" end })
  local filter
  if self:skip_if("name", "if") then filter = self:expression() end
  local recursive = self:skip_if("name", "recursive") ~= nil
  local body = self:statements({ endfor = true, ["else"] = true })
  local else_
  if self:next().v == "else" then else_ = self:statements({ endfor = true }, true) end
  self:expect("block_end")
  return { t = "for", target = target, iter = iter, filter = filter, body = body, else_ = else_,
           recursive = recursive, line = tok.line }
end

STATEMENTS["if"] = function(self, tok)
  self:next()
  local node = { t = "if", branches = {}, line = tok.line }
  local test = self:tuple({ with_cond = false })
  while true do
    local body = self:statements({ elif = true, ["else"] = true, endif = true })
    node.branches[#node.branches + 1] = { test = test, body = body }
    local kw = self:next()
    if kw.v == "elif" then
      test = self:tuple({ with_cond = false })
    elseif kw.v == "else" then
      node.else_ = self:statements({ endif = true }, true)
      break
    else
      break
    end
  end
  self:expect("block_end")
  return node
end

STATEMENTS["set"] = function(self, tok)
  self:next()
  local target = self:assign_target({ with_namespace = true })
  if self:skip_if("op", "=") then
    local e = self:tuple()
    self:expect("block_end")
    return { t = "set", target = target, e = e, line = tok.line }
  end
  local filter
  if self:is("op", "|") then filter = self:filter(nil, false) end
  local body = self:block_body("set")
  return { t = "setblock", target = target, filter = filter, body = body, line = tok.line }
end

STATEMENTS["with"] = function(self, tok)
  self:next()
  local targets, values = {}, {}
  while not self:is("block_end") do
    if #targets > 0 then self:expect("op", ",") end
    local t = self:assign_target()
    self:expect("op", "=")
    targets[#targets + 1] = t
    values[#values + 1] = self:expression()
  end
  local body = self:block_body("with")
  return { t = "with", targets = targets, values = values, body = body, line = tok.line }
end

STATEMENTS["macro"] = function(self, tok)
  self:next()
  local name = self:expect("name").v
  local params = {}
  self:expect("op", "(")
  while not self:is("op", ")") do
    if #params > 0 then self:expect("op", ",") end
    local p = self:expect("name").v
    local default
    if self:skip_if("op", "=") then default = self:expression() end
    params[#params + 1] = { name = p, default = default }
  end
  self:expect("op", ")")
  local body = self:block_body("macro")
  return { t = "macro", name = name, params = params, body = body, line = tok.line }
end

STATEMENTS["filter"] = function(self, tok)
  self:next()
  local f = self:filter(nil, true)
  local body = self:block_body("filter")
  return { t = "filterblock", filter = f, body = body, line = tok.line }
end

STATEMENTS["include"] = function(self, tok)
  self:next()
  local e = self:expression()
  local ignore_missing = false
  if self:is("name", "ignore") and self:look().t == "name" and self:look().v == "missing" then
    self.i = self.i + 2
    ignore_missing = true
  end
  if (self:is("name", "with") or self:is("name", "without")) and self:look().t == "name" and self:look().v == "context" then
    self.i = self.i + 2
  end
  self:expect("block_end")
  return { t = "include", e = e, ignore_missing = ignore_missing, line = tok.line }
end

STATEMENTS["do"] = nil -- the `do` tag is an extension jinja2 does not enable by default

local function parse(src, opts)
  local p = setmetatable({ toks = lex(src, opts), i = 1, stack = {} }, Parser)
  return p:subparse(nil)
end

---------------------------------------------------------------------------------------------
-- Evaluation
---------------------------------------------------------------------------------------------

-- Frames: {vars = {}, parent = frame}; the root frame reads the caller's variables.
local function lookup(frame, name)
  while frame do
    local v = frame.vars[name]
    if v ~= nil then return v end
    if frame.root then
      v = frame.root[name]
      if v ~= nil then return v end
    end
    frame = frame.parent
  end
  return nil
end

local function child(frame) return { vars = {}, parent = frame } end

local function callable(fn) return setmetatable({ fn = fn }, CALL_MT) end

local function ascii_upper(s) return (s:upper()) end
local function ascii_lower(s) return (s:lower()) end

local function py_strip(s, set_chars, left, right)
  if set_chars == nil or kind(set_chars) == "none" then
    if left then s = s:gsub("^%s+", "") end
    if right then s = s:gsub("%s+$", "") end
    return s
  end
  local set = {}
  for _, c in ipairs(chars(set_chars)) do set[c] = true end
  local cs = chars(s)
  local i, j = 1, #cs
  if left then while i <= j and set[cs[i]] do i = i + 1 end end
  if right then while j >= i and set[cs[j]] do j = j - 1 end end
  return table.concat(cs, "", i, j)
end

local function py_split(s, sep, maxsplit)
  local out = list()
  maxsplit = maxsplit or -1
  if sep == nil or kind(sep) == "none" then
    local count = 0
    local pos = s:find("%S")
    while pos do
      if maxsplit >= 0 and count >= maxsplit then
        out[#out + 1] = s:sub(pos):gsub("%s+$", "")
        return out
      end
      local e = s:find("%s", pos) or (#s + 1)
      out[#out + 1] = s:sub(pos, e - 1)
      count = count + 1
      pos = s:find("%S", e)
    end
    return out
  end
  if sep == "" then fail(nil, "empty separator") end
  local pos, count = 1, 0
  while true do
    local a, b = s:find(sep, pos, true)
    if not a or (maxsplit >= 0 and count >= maxsplit) then break end
    out[#out + 1] = s:sub(pos, a - 1)
    pos = b + 1
    count = count + 1
  end
  out[#out + 1] = s:sub(pos)
  return out
end

local function py_replace(s, old, new, count)
  count = count or -1
  if old == "" then
    local cs = chars(s)
    local out, n = {}, 0
    for i = 1, #cs + 1 do
      if count < 0 or n < count then out[#out + 1] = new; n = n + 1 end
      out[#out + 1] = cs[i]
    end
    return table.concat(out)
  end
  local out, pos, n = {}, 1, 0
  while count < 0 or n < count do
    local a, b = s:find(old, pos, true)
    if not a then break end
    out[#out + 1] = s:sub(pos, a - 1)
    out[#out + 1] = new
    pos = b + 1
    n = n + 1
  end
  out[#out + 1] = s:sub(pos)
  return table.concat(out)
end

-- str.splitlines() on the ASCII line boundaries Python knows.
local function splitlines(s)
  local out = {}
  local pos, n = 1, #s
  while pos <= n do
    local a = s:find("[\n\r\v\f\28\29\30]", pos)
    if not a then out[#out + 1] = s:sub(pos); break end
    out[#out + 1] = s:sub(pos, a - 1)
    if s:sub(a, a + 1) == "\r\n" then pos = a + 2 else pos = a + 1 end
  end
  return out
end

-- Arguments by position or name: arg(args, kwargs, i, name, default).
local function arg(args, kwargs, i, name, default)
  local v = args[i]
  if v == nil then v = kwargs[name] end
  if v == nil then return default end
  return v
end

local METHODS = {}

METHODS.str = {
  upper = function(s) return ascii_upper(s) end,
  lower = function(s) return ascii_lower(s) end,
  strip = function(s, a) return py_strip(s, a[1], true, true) end,
  lstrip = function(s, a) return py_strip(s, a[1], true, false) end,
  rstrip = function(s, a) return py_strip(s, a[1], false, true) end,
  split = function(s, a, k) return py_split(s, arg(a, k, 1, "sep"), arg(a, k, 2, "maxsplit")) end,
  splitlines = function(s) return list(splitlines(s)) end,
  startswith = function(s, a)
    local p = a[1]
    if kind(p) == "tuple" then
      for _, x in ipairs(p) do if s:sub(1, #x) == x then return true end end
      return false
    end
    return s:sub(1, #p) == p
  end,
  endswith = function(s, a)
    local p = a[1]
    if kind(p) == "tuple" then
      for _, x in ipairs(p) do if #x == 0 or s:sub(-#x) == x then return true end end
      return false
    end
    return #p == 0 or s:sub(-#p) == p
  end,
  replace = function(s, a) return py_replace(s, a[1], a[2], a[3]) end,
  join = function(s, a, _, line)
    local parts = {}
    for i, x in ipairs(items_of(a[1], line)) do
      if kind(x) ~= "str" then fail(line, "sequence item %d: expected str instance, %s found", i - 1, tname(x)) end
      parts[i] = x
    end
    return table.concat(parts, s)
  end,
  count = function(s, a) local _, n = s:gsub(a[1]:gsub("%W", "%%%0"), "") return n end,
  find = function(s, a) local p = s:find(a[1], 1, true) return p and (p - 1) or -1 end,
  isdigit = function(s) return s ~= "" and not s:find("%D") end,
  isalpha = function(s) return s ~= "" and not s:find("%A") end,
  isalnum = function(s) return s ~= "" and not s:find("%W") end,
  isupper = function(s) return s:find("%a") ~= nil and not s:find("%l") end,
  islower = function(s) return s:find("%a") ~= nil and not s:find("%u") end,
  capitalize = function(s) return ascii_upper(s:sub(1, 1)) .. ascii_lower(s:sub(2)) end,
  title = nil, -- set below (the title filter's rule is str.title's for ASCII words)
  zfill = function(s, a)
    local w = a[1]
    local sign = s:match("^[-+]") or ""
    local body = s:sub(#sign + 1)
    if #s >= w then return s end
    return sign .. ("0"):rep(w - #s) .. body
  end,
  ljust = function(s, a) local pad = a[1] - ulen(s) return pad > 0 and s .. (a[2] or " "):rep(pad) or s end,
  rjust = function(s, a) local pad = a[1] - ulen(s) return pad > 0 and (a[2] or " "):rep(pad) .. s or s end,
}

METHODS.dict = {
  items = function(d)
    local out = list()
    for _, k in ipairs(sorted_keys(d)) do out[#out + 1] = tuple({ k, d[k] }) end
    return out
  end,
  keys = function(d) return list(sorted_keys(d)) end,
  values = function(d)
    local out = list()
    for _, k in ipairs(sorted_keys(d)) do out[#out + 1] = d[k] end
    return out
  end,
  get = function(d, a)
    local v = d[a[1]]
    if v == nil then v = a[2] end
    if v == nil then return NONE end
    return v
  end,
}

METHODS.list = {
  append = function(l, a) l[#l + 1] = a[1] return NONE end,
  extend = function(l, a, _, line) for _, x in ipairs(items_of(a[1], line)) do l[#l + 1] = x end return NONE end,
  index = function(l, a, _, line)
    for i = 1, #l do if eq(l[i], a[1], line) then return i - 1 end end
    fail(line, "%s is not in list", repr(a[1], line))
  end,
  count = function(l, a, _, line)
    local n = 0
    for i = 1, #l do if eq(l[i], a[1], line) then n = n + 1 end end
    return n
  end,
}
METHODS.tuple = { index = METHODS.list.index, count = METHODS.list.count }

local function type_desc(v)
  local k = kind(v)
  if k == "none" then return "None" end
  return tname(v) .. " object"
end

local function getattr(obj, name, line)
  local k = kind(obj)
  if k == "undef" then check(obj, line) end
  local methods = METHODS[k]
  if methods and methods[name] then
    local m = methods[name]
    return callable(function(args, kwargs, l) return m(obj, args, kwargs, l or line) end)
  end
  if k == "dict" then
    local v = obj[name]
    if v ~= nil then return v end
  elseif k == "namespace" then
    local v = obj.attrs[name]
    if v ~= nil then return v end
  elseif k == "loop" then
    local v = obj[name]
    if v ~= nil then return v end
  elseif k == "tuple" and type(name) == "string" then
    local v = rawget(obj, name) -- a named tuple's field (groupby's grouper and list)
    if v ~= nil then return v end
  elseif k == "object" then
    local ok, v = pcall(function() return obj[name] end)
    if ok and v ~= nil then return v end
  end
  return undef(line, nil, ("'%s' has no attribute %s"):format(type_desc(obj), repr_str(name)))
end

local function getitem(obj, key, line)
  local k = kind(obj)
  if k == "undef" then check(obj, line) end
  if is_seq(k) or k == "str" then
    if math.type(key) == "integer" or kind(key) == "bool" then
      local i = math.tointeger(num(key))
      local items = k == "str" and chars(obj) or obj
      local n = #items
      if i < 0 then i = n + i end
      if i >= 0 and i < n then return items[i + 1] end
      return undef(line, nil, ("'%s' has no element %s"):format(type_desc(obj), tostring(key)))
    end
  elseif k == "dict" then
    if kind(key) ~= "undef" then
      local v = obj[key]
      if v ~= nil then return v end
    end
  end
  if kind(key) == "str" then return getattr(obj, key, line) end
  check(key, line)
  return undef(line, nil, ("'%s' has no element %s"):format(type_desc(obj), repr(key, line)))
end

local function slice_indices(n, start, stop, step)
  step = step or 1
  if step == 0 then return nil end
  local function norm(i, default)
    if i == nil then return default end
    if i < 0 then i = i + n; if i < 0 then i = step < 0 and -1 or 0 end
    elseif i >= n then i = step < 0 and n - 1 or n end
    return i
  end
  local s = norm(start, step < 0 and n - 1 or 0)
  local e = norm(stop, step < 0 and -1 or n)
  if stop ~= nil and stop < 0 and stop + n < 0 then e = -1 end
  return s, e, step
end

local function do_slice(obj, start, stop, step, line)
  local k = kind(obj)
  check(obj, line)
  local items = k == "str" and chars(obj) or (is_seq(k) and obj) or fail(line, "'%s' object is not subscriptable", tname(obj))
  local s, e, st = slice_indices(#items, start, stop, step)
  if not s then fail(line, "slice step cannot be zero") end
  local out = {}
  local i = s
  while (st > 0 and i < e) or (st < 0 and i > e) do
    out[#out + 1] = items[i + 1]
    i = i + st
  end
  if k == "str" then return table.concat(out) end
  return k == "tuple" and tuple(out) or list(out)
end

local function arith(op, a, b, line)
  check(a, line); check(b, line)
  local ka, kb = kind(a), kind(b)
  local na, nb = is_num(a), is_num(b)
  local sym = ({ add = "+", sub = "-", mul = "*", div = "/", floordiv = "//", mod = "%", pow = "**" })[op]
  if na and nb then
    a, b = num(a), num(b)
    if op == "add" then return a + b end
    if op == "sub" then return a - b end
    if op == "mul" then return a * b end
    if op == "div" then
      if b == 0 then fail(line, "division by zero") end
      return (a + 0.0) / b
    end
    if op == "floordiv" then
      if b == 0 then fail(line, "integer division or modulo by zero") end
      return a // b
    end
    if op == "mod" then
      if b == 0 then fail(line, "integer division or modulo by zero") end
      return a % b
    end
    if op == "pow" then
      if math.type(a) == "integer" and math.type(b) == "integer" and b >= 0 then
        local r = 1
        for _ = 1, b do r = r * a end
        return r
      end
      return (a + 0.0) ^ b
    end
  end
  if op == "add" and ka == "str" and kb == "str" then return a .. b end
  if op == "add" and is_seq(ka) and ka == kb then
    local out = {}
    for i = 1, #a do out[#out + 1] = a[i] end
    for i = 1, #b do out[#out + 1] = b[i] end
    return ka == "tuple" and tuple(out) or list(out)
  end
  if op == "mul" and ((ka == "str" and math.type(b) == "integer") or (kb == "str" and math.type(a) == "integer")) then
    if ka == "str" then return a:rep(math.max(0, b)) end
    return b:rep(math.max(0, a))
  end
  if op == "mul" and is_seq(ka) and math.type(b) == "integer" then
    local out = {}
    for _ = 1, b do for i = 1, #a do out[#out + 1] = a[i] end end
    return ka == "tuple" and tuple(out) or list(out)
  end
  if op == "mod" and ka == "str" then return pyformat(a, b, line) end
  fail(line, "unsupported operand type(s) for %s: '%s' and '%s'", sym, tname(a), tname(b))
end

-- Filters and tests ------------------------------------------------------------------------

local FILTERS, TESTS = {}, {}
M.filters, M.tests = FILTERS, TESTS

local function attr_getter(attribute, line, default)
  if attribute == nil then return function(x) return x end end
  local parts = {}
  if math.type(attribute) == "integer" then parts = { attribute }
  else
    for p in tostring(attribute):gmatch("[^.]+") do parts[#parts + 1] = math.tointeger(tonumber(p)) or p end
  end
  return function(x)
    for _, p in ipairs(parts) do
      x = getitem(x, p, line)
    end
    if default ~= nil and kind(x) == "undef" then return default end
    return x
  end
end

-- Python's sorted(): a stable merge sort with a less-than function.
local function stable_sort(a, less)
  local n = #a
  if n < 2 then return a end
  local tmp = {}
  local width = 1
  while width < n do
    local i = 1
    while i <= n do
      local mid, hi = math.min(i + width, n + 1), math.min(i + 2 * width, n + 1)
      local l, r, k = i, mid, i
      while l < mid and r < hi do
        if less(a[r], a[l]) then tmp[k] = a[r]; r = r + 1 else tmp[k] = a[l]; l = l + 1 end
        k = k + 1
      end
      while l < mid do tmp[k] = a[l]; l = l + 1; k = k + 1 end
      while r < hi do tmp[k] = a[r]; r = r + 1; k = k + 1 end
      i = i + 2 * width
    end
    for j = 1, n do a[j] = tmp[j] end
    width = width * 2
  end
  return a
end

local function ignore_case(v)
  if type(v) == "string" then return ascii_lower(v) end
  return v
end

local function key_func(attribute, case_sensitive, line)
  local get = attr_getter(attribute, line)
  if attribute ~= nil and kind(attribute) == "str" and attribute:find(",", 1, true) then
    local getters = {}
    for p in attribute:gmatch("[^,]+") do getters[#getters + 1] = attr_getter(p:match("^%s*(.-)%s*$"), line) end
    return function(x)
      local t = {}
      for i, g in ipairs(getters) do
        local v = g(x)
        t[i] = case_sensitive and v or ignore_case(v)
      end
      return list(t)
    end
  end
  return function(x)
    local v = get(x)
    if not case_sensitive then v = ignore_case(v) end
    return v
  end
end

local function sort_items(items, key, reverse, line)
  local dec = {}
  for i, x in ipairs(items) do dec[i] = { k = key(x), v = x } end
  local less
  if reverse then less = function(a, b) return lt(b.k, a.k, line) end
  else less = function(a, b) return lt(a.k, b.k, line) end end
  stable_sort(dec, less)
  local out = list()
  for i, d in ipairs(dec) do out[i] = d.v end
  return out
end

FILTERS.default = function(v, a, k, line)
  local dv = arg(a, k, 1, "default_value", "")
  local boolean = arg(a, k, 2, "boolean", false)
  if kind(v) == "undef" or (truthy(boolean, line) and not truthy(v, line)) then return dv end
  return v
end
FILTERS.d = FILTERS.default
FILTERS.upper = function(v, _, _, line) return ascii_upper(str(v, line)) end
FILTERS.lower = function(v, _, _, line) return ascii_lower(str(v, line)) end
FILTERS.capitalize = function(v, _, _, line) local s = str(v, line) return ascii_upper(s:sub(1, 1)) .. ascii_lower(s:sub(2)) end
FILTERS.title = function(v, _, _, line)
  local s = str(v, line)
  local out = {}
  local pos = 1
  -- jinja2 splits on runs of [-\s({\[<] and capitalises each piece.
  while pos <= #s do
    local a, b = s:find("[-%s({%[<]+", pos)
    local piece = s:sub(pos, (a or #s + 1) - 1)
    if piece ~= "" then out[#out + 1] = ascii_upper(piece:sub(1, 1)) .. ascii_lower(piece:sub(2)) end
    if not a then break end
    out[#out + 1] = s:sub(a, b)
    pos = b + 1
  end
  return table.concat(out)
end
METHODS.str.title = function(s)
  return (s:gsub("(%a)(%a*)", function(x, y) return ascii_upper(x) .. ascii_lower(y) end))
end
FILTERS.replace = function(v, a, k, line)
  local s = str(v, line)
  local count = arg(a, k, 3, "count")
  if kind(count) == "none" then count = nil end
  return py_replace(s, str(arg(a, k, 1, "old"), line), str(arg(a, k, 2, "new"), line), count)
end
FILTERS.trim = function(v, a, k, line)
  local chars_ = arg(a, k, 1, "chars")
  return py_strip(str(v, line), chars_ and kind(chars_) ~= "none" and chars_ or nil, true, true)
end
FILTERS.join = function(v, a, k, line)
  local d = arg(a, k, 1, "d", "")
  local get = attr_getter(arg(a, k, 2, "attribute"), line)
  local parts = {}
  for i, x in ipairs(items_of(v, line)) do parts[i] = str(get(x), line) end
  return table.concat(parts, str(d, line))
end
FILTERS.length = function(v, _, _, line)
  local kv = kind(v)
  check(v, line)
  if kv == "str" then return ulen(v) end
  if is_seq(kv) then return #v end
  if kv == "dict" then local n = 0 for _ in pairs(v) do n = n + 1 end return n end
  if kv == "namespace" then local n = 0 for _ in pairs(v.attrs) do n = n + 1 end return n end
  fail(line, "object of type '%s' has no len()", tname(v))
end
FILTERS.count = FILTERS.length

-- Python's int(str) / float(str): surrounding whitespace, a sign, underscores between digits.
local function parse_int(s, base)
  s = s:match("^%s*(.-)%s*$")
  local sign, body = s:match("^([-+]?)(.*)$")
  base = base or 10
  if base == 16 then body = body:gsub("^0[xX]_?", "") elseif base == 8 then body = body:gsub("^0[oO]_?", "")
  elseif base == 2 then body = body:gsub("^0[bB]_?", "") end
  if body == "" or body:find("^_") or body:find("_$") or body:find("__") then return nil end
  local clean = body:gsub("_", "")
  local pat = ({ [10] = "^%d+$", [16] = "^%x+$", [8] = "^[0-7]+$", [2] = "^[01]+$" })[base]
  if not pat or not clean:find(pat) then return nil end
  local v = math.tointeger(tonumber(clean, base))
  if not v then return nil end
  return sign == "-" and -v or v
end

local function parse_float(s)
  local t = s:match("^%s*(.-)%s*$"):lower()
  if t:find("^[-+]?inf$") or t:find("^[-+]?infinity$") then return t:sub(1, 1) == "-" and -math.huge or math.huge end
  if t:find("^[-+]?nan$") then return 0 / 0 end
  if t:find("__") or t:find("^[-+]?_") or t:find("_$") or t:find("[^%d]_") or t:find("_[^%d]") then return nil end
  t = t:gsub("_", "")
  if not (t:find("^[-+]?%d+%.?%d*e[-+]?%d+$") or t:find("^[-+]?%.%d+e[-+]?%d+$") or
          t:find("^[-+]?%d+%.?%d*$") or t:find("^[-+]?%.%d+$")) then
    return nil
  end
  local v = tonumber(t)
  return v and v + 0.0
end

FILTERS.int = function(v, a, k, line)
  local default = arg(a, k, 1, "default", 0)
  local base = arg(a, k, 2, "base", 10)
  local kv = kind(v)
  check(v, line)
  if kv == "str" then
    local r = parse_int(v, base)
    if r then return r end
    local f = parse_float(v)
    if f and f == f and f ~= math.huge and f ~= -math.huge then
      local t = f >= 0 and math.floor(f) or math.ceil(f)
      return math.tointeger(t) or t
    end
    return default
  end
  if kv == "int" then return v end
  if kv == "bool" then return v and 1 or 0 end
  if kv == "float" then
    if v ~= v or v == math.huge or v == -math.huge then fail(line, "cannot convert float to integer") end
    local t = v >= 0 and math.floor(v) or math.ceil(v)
    return math.tointeger(t) or t
  end
  return default
end
FILTERS.float = function(v, a, k, line)
  local default = arg(a, k, 1, "default", 0.0)
  local kv = kind(v)
  check(v, line)
  if kv == "int" or kv == "float" or kv == "bool" then return num(v) + 0.0 end
  if kv == "str" then
    local f = parse_float(v)
    if f then return f end
  end
  return default
end
FILTERS.string = function(v, _, _, line) return str(v, line) end
FILTERS.format = function(v, a, k, line)
  if next(k) and a[1] ~= nil then fail(line, "can't handle positional and keyword arguments at the same time") end
  if next(k) then return pyformat(str(v, line), setmetatable(k, DICT_MT), line) end
  return pyformat(str(v, line), tuple(a), line)
end
FILTERS.sort = function(v, a, k, line)
  local reverse = truthy(arg(a, k, 1, "reverse", false), line)
  local cs = truthy(arg(a, k, 2, "case_sensitive", false), line)
  local attribute = arg(a, k, 3, "attribute")
  return sort_items(items_of(v, line), key_func(attribute, cs, line), reverse, line)
end
FILTERS.dictsort = function(v, a, k, line)
  local cs = truthy(arg(a, k, 1, "case_sensitive", false), line)
  local by = arg(a, k, 2, "by", "key")
  local reverse = truthy(arg(a, k, 3, "reverse", false), line)
  if kind(v) ~= "dict" then fail(line, "'%s' object has no attribute 'items'", tname(v)) end
  local pos = by == "key" and 1 or by == "value" and 2 or fail(line, "You can only sort by either \"key\" or \"value\"")
  local its = METHODS.dict.items(v)
  return sort_items(its, function(x) local y = x[pos] return cs and y or ignore_case(y) end, reverse, line)
end
FILTERS.items = function(v, _, _, line)
  if kind(v) == "undef" then return list() end
  if kind(v) ~= "dict" then fail(line, "Can only get item pairs from a mapping.") end
  return METHODS.dict.items(v)
end
FILTERS.list = function(v, _, _, line) return list(items_of(v, line)) end
FILTERS.first = function(v, _, _, line)
  local its = items_of(v, line)
  if #its == 0 then return undef(line, nil, "No first item, sequence was empty.") end
  return its[1]
end
FILTERS.last = function(v, _, _, line)
  local its = items_of(v, line)
  if #its == 0 then return undef(line, nil, "No last item, sequence was empty.") end
  return its[#its]
end
FILTERS.reverse = function(v, _, _, line)
  if kind(v) == "str" then
    local cs = chars(v)
    local out = {}
    for i = #cs, 1, -1 do out[#out + 1] = cs[i] end
    return table.concat(out)
  end
  local its = items_of(v, line)
  local out = list()
  for i = #its, 1, -1 do out[#out + 1] = its[i] end
  return out
end
FILTERS.unique = function(v, a, k, line)
  local cs = truthy(arg(a, k, 1, "case_sensitive", false), line)
  local key = key_func(arg(a, k, 2, "attribute"), cs, line)
  local seen, out = {}, list()
  for _, x in ipairs(items_of(v, line)) do
    local kx = key(x)
    local found = false
    for _, s in ipairs(seen) do if eq(s, kx, line) then found = true break end end
    if not found then seen[#seen + 1] = kx; out[#out + 1] = x end
  end
  return out
end
local function min_max(v, a, k, line, want_max)
  local cs = truthy(arg(a, k, 1, "case_sensitive", false), line)
  local key = key_func(arg(a, k, 2, "attribute"), cs, line)
  local its = items_of(v, line)
  if #its == 0 then return undef(line, nil, "No aggregated item, sequence was empty.") end
  local best, bk = its[1], key(its[1])
  for i = 2, #its do
    local kx = key(its[i])
    if want_max and lt(bk, kx, line) or (not want_max and lt(kx, bk, line)) then best, bk = its[i], kx end
  end
  return best
end
FILTERS.min = function(v, a, k, line) return min_max(v, a, k, line, false) end
FILTERS.max = function(v, a, k, line) return min_max(v, a, k, line, true) end
FILTERS.sum = function(v, a, k, line)
  local get = attr_getter(arg(a, k, 1, "attribute"), line)
  local total = arg(a, k, 2, "start", 0)
  for _, x in ipairs(items_of(v, line)) do total = arith("add", total, get(x), line) end
  return total
end
FILTERS.abs = function(v, _, _, line)
  check(v, line)
  if not is_num(v) then fail(line, "bad operand type for abs(): '%s'", tname(v)) end
  return math.abs(num(v))
end
FILTERS.round = function(v, a, k, line)
  local precision = arg(a, k, 1, "precision", 0)
  local method = arg(a, k, 2, "method", "common")
  check(v, line)
  if method == "common" then
    if math.type(v) == "integer" then return v end
    return tonumber(string.format("%." .. precision .. "f", v)) + 0.0
  end
  local f = method == "ceil" and math.ceil or method == "floor" and math.floor or fail(line, "method must be common, ceil or floor")
  local m = 10 ^ precision
  return f(v * m) / m + 0.0
end
FILTERS.indent = function(v, a, k, line)
  local width = arg(a, k, 1, "width", 4)
  local first = truthy(arg(a, k, 2, "first", false), line)
  local blank = truthy(arg(a, k, 3, "blank", false), line)
  local ind = kind(width) == "str" and width or (" "):rep(width)
  local s = str(v, line) .. "\n"
  local lines = splitlines(s)
  local rv
  if blank then
    rv = table.concat(lines, "\n" .. ind)
  else
    rv = table.remove(lines, 1) or ""
    if #lines > 0 then
      local parts = {}
      for i, l in ipairs(lines) do parts[i] = l ~= "" and ind .. l or l end
      rv = rv .. "\n" .. table.concat(parts, "\n")
    end
  end
  if first then rv = ind .. rv end
  return rv
end
FILTERS.center = function(v, a, k, line)
  local s = str(v, line)
  local width = arg(a, k, 1, "width", 80)
  local pad = width - ulen(s)
  if pad <= 0 then return s end
  local left = pad // 2 + ((pad & width & 1))
  return (" "):rep(left) .. s .. (" "):rep(pad - left)
end
FILTERS.wordcount = function(v, _, _, line)
  local n = 0
  for _ in str(v, line):gmatch("[%w_]+") do n = n + 1 end
  return n
end
FILTERS.escape = function(v, _, _, line)
  return (str(v, line):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
                                          ['"'] = "&#34;", ["'"] = "&#39;" }))
end
FILTERS.e = FILTERS.escape
FILTERS.safe = function(v) return v end
FILTERS.attr = function(v, a, _, line) return getattr(v, a[1], line) end
FILTERS.batch = function(v, a, k, line)
  local n = arg(a, k, 1, "linecount")
  local fill = arg(a, k, 2, "fill_with")
  local out, cur = list(), list()
  for _, x in ipairs(items_of(v, line)) do
    if #cur == n then out[#out + 1] = cur; cur = list() end
    cur[#cur + 1] = x
  end
  if #cur > 0 then
    if fill ~= nil and kind(fill) ~= "none" then while #cur < n do cur[#cur + 1] = fill end end
    out[#out + 1] = cur
  end
  return out
end

-- groupby(attribute, default=None, case_sensitive=False): (grouper, list) tuples, sorted
-- by the key; the grouper is the first item's own value, as jinja2 gives it.
FILTERS.groupby = function(v, a, k, line)
  local attribute = arg(a, k, 1, "attribute")
  local default = arg(a, k, 2, "default")
  if kind(default) == "none" then default = nil end
  local cs = truthy(arg(a, k, 3, "case_sensitive", false), line)
  local get = attr_getter(attribute, line, default)
  local function key(x)
    local y = check(get(x), line)
    return cs and y or ignore_case(y)
  end
  local out, cur, curk = list(), nil, nil
  for _, x in ipairs(sort_items(items_of(v, line), key, false, line)) do
    local kx = key(x)
    if cur and eq(curk, kx, line) then
      cur[#cur + 1] = x
    else
      cur, curk = list({ x }), kx
      local g = tuple({ get(x), cur })
      g.grouper, g.list = g[1], cur -- a namedtuple: g.grouper, g.list
      out[#out + 1] = g
    end
  end
  return out
end

-- truncate(length=255, killwords=False, end='...', leeway=5), in characters.
FILTERS.truncate = function(v, a, k, line)
  local s = str(v, line)
  local length = arg(a, k, 1, "length", 255)
  local killwords = truthy(arg(a, k, 2, "killwords", false), line)
  local ending = str(arg(a, k, 3, "end", "..."), line)
  local leeway = arg(a, k, 4, "leeway", 5)
  if kind(leeway) == "none" then leeway = 5 end
  local cs, ce = chars(s), ulen(ending)
  if length < ce then fail(line, "expected length >= %d, got %d", ce, length) end
  if #cs <= length + leeway then return s end
  local head = table.concat(cs, "", 1, math.max(length - ce, 0))
  if killwords then return head .. ending end
  return (head:match("^(.*) [^ ]*$") or head) .. ending
end

-- slice(slices, fill_with=None): the items cut into that many columns.
FILTERS.slice = function(v, a, k, line)
  local seq = items_of(v, line)
  local slices = arg(a, k, 1, "slices")
  local fill = arg(a, k, 2, "fill_with")
  if math.type(slices) ~= "integer" or slices < 1 then fail(line, "slice: expected a positive number of slices") end
  local n = #seq
  local per, extra, offset, out = n // slices, n % slices, 0, list()
  for i = 0, slices - 1 do
    local start = offset + i * per
    if i < extra then offset = offset + 1 end
    local stop = offset + (i + 1) * per
    local part = list()
    for j = start + 1, stop do part[#part + 1] = seq[j] end
    if fill ~= nil and kind(fill) ~= "none" and i >= extra then part[#part + 1] = fill end
    out[#out + 1] = part
  end
  return out
end

-- tojson(indent=None): Python's json.dumps(sort_keys=True) made safe for HTML, as jinja2's.
local function json_str(s)
  local out = s:gsub('[%c"\\\128-\255][\128-\191]*', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
    local named = { ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t", ["\b"] = "\\b", ["\f"] = "\\f" }
    if named[c] then return named[c] end
    local ok, cp = pcall(utf8.codepoint, c)
    if not ok then cp = c:byte() end
    if cp == 127 then return c end -- ASCII: json.dumps leaves DEL as it is
    if cp >= 0x10000 then
      cp = cp - 0x10000
      return ("\\u%04x\\u%04x"):format(0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF))
    end
    return ("\\u%04x"):format(cp)
  end)
  return '"' .. out .. '"'
end
local function to_json(v, indent, depth, line)
  local k = kind(v)
  if k == "undef" then check(v, line) end
  if k == "none" then return "null" end
  if k == "bool" then return v and "true" or "false" end
  if k == "int" then return tostring(v) end
  if k == "float" then
    if v ~= v then return "NaN" elseif v == math.huge then return "Infinity" elseif v == -math.huge then return "-Infinity" end
    return pyfloat(v)
  end
  if k == "str" then return json_str(v) end
  local parts, open, close = {}, "[", "]"
  if is_seq(k) then
    for i = 1, #v do parts[i] = to_json(v[i], indent, depth + 1, line) end
  elseif k == "dict" then
    open, close = "{", "}"
    local keys = {}
    for key in pairs(v) do keys[#keys + 1] = key end
    table.sort(keys, function(x, y) return lt(x, y, line) end)
    for i, key in ipairs(keys) do
      local ks = kind(key) == "str" and key or str(key, line)
      parts[i] = json_str(ks) .. ": " .. to_json(v[key], indent, depth + 1, line)
    end
  else
    fail(line, "Object of type %s is not JSON serializable", tname(v))
  end
  if #parts == 0 then return open .. close end
  if not indent then return open .. table.concat(parts, ", ") .. close end
  local pad, inner = "\n" .. indent:rep(depth), "\n" .. indent:rep(depth + 1)
  return open .. inner .. table.concat(parts, "," .. inner) .. pad .. close
end
FILTERS.tojson = function(v, a, k, line)
  local indent = arg(a, k, 1, "indent")
  if kind(indent) == "none" then indent = nil end
  if indent ~= nil then indent = kind(indent) == "str" and indent or (" "):rep(num(indent)) end
  local out = to_json(v, indent, 0, line)
  return (out:gsub("[<>&']", { ["<"] = "\\u003c", [">"] = "\\u003e", ["&"] = "\\u0026", ["'"] = "\\u0027" }))
end

local call_test
local call_filter

local function select_impl(v, a, k, line, attr_mode, want)
  local its = items_of(v, line)
  local get = function(x) return x end
  local first = 1
  if attr_mode then
    get = attr_getter(a[1], line)
    first = 2
  end
  local test = a[first]
  local rest = {}
  for i = first + 1, #a do rest[#rest + 1] = a[i] end
  local out = list()
  for _, x in ipairs(its) do
    local val = get(x)
    local ok
    if test == nil then ok = truthy(val, line)
    else ok = call_test(test, val, rest, {}, line) end
    if ok == want then out[#out + 1] = x end
  end
  return out
end
FILTERS.select = function(v, a, k, line) return select_impl(v, a, k, line, false, true) end
FILTERS.reject = function(v, a, k, line) return select_impl(v, a, k, line, false, false) end
FILTERS.selectattr = function(v, a, k, line) return select_impl(v, a, k, line, true, true) end
FILTERS.rejectattr = function(v, a, k, line) return select_impl(v, a, k, line, true, false) end
FILTERS.map = function(v, a, k, line)
  local its = items_of(v, line)
  local out = list()
  if a[1] == nil and k.attribute ~= nil then
    local default = k.default
    local get = attr_getter(k.attribute, line, default)
    for i, x in ipairs(its) do out[i] = get(x) end
    return out
  end
  local name = a[1]
  if name == nil then return list(its) end
  local rest = {}
  for i = 2, #a do rest[#rest + 1] = a[i] end
  for i, x in ipairs(its) do out[i] = call_filter(name, x, rest, k, line) end
  return out
end

function call_filter(name, v, args, kwargs, line, ctx)
  local f = FILTERS[name]
  if not f then fail(line, "No filter named '%s'.", name) end
  return f(v, args, kwargs, line, ctx)
end

TESTS.defined = function(v) return kind(v) ~= "undef" end
TESTS.undefined = function(v) return kind(v) == "undef" end
TESTS.none = function(v) return kind(v) == "none" end
TESTS.boolean = function(v) return kind(v) == "bool" end
TESTS["true"] = function(v) return v == true end
TESTS["false"] = function(v) return v == false end
TESTS.integer = function(v) return kind(v) == "int" end
TESTS.float = function(v) return kind(v) == "float" end
TESTS.number = function(v) local kv = kind(v) return kv == "int" or kv == "float" or kv == "bool" end
TESTS.string = function(v) return kind(v) == "str" end
TESTS.mapping = function(v) return kind(v) == "dict" end
TESTS.sequence = function(v) local kv = kind(v) return kv == "str" or is_seq(kv) or kv == "dict" end
TESTS.iterable = TESTS.sequence
TESTS.callable = function(v) local kv = kind(v) return kv == "callable" end
TESTS.sameas = function(v, a) return rawequal(v, a[1]) end
TESTS.escaped = function() return false end
TESTS.even = function(v, _, line) check(v, line) return num(v) % 2 == 0 end
TESTS.odd = function(v, _, line) check(v, line) return num(v) % 2 == 1 end
TESTS.divisibleby = function(v, a, line) check(v, line) return num(v) % num(a[1]) == 0 end
TESTS.lower = function(v, _, line) local s = str(v, line) return s == ascii_lower(s) end
TESTS.upper = function(v, _, line) local s = str(v, line) return s == ascii_upper(s) end
TESTS["in"] = function(v, a, line) return contains(a[1], v, line) end
TESTS.eq = function(v, a, line) return eq(v, a[1], line) end
TESTS.ne = function(v, a, line) return not eq(v, a[1], line) end
TESTS.lt = function(v, a, line) return lt(v, a[1], line, "<") end
TESTS.gt = function(v, a, line) return lt(a[1], v, line, ">") end
TESTS.le = function(v, a, line) return not lt(a[1], v, line, "<=") end
TESTS.ge = function(v, a, line) return not lt(v, a[1], line, ">=") end
TESTS.equalto, TESTS["=="] = TESTS.eq, TESTS.eq
TESTS["!="] = TESTS.ne
TESTS.lessthan, TESTS["<"] = TESTS.lt, TESTS.lt
TESTS.greaterthan, TESTS[">"] = TESTS.gt, TESTS.gt
TESTS["<="], TESTS[">="] = TESTS.le, TESTS.ge
TESTS.filter = function(v) return FILTERS[v] ~= nil end
TESTS.test = function(v) return TESTS[v] ~= nil end

function call_test(name, v, args, kwargs, line)
  local f = TESTS[name]
  if not f then fail(line, "No test named '%s'.", tostring(name)) end
  local a = {}
  for i, x in ipairs(args) do a[i] = x end
  for _, x in pairs(kwargs) do a[#a + 1] = x end
  return f(v, a, line)
end

-- Globals: range, dict, namespace, joiner, cycler.
local GLOBALS = {}
GLOBALS.range = callable(function(a, _, line)
  local start, stop, step = 0, a[1], 1
  if #a >= 2 then start, stop = a[1], a[2] end
  if #a >= 3 then step = a[3] end
  for _, x in ipairs({ start, stop, step }) do
    if math.type(x) ~= "integer" then fail(line, "'%s' object cannot be interpreted as an integer", tname(x)) end
  end
  if step == 0 then fail(line, "range() arg 3 must not be zero") end
  local out = list()
  local i = start
  while (step > 0 and i < stop) or (step < 0 and i > stop) do
    out[#out + 1] = i
    i = i + step
    if #out > 100000 then fail(line, "range too big") end
  end
  return out
end)
-- dict(mapping or pairs, **kwargs), keeping Python's order: the mapping's, then kwargs'.
GLOBALS.dict = callable(function(a, k, line)
  local d, order = setmetatable({}, DICT_MT), {}
  local function put(key, v)
    if d[key] == nil then order[#order + 1] = key end
    d[key] = v
  end
  if a[1] ~= nil then
    local ka = kind(a[1])
    if ka == "dict" then
      for _, key in ipairs(sorted_keys(a[1])) do put(key, a[1][key]) end
    elseif ka ~= "none" then
      for _, pair in ipairs(items_of(a[1], line)) do
        if not is_seq(kind(pair)) or #pair ~= 2 then
          fail(line, "dictionary update sequence element has the wrong length; 2 is required")
        end
        put(pair[1], pair[2])
      end
    end
  end
  for _, key in ipairs(sorted_keys(k)) do put(key, k[key]) end
  ORDER[d] = order
  return d
end)
GLOBALS.namespace = callable(function(a, k)
  local attrs = {}
  if a[1] and kind(a[1]) == "dict" then for key, v in pairs(a[1]) do attrs[key] = v end end
  for key, v in pairs(k) do attrs[key] = v end
  return setmetatable({ attrs = attrs }, NS_MT)
end)
GLOBALS.joiner = callable(function(a)
  local sep = a[1] or ", "
  local used = false
  return callable(function()
    if not used then used = true return "" end
    return sep
  end)
end)
GLOBALS.cycler = callable(function(a)
  local c = setmetatable({}, DICT_MT)
  local pos = 1
  c.current = a[1]
  c.next = callable(function()
    local v = a[pos]
    pos = pos % #a + 1
    c.current = a[pos]
    return v
  end)
  c.reset = callable(function() pos = 1; c.current = a[1]; return NONE end)
  return c
end)

-- The evaluator ---------------------------------------------------------------------------

local EVAL = {}
local function ev(node, ctx, frame)
  return EVAL[node.t](node, ctx, frame)
end

EVAL.const = function(n) return n.v end
EVAL.name = function(n, ctx, frame)
  local v = lookup(frame, n.name)
  if v == nil then v = GLOBALS[n.name] end
  if v == nil then return undef(n.line, n.name) end
  return v
end
EVAL.list = function(n, ctx, frame)
  local out = list()
  for i, e in ipairs(n.items) do out[i] = ev(e, ctx, frame) end
  return out
end
EVAL.tuple = function(n, ctx, frame)
  local out = {}
  for i, e in ipairs(n.items) do out[i] = ev(e, ctx, frame) end
  return tuple(out)
end
EVAL.dict = function(n, ctx, frame)
  local out, order = setmetatable({}, DICT_MT), {}
  for i, e in ipairs(n.keys) do
    local key = check(ev(e, ctx, frame), n.line)
    if type(key) == "table" then fail(n.line, "unhashable type: '%s'", tname(key)) end
    if out[key] == nil then order[#order + 1] = key end
    out[key] = ev(n.vals[i], ctx, frame)
  end
  ORDER[out] = order
  return out
end
EVAL.cond = function(n, ctx, frame)
  if truthy(ev(n.test, ctx, frame), n.line) then return ev(n.a, ctx, frame) end
  if n.b then return ev(n.b, ctx, frame) end
  -- jinja2 uses its lenient Undefined here even under StrictUndefined: it prints as "".
  local u = undef(n.line, nil, "the inline if-expression on line " .. n.line .. " evaluated to false and no else section was defined.")
  u.lenient = true
  return u
end
EVAL["or"] = function(n, ctx, frame)
  local a = ev(n.a, ctx, frame)
  if truthy(a, n.line) then return a end
  return ev(n.b, ctx, frame)
end
EVAL["and"] = function(n, ctx, frame)
  local a = ev(n.a, ctx, frame)
  if not truthy(a, n.line) then return a end
  return ev(n.b, ctx, frame)
end
EVAL["not"] = function(n, ctx, frame) return not truthy(ev(n.a, ctx, frame), n.line) end
EVAL.compare = function(n, ctx, frame)
  local left = ev(n.e, ctx, frame)
  for _, o in ipairs(n.ops) do
    local right = ev(o.e, ctx, frame)
    local r
    if o.op == "eq" then r = eq(left, right, n.line)
    elseif o.op == "ne" then r = not eq(left, right, n.line)
    elseif o.op == "lt" then r = lt(left, right, n.line, "<")
    elseif o.op == "gt" then r = lt(right, left, n.line, ">")
    elseif o.op == "lteq" then r = not lt(right, left, n.line, "<=")
    elseif o.op == "gteq" then r = not lt(left, right, n.line, ">=")
    elseif o.op == "in" then r = contains(right, left, n.line)
    elseif o.op == "notin" then r = not contains(right, left, n.line) end
    if not r then return false end
    left = right
  end
  return true
end
EVAL.bin = function(n, ctx, frame)
  return arith(n.op, ev(n.a, ctx, frame), ev(n.b, ctx, frame), n.line)
end
EVAL.concat = function(n, ctx, frame)
  local parts = {}
  for i, e in ipairs(n.args) do parts[i] = str(ev(e, ctx, frame), n.line) end
  return table.concat(parts)
end
EVAL.neg = function(n, ctx, frame)
  local v = check(ev(n.a, ctx, frame), n.line)
  if not is_num(v) then fail(n.line, "bad operand type for unary -: '%s'", tname(v)) end
  return -num(v)
end
EVAL.pos = function(n, ctx, frame)
  local v = check(ev(n.a, ctx, frame), n.line)
  if not is_num(v) then fail(n.line, "bad operand type for unary +: '%s'", tname(v)) end
  return num(v)
end
EVAL.getattr = function(n, ctx, frame) return getattr(ev(n.obj, ctx, frame), n.attr, n.line) end
EVAL.getitem = function(n, ctx, frame)
  local obj = ev(n.obj, ctx, frame)
  if n.arg.t == "slice" then
    local function opt(e)
      if not e then return nil end
      local v = check(ev(e, ctx, frame), n.line)
      if kind(v) == "none" then return nil end
      return v
    end
    return do_slice(obj, opt(n.arg.start), opt(n.arg.stop), opt(n.arg.step), n.line)
  end
  return getitem(obj, ev(n.arg, ctx, frame), n.line)
end

local function eval_args(n, ctx, frame)
  local args, kwargs = {}, {}
  for i, e in ipairs(n.args) do args[i] = ev(e, ctx, frame) end
  if n.kwargs[1] then
    local names = {}
    for i, kw in ipairs(n.kwargs) do
      kwargs[kw.name] = ev(kw.e, ctx, frame)
      names[i] = kw.name
    end
    ORDER[kwargs] = names -- dict(a=1, b=2) keeps the order they were written in
  end
  return args, kwargs
end

EVAL.call = function(n, ctx, frame)
  local fn = ev(n.fn, ctx, frame)
  local args, kwargs = eval_args(n, ctx, frame)
  local kf = kind(fn)
  if kf == "undef" then check(fn, n.line) end
  if type(fn) == "function" then
    local r = fn(table.unpack(args, 1, #args))
    if r == nil then return NONE end
    return r
  end
  if kf == "callable" then
    local r = fn.fn(args, kwargs, n.line, ctx)
    if r == nil then return NONE end
    return r
  end
  if kf == "loop" and fn.recurse then return fn.recurse(args[1], n.line) end
  fail(n.line, "'%s' object is not callable", tname(fn))
end
EVAL.filter = function(n, ctx, frame)
  local v = ev(n.node, ctx, frame)
  local args, kwargs = eval_args(n, ctx, frame)
  return call_filter(n.name, v, args, kwargs, n.line, ctx)
end
EVAL.test = function(n, ctx, frame)
  local v = ev(n.node, ctx, frame)
  local args, kwargs = eval_args(n, ctx, frame)
  return call_test(n.name, v, args, kwargs, n.line)
end

-- Statements ------------------------------------------------------------------------------

local EXEC = {}
local function exec_body(body, ctx, frame, out)
  for _, node in ipairs(body) do EXEC[node.t](node, ctx, frame, out) end
end

local function render_body(body, ctx, frame)
  local out = {}
  exec_body(body, ctx, frame, out)
  return table.concat(out)
end

EXEC.data = function(n, _, _, out) out[#out + 1] = n.v end
EXEC.output = function(n, ctx, frame, out) out[#out + 1] = str(ev(n.e, ctx, frame), n.line) end

local function assign(target, value, frame, line)
  if target.t == "name" then
    frame.vars[target.name] = value
    return
  end
  if target.t == "nsref" then
    local ns = lookup(frame, target.name)
    if kind(ns) ~= "namespace" then fail(line, "cannot assign attribute on non-namespace object") end
    ns.attrs[target.attr] = value
    return
  end
  local items = items_of(value, line)
  if #items ~= #target.items then
    if #items > #target.items then fail(line, "too many values to unpack (expected %d)", #target.items) end
    fail(line, "not enough values to unpack (expected %d, got %d)", #target.items, #items)
  end
  for i, t in ipairs(target.items) do assign(t, items[i], frame, line) end
end

EXEC.set = function(n, ctx, frame) assign(n.target, ev(n.e, ctx, frame), frame, n.line) end
EXEC.setblock = function(n, ctx, frame)
  local v = render_body(n.body, ctx, frame)
  if n.filter then
    -- The filter chain's innermost node has no input; feed it the captured text.
    local function apply(f)
      local input = f.node and apply(f.node) or v
      local args, kwargs = eval_args(f, ctx, frame)
      return call_filter(f.name, input, args, kwargs, f.line, ctx)
    end
    v = apply(n.filter)
  end
  assign(n.target, v, frame, n.line)
end
EXEC.filterblock = function(n, ctx, frame, out)
  local v = render_body(n.body, ctx, frame)
  local function apply(f)
    local input = f.node and apply(f.node) or v
    local args, kwargs = eval_args(f, ctx, frame)
    return call_filter(f.name, input, args, kwargs, f.line, ctx)
  end
  out[#out + 1] = str(apply(n.filter), n.line)
end
EXEC.with = function(n, ctx, frame, out)
  local f = child(frame)
  for i, t in ipairs(n.targets) do assign(t, ev(n.values[i], ctx, frame), f, n.line) end
  exec_body(n.body, ctx, f, out)
end
EXEC["if"] = function(n, ctx, frame, out)
  for _, b in ipairs(n.branches) do
    if truthy(ev(b.test, ctx, frame), n.line) then return exec_body(b.body, ctx, frame, out) end
  end
  if n.else_ then exec_body(n.else_, ctx, frame, out) end
end

local function run_loop(n, ctx, frame, out, iterable, depth)
  local items = items_of(iterable, n.line)
  if n.filter then
    local kept = {}
    for _, x in ipairs(items) do
      local f = child(frame)
      assign(n.target, x, f, n.line)
      if truthy(ev(n.filter, ctx, f), n.line) then kept[#kept + 1] = x end
    end
    items = kept
  end
  local len = #items
  local last_changed = {}
  for i, x in ipairs(items) do
    local f = child(frame)
    local loop = setmetatable({
      index = i, index0 = i - 1, revindex = len - i + 1, revindex0 = len - i,
      first = i == 1, last = i == len, length = len, depth = depth, depth0 = depth - 1,
      previtem = i > 1 and items[i - 1] or undef(n.line, nil, "there is no previous item"),
      nextitem = i < len and items[i + 1] or undef(n.line, nil, "there is no next item"),
    }, LOOP_MT)
    loop.cycle = callable(function(a, _, line)
      if #a == 0 then fail(line, "no items for cycling given") end
      return a[(i - 1) % #a + 1]
    end)
    loop.changed = callable(function(a)
      local v = tuple(a)
      if last_changed.v == nil or not eq(last_changed.v, v, n.line) then
        last_changed.v = v
        return true
      end
      return false
    end)
    if n.recursive then
      -- loop(children) renders the same body one level deeper and returns the text.
      loop.recurse = function(it)
        local o = {}
        run_loop(n, ctx, frame, o, it, depth + 1)
        return table.concat(o)
      end
    end
    f.vars.loop = loop
    assign(n.target, x, f, n.line)
    exec_body(n.body, ctx, f, out)
  end
  if len == 0 and n.else_ then exec_body(n.else_, ctx, frame, out) end
end

EXEC["for"] = function(n, ctx, frame, out)
  run_loop(n, ctx, frame, out, ev(n.iter, ctx, frame), 1)
end

EXEC.macro = function(n, ctx, frame)
  local defframe = frame
  frame.vars[n.name] = callable(function(args, kwargs, line)
    local f = child(defframe)
    if #args > #n.params then fail(line, "macro '%s' takes not more than %d argument(s)", n.name, #n.params) end
    for i, p in ipairs(n.params) do
      local v = args[i]
      if v == nil then v = kwargs[p.name] end
      if v == nil then
        if p.default then v = ev(p.default, ctx, f)
        else v = undef(line, nil, ("parameter '%s' was not provided"):format(p.name)) end
      end
      f.vars[p.name] = v
    end
    for key in pairs(kwargs) do
      local known = false
      for _, p in ipairs(n.params) do if p.name == key then known = true end end
      if not known then fail(line, "macro '%s' takes no keyword argument '%s'", n.name, key) end
    end
    return render_body(n.body, ctx, f)
  end)
end

local compile_file -- defined below
EXEC.include = function(n, ctx, frame, out)
  local name = check(ev(n.e, ctx, frame), n.line)
  local names = kind(name) == "list" and name or { name }
  for _, nm in ipairs(names) do
    local path = nm
    if ctx.dir and not nm:match("^/") then path = ctx.dir .. "/" .. nm end
    local f = io.open(path, "rb")
    if f then
      local src = f:read("a")
      f:close()
      local tmpl = compile_file(src, path, ctx.opts)
      out[#out + 1] = tmpl.run(frame, ctx.depth + 1)
      return
    end
  end
  if not n.ignore_missing then fail(n.line, "template not found: %s", str(name, n.line)) end
end

---------------------------------------------------------------------------------------------
-- Public API
---------------------------------------------------------------------------------------------

local function raise(name, e)
  local msg, line
  if getmetatable(e) == TERR_MT then
    msg, line = e.message, e.line
  else
    msg = tostring(e)
  end
  local where = name .. (line and (":" .. line) or "")
  local ok, errmod = pcall(require, "nethost.error")
  if ok and errmod.new then
    error(errmod.new("template", where .. ": " .. msg, { file = name, line = line, op = "template" }), 0)
  end
  error(where .. ": " .. msg, 0)
end

local function dirname(path) return path:match("^(.*)/[^/]*$") or "." end

function compile_file(src, name, opts)
  local ok, body = pcall(parse, src, opts)
  if not ok then
    if getmetatable(body) == TERR_MT then body.file = body.file or name end
    error(body, 0)
  end
  local t = {}
  t.run = function(parent, depth)
    if depth > 20 then fail(nil, "include nesting too deep (a loop of includes?)") end
    local ctx = { opts = opts, dir = name ~= "<template>" and dirname(name) or opts.dir, depth = depth }
    local out = {}
    local okr, err = pcall(exec_body, body, ctx, child(parent), out)
    if not okr then
      -- The innermost template names the error's file.
      if getmetatable(err) == TERR_MT then err.file = err.file or name end
      error(err, 0)
    end
    return table.concat(out)
  end
  return t
end

local function check_opts(opts)
  opts = opts or {}
  if type(opts) ~= "table" then error("template: opts must be a table", 3) end
  local o = {}
  for k, v in pairs(opts) do
    if k ~= "trim_blocks" and k ~= "lstrip_blocks" and k ~= "keep_trailing_newline" and k ~= "name" and k ~= "dir" then
      error("template: unknown option '" .. tostring(k) .. "'", 3)
    end
    o[k] = v
  end
  return o
end

local function run(src, vars, name, opts)
  if type(src) ~= "string" then error("template: source must be a string", 3) end
  if vars ~= nil and type(vars) ~= "table" then error("template: vars must be a table", 3) end
  local ok, out = pcall(function()
    return compile_file(src, name, opts).run({ vars = {}, root = vars or {} }, 0)
  end)
  if not ok then
    if getmetatable(out) == TERR_MT then raise(out.file or name, out) end
    raise(name, out)
  end
  return out
end

--- template.render(source, vars [, opts]) -> the rendered text.
-- opts: trim_blocks, lstrip_blocks, keep_trailing_newline (jinja2's Environment options,
-- default false), name (the name errors use, default "<template>"), dir (where
-- {% include %} looks, default the current directory).
function M.render(src, vars, opts)
  opts = check_opts(opts)
  return run(src, vars, opts.name or "<template>", opts)
end

--- template.render_file(path, vars [, opts]) -> the rendered text; includes are looked up
-- next to the file.
function M.render_file(path, vars, opts)
  if type(path) ~= "string" then error("template.render_file: path must be a string", 2) end
  opts = check_opts(opts)
  local f, err = io.open(path, "rb")
  if not f then
    local ok, errmod = pcall(require, "nethost.error")
    if ok then error(errmod.new("io", "template " .. tostring(err), { op = "template" }), 0) end
    error(err, 0)
  end
  local src = f:read("a")
  f:close()
  return run(src, vars, path, opts)
end

return M
