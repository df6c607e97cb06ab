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

--- device.restore(host, wanted [, opts]) -> {method = "remediation", commands = {...},
--- unchanged = bool}. Raises a `command` error when the result does not match wanted.
--- opts.session: an open session to reuse. Under --check nothing is sent; the commands
--- are recorded (nethost.would_send) and returned.
function device.restore(host, wanted, opts)
  opts = opts or {}
  local s = opts.session or ssh.open(host)
  local ok, result = pcall(function()
    local current = device.running_config(s, host)
    if config.equal(current, wanted, host.platform) then
      return { method = "none", commands = {}, unchanged = true }
    end
    local commands = config.remediation(current, wanted, host.platform)
    local cli = s:shell()
    cli:config(commands)
    if nethost.check then return { method = "remediation", commands = commands } end
    cli:save()
    local after = device.running_config(s, host)
    if not config.equal(after, wanted, host.platform) then
      local left = config.remediation(after, wanted, host.platform)
      error(nethost.error("command", ("restore incomplete: %d line(s) still differ, first: %s")
                          :format(#left, tostring(left[1])), { host = host.name, op = "restore" }))
    end
    return { method = "remediation", commands = commands }
  end)
  if not opts.session then s:close() end
  if not ok then error(result, 0) end
  return result
end

return device
