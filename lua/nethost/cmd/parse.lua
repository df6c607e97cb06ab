-- `nethost parse PLATFORM 'COMMAND' [FILE]`: runs a parser on saved output, prints JSON.
local argv = require("nethost.argv")
local plugins = require("nethost.plugins")

local HELP = [[
usage: nethost parse PLATFORM 'COMMAND' [FILE] [--plugins DIR]... [--compact]

Parses FILE (standard input without it, or with '-') as the output of COMMAND on PLATFORM
and prints the result as JSON. COMMAND may be abbreviated as on the device ('sh ver').
exit status: 0 parsed, 1 the parse failed or no parser matches.
]]

local function main(args)
  local pos, indent, av = {}, 2, argv.new(args)
  plugins.load_defaults()
  for a in av:each() do
    if a == "--plugins" then
      local n, err = plugins.load_dir(av:value(a))
      if not n then io.stderr:write("nethost: --plugins ", err, "\n") return 1 end
    elseif a == "--compact" then indent = 0
    else pos[#pos + 1] = a
    end
  end
  local platform, command, file = pos[1], pos[2], pos[3]
  if not platform or not command or pos[4] then
    io.stderr:write(HELP)
    return 1
  end
  local text, err
  if file and file ~= "-" then
    local f
    f, err = io.open(file, "rb")
    if not f then io.stderr:write("nethost: ", err, "\n") return 1 end
    text = f:read("a")
    f:close()
  else
    text = io.stdin:read("a") or ""
  end
  local ok, result = pcall(plugins.parse_json, platform, command, text, indent)
  if not ok then
    io.stderr:write("nethost: ", file and (file .. ": ") or "", tostring(result), "\n")
    return 1
  end
  io.stdout:write(result, "\n")
  return 0
end

return { summary = "run a parser on saved output and print JSON",
         usage = "parse PLATFORM 'CMD' [FILE]", help = HELP, main = main }
