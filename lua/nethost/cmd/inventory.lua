-- `nethost inventory`: the hosts of an inventory after inheritance and -l, secrets masked.

local argv = require("nethost.argv")
local setup = require("nethost.inventory_setup")

local HELP = [[
usage: nethost inventory [-i PATH] [-l PATTERN] [--json] [--host NAME] [--explain NAME]
                         [--groups]

Lists the hosts of the inventory (PATH, or $NETHOST_INVENTORY) after inheritance and the -l
pattern, one line each: name, address:port, platform, groups. Secrets are always shown as
"***".

options:
  -i, --inventory PATH   inventory file or folder
  -l, --limit PATTERN    names, globs, groups, a:b, a:&b, a:!b, attr=value (see docs)
      --json             the resolved hosts as a JSON array
      --host NAME        one host with every resolved field (JSON)
      --explain NAME     where each of NAME's values comes from (host, group X, defaults)
      --groups           the groups with their parents and host counts
  -h, --help             this text
]]

local function main(args)
  local opts, av = {}, argv.new(args)
  for a in av:each() do
    if a == "-i" or a == "--inventory" then opts.inventory = av:value(a)
    elseif a == "-l" or a == "--limit" then opts.limit = av:value(a)
    elseif a == "--json" then opts.json = true
    elseif a == "--host" then opts.host = av:value(a)
    elseif a == "--explain" then opts.explain = av:value(a)
    elseif a == "--groups" then opts.groups = true
    elseif a == "-h" or a == "--help" then io.stdout:write(HELP) return 0
    else error(string.format("inventory: unknown argument %s (see 'nethost help inventory')", a), 0)
    end
  end
  local inv = setup.load(opts)
  if not inv then error("inventory: which inventory? give -i PATH or set NETHOST_INVENTORY", 0) end
  if opts.host or opts.explain then
    local name = opts.host or opts.explain
    if not inv:get(name) then error(string.format("inventory: no host '%s' in the selection", name), 0) end
    if opts.host then
      io.stdout:write(inv:json(2, name), "\n")
    else
      local src = inv:explain(name)
      local keys = {}
      for k in pairs(src) do keys[#keys + 1] = k end
      table.sort(keys)
      for _, k in ipairs(keys) do io.stdout:write(string.format("%-26s %s\n", k, src[k])) end
    end
    return 0
  end
  if opts.groups then
    for _, g in ipairs(inv:groups()) do
      io.stdout:write(string.format("%-24s %6d host%s%s\n", g.name, g.count, g.count == 1 and "" or "s",
        #g.parents > 0 and ("  parents: " .. table.concat(g.parents, ", ")) or ""))
    end
    return 0
  end
  if opts.json then
    io.stdout:write(inv:json(2), "\n")
    return 0
  end
  for h in inv:each() do
    local where = (h.address or h.name) .. (h.port and (":" .. h.port) or "")
    io.stdout:write(string.format("%-24s %-22s %-16s %s\n", h.name, where, h.platform or "-",
      table.concat(h.groups, ",")))
  end
  io.stderr:write(string.format("%d host%s\n", #inv, #inv == 1 and "" or "s"))
  return 0
end

return {
  summary = "hosts after inheritance and filters",
  usage = "inventory [-i PATH] [-l PATTERN]",
  help = HELP,
  main = function(args)
    local ok, rc = pcall(main, args)
    if not ok then
      io.stderr:write("nethost: ", type(rc) == "table" and (rc.message or tostring(rc)) or tostring(rc), "\n")
      return 1
    end
    return rc
  end,
}
