-- changes: what the configuration playbooks (push, rollback, compliance fix) show about a
-- change on screen — under --check the lines each host would be sent, under --diff the
-- unified diff of each host's running configuration, coloured on a terminal (NO_COLOR
-- turns colour off, as https://no-color.org asks).
--
--   local changes = require("nethost.changes")
--   host:diff(changes.diff(before, after, host.platform))   -- inside the host task
--   changes.print(res)                                       -- after nethost.run

local config = require("nethost.config")
local diff = require("nethost.diff")
local sys = require("nethost.sys")

local changes = {}

--- changes.wanted() -> whether the run asked for diffs (nethost run --diff)
function changes.wanted()
  local opts = nethost.options
  return (opts and opts.diff) and true or false
end

--- changes.diff(before, after, platform [, opts]) -> the unified diff of two running
--- configurations, volatile lines left out ("" when they are equal). opts.from / opts.to
--- label the sides (default "before" / "after"); opts.model = true renders both sides in
--- config.apply's form first (when `after` came from config.apply).
function changes.diff(before, after, platform, opts)
  opts = opts or {}
  local a, b
  if opts.model then
    a, b = config.render(before, platform), after
  else
    a, b = config.normalize(before, platform), config.normalize(after, platform)
  end
  if a == b then return "" end
  return diff.unified(a, b, { from = opts.from or "before", to = opts.to or "after" })
end

local function painter(enabled)
  if not enabled then return function(_, s) return s end end
  local codes = { red = "31", green = "32", cyan = "36", bold = "1" }
  return function(c, s) return "\27[" .. codes[c] .. "m" .. s .. "\27[0m" end
end

--- changes.colour() -> whether stdout gets colours (a terminal, NO_COLOR unset or empty)
function changes.colour()
  return sys.isatty(1) and (os.getenv("NO_COLOR") or "") == ""
end

--- changes.format(res [, opts]) -> the text changes.print writes: per host (in the run's
--- order) its diff (under --diff, or opts.diff) or, under --check without --diff, the lines
--- it would be sent. opts.colour forces colour on or off.
function changes.format(res, opts)
  opts = opts or {}
  local show_diff = opts.diff == nil and changes.wanted() or opts.diff
  local show_lines = opts.check == nil and nethost.check or opts.check
  local colour = opts.colour
  if colour == nil then colour = changes.colour() end
  local paint = painter(colour)
  local out = {}
  for rec in res:each() do
    if show_diff and rec.diff then
      out[#out + 1] = paint("bold", ("== %s %s"):format(rec.host,
                                     nethost.check and "(would change)" or "(changed)"))
      for line in rec.diff:gmatch("[^\n]+") do
        local c = line:sub(1, 1)
        if line:find("^%+%+%+ ") or line:find("^%-%-%- ") then
          out[#out + 1] = paint("bold", line)
        elseif c == "+" then
          out[#out + 1] = paint("green", line)
        elseif c == "-" then
          out[#out + 1] = paint("red", line)
        elseif c == "@" then
          out[#out + 1] = paint("cyan", line)
        else
          out[#out + 1] = line
        end
      end
    elseif show_lines and not show_diff and rec.would_send and rec.would_send[1] then
      out[#out + 1] = paint("bold", ("== %s would be sent %d line(s):"):format(rec.host,
                                     #rec.would_send))
      for _, l in ipairs(rec.would_send) do out[#out + 1] = "    " .. l end
    end
  end
  return out[1] and (table.concat(out, "\n") .. "\n") or ""
end

--- changes.print(res [, opts]) writes changes.format(res, opts) to stdout.
function changes.print(res, opts)
  local text = changes.format(res, opts)
  if text ~= "" then io.stdout:write(text, "\n") end
end

return changes
