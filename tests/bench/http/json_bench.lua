-- JSON throughput of nethost's json module (compare json_bench.py: the same document).
local items = {}
for i = 1, 2000 do
  items[i] = {name = "Ethernet1/" .. i, description = "uplink to sw-" .. i .. " \"core\"",
              mtu = 9214, enabled = i % 3 ~= 0, speed = 1e10, counters = {in_octets = i * 123456789,
              out_octets = i * 987654321, errors = json.array()}, vlans = {1, 10, 20, 30}}
end
local doc = {device = "sw-0001", interfaces = items}
local text = json.encode(doc)
local mb = #text / 1e6
local function bench(name, fn)
  local rounds, t0 = 0, os.clock()
  repeat fn(); rounds = rounds + 1 until os.clock() - t0 > 1.0
  local dt = (os.clock() - t0) / rounds
  print(string.format("nethost json %-7s %7.1f MB/s  (%.2f ms per %.2f MB document)", name,
                      mb / dt, dt * 1000, mb))
end
bench("encode", function() json.encode(doc) end)
bench("decode", function() json.decode(text) end)
