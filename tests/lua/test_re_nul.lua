-- Patterns may hold NUL bytes. The compiled-pattern caches were keyed by the pattern as a C
-- string, cut at the first NUL: "a\0b" and "a\0c" shared one entry, so the second pattern
-- silently ran as the first.
assert(re.match("a\0b", "a\0b") == "a\0b")
assert(re.match("a\0c", "a\0c") == "a\0c", "re.match used the cached regex of another pattern")
assert(re.test("a\0c", "a\0c") and not re.test("a\0b", "a\0c"))
assert(re.match("x\0y", "x\0y", "i") == "x\0y")
assert(re.match("X\0Z", "x\0z", "i") == "X\0Z")
local out, n = re.gsub("1\0002\0003", "\0", "-")
assert(out == "1-2-3" and n == 2)

-- The ssh CLI's prompt patterns (multiline PCRE2) have a cache of their own.
assert(ssh._re_match("p\0q", "p\0q"))
assert(ssh._re_match("p\0r", "p\0r"), "ssh pattern cache mixed up two patterns")
assert(not ssh._re_match("p\0q", "p\0r"))

-- Many captures come back as that many values.
local caps = table.pack(re.match(string.rep("a", 300), string.rep("(a)", 300)))
assert(caps.n == 300)
local found = table.pack(re.find(string.rep("a", 300), string.rep("(a)", 300)))
assert(found.n == 302)

-- A regex method without its subject raises a clean argument error.
local rx = re.compile("a")
local ok, err = pcall(rx.match, rx)
assert(not ok and tostring(err):find("bad argument"), tostring(err))
