-- Runs every ```lua example of docs/http.md against the harness's servers: nginx.lab and
-- api.lab become their URLs, lab-ca.pem the generated certificate.
local dir = arg[0] and arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/testlib.lua")
local subst = {
  ["https://nginx.lab"] = t.env("NH_HTTPS"),
  ["http://nginx.lab"] = t.env("NH_HTTP"),
  ["http://api.lab"] = t.env("NH_BACKEND"),
  ["lab-ca.pem"] = t.env("NH_CA"),
}
local f = assert(io.open(dir .. "/../../docs/http.md"))
local text = f:read("a")
f:close()
local n = 0
for block in text:gmatch("```lua\n(.-)```") do
  n = n + 1
  for from, to in pairs(subst) do
    block = block:gsub(from:gsub("%p", "%%%0"), (to:gsub("%%", "%%%%")))
  end
  local fn = assert(load(block, "=docs/http.md example " .. n))
  local ok, err = pcall(fn)
  if not ok then error(string.format("docs/http.md example %d failed: %s", n, tostring(err)), 0) end
end
t.ok(n >= 8, "found the examples (" .. n .. ")")
print(string.format("docs: ok (%d examples)", n))
