-- The `parse` global: parse(platform, command, text) -> table, using the parsers plugins
-- registered (C parsers first, then parser sources such as TextFSM templates). The command
-- may be abbreviated as on the device ("sh ip int br"). A failure raises an error object
-- of kind "parse". Empty output that legitimately means "nothing" gives an empty list.
local plugins = require("nethost.plugins")
local cli = require("nethost.cli")

-- `nethost run --plugins DIR`: load after the built-in folder and NETHOST_PLUGIN_PATH.
cli.setup_hooks[#cli.setup_hooks + 1] = function(opts)
  plugins.load_defaults()
  for _, dir in ipairs(opts.plugins or {}) do
    local n, err = plugins.load_dir(dir)
    if not n then error("--plugins " .. err, 0) end
  end
end

local parse = {}

--- parse.host(host, command, text) -> table: uses host.platform and names the host in
--- errors. What host:parse(command, text) calls.
function parse.host(host, command, text)
  if type(host) ~= "table" or type(host.platform) ~= "string" then
    error("parse.host: the host has no platform", 2)
  end
  return plugins.parse(host.platform, command, text, host.name)
end

--- parse.find(platform, command) -> {platform=, command=, source=, plugin=, file=} | nil, why
parse.find = plugins.find
--- parse.platform(name_or_alias) -> the platform driver's fields | nil
parse.platform = plugins.platform
parse.platforms = plugins.platforms
parse.parsers = plugins.parsers
--- parse.json(platform, command, text [, indent]) -> JSON in the parser's key order
parse.json = plugins.parse_json

-- Which parser parse() used: the plugins.find() table with source = "native" for a
-- plugin's own parser, or the parser source's name ("textfsm", detail = the template).
local function used(platform, command)
  local m = plugins.find(platform, command)
  if m then m.source = m.source or "native" end
  return m
end

--- parse.driver(platform) -> the platform driver in the shape the SSH shell uses, or nil
--- when no plugin defines the platform (nethost/platform.lua, the one adapter).
parse.driver = require("nethost.platform").driver

return setmetatable(parse, {
  __call = function(_, platform, command, text)
    if type(platform) == "table" then
      return parse.host(platform, command, text), used(platform.platform, command)
    end
    return plugins.parse(platform, command, text), used(platform, command)
  end,
})
