-- The ssh module: commands on exec channels and interactive CLIs on PTY shells, over
-- libssh2 underneath (lua/l_ssh_core.c, core/ssh*.c). See docs/ssh.md.
--
--   local r = ssh.run(host, "show version", {timeout = 10})   -- r.stdout, r.exit_status
--   local s <close> = ssh.open(host)
--   local out = s:run("show clock").stdout
--   local cli = s:shell()                                      -- nethost/ssh_shell.lua
--   cli:config({"ntp server 10.0.0.1"}); cli:save()
--
-- This façade adds to the C primitives what is Lua's business: the interactive CLI
-- (session:shell), ssh.try_run, and the time each host task spends connecting and running
-- commands, reported through nethost/hooks.lua to whoever runs the task.

local core = require("nethost.ssh_core")
local hooks = require("nethost.hooks")
local now = require("nethost.async").now
local platform = require("nethost.platform")
local shell = require("nethost.ssh_shell")

local ssh = {}

-- Wraps fn so that inside a host task its time counts in the task's `phase` timing (the
-- results' timings.connect, timings.commands). Outside one, fn is called as it is.
local function timed(phase, fn)
  return function(...)
    local task = hooks.task()
    if not task then return fn(...) end
    local t0 = now()
    local r = table.pack(pcall(fn, ...))
    task:add_timing(phase, now() - t0)
    if not r[1] then error(r[2], 0) end
    return table.unpack(r, 2, r.n)
  end
end

--- ssh.run(host, command, opts) -> {stdout=, stderr=, exit_status=, elapsed=, ...}
ssh.run = timed("commands", core.run)

--- ssh.open(host, opts) -> session (session:run, session:shell, session:close, ...)
ssh.open = timed("connect", core.open)

--- ssh.try_run(host, cmd, opts) -> result | nil, err
function ssh.try_run(host, cmd, opts)
  local ok, r = pcall(ssh.run, host, cmd, opts)
  if ok then return r end
  return nil, r
end

--- ssh.set_connect_rate(per_second) / ssh.connect_rate(per_second): new TCP connections
--- per second across the process (0: unlimited).
ssh.set_connect_rate = core.set_connect_rate
ssh.connect_rate = core.set_connect_rate

--- ssh.stats() -> {open = connections open, nofile = the open-file limit}
ssh.stats = core.stats

--- ssh.platform(name) -> the platform driver the shell uses for a platform a plugin
--- defines, or nil (nethost/platform.lua); ssh.generic_driver: the one for hosts without
--- a platform.
ssh.platform = platform.driver
ssh.generic_driver = platform.generic

-- Whether the PCRE2 pattern matches subject (multiline): the shell's own matcher, for tests.
ssh._re_match = core.re_match

-- The session's methods: the C ones (close, host, info, the raw shell) plus these.
local session = core.session
session.run = timed("commands", session.run)

--- session:shell({timeout=, width=, height=, platform=, enable=true|false}) -> cli
session.shell = shell.open

return ssh
