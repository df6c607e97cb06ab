-- device: configuration operations the playbooks share — read the running configuration,
-- apply lines, restore a saved configuration and check that it took.
--
--   local text = device.running_config(session, host)
--   local r = device.restore(host, saved_text)   -- {method =, commands =, unchanged =}
--
-- Restoring computes the minimal commands from a section-aware diff (config.remediation):
-- "no" lines for what must go and the missing lines, section by section (Junos: delete/set),
-- then applies them in config mode, saves, and verifies that the running configuration
-- equals the saved one, ignoring volatile lines. It works on every platform without copying
-- files to the device.

local config = require("nethost.config")
local platform = require("nethost.platform")

local device = {}

--- device.running_command(platform) -> the command that shows the running configuration:
--- the plugin's show_config_command ("show running-config" when none is known).
device.running_command = platform.show_config_command

--- device.running_config(session, host) -> the running configuration text (exec channel)
function device.running_config(session, host)
  local text = session:run(device.running_command(host.platform)).stdout
  if not text:find("%S") then
    error(nethost.error("command", "the device returned an empty configuration",
                        { host = host.name, op = device.running_command(host.platform) }))
  end
  return text
end

--- device.restore(host, wanted [, opts]) -> {method = "remediation" | "none", commands =
--- {...}, unchanged = bool, before = text, after = text}. Raises a `command` error naming
--- the first differing lines when the result does not match wanted. opts.session: an open
--- session to reuse. Under --check nothing is sent: the commands are recorded
--- (nethost.would_send) and returned, `after` is what they would leave in config.apply's
--- form and `model` is true.
function device.restore(host, wanted, opts)
  opts = opts or {}
  local s = opts.session or ssh.open(host)
  local ok, result = pcall(function()
    local current = device.running_config(s, host)
    local commands, diffs = config.remediation(current, wanted, host.platform)
    if not diffs[1] then
      return { method = "none", commands = {}, unchanged = true, before = current, after = current }
    end
    if not commands[1] then
      error(nethost.error("command", "cannot compute commands for: " .. config.describe(diffs),
                          { host = host.name, op = "restore" }))
    end
    local cli = s:shell()
    cli:config(commands)
    if nethost.check then
      -- What the commands would leave, from the offline model (config.apply's form).
      return { method = "remediation", commands = commands, before = current,
               after = (config.apply(current, commands, host.platform)), model = true }
    end
    cli:save()
    local after = device.running_config(s, host)
    local left = config.differences(after, wanted, host.platform)
    if left[1] then
      error(nethost.error("command", ("restore incomplete: %d difference(s) left: %s")
                          :format(#left, config.describe(left)), { host = host.name, op = "restore" }))
    end
    return { method = "remediation", commands = commands, before = current, after = after }
  end)
  if not opts.session then s:close() end
  if not ok then error(result, 0) end
  return result
end

return device
