-- results.read: the records of a results file, for `nethost report` and --retry-failed.
local results = require("nethost.results")
local fs = require("nethost.fs")
local dir = os.getenv("TMPDIR") or "/tmp"
local base = ("%s/nethost-results-read-%d"):format(dir, require("nethost.sys").pid())

local function write(name, text)
  local path = base .. name
  assert(fs.write(path, text))
  return path
end

-- A whole document: what is not a host record (no host, a host that is no string) is left
-- out, not an error and not a nil table key further on.
local doc = '{"results": [{"host": "r1", "status": "failed"}, {"status": "ok"}, ' ..
            '{"host": 7, "status": "ok"}, "text", {"host": "r2", "status": "ok"}], "summary": {}}'
local recs = results.read(write(".json", doc), "test")
assert(#recs == 2 and recs[1].host == "r1" and recs[2].host == "r2", "json records: " .. #recs)
-- The same document under another name is still a document.
recs = results.read(write(".out", doc), "test")
assert(#recs == 2 and recs[2].status == "ok", "a document named .out")
-- Lines: the summary line is skipped; a line cut short is an error, unless lenient.
local lines = '{"host": "a", "status": "ok"}\n{"host": "b", "status": "failed"}\n{"summary": {}}\n'
recs = results.read(write(".jsonl", lines), "test")
assert(#recs == 2 and recs[2].host == "b", "jsonl records")
local cut = write("-cut.jsonl", lines .. '{"host": "c", "sta')
local ok, e = pcall(results.read, cut, "report")
assert(not ok and tostring(e):find("report: .*cut%.jsonl:4: not JSON"), tostring(e))
recs = results.read(cut, "retry", true)
assert(#recs == 2, "lenient skips the cut line")
ok, e = pcall(results.read, write("-bad.json", "{"), "report")
assert(not ok and tostring(e):find("not a results file written with %-o %.json"), tostring(e))
for _, n in ipairs({ ".json", ".out", ".jsonl", "-cut.jsonl", "-bad.json" }) do os.remove(base .. n) end
print("ok")
