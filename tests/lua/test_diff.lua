-- diff: ops rebuild b from a, unified output applies back, and big inputs stay fast.
local diff = require("nethost.diff")

local function lines(text)
  local t = {}
  for l in (text .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("(.-)\n") do t[#t + 1] = l end
  if text == "" then t = {} end
  return t
end

-- Applying the ops to a gives b; the number of changed lines is returned.
local function check_ops(a, b)
  local la, lb = lines(a), lines(b)
  local ops = diff.ops(a, b)
  local out, changed, ai = {}, 0, 1
  for _, op in ipairs(ops) do
    if op.op == "=" then
      assert(op.a == ai, "equal run out of place")
      for i = 0, op.n - 1 do
        assert(la[op.a + i] == lb[op.b + i], "equal run differs")
        out[#out + 1] = la[op.a + i]
      end
      ai = ai + op.n
    elseif op.op == "-" then
      assert(op.a == ai)
      ai = ai + op.n
      changed = changed + op.n
    else
      for i = 0, op.n - 1 do out[#out + 1] = lb[op.b + i] end
      changed = changed + op.n
    end
  end
  assert(ai == #la + 1, "not all of a consumed")
  assert(#out == #lb, ("rebuilt %d lines, want %d"):format(#out, #lb))
  for i = 1, #lb do assert(out[i] == lb[i], "line " .. i) end
  return changed
end

-- Applies a unified diff to a.
local function patch(a, u)
  local la, out, ai = lines(a), {}, 1
  for line in u:gmatch("[^\n]*\n?") do
    line = line:gsub("\n$", "")
    local astart = line:match("^@@ %-(%d+)")
    if astart then
      astart = tonumber(astart)
      if line:match("^@@ %-%d+,0 ") then astart = astart + 1 end
      while ai < astart do out[#out + 1] = la[ai]; ai = ai + 1 end
    elseif line:sub(1, 3) ~= "---" and line:sub(1, 3) ~= "+++" and line ~= "" or line == " " then
      local mark, text = line:sub(1, 1), line:sub(2)
      if mark == " " then
        assert(la[ai] == text, "context mismatch at " .. ai)
        out[#out + 1] = text; ai = ai + 1
      elseif mark == "-" then
        assert(la[ai] == text, "deleted line mismatch at " .. ai); ai = ai + 1
      elseif mark == "+" then
        out[#out + 1] = text
      end
    end
  end
  while ai <= #la do out[#out + 1] = la[ai]; ai = ai + 1 end
  return table.concat(out, "\n")
end

assert(diff.unified("a\nb\n", "a\nb\n") == "")
assert(check_ops("", "") == 0)
assert(check_ops("", "x\ny\n") == 2)
assert(check_ops("x\ny\n", "") == 2)
assert(check_ops("a\nb\nc\n", "a\nB\nc\n") == 2)
local u = diff.unified("a\nb\nc\n", "a\nB\nc\n", { from = "old", to = "new" })
assert(u == "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", u)
assert(diff.unified("a\n", "a\nb\n") == "--- a\n+++ b\n@@ -1 +1,2 @@\n a\n+b\n")

-- Random edits of a 3,000-line config: minimal on small edits, patches back exactly.
math.randomseed(11)
local base = {}
for i = 1, 3000 do base[i] = ("interface Gi0/%d\n description port %d"):format(i % 48, i) end
local a = table.concat(base, "\n") .. "\n"
for round = 1, 20 do
  local t = lines(a)
  local edits = math.random(1, 30)
  for _ = 1, edits do
    local i = math.random(1, #t)
    local r = math.random()
    if r < 0.33 then table.remove(t, i)
    elseif r < 0.66 then table.insert(t, i, "new line " .. math.random(1e6))
    else t[i] = t[i] .. " changed" end
  end
  local b = table.concat(t, "\n") .. "\n"
  local changed = check_ops(a, b)
  assert(changed <= edits * 2, ("round %d: %d changed lines for %d edits"):format(round, changed, edits))
  local ud = diff.unified(a, b, { context = round % 4 })
  assert(patch(a, ud) .. "\n" == b, "round " .. round .. ": patch does not rebuild b")
end

-- Big and completely different inputs stay bounded (the search gives up, still correct).
local big_a, big_b = {}, {}
for i = 1, 200000 do big_a[i] = "line a " .. i; big_b[i] = "line b " .. i end
local t0 = async.now()
local _, minimal = diff.ops(table.concat(big_a, "\n"), table.concat(big_b, "\n"))
assert(minimal == false)
assert(async.now() - t0 < 20, "too slow")
print("ok")
