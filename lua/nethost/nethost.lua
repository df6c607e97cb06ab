-- The `nethost` table: the playbook's context and the engine's helpers.
local err = require("nethost.error")

local nethost = {
  version = "0.1.0",
  vars = {},         -- -e key=value pairs
  check = false,     -- --check
  inventory = nil,   -- -i, narrowed by -l
  options = {},      -- the rest of the command line (concurrency, output, ...)
  exit_code = nil,   -- set by nethost.run when hosts failed (2)
}

--- nethost.error(kind, message [, fields]) -> an error object to raise with error().
nethost.error = err.new

--- nethost.is_error(v) -> whether v is an error object.
nethost.is_error = err.is

return nethost
