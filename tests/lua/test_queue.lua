-- A bounded queue with 3 producers and 5 consumers loses and duplicates nothing.
local q = async.queue(4)
local seen, count = {}, 0
local producers, consumers = {}, {}
for p = 1, 3 do
  producers[p] = async.spawn(function()
    for i = 1, 200 do
      q:put(p * 1000 + i)
      if i % 7 == 0 then async.sleep(0) end
      assert(q:size() <= 4, "queue over its bound")
    end
  end)
end
for c = 1, 5 do
  consumers[c] = async.spawn(function()
    while true do
      local v = q:get()
      if v == nil then return end
      assert(not seen[v], "duplicate " .. v)
      seen[v] = true
      count = count + 1
      if v % 3 == 0 then async.sleep(0.0005) end
    end
  end)
end
for _, t in ipairs(producers) do t:wait() end
-- nil is the end-of-stream marker here: one per consumer.
for _ = 1, 5 do q:put(nil) end
for _, t in ipairs(consumers) do t:wait() end
assert(count == 600, "consumed " .. count)
for p = 1, 3 do for i = 1, 200 do assert(seen[p * 1000 + i]) end end

-- try_get on an empty queue does not block.
assert(q:try_get() == false)
print("ok")
