-- session_log: the transcript of a device session, as Netmiko's session_log gives it — every
-- command sent and every byte of output received, with timestamps, secrets masked.
--
-- A transcript goes to up to three places:
--   * a file per session (ssh.open(host, {session_log = PATH})) or per host (the inventory's
--     `ssh.session_log: DIR` -> DIR/<safe host name>.log), created 0600, appended to;
--   * the log at debug level (-vv, and the --log file at -vv), one line per line of output;
--   * the current host task's recorder (nethost/hooks.lua): the runner keeps the last lines
--     and puts them in a failed host's record as transcript_tail.
--
-- The bytes are captured in Lua after each operation, not in the C core: an exec command's
-- result (or the partial output its error carries, err.partial) and every piece of shell
-- output the CLI reads (nethost/ssh_shell.lua), also what arrived before a timeout. So a
-- line's timestamp is when nethost handed the output to the playbook, which for a command
-- on an exec channel is when it finished.
--
-- Lines: "<time> > command" for what was sent, "<time> < text" for what was received, and
-- "<time> ! text" for an exec channel's standard error, and "<time> * note" for session
-- events (opened, closed, the error that ended a command).
-- Control characters other than tab are written as \xNN, so a device cannot rewrite the
-- terminal or forge lines; a CR before LF is dropped.

local fs = require("nethost.fs")
local hooks = require("nethost.hooks")
local log = require("nethost.log")
local sys = require("nethost.sys")

local session_log = {}

local Logger = {}
Logger.__index = Logger

-- Open files by path, shared by every logger writing to them (a host task that calls
-- ssh.run per command appends to one file through one handle).
local files = {}

local function open_file(path)
  local e = files[path]
  if e then
    e.refs = e.refs + 1
    return e.f
  end
  local f, err = fs.open(path, "a")
  if not f then return nil, err end
  f:setvbuf("line")
  files[path] = { f = f, refs = 1 }
  return f
end

local function release_file(path)
  local e = files[path]
  if not e then return end
  e.refs = e.refs - 1
  if e.refs == 0 then
    files[path] = nil
    e.f:close()
  end
end

local function stamp()
  local t = sys.time()
  return os.date("!%Y-%m-%dT%H:%M:%S", math.floor(t)) ..
         string.format(".%03dZ", math.floor(t % 1 * 1000))
end

local function printable(line)
  if line:byte(-1) == 13 then line = line:sub(1, -2) end
  -- Most lines have no control character: no pattern substitution for them.
  if not line:find("[%c\127]") then return line end
  return (line:gsub("[%c\127]", function(c)
    if c == "\t" then return c end
    return string.format("\\x%02x", c:byte())
  end))
end

-- A field of an inventory host or a plain table (an inventory host raises on unknown keys).
local function field(host, k)
  local ok, v = pcall(function() return host[k] end)
  return ok and v or nil
end

--- session_log.path_for(host, name, opts) -> the transcript file for a session on host
--- (opts.session_log, else the host's ssh.session_log directory + the path-safe host
--- name + ".log"), or nil when neither is set. Creates the directory (0700).
function session_log.path_for(host, name, opts)
  local p = opts and opts.session_log
  if p ~= nil and p ~= false then
    if type(p) ~= "string" or p == "" then
      error(string.format("ssh: host %s: session_log must be a file path", name), 0)
    end
    return p
  end
  local sshcfg = (type(host) == "table" or type(host) == "userdata") and field(host, "ssh") or nil
  local dir = (type(sshcfg) == "table" or type(sshcfg) == "userdata") and
              field(sshcfg, "session_log") or nil
  if dir == nil or dir == false then return nil end
  if type(dir) ~= "string" or dir == "" then
    error(string.format("ssh: host %s: ssh.session_log must be a directory", name), 0)
  end
  local ok, e = fs.mkdir(dir, true)
  if not ok then error(string.format("ssh: host %s: ssh.session_log: %s", name, e), 0) end
  return dir .. "/" .. fs.safe_name(name) .. ".log"
end

-- Hosts whose secrets are registered with the log's mask already, by name.
local masked_hosts = {}

--- session_log.mask_secrets(host, name): the host's password and enable secret are masked
--- in every transcript and log line from now on (read once per host name). A secret that
--- cannot be read is skipped here: whoever needs it reports that.
function session_log.mask_secrets(host, name)
  if masked_hosts[name] or (type(host) ~= "table" and type(host) ~= "userdata") then return end
  masked_hosts[name] = true
  for _, k in ipairs({ "password", "enable_secret" }) do
    local v = field(host, k)
    if type(v) ~= "string" then
      local f = field(host, "secret")
      if type(f) == "function" then
        local ok, s = pcall(f, host, k)
        if ok then v = s end
      end
    end
    if type(v) == "string" then log.secret(v) end
  end
end

--- session_log.new(name, path) -> logger for the host called name, writing to path (nil:
--- only the log and the host task's record). Raises when path cannot be opened.
function session_log.new(name, path)
  local self = setmetatable({ name = name, path = path, task = hooks.task() }, Logger)
  if path then
    local f, e = open_file(path)
    if not f then error(string.format("ssh: host %s: session_log: %s", name, e), 0) end
    self.file = f
  end
  return self
end

--- session_log.wanted() -> whether a transcript without a file would be seen by anyone
--- (the log at debug level, or a host task to keep the tail for).
function session_log.wanted()
  return log.enabled("debug") or hooks.task() ~= nil
end

local TAIL_BYTES = 4096 -- of each piece of output looked at for the host task's tail

function Logger:_line(dir, line)
  line = printable(line)
  if self.file then
    local ok, e = pcall(self.file.write, self.file, stamp(), " ", dir, " ", line, "\n")
    if not ok or not e then
      log.warn("session log %s: write failed; no more transcript there", self.path)
      self:_drop_file()
    end
  end
  log.transcript(self.name, dir .. " " .. line)
end

function Logger:_drop_file()
  if self.file then
    self.file = nil
    release_file(self.path)
  end
end
Logger.__gc = Logger._drop_file

-- Calls fn(line) for each line of text (the last one may lack its newline).
local function each_line(text, fn)
  local n = 0
  for line in text:gmatch("([^\n]*)\n") do
    fn(line)
    n = n + #line + 1
  end
  if n < #text then fn(text:sub(n + 1)) end
end

function Logger:_text(dir, text)
  if text == nil or text == "" then return end
  text = log.mask(text)
  if self.file or log.enabled("debug") then
    each_line(text, function(line) self:_line(dir, line) end)
  end
  local task = self.task
  if task and task.record_transcript then
    -- The host task keeps the piece as it is and makes lines of it only if the host fails
    -- (session_log.tail_lines): this runs for every command of every host, and splitting
    -- and escaping the output here each time was about 15 % of the client's CPU per device
    -- in the SSH benchmark (tests/bench/ssh/README.md). Only pieces with a line that the
    -- tail shows are kept (not empty, not a lone CR).
    local piece = #text > TAIL_BYTES and text:sub(-TAIL_BYTES) or text
    if piece:find("[^\r\n]") or piece:find("\r\r", 1, true) then
      task:record_transcript(dir, piece)
    end
  end
end

--- session_log.tail_lines(dir, text, out) -> out: appends the lines of a piece of transcript
--- text as a failed host's record shows them ("<dir> <line>", control characters escaped,
--- empty lines and lone CRs left out).
function session_log.tail_lines(dir, text, out)
  each_line(text, function(line)
    if line ~= "" and line ~= "\r" then out[#out + 1] = dir .. " " .. printable(line) end
  end)
  return out
end

--- logger:sent(text): what was written to the device (a command, its newline dropped).
function Logger:sent(text)
  if text == nil or text == "" then return end
  self:_text(">", (text:gsub("\r?\n$", "")))
end

--- logger:received(text [, stderr]): output from the device, as it arrived (stderr: an
--- exec channel's standard error, written with "!").
function Logger:received(text, stderr) self:_text(stderr and "!" or "<", text) end

--- logger:note(text): a session event (opened, closed, an error).
function Logger:note(text) self:_text("*", text) end

--- logger:close(): writes no more to the file (the log and the host task still get lines).
function Logger:close() self:_drop_file() end

-- Sessions' loggers: the shell of a session writes to its session's transcript.
local by_session = setmetatable({}, { __mode = "k" })

--- session_log.attach(session, logger) / session_log.of(session) -> logger | nil
function session_log.attach(session, logger) by_session[session] = logger end
function session_log.of(session) return by_session[session] end

return session_log
