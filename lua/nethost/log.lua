-- log: leveled log lines on stderr (and optionally a file), prefixed with the host a task
-- works on, with every registered secret masked.
--
--   log.info("pushed %d lines", n)      -> "[sw-0001] pushed 3 lines" inside a host task
--   log.warn / log.error / log.debug / log.trace
--   log.secret(s)                        -> s never appears in any log line again
--
-- Levels: error 1, warn 2, info 3, debug 4, trace 5. The default shows warnings; each -v
-- shows one level more. `--log FILE` writes info and above (or more with -v) to FILE.

local sys = require("nethost.sys")

local log = {}

local LEVELS = { "error", "warn", "info", "debug", "trace" }
log.level = 2
log.file_level = 3

local file
local secrets = {}   -- set of strings to mask
local nsecrets = 0
local hooks = {}     -- {before = fn, after = fn}: the progress line clears and redraws itself
local colour = sys.isatty(2) and (os.getenv("NO_COLOR") or "") == ""
local COLOURS = { "\27[31m", "\27[33m", "", "\27[2m", "\27[2m" }

-- Secrets shorter than this are not masked: hiding every "a" or "42" in the output would
-- garble it and still say what the secret is. log.secret warns about them once each.
local MIN_SECRET = 3
local short_warned = {}

-- The host the current task works on, if the runner bound one.
local function current_host()
  local ok, async = pcall(require, "nethost.async")
  if not ok then return nil end
  local l = async.current() and async.locals()
  local ctx = l and l.run_context
  return ctx and ctx.name
end

local function add_secret(s)
  if not secrets[s] then
    secrets[s] = true
    nsecrets = nsecrets + 1
  end
end

--- log.secret(s [, where]): masks s (a password, a token) in everything nethost writes from
--- then on: log lines, stdout and stderr (print, io.write, the summary, errors), results,
--- reports. Its escaped forms in JSON and CSV text are masked too. A secret shorter than 3
--- bytes is not masked: a warning on stderr says so once per secret, naming where (a host
--- and the secret's name, say) but never the secret.
function log.secret(s, where)
  if type(s) ~= "string" or s == "" or secrets[s] then return end
  if #s < MIN_SECRET then
    if not short_warned[s] then
      short_warned[s] = true
      where = where or current_host()
      io.stderr:write(("nethost: warning: %sa secret of %d byte(s) is too short to be masked " ..
                       "in the output (secrets of %d bytes or more are)\n"):format(
                       where and log.printable(where) .. ": " or "", #s, MIN_SECRET))
    end
    return
  end
  add_secret(s)
  local ok, json = pcall(require, "nethost.json")
  if ok then
    local enc = json.encode(s):sub(2, -2)
    if enc ~= s and #enc >= MIN_SECRET then add_secret(enc) end
  end
  local csv = s:gsub('"', '""')
  if csv ~= s then add_secret(csv) end
end

--- log.mask(text) -> text with every registered secret replaced by ***.
function log.mask(text)
  if nsecrets == 0 or type(text) ~= "string" then return text end
  for s in pairs(secrets) do
    if text:find(s, 1, true) then
      local out, i = {}, 1
      while true do
        local a, b = text:find(s, i, true)
        if not a then break end
        out[#out + 1] = text:sub(i, a - 1)
        out[#out + 1] = "***"
        i = b + 1
      end
      out[#out + 1] = text:sub(i)
      text = table.concat(out)
    end
  end
  return text
end

--- log.mask_value(v) -> v with every string in it (keys too) masked: a copy when v is a
--- table (for JSON payloads such as webhooks).
function log.mask_value(v, seen)
  if type(v) == "string" then return log.mask(v) end
  if type(v) ~= "table" or nsecrets == 0 then return v end
  seen = seen or {}
  if seen[v] then return seen[v] end
  local copy = {}
  seen[v] = copy
  for k, x in pairs(v) do copy[log.mask_value(k, seen)] = log.mask_value(x, seen) end
  return setmetatable(copy, getmetatable(v))
end

-- Everything the process writes on stdout and stderr from Lua goes through the mask: print,
-- io.write, io.stdout:write and io.stderr:write (the summary, errors raised after
-- nethost.run, a playbook's own prints). One place, so no exit point is forgotten.
do
  local fmt = getmetatable(io.stdout).__index
  local raw_write = fmt.write
  local stdout, stderr = io.stdout, io.stderr
  fmt.write = function(f, ...)
    if nsecrets > 0 and (f == stdout or f == stderr) then
      local n = select("#", ...)
      local args = { ... }
      for i = 1, n do
        if type(args[i]) == "string" then args[i] = log.mask(args[i]) end
      end
      return raw_write(f, table.unpack(args, 1, n))
    end
    return raw_write(f, ...)
  end
  local raw_iowrite = io.write
  io.write = function(...)
    if nsecrets == 0 or io.output() ~= stdout then return raw_iowrite(...) end
    return io.output():write(...)
  end
  local raw_print = print
  print = function(...)
    if nsecrets == 0 then return raw_print(...) end
    local n = select("#", ...)
    local args = { ... }
    for i = 1, n do args[i] = log.mask(tostring(args[i])) end
    return raw_print(table.unpack(args, 1, n))
  end
end

--- log.open(path): also write log lines to path (appending; created 0600).
function log.open(path)
  local f, e = require("nethost.fs").open(path, "a")
  if not f then error("--log: " .. e, 0) end
  -- Fully buffered and flushed after each line: a line-buffered stream loses the error of
  -- its own flush (fwrite reports success), an explicit flush reports it.
  f:setvbuf("full")
  file = f
  log.path = path
end

--- log.hook(before, after): called around every line written to stderr.
function log.hook(before, after)
  hooks.before, hooks.after = before, after
end

--- log.printable(s) -> s with control characters escaped (\x1b, \n as \x0a, ...): a host
--- name or a device's message shown on one line can then neither forge log lines nor
--- drive the terminal.
function log.printable(s)
  s = tostring(s)
  return (s:gsub("[%c\127]", function(c) return ("\\x%02x"):format(c:byte()) end))
end

-- Writes msg (already prefixed and masked) at level; timed: the time on stderr too.
local function emit(level, msg, timed)
  local to_stderr = level <= log.level
  local to_file = file and level <= math.max(log.level, log.file_level)
  local t = sys.time()
  local stamp = os.date("!%H:%M:%S", math.floor(t)) .. string.format(".%03d", math.floor(t % 1 * 1000))
  if to_stderr then
    if hooks.before then hooks.before() end
    local name = LEVELS[level]
    if timed then name = name .. " " .. stamp end
    if colour then
      io.stderr:write(COLOURS[level], name, level ~= 3 and "\27[0m" or "", ": ", msg, "\n")
    else
      io.stderr:write(name, ": ", msg, "\n")
    end
    if hooks.after then hooks.after() end
  end
  if to_file then
    local ok, e = file:write(os.date("!%Y-%m-%dT", math.floor(t)), stamp, "Z ", LEVELS[level], " ", msg, "\n")
    if ok then ok, e = file:flush() end
    if not ok and not log.write_error then
      -- Said once, now and again at exit (the run then exits 1): the log is incomplete.
      log.write_error = ("--log %s: cannot write the log: %s"):format(log.path, e or "write failed")
      io.stderr:write("nethost: ", log.write_error, "\n")
    end
  end
end

local function wanted(level)
  return level <= log.level or (file ~= nil and level <= math.max(log.level, log.file_level))
end

local function write(level, fmt, ...)
  if not wanted(level) then return end
  local ok, msg = pcall(string.format, fmt, ...)
  if not ok then msg = tostring(fmt) end
  local host = current_host()
  if host then msg = "[" .. log.printable(host) .. "] " .. msg end
  emit(level, log.mask(msg), false)
end

for i, name in ipairs(LEVELS) do
  log[name] = function(fmt, ...) write(i, fmt, ...) end
end

--- log.enabled(name) -> whether a line at that level would be written anywhere.
function log.enabled(name)
  for i, n in ipairs(LEVELS) do
    if n == name then return i <= log.level or (file ~= nil and i <= log.file_level) end
  end
  return false
end

--- log.transcript(host, line): one line of a device session's transcript
--- (nethost/session_log.lua, already masked), at debug level with the time: on stderr at
--- -vv, and in the --log file at -vv.
function log.transcript(host, line)
  if not wanted(4) then return end
  emit(4, "[" .. log.printable(host) .. "] " .. line, true)
end

-- The command line: -v/-q and --log.
table.insert(require("nethost.cli").setup_hooks, function(opts)
  log.level = math.min(5, 2 + (opts.verbose or 0))
  log.file_level = math.max(3, log.level)
  if opts.log then log.open(opts.log) end
end)

return log
