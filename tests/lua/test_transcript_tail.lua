-- A failed host's record carries the last 20 lines of its session transcripts
-- (transcript_tail): the runner keeps the pieces of text as they came and makes lines of them
-- only for a failed host. The tail must be exactly what line-by-line recording would give:
-- the last 20 lines over all pieces, in order, empty lines and lone CRs left out, a CR
-- before LF dropped, control characters escaped.
local slog = require("nethost.session_log")

local function run_one(fn)
  local res = nethost.run({ { name = "h1" } }, fn, { summary = false, progress = false })
  return res:get("h1")
end

-- Many lines in one piece, then pieces with no line the tail shows, then a short one.
do
  local out = {}
  for i = 1, 30 do out[#out + 1] = ("line %02d\r"):format(i) end
  out[#out + 1] = ""
  out[#out + 1] = "bell\7 and tab\tend"
  local rec = run_one(function(h)
    local lg = slog.new(h.name, nil)
    lg:sent("show things\n")
    lg:received(table.concat(out, "\n") .. "\n")
    lg:received("\n\r\n\n")
    lg:received("last piece without a newline")
    lg:note("it broke")
    error("boom")
  end)
  assert(rec.status == "failed", tostring(rec.status))
  local tail = assert(rec.transcript_tail, "no transcript_tail")
  local want = {}
  for i = 14, 30 do want[#want + 1] = ("< line %02d"):format(i) end
  want[#want + 1] = "< bell\\x07 and tab\tend"
  want[#want + 1] = "< last piece without a newline"
  want[#want + 1] = "* it broke"
  assert(#tail == 20, "tail has " .. #tail .. " lines:\n" .. table.concat(tail, "\n"))
  for i = 1, 20 do
    assert(tail[i] == want[i], ("line %d: %q, want %q"):format(i, tail[i], want[i]))
  end
end

-- More than 20 pieces of one line each: the last 20 pieces, oldest first.
do
  local rec = run_one(function(h)
    local lg = slog.new(h.name, nil)
    for i = 1, 45 do lg:sent(("cmd %d"):format(i)) end
    error("boom")
  end)
  local tail = assert(rec.transcript_tail, "no transcript_tail")
  assert(#tail == 20, "tail has " .. #tail)
  for i = 1, 20 do
    assert(tail[i] == ("> cmd %d"):format(25 + i), ("line %d: %q"):format(i, tail[i]))
  end
end

-- A few lines: all of them; a host that succeeds carries no tail.
do
  local rec = run_one(function(h)
    local lg = slog.new(h.name, nil)
    lg:sent("show clock")
    lg:received("12:00\n")
    error("boom")
  end)
  local tail = assert(rec.transcript_tail, "no transcript_tail")
  assert(#tail == 2 and tail[1] == "> show clock" and tail[2] == "< 12:00", table.concat(tail, "|"))
  rec = run_one(function(h)
    slog.new(h.name, nil):received("fine\n")
    return "ok"
  end)
  assert(rec.status == "ok" and rec.transcript_tail == nil)
end

print("transcript tail ok")
return 0
