-- The playbook's global API: async, nethost, and every module this build has (ssh, http,
-- json, inventory, parse, ...). Loaded once when the runtime starts.

local function available(name)
  return package.preload[name] ~= nil or package.searchpath(name, package.path) ~= nil
end

async = require("nethost.async")
nethost = require("nethost.nethost")
require("nethost.run") -- nethost.run and the host-task helpers

for _, name in ipairs({ "json", "yaml", "log", "fs", "re", "diff", "net", "ssh", "http", "inventory",
                        "textfsm", "parse", "xml", "netconf", "template" }) do
  local modname = "nethost." .. name
  if available(modname) then
    _G[name] = require(modname)
  end
end

-- Host methods that belong to other modules: host:parse(command, text).
if inventory and parse and inventory.host_methods and not inventory.host_methods.parse then
  inventory.host_methods.parse = function(host, command, text)
    return parse.host(host, command, text)
  end
end
