-- `nethost merge OUT.jsonl IN.jsonl...`: joins the result files of sharded runs (--shard
-- K/N on several machines) into one, with one summary line recomputed over every host.
local json = require("nethost.json")
local results = require("nethost.results")

local merge = {
  summary = "join result files of sharded runs",
  usage = "merge OUT.jsonl IN.jsonl...",
  help = "usage: nethost merge OUT.jsonl IN.jsonl...\n\n" ..
         "Joins the -o .jsonl files of sharded runs (--shard K/N): every host line, then one\n" ..
         "summary line over all of them. A host present in several files keeps its last line.\n",
}

function merge.main(args)
  if #args < 2 then
    io.stderr:write(merge.help)
    return 1
  end
  local res, order = results.new(), {}
  local by_host = {}
  for i = 2, #args do
    local f, e = io.open(args[i])
    if not f then
      io.stderr:write("nethost: merge: ", e, "\n")
      return 1
    end
    local n = 0
    for line in f:lines() do
      n = n + 1
      local ok, rec = pcall(json.decode, line)
      if not ok then
        io.stderr:write(("nethost: merge: %s:%d: not JSON: %s\n"):format(args[i], n, tostring(rec.message or rec)))
        f:close()
        return 1
      end
      if type(rec) == "table" and rec.host then
        if not by_host[rec.host] then order[#order + 1] = rec.host end
        by_host[rec.host] = rec
      end
    end
    f:close()
  end
  local out = {}
  for _, name in ipairs(order) do
    res:add(by_host[name])
    out[#out + 1] = json.encode(by_host[name])
  end
  local s = res:summary()
  s.failures_by_kind = {}
  for _, k in ipairs(s.failures) do s.failures_by_kind[k.kind] = k.count end
  s.failures = nil
  out[#out + 1] = json.encode({ summary = s })
  local ok, e = require("nethost.fs").write(args[1], table.concat(out, "\n") .. "\n")
  if not ok then
    io.stderr:write("nethost: merge: ", e, "\n")
    return 1
  end
  io.stderr:write(res:report(), "\n")
  return (s.failed + s.aborted > 0) and 2 or 0
end

return merge
