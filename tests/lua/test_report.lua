-- report writers and fs: aligned text, CSV quoting, Markdown, atomic writes.
local report = require("nethost.report")
local fs = require("nethost.fs")
local rows = {
  { host = "sw-0001", version = "15.2(4)E1", status = "vulnerable" },
  { host = "r-10", version = "21.4R3", status = 'ok, "quoted"' },
}
local cols = { "host", "version", "status" }
assert(report.text(rows, cols) == table.concat({
  "host     version    status",
  "-------  ---------  ------------",
  "sw-0001  15.2(4)E1  vulnerable",
  'r-10     21.4R3     ok, "quoted"',
}, "\n"), report.text(rows, cols))
assert(report.csv(rows, cols) ==
       'host,version,status\nsw-0001,15.2(4)E1,vulnerable\nr-10,21.4R3,"ok, ""quoted"""\n')
assert(report.markdown(rows, cols):find("| sw-0001 | 15.2(4)E1 | vulnerable |", 1, true))

local dir = os.tmpname()
os.remove(dir)
assert(fs.mkdir(dir .. "/a/b", true))
assert(fs.isdir(dir .. "/a/b") and not fs.exists(dir .. "/nope"))
assert(report.write(dir .. "/a/out.csv", rows, cols))
assert(fs.read(dir .. "/a/out.csv") == report.csv(rows, cols))
assert(fs.write(dir .. "/a/x.txt", "one"))
assert(fs.write(dir .. "/a/x.txt", "two"))
assert(fs.read(dir .. "/a/x.txt") == "two")
local names = fs.list(dir .. "/a")
assert(table.concat(names, ",") == "b,out.csv,x.txt", table.concat(names, ","))
assert(fs.stat(dir .. "/a/x.txt").size == 3 and fs.stat(dir .. "/a").type == "dir")
local ok, err = fs.read(dir .. "/missing")
assert(ok == nil and err:find("No such file"))
local wok, werr = fs.write(dir .. "/no/such/dir/f", "x")
assert(wok == nil and werr:find("no/such/dir/f", 1, true))
for _, f in ipairs({ "/a/out.csv", "/a/x.txt", "/a/b", "/a" }) do assert(fs.remove(dir .. f)) end
assert(fs.remove(dir))
print("ok")
