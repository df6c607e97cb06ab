-- JSON conformance: round trips, null, arrays vs objects, big integers, UTF-8, escapes,
-- options, and malformed input giving errors with line/column (never a crash).
local function eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s, want %s", what, tostring(got), tostring(want)), 2)
  end
end
local function raises(fn, what)
  local ok, e = pcall(fn)
  if ok then error("expected an error: " .. what, 2) end
  return e
end
local enc, dec = json.encode, json.decode
local function canon(v) return enc(v, {sort_keys = true}) end

-- Scalars.
eq(enc(nil), "null", "nil")
eq(enc(json.null), "null", "json.null")
eq(enc(true), "true", "true")
eq(enc(12), "12", "integer")
eq(enc(-0.5), "-0.5", "float")
eq(enc(0.1), "0.1", "shortest float")
eq(enc(1.0), "1.0", "integral float stays float")
eq(enc(1e300), "1e+300", "big float")
eq(math.type(dec("1.0")), "float", "1.0 decodes as float")
eq(math.type(dec("1")), "integer", "1 decodes as integer")
eq(dec("0.1"), 0.1, "0.1")
eq(dec("null"), json.null, "null decodes to json.null")
eq(dec('"x"'), "x", "top-level string")

-- int64 exact; beyond int64: float.
eq(dec("9223372036854775807"), math.maxinteger, "int64 max")
eq(dec("-9223372036854775808"), math.mininteger, "int64 min")
eq(enc(math.maxinteger), "9223372036854775807", "encode int64 max")
local big = dec('{"n": 18446744073709551616, "small": 5}')
eq(math.type(big.n), "float", "beyond int64 is a float")
eq(big.n, 2^64, "beyond int64 value")
eq(math.type(big.small), "integer", "small ints stay integers in that document")
eq(math.type(dec("-9223372036854775809")), "float", "below int64 is a float")
eq(dec("123456789012345678901234567890"), 1.2345678901234568e29, "long integer as float")

-- Arrays vs objects, empty ones included.
eq(enc({}), "{}", "empty table is an object")
eq(enc(json.array()), "[]", "json.array()")
eq(enc(json.object({})), "{}", "json.object()")
eq(enc({1, 2, 3}), "[1,2,3]", "sequence")
eq(enc({1, nil, 3}), "[1,null,3]", "hole as null")
eq(enc(json.object({[1] = "a"})), '{"1":"a"}', "object with integer key")
eq(canon({a = {}, b = json.array(), c = {x = json.array({1})}}), '{"a":{},"b":[],"c":{"x":[1]}}', "nested")
for _, text in ipairs({'[]', '{}', '[[],{}]', '{"a":[],"b":{}}', '[1,"x",null,true,false,1.5]',
                       '{"k":{"k":{"k":[{}]}}}'}) do
  eq(canon(dec(text)), text, "round trip " .. text)
end
eq(json.is_array(dec("[]")), true, "decoded arrays are marked")
eq(json.is_array(dec("{}")), false, "decoded objects are not arrays")

-- Options: sorted keys, indentation.
eq(enc({b = 1, a = 2, c = 3}, {sort_keys = true}), '{"a":2,"b":1,"c":3}', "sort_keys")
eq(enc({a = {1, 2}, b = json.array()}, {sort_keys = true, indent = 2}),
   '{\n  "a": [\n    1,\n    2\n  ],\n  "b": []\n}', "indent")
eq(enc({x = 1}, {pretty = true}), '{\n  "x": 1\n}', "pretty")
eq(enc({["a\0b"] = 1, a = 2, ["a\0"] = 3}, {sort_keys = true}), '{"a":2,"a\\u0000":3,"a\\u0000b":1}', "sorted keys with NUL bytes")

-- Strings: escapes and UTF-8.
eq(enc('a"b\\c\n\t\1/'), '"a\\"b\\\\c\\n\\t\\u0001/"', "escapes")
eq(enc("héllo €𝄞"), '"héllo €𝄞"', "UTF-8 kept")
eq(enc("é𝄞", {ascii = true}), '"\\u00e9\\ud834\\udd1e"', "ascii escapes with surrogates")
eq(dec('"\\u00e9\\ud834\\udd1e"'), "é𝄞", "decode \\u escapes")
eq(dec('"a\\u0000b"'), "a\0b", "NUL inside a string")
eq(enc("a\0b"), '"a\\u0000b"', "encode NUL")
for _, bad in ipairs({"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "abc\xe2\x82"}) do
  local e = raises(function() enc(bad) end, "invalid UTF-8 " .. bad:byte(1))
  assert(tostring(e):find("invalid UTF-8", 1, true), tostring(e))
end
raises(function() dec('"\xff"') end, "decode invalid UTF-8")
raises(function() dec('"\\ud800"') end, "lone surrogate")

-- Encoding errors.
raises(function() enc(0/0) end, "NaN")
raises(function() enc(math.huge) end, "inf")
raises(function() enc(print) end, "function")
local cyc = {}; cyc.self = cyc
raises(function() enc(cyc) end, "cycle")
raises(function() enc({[true] = 1}) end, "boolean key")
raises(function() enc({[1] = 1, [1000] = 2}) end, "very sparse array")

-- Decoding errors name line and column; none crash.
local e = raises(function() dec('{\n  "a": 1,\n  "b": ]\n}') end, "bad doc")
eq(e.kind, "parse", "error kind")
eq(e.line, 3, "error line")
eq(e.column, 8, "error column")
assert(tostring(e):find("line 3 column 8", 1, true), tostring(e))
for _, bad in ipairs({"", "{", "[1,]", "{'a':1}", "[1 2]", "01", "1.", "tru", '"abc', '{"a"}',
                      "[" .. string.rep("[", 5000), "nul", "\0", "1 2", '{"a":1,}', "-", "+1",
                      "NaN", "Infinity", '"\t"', "[1e400]"}) do
  local ok, err = pcall(dec, bad)
  if ok and bad ~= "[1e400]" then error("should not decode: " .. bad) end
  if not ok then assert(err.kind == "parse", "parse kind for " .. bad) end
end

-- Deep nesting within limits round trips; a big document too.
local deep = json.array()
local cur = deep
for _ = 1, 500 do local n = json.array(); cur[1] = n; cur = n end
eq(enc(dec(enc(deep))), enc(deep), "deep nesting")
local bigdoc = {}
for i = 1, 20000 do bigdoc[i] = {id = i, name = "sw-" .. i, up = i % 2 == 0, load = i / 7} end
local back = dec(enc(bigdoc))
eq(#back, 20000, "big document")
eq(back[777].load, 777 / 7, "floats round trip exactly")
-- Mutated documents: every byte flip, insertion or cut either decodes or raises a parse
-- error object (never a crash, never another error).
math.randomseed(42)
local seed = enc({a = {1, 2.5, "x\n\u{e9}"}, b = {c = json.null, d = true}, e = "\u{1d11e}"})
for _ = 1, 20000 do
  local s = seed
  for _ = 1, math.random(1, 3) do
    local i = math.random(1, #s)
    local r = math.random(3)
    if r == 1 then
      s = s:sub(1, i - 1) .. string.char(math.random(0, 255)) .. s:sub(i + 1)
    elseif r == 2 then
      s = s:sub(1, i) .. string.char(math.random(0, 255)) .. s:sub(i + 1)
    else
      s = s:sub(1, i)
    end
  end
  local ok, err = pcall(dec, s)
  if not ok and not (type(err) == "table" and err.kind == "parse" and err.line) then
    error("mutated input gave a bad error: " .. tostring(err))
  end
end
print("json: ok")
