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
-- (session:shell), ssh.try_run, the time each host task spends connecting and running
-- commands, reported through nethost/hooks.lua to whoever runs the task, and the session
-- transcript (nethost/session_log.lua: session_log files, -vv, a failed host's tail).

local core = require("nethost.ssh_core")
local hooks = require("nethost.hooks")
local now = require("nethost.async").now
local platform = require("nethost.platform")
local shell = require("nethost.ssh_shell")
local slog = require("nethost.session_log")

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

-- A field of an inventory host or a plain table (an inventory host raises on unknown keys).
local function field(host, k)
  local ok, v = pcall(function() return host[k] end)
  return ok and v or nil
end

-- The host's display name, as the core names it in errors.
local function name_of(host)
  if type(host) ~= "table" and type(host) ~= "userdata" then return tostring(host) end
  return tostring(field(host, "name") or field(host, "address") or field(host, "host") or "?")
end

-- The transcript logger for a session on host, or nil when nobody would read it. Raises
-- when a session_log file cannot be opened: before connecting, as Netmiko does.
local function logger_for(host, opts)
  local name = name_of(host)
  local path = slog.path_for(host, name, opts)
  if not path and not slog.wanted() then return nil end
  slog.mask_secrets(host, name)
  return slog.new(name, path)
end

-- Runs fn(...) -> exec result, writing the command and its output (or the partial output
-- and the error) to lg.
local function logged_exec(lg, cmd, fn, ...)
  lg:sent(cmd)
  local ok, r = pcall(fn, ...)
  local res = ok and r or (type(r) == "table" and (r.partial or r.result)) or nil
  if type(res) == "table" then
    lg:received(res.stdout)
    lg:received(res.stderr, true)
    if res.exit_status and res.exit_status ~= 0 then
      lg:note("exit status " .. tostring(res.exit_status))
    end
  end
  if not ok then
    lg:note(tostring(r))
    error(r, 0)
  end
  return r
end

--- ssh.run(host, command, opts) -> {stdout=, stderr=, exit_status=, elapsed=, ...}
ssh.run = timed("commands", function(host, cmd, opts)
  local lg = logger_for(host, opts)
  if not lg then return core.run(host, cmd, opts) end
  local ok, r = pcall(logged_exec, lg, cmd, core.run, host, cmd, opts)
  lg:close()
  if not ok then error(r, 0) end
  return r
end)

-- Closing a session closes its transcript file too, however it is closed (session:close,
-- a <close> variable, the GC).
local session_mt
local function close_logged(s)
  local lg = slog.of(s)
  if lg then
    slog.attach(s, nil)
    lg:note("session closed")
    lg:close()
  end
end

--- ssh.open(host, opts) -> session (session:run, session:shell, session:close, ...)
ssh.open = timed("connect", function(host, opts)
  local lg = logger_for(host, opts)
  if not lg then return core.open(host, opts) end
  lg:note("connecting")
  local ok, s = pcall(core.open, host, opts)
  if not ok then
    lg:note(tostring(s))
    lg:close()
    error(s, 0)
  end
  lg:note("session open")
  slog.attach(s, lg)
  if not session_mt then
    session_mt = getmetatable(s)
    local close, gc = session_mt.__close, session_mt.__gc
    session_mt.__close = function(x, ...) close_logged(x); return close(x, ...) end
    session_mt.__gc = function(x) close_logged(x); return gc(x) end
  end
  return s
end)

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
local session_run, session_close = session.run, session.close
session.run = timed("commands", function(self, cmd, opts)
  local lg = slog.of(self)
  if not lg then return session_run(self, cmd, opts) end
  return logged_exec(lg, cmd, session_run, self, cmd, opts)
end)
function session.close(self)
  close_logged(self)
  return session_close(self)
end

--- session:shell({timeout=, width=, height=, platform=, enable=true|false}) -> cli
session.shell = shell.open

return ssh
