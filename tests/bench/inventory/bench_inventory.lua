-- Lua side: load the inventory bench_inventory generated (arg[1]), filter, and touch every
-- host table once (the first touch builds it).
local path = assert(arg[1], "usage: nethost run bench_inventory.lua -- INVENTORY")
local clock = os.clock
local t = clock()
local inv = inventory.load(path)
print(("lua load      %7d hosts  %8.1f ms CPU"):format(#inv, (clock() - t) * 1e3))
t = clock()
local f = inv:filter{ platform = "cisco_ios" }
print(("lua filter{}  %7d hosts  %8.1f ms CPU"):format(#f, (clock() - t) * 1e3))
t = clock()
local n = 0
for h in inv:each() do if h.data.site == "s3" then n = n + 1 end end
print(("lua each      %7d hosts  %8.1f ms CPU (builds every host table)  %.1f MB Lua heap"):format(
  n, (clock() - t) * 1e3, collectgarbage("count") / 1024))
