-- require "nethost.yaml": decode and load.
local yaml = require("nethost.yaml")
local dir = assert(arg[1])

local v = yaml.decode([[
base: &b {user: admin, port: 22}
dev:
  <<: *b
  port: 830
list: [1, 2.5, "3", yes, off, ~, null]
empty:
text: |
  line 1
  line 2
quoted: '0x10'
hex: 0x10
]])
assert(v.dev.user == "admin" and v.dev.port == 830)
assert(v.base.port == 22)
assert(v.list[1] == 1 and math.type(v.list[1]) == "integer")
assert(v.list[2] == 2.5 and v.list[3] == "3" and v.list[4] == true and v.list[5] == false)
assert(v.list[6] == yaml.null and v.list[7] == yaml.null and #v.list == 7)
assert(v.empty == nil)
assert(v.text == "line 1\nline 2\n")
assert(v.quoted == "0x10" and v.hex == 16)
assert(yaml.decode("") == nil)
assert(yaml.decode("just text") == "just text")

local ok, err = pcall(yaml.decode, "a: [1\n", "x.yaml")
assert(not ok and err.kind == "parse" and err.message:find("^x.yaml:%d+:%d+: "), err.message)
ok, err = pcall(yaml.decode, "a: *nope\n")
assert(not ok and err.message:find("<string>:1:4: unknown anchor", 1, true), err.message)
ok, err = pcall(yaml.load, dir .. "/no-such.yaml")
assert(not ok and err.message:find("no-such.yaml", 1, true))

local lab = yaml.load(dir .. "/lab.yaml")
assert(lab.hosts["core-1"].address == "127.1.0.1")
assert(lab.groups.edge.platform == "arista_eos" and lab.groups.edge.enable_secret_file)
