-- nethost side of the HTTP benchmark: N GETs spread over the given hosts at a concurrency.
-- usage: nethost run fetch.lua -- URLS_FILE N CONCURRENCY [decode|raw]
-- decode: each body is decoded as JSON (r:json()), as a playbook reading a REST API does.
local urls_file, n, conc, decode = arg[1], tonumber(arg[2]), tonumber(arg[3]), arg[4] == "decode"
local urls = {}
for line in io.lines(urls_file) do urls[#urls + 1] = line end
local next_i, ok, failed, bytes = 0, 0, 0, 0
local t0 = async.now()
local workers = {}
for w = 1, conc do
  workers[w] = async.spawn(function()
    while true do
      next_i = next_i + 1
      local i = next_i
      if i > n then return end
      local good, r = pcall(http.get, urls[(i - 1) % #urls + 1], {timeout = 60})
      if good and r.status == 200 and (not decode or type(r:json()) == "table") then
        ok = ok + 1
        bytes = bytes + #r.body
      else
        failed = failed + 1
        if failed <= 3 then io.stderr:write(tostring(r), "\n") end
      end
    end
  end)
end
for w = 1, conc do workers[w]:wait() end
local wall = async.now() - t0
local st = http.stats()
print(string.format("RESULT ok=%d failed=%d wall=%.3f bytes=%d connects=%d", ok, failed, wall,
                    bytes, st.connects))
