-- nethost.argv: a command's arguments read one at a time, the way every `nethost` command
-- reads them: `--name=value` stands for `--name value`, and value(name) takes the next
-- argument or raises "option NAME needs a value" (a user error: one line, no traceback).
--
--   local av = argv.new(args)
--   for a in av:each() do
--     if a == "-i" then opts.inventory = av:value(a) ... end
--   end
local M = {}
M.__index = M

function M.new(args)
  return setmetatable({ args = args, i = 0 }, M)
end

-- An iterator over the arguments; an option's inline value is split off and comes as the
-- next argument (or as value()'s result).
function M:each()
  return function()
    self.i = self.i + 1
    local a = self.args[self.i]
    if a == nil then return nil end
    local long, inline = a:match("^(%-%-[%w-]+)=(.*)$")
    if long then
      table.insert(self.args, self.i + 1, inline)
      return long
    end
    return a
  end
end

-- The value of option name: the argument after it.
function M:value(name)
  self.i = self.i + 1
  local v = self.args[self.i]
  if v == nil then error(string.format("option %s needs a value", name), 0) end
  return v
end

return M
