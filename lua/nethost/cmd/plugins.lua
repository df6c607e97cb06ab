-- `nethost plugins`: what the plugins provide (platforms and parsers), with their files.
local argv = require("nethost.argv")
local plugins = require("nethost.plugins")

local HELP = [[
usage: nethost plugins [--plugins DIR]... [--json]

Lists the loaded plugins (name, version, ABI, file), the platforms they define (with
aliases) and the parsers (platform, command, plugin). Plugins come from the built-in
folder, then NETHOST_PLUGIN_PATH, then each --plugins DIR. Plugins that failed to load are
listed last, with the reason; the exit status is then 1.
]]

local function main(args)
  local as_json, av = false, argv.new(args)
  plugins.load_defaults()
  for a in av:each() do
    if a == "--plugins" then
      local n, err = plugins.load_dir(av:value(a))
      if not n then io.stderr:write("nethost: --plugins ", err, "\n") return 1 end
    elseif a == "--json" then as_json = true
    else
      io.stderr:write("nethost: plugins: unknown argument ", a, "\n")
      return 1
    end
  end
  local list, platforms, parsers, failures =
    plugins.list(), plugins.platforms(), plugins.parsers(), plugins.failures()
  if as_json then
    local json = require("nethost.json")
    io.stdout:write(json.encode({ plugins = list, platforms = platforms, parsers = parsers,
                                  failures = failures }), "\n")
    return #failures > 0 and 1 or 0
  end
  local out = io.stdout
  out:write("plugins (ABI ", plugins.abi, "):\n")
  for _, p in ipairs(list) do
    out:write(string.format("  %-16s %-10s ABI %-5s %s\n", p.name, p.version, p.abi, p.file))
  end
  if #list == 0 then out:write("  (none)\n") end
  out:write("platforms:\n")
  for _, p in ipairs(platforms) do
    local aliases = #p.aliases > 0 and (" (" .. table.concat(p.aliases, ", ") .. ")") or ""
    out:write(string.format("  %-16s %-10s %s%s\n", p.name, p.plugin or "", p.description or "",
                            aliases))
  end
  out:write("parsers:\n")
  for _, p in ipairs(parsers) do
    local via = p.source and (p.source .. (p.detail and (": " .. p.detail) or "")) or p.plugin
    out:write(string.format("  %-16s %-32s %s\n", p.platform, p.command, via or ""))
  end
  if #failures > 0 then
    out:write("failed to load:\n")
    for _, f in ipairs(failures) do out:write("  ", f, "\n") end
    return 1
  end
  return 0
end

return { summary = "platforms and parsers the plugins provide, with their files",
         usage = "plugins [--plugins DIR]", help = HELP, main = main }
