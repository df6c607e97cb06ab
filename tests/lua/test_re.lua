-- re: PCRE2 from Lua.
assert(re.match("Cisco IOS Software, Version 15.2(4)E1, RELEASE", "Version ([^,]+),") == "15.2(4)E1")
assert(re.match("abc", "x") == nil)
assert(re.match("abc", "b") == "b")
local a, b = re.match("sw-0042#", "^(\\w+)-(\\d+)#$")
assert(a == "sw" and b == "0042")
local t = re.match("uptime is 3 weeks, 2 days", "(?<n>\\d+) (?<unit>weeks?)")
assert(t.n == "3" and t.unit == "weeks" and t[1] == "3")
assert(re.test("SHOW VERSION", "show ver", "i") and not re.test("SHOW", "show"))
local s, e, cap = re.find("hello world", "o (w)")
assert(s == 5 and e == 7 and cap == "w")
local words = {}
for w in re.gmatch("Gi0/1 Gi0/2 Te1/0/1", "\\S+") do words[#words + 1] = w end
assert(#words == 3 and words[3] == "Te1/0/1")
local pairs_ = {}
for k, v in re.gmatch("a=1 b=2", "(\\w)=(\\d)") do pairs_[k] = v end
assert(pairs_.a == "1" and pairs_.b == "2")
assert(re.gsub("a1b22c", "\\d+", "<$0>") == "a<1>b<22>c")
assert(re.gsub("john smith", "(?<first>\\w+) (\\w+)", "$2, ${first}") == "smith, john")
local out, n = re.gsub("aaa", "a", "b")
assert(out == "bbb" and n == 3)
assert(table.concat(re.split("a, b,c", ",\\s*"), "|") == "a|b|c")
-- multiline and compiled objects
local cfg = "interface Gi1\n shutdown\ninterface Gi2\n"
local ifs = {}
for name in re.gmatch(cfg, "^interface (\\S+)", "m") do ifs[#ifs + 1] = name end
assert(#ifs == 2)
local rx = re.compile("(\\d+)\\.(\\d+)")
assert(rx:match("v15.2") == "15")
assert(select(2, rx:match("v15.2")) == "2")
assert(rx:test("1.2") and not rx:test("12"))
-- errors name the offset
local ok, err = pcall(re.match, "x", "(unclosed")
assert(not ok and tostring(err):find("offset"))
-- invalid UTF-8 in device output does not raise
assert(re.match("caf\xff\xfe ok", "ok") == "ok")
print("ok")
