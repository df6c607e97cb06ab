-- The interactive CLI on a PTY shell: session:shell() -> cli with :send, :config, :save,
-- :enable, :close. The platform driver (from a plugin, or the built-in generic one) says
-- what the prompt looks like, how to turn paging off, how to enter enable and config mode,
-- how to save, and which output means an error.
--
-- nethost/ssh.lua makes shell.open the session's :shell method. Check mode and `changed`
-- reach the runner through nethost/hooks.lua.

local core = require("nethost.ssh_core")
local errors = require("nethost.error")
local hooks = require("nethost.hooks")
local log = require("nethost.log")
local platform_driver = require("nethost.platform").shell_driver
local slog = require("nethost.session_log")

local TRANSCRIPT_MAX = 16384 -- bytes of the session transcript kept for error reports
local TAIL = 200             -- bytes of "what was received" in prompt errors

local function escape_re(s)
  return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?%{%}|\\]", function(c) return "\\" .. c end))
end

local function strip_ansi(s)
  s = s:gsub("\27%[[%d;?]*[%a@]", ""):gsub("\27[%(%)][%w]", ""):gsub("\27[=>]", "")
  -- Backspace-overwrite sequences some devices use to erase "--More--".
  while s:find("[^\b]\b") do s = s:gsub("[^\b]\b", "", 1) end
  return (s:gsub("\b", ""))
end

local function normalize(s)
  return (strip_ansi(s):gsub("\r+\n", "\n"):gsub("\r", ""))
end

local CLI = {}
CLI.__index = CLI

function CLI:_record(dir, text)
  if self._slog then
    if dir == ">" then self._slog:sent(text) else self._slog:received(text) end
  end
  local t = self._transcript .. log.mask(text)
  if #t > TRANSCRIPT_MAX then t = t:sub(-TRANSCRIPT_MAX) end
  self._transcript = t
end

--- cli:transcript() -> the last 16 KB of the session, secrets masked.
function CLI:transcript() return self._transcript end

-- Every shell error names its stage (docs/ssh.md), like the connection's: `prompt` (the
-- first prompt), `read` (a command's output), `auth` (enable), `config` (config mode,
-- commit, save). The message ends with it in parentheses, as the core's details do.
function CLI:_fail(kind, op, code, message, extra)
  local stage = self._stage or "read"
  local fields = { host = self.host_name, op = op, code = code, stage = stage,
                   transcript = self._transcript }
  for k, v in pairs(extra or {}) do fields[k] = v end
  if self._slog then self._slog:note(op .. ": " .. message) end
  error(errors.new(kind, message .. " (" .. stage .. ")", fields), 3)
end

-- Runs fn(self, ...) in stage (the stage of any error it raises, unless an enclosing
-- operation set one: config's lines are sent in stage config).
local function in_stage(self, stage, fn, ...)
  if self._stage then return fn(self, ...) end
  self._stage = stage
  local r = table.pack(pcall(fn, self, ...))
  self._stage = nil
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

local function quote(s)
  s = s:gsub("\\", "\\\\"):gsub("\r", "\\r"):gsub("\n", "\\n"):gsub("\t", "\\t")
  s = s:gsub("[%c\127]", function(c) return string.format("\\x%02x", c:byte()) end)
  return '"' .. s:gsub('"', '\\"') .. '"'
end

local function tail(s)
  if #s > TAIL then s = s:sub(-TAIL) end
  return quote(s)
end

-- Low-level: write `send`, wait for one of `patterns`. Returns data, index, match_start.
function CLI:_expect(send, patterns, timeout, what)
  if send and #send > 0 then self:_record(">", send) end
  local data, which, mstart = self._raw:_expect(send or "", patterns, timeout or self.timeout)
  if not data then
    local code, msg = which, mstart
    local got = self._raw:_buffer()
    self:_record("<", got)
    if code == "ETIMEDOUT" then
      self:_fail("timeout", what, code, string.format(
        "no prompt within %g s after %s; received (last %d bytes): %s",
        timeout or self.timeout, what, TAIL, tail(got)), { received = normalize(got) })
    elseif code == "ECANCELED" then
      self:_fail("cancelled", what, code, "cancelled")
    end
    self:_fail(code == "ETOOBIG" and "command" or "channel", what, code,
               string.format("%s during %s; received (last %d bytes): %s", msg, what, TAIL,
                             tail(got)))
  end
  self:_record("<", data)
  return data, which, mstart
end

-- Finds the prompt after opening: the device usually prints one by itself; otherwise a
-- newline asks for it. Extra prompts (a login banner's, the answer to the newline) are
-- drained so the first command does not match a stale one.
function CLI:_find_prompt(timeout)
  local pats = { self.driver.prompt }
  local data, _, mstart = self._raw:_expect("", pats, math.min(timeout, 1.5))
  if data then
    self:_record("<", data)
  else
    data, _, mstart = self:_expect("\n", pats, timeout, "waiting for the first prompt")
  end
  while true do
    local more, _, ms = self._raw:_expect("", pats, 0.15)
    if not more then break end
    self:_record("<", more)
    data, mstart = more, ms
  end
  local prompt = normalize(data):match("([^\n]*)$") or ""
  prompt = prompt:gsub("%s+$", "")
  self.prompt = prompt
  self.last_prompt = prompt
  -- The hostname part: everything before the first of ( > # $ % or whitespace.
  local base = prompt:match("^([^%(>#%$%%%s]+)")
  if base and #base > 0 then
    -- Not anchored at ^: terminal escapes (bracketed paste, colours) may precede it.
    self._prompt_re = escape_re(base) .. [=[[^\r\n]{0,60}[>#$%]\s*$]=]
  else
    self._prompt_re = self.driver.prompt
  end
  return prompt
end

-- A CR or LF inside one command would make the device run several commands (a command
-- string built from data could smuggle "configure terminal" in): refused, naming the host
-- and the line, before anything is sent. Real multi-line payloads (a banner, a
-- certificate) are sent with opts.multiline = true or, in cli:config, as {multiline = text}.
local function check_one_line(self, op, line)
  if type(line) ~= "string" then
    self:_fail("command", op, "EINVAL", string.format("%s: a command must be a string, got %s", op, type(line)))
  end
  if line:find("[\r\n]") then
    self:_fail("command", op, "EINVAL", string.format(
      "%s: %s holds a line break (CR or LF) and would send several commands; send one " ..
      "line at a time, or a multi-line payload with {multiline = true}", op, quote(line)),
      { line = line })
  end
end

--- cli:send(cmd, {expect=, timeout=, confirm=, answer=, multiline=}) -> output without echo
-- and prompt. expect: a PCRE2 pattern to wait for instead of the prompt. confirm: answer
-- interactive confirmations ([confirm], Destination filename, [yes/no]) with `answer`
-- (default: Enter). multiline = true: cmd is a multi-line payload sent as it is (a banner,
-- a certificate); without it a CR or LF in cmd is an error.
function CLI:_send_in(cmd, opts)
  opts = opts or {}
  if not opts.multiline then check_one_line(self, "cli:send", cmd) end
  local timeout = opts.timeout or self.timeout
  local want = opts.expect or self._prompt_re
  local patterns = { want }
  local npaging = #self.driver.paging
  for _, p in ipairs(self.driver.paging) do patterns[#patterns + 1] = p end
  local first_confirm = #patterns + 1
  for _, p in ipairs(self.driver.confirm) do patterns[#patterns + 1] = p end
  local out, send = {}, cmd .. "\n"
  local what = string.format("'%s'", cmd)
  local stale = self._raw:_discard()
  if #stale > 0 then self:_record("<", stale) end
  while true do
    local data, which, mstart = self:_expect(send, patterns, timeout, what)
    if send == " " then
      -- After a page the device erases its --More-- (backspaces over it, or a carriage
      -- return and blanks): that erasure belongs to the marker already cut, not to the
      -- output before it.
      local n = #data
      data = data:gsub("^ *\b+ *\b*", ""):gsub("^\r +\r", ""):gsub("^\27%[K", "")
      mstart = mstart - (n - #data)
    end
    send = ""
    if which == 1 then
      out[#out + 1] = data:sub(1, mstart)
      self.last_prompt = (normalize(data):match("([^\n]*)$") or ""):gsub("%s+$", "")
      break
    elseif which <= 1 + npaging then
      out[#out + 1] = data:sub(1, mstart)
      send = " "
    else
      out[#out + 1] = data
      if not opts.confirm then
        self:_fail("command", what, "ECOMMAND", string.format(
          "the device asks for confirmation after %s: %s (pass confirm = true to answer)",
          what, tail(data:sub(mstart + 1))))
      end
      send = (opts.answer or self.driver.confirm_response or "") .. "\n"
    end
  end
  local text = normalize(table.concat(out))
  -- Strip the echo: the first line, when it repeats the command.
  local first, rest = text:match("^([^\n]*)\n?(.*)$")
  if first and (first:find(cmd, 1, true) or first:gsub("%s", "") == cmd:gsub("%s", "")) then
    text = rest
  end
  return text
end

function CLI:_privileged(prompt)
  if not prompt then return false end
  if self.driver.privileged then return self._re_match(self.driver.privileged, prompt) end
  return prompt:match("#%s*$") ~= nil
end

-- Whether the prompt says the shell is in unprivileged (user EXEC) mode: the platform's
-- privileged pattern does not match it, or without one, it ends with ">". A "$" or "%"
-- shell is not a Cisco-like CLI and is never asked to enable.
function CLI:_unprivileged(prompt)
  if not prompt or not self.driver.enable or not self.driver.enable.command then return false end
  if self.driver.privileged then return not self._re_match(self.driver.privileged, prompt) end
  return prompt:match(">%s*$") ~= nil
end

-- The reason the host has no usable enable secret, for messages.
function CLI:_no_secret_reason()
  if self._enable_secret_error then
    return "no enable secret (" .. self._enable_secret_error .. ")"
  end
  return "no enable secret (give the host enable_secret, enable_secret_env or enable_secret_file)"
end

-- The device's own words after a refused enable ("% Bad secrets", "% Access denied").
local function refusal(data)
  for line in normalize(data):gmatch("[^\n]+") do
    if line:match("^%%") then return line end
  end
  return nil
end

--- cli:enable([secret]) enters privileged mode when the prompt says it is not there.
-- Raises an `auth` error (op "enable") saying why when it cannot: the host's enable secret
-- could not be read, the device asks for one and the host has none, the device refused it,
-- or the prompt is still unprivileged afterwards.
function CLI:_enable_in(secret)
  local en = self.driver.enable
  if not en or not en.command then return end
  if self:_privileged(self.last_prompt) then return end
  secret = secret or self._enable_secret
  local data, which = self:_expect(en.command .. "\n", { en.password_prompt, self._prompt_re },
                                   self.timeout, "'" .. en.command .. "'")
  if which == 1 then
    if not secret then
      self._raw:_expect("\3", {}, 1) -- abandon the password prompt
      self:_fail("auth", "enable", "EAUTH", self:_no_secret_reason() .. "; the device asks for one")
    end
    data, which = self:_expect(secret .. "\n", { en.password_prompt, self._prompt_re },
                               self.timeout, "the enable secret")
    if which == 1 then
      local said = refusal(data)
      self._raw:_expect("\3", {}, 1) -- abandon the second password prompt
      self:_fail("auth", "enable", "EAUTH", "the device refused the enable secret" ..
                 (said and " (" .. said .. ")" or ""))
    end
  end
  local prompt = normalize(data):match("([^\n]*)$") or ""
  prompt = prompt:gsub("%s+$", "")
  self.last_prompt = prompt
  if not self:_privileged(prompt) then
    local said = refusal(data)
    self:_fail("auth", "enable", "EAUTH", "enable failed" ..
               (said and " (" .. said .. ")" or "") .. ": the prompt is still " .. quote(prompt))
  end
end

-- Config lines need privileged mode: a shell left unprivileged enters enable first (with
-- the host's secret, if any), so the failure is an `auth` error naming the cause, never the
-- device's "% Invalid input" on the first line.
function CLI:_ensure_privileged()
  if not self:_unprivileged(self.last_prompt) then return end
  if not self._enable_secret and self._enable_secret_error then
    self:_fail("auth", "enable", "EAUTH", self:_no_secret_reason() .. "; the shell is unprivileged (" ..
               quote(self.last_prompt) .. ")")
  end
  self:enable()
end

local function find_error(self, output)
  for line in output:gmatch("[^\n]+") do
    for _, marker in ipairs(self.driver.error_markers) do
      if self._re_match(marker, line) then return line end
    end
  end
  return nil
end

--- cli:config(lines, {timeout=}) enters config mode, sends each line, leaves config mode.
-- An error marker in the output raises a "command" error carrying the device's message
-- (config mode is left first). Returns the combined output.
--- cli:config(lines, opts) enters config mode, sends the lines, commits where the platform
-- needs it, and leaves. Raises a `command` error carrying the device's message on an error
-- marker. opts.confirmed = N (minutes): commit with the platform's commit-confirmed (an
-- error if it has none); opts.commit = false: leave the change uncommitted (Junos). cli:config({},
-- {commit = true}) only commits (confirming a pending commit-confirmed).
-- Under --check nothing is sent: the lines are recorded as what would be sent (the host
-- task's would_send). Inside nethost.run the host is marked changed before the first line
-- goes out, so a partly applied change is never retried silently.
-- A line may be a table {multiline = TEXT}: a payload sent whole (a banner's body with its
-- delimiter, a certificate); every other line must be one line (no CR or LF).
function CLI:_config_in(lines, opts)
  if type(lines) == "string" then
    local t = {}
    for l in lines:gmatch("[^\n]+") do t[#t + 1] = l:gsub("\r$", "") end
    lines = t
  end
  opts = opts or {}
  for _, line in ipairs(lines) do
    if type(line) ~= "table" then check_one_line(self, "cli:config", line)
    elseif type(line.multiline) ~= "string" then
      self:_fail("command", "cli:config", "EINVAL", "cli:config: a table line must be {multiline = text}")
    end
  end
  if hooks.check() then
    local task = hooks.task()
    local flat = {}
    for i, line in ipairs(lines) do flat[i] = type(line) == "table" and line.multiline or line end
    if task then task:record_would_send(flat) end
    return ""
  end
  local d = self.driver
  local commit = d.commit and d.commit ~= "" and d.commit or nil
  if opts.confirmed then
    if not d.commit_confirmed then
      self:_fail("command", "cli:config", "EINVAL",
                 "this platform has no commit confirmed; emulate it (see playbooks/push.lua)")
    end
    commit = string.format(d.commit_confirmed, math.tointeger(opts.confirmed) or 1)
  end
  if opts.commit == false then commit = nil end
  if lines[1] or opts.commit then self:_ensure_privileged() end
  local task = lines[1] and hooks.task()
  if task then task:mark_changed(#lines .. " config line(s)") end
  local outputs = {}
  if d.config_enter then outputs[#outputs + 1] = self:send(d.config_enter, opts) end
  local multi = setmetatable({ multiline = true }, { __index = opts })
  for _, item in ipairs(lines) do
    local line = type(item) == "table" and item.multiline or item
    local out = self:send(line, type(item) == "table" and multi or opts)
    outputs[#outputs + 1] = out
    local bad = find_error(self, out)
    if bad then
      if d.config_exit then pcall(self.send, self, d.config_exit, opts) end
      self:_fail("command", "cli:config", "ECOMMAND",
                 string.format("'%s' rejected: %s", line, bad),
                 { line = line, output = out, device_message = bad })
    end
  end
  if commit and (lines[1] or opts.commit) then
    local out = self:send(commit, opts)
    outputs[#outputs + 1] = out
    local bad = find_error(self, out)
    if bad then
      if d.config_exit then pcall(self.send, self, d.config_exit, opts) end
      self:_fail("command", "cli:config", "ECOMMAND", "commit failed: " .. bad,
                 { output = out, device_message = bad })
    end
  end
  if d.config_exit then outputs[#outputs + 1] = self:send(d.config_exit, opts) end
  return table.concat(outputs, "\n")
end

--- cli:save() saves the running configuration (answering the device's confirmations).
function CLI:_save_in(opts)
  local cmd = self.driver.save
  if not cmd then return "" end -- false or nil: the platform has no save step
  if hooks.check() then
    local task = hooks.task()
    if task then task:record_would_send(cmd) end
    return ""
  end
  self:_ensure_privileged()
  opts = opts or {}
  local o = { confirm = true, timeout = opts.timeout or self.timeout }
  local out = self:send(cmd, o)
  local bad = find_error(self, out)
  if bad then
    self:_fail("command", "cli:save", "ECOMMAND", "save failed: " .. bad, { output = out })
  end
  return out
end

function CLI:close()
  if self._raw then self._raw:_close() end
  if self._own_slog then
    self._own_slog:close()
    self._own_slog = nil
  end
end
CLI.__close = CLI.close
CLI.__gc = CLI.close

function CLI:send(cmd, opts) return in_stage(self, "read", CLI._send_in, cmd, opts) end
function CLI:enable(secret) return in_stage(self, "auth", CLI._enable_in, secret) end
function CLI:config(lines, opts) return in_stage(self, "config", CLI._config_in, lines, opts) end
function CLI:save(opts) return in_stage(self, "config", CLI._save_in, opts) end

local shell = { generic_driver = require("nethost.platform").generic }

-- Why a host's secret could not be read, from host:secret's error, without the host name
-- the enable error carries already: "enable_secret_env NAME is not set".
local function secret_error(e)
  local msg = type(e) == "table" and e.message or tostring(e)
  msg = msg:gsub("^host '[^']*': ", "")
  local what, var = msg:match("^(%S+_env) names the environment variable (%S+), which is not set")
  if what then return what .. " " .. var .. " is not set" end
  return msg
end

--- shell.open(session, {timeout=, width=, height=, platform=, enable=true|false}) -> cli:
--- what session:shell(opts) does.
function shell.open(self, opts)
  opts = opts or {}
  local host = self:host()
  local function field(k)
    local ok, v = pcall(function() return host[k] end)
    return ok and v or nil
  end
  local platform = opts.platform or field("platform")
  local info = self:info()
  local raw = self:_shell_open(opts.width, opts.height or 24,
                               opts.timeout or info.timeout)
  -- A secret of the host: host[name] (plain tables), else host:secret(name) (inventory
  -- hosts). Returns the secret, or nil and why it could not be read.
  local function secret(name)
    local v = field(name)
    if type(v) ~= "string" then
      local f = field("secret")
      if type(f) == "function" then
        local ok, s = pcall(f, host, name)
        if not ok then return nil, secret_error(s) end
        if type(s) == "string" then v = s end
      end
    end
    if type(v) == "string" then log.secret(v) end -- masked in transcripts and logs
    return type(v) == "string" and v or nil
  end
  secret("password")
  local enable_secret, enable_err = opts.secret, nil
  if not enable_secret then enable_secret, enable_err = secret("enable_secret") end
  local own_slog = nil
  local lg = slog.of(self)
  if not lg and slog.wanted() then
    own_slog = slog.new(info.name, nil)
    lg = own_slog
  end
  local cli = setmetatable({
    _raw = raw,
    _transcript = "",
    _slog = lg,
    _own_slog = own_slog,
    _enable_secret = enable_secret,
    _enable_secret_error = enable_err,
    _re_match = core.re_match,
    driver = platform_driver(platform),
    platform = platform,
    host_name = info.name,
    timeout = opts.timeout or info.timeout or 30,
    session = self,
  }, CLI)
  in_stage(cli, "prompt", CLI._find_prompt, opts.prompt_timeout or cli.timeout)
  for _, c in ipairs(cli.driver.on_open or {}) do in_stage(cli, "prompt", CLI.send, c) end
  if opts.enable ~= false and cli.driver.enable then
    if cli._enable_secret then
      cli:enable()
    elseif cli._enable_secret_error and cli:_unprivileged(cli.last_prompt) then
      -- The host was given an enable secret that cannot be read: say so now.
      in_stage(cli, "auth", CLI._ensure_privileged)
    end
  end
  return cli
end

return shell
