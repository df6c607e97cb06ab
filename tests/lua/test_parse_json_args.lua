-- plugins.parse_json's indent was cast to int before any check: 4294967298 became 2 and was
-- accepted, and a huge indent made the writer emit gigabytes of spaces and overflow
-- indent * depth (undefined). It must be 0..16, as json.encode's is.
local ver = "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(4)E1, " ..
            "RELEASE SOFTWARE (fc2)\nsw-1 uptime is 1 week\n"
local plugins = require "nethost.plugins"
assert(plugins.parse_json("cisco_ios", "show version", ver, 0):find('"version":"15.2%(4%)E1"'))
assert(plugins.parse_json("cisco_ios", "show version", ver, 16))
for _, bad in ipairs({ -1, 17, 4294967298, math.maxinteger, math.mininteger }) do
  local ok, err = pcall(plugins.parse_json, "cisco_ios", "show version", ver, bad)
  assert(not ok and tostring(err):find("indent must be 0..16"), bad .. ": " .. tostring(err))
end
