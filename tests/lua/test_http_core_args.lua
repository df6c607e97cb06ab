-- The C primitive under the http module copies its request into C before the transfer
-- starts; these are the inputs that broke that. Nothing listens on 127.0.0.1:1, so a request
-- that does start fails with a connect error, which is not what any case here expects.
local core = require "nethost.http_core"
local url = "http://127.0.0.1:1/"

local function fails_with(spec, pattern)
  local ok, err = pcall(core.request, spec)
  assert(not ok, "the request was accepted")
  assert(tostring(err):find(pattern), "expected /" .. pattern .. "/, got: " .. tostring(err))
end

-- Header values that are numbers: lua_tostring converted them in a stack slot that was then
-- popped, so the C side kept pointers to strings the GC could free (ASan:
-- heap-use-after-free in nh_http_transfer_start). Pairs must hold strings.
collectgarbage("incremental", 1, 1000) -- collect as eagerly as possible
local headers = {}
for i = 1, 3000 do headers[i] = { "X-N" .. i, i * 1.5 } end
fails_with({ url = url, headers = headers, timeout = 1 }, "needs a string name and value")
collectgarbage("incremental", 200, 100)
fails_with({ url = url, headers = { { 1, "x" } } }, "needs a string name and value")

-- NUL bytes would silently cut credentials, URLs and header fields.
fails_with({ url = url, username = "u", password = "se\0cret" }, "'password' contains a NUL byte")
fails_with({ url = url, bearer = "tok\0en" }, "'bearer' contains a NUL byte")
fails_with({ url = url .. "\0.example.com" }, "'url' contains a NUL byte")
fails_with({ url = url, headers = { { "X-Token", "abc\0def" } } }, "contains a NUL byte")

-- The public API refuses them too (it normalises into the same primitive).
local ok, err = pcall(http.get, url, { headers = { ["X-Token"] = "abc\0def" }, timeout = 1 })
assert(not ok and tostring(err):find("NUL"), tostring(err))

-- Out-of-range numbers are refused or capped, never cast blindly.
fails_with({ url = url, max_body = 0 / 0 }, "must not be negative")
fails_with({ url = url, timeout = 0 / 0 }, "must not be negative")
local ok2, err2 = pcall(core.request, { url = url, max_body = math.huge, max_redirects = 1e300,
                                        timeout = 0.5 })
assert(not ok2 and err2.kind ~= nil, tostring(err2)) -- started, then failed to connect
