-- `nethost run --workers N`: the processes and the messages between them.
--
-- The coordinator (the process the user started) spawns N worker processes: the same
-- nethost executable, `nethost run` with the same playbook and options plus the hidden
-- `--worker K/N`, and a channel (core/channel.h) as descriptor 3. The coordinator only
-- coordinates (its loop stays free to hand out hosts and take results at once) unless every
-- worker has died; then it runs the remaining hosts itself. Each worker runs the playbook's main chunk as the
-- coordinator does; at its k-th top-level nethost.run it schedules nothing itself: it runs
-- the hosts the coordinator hands it and sends back each host's record. The scheduler
-- (concurrency, serial batches, exclusive pairs, max_fail) runs only in the coordinator
-- (nethost/run.lua), so every global rule holds as with one engine.
--
-- Messages are JSON lines:
--   coordinator -> worker  {"t":"host","run":k,"name":...}      run this host
--                          {"t":"cancel","run":k,"name":...,"reason":...}
--                          {"t":"end","run":k,"records":[...],"aborted":..,"abort_reason":..,
--                           "duration":..}  the merged results of run k, sent when the
--                          coordinator reaches run k+1: a worker never runs the main chunk
--                          past the coordinator's last nethost.run
--                          {"t":"secret","s":...}  another worker's secret (see below)
--   worker -> coordinator  {"t":"rec","run":k,"rec":{...}}     a host's result record
--                          {"t":"secret","s":...}  a secret the worker masks (log.secret),
--                          so the coordinator masks it in -o and on screen too
-- The end of the channel ends a worker at once (the coordinator finished, died or was
-- killed); the end of a worker's channel fails the hosts it was running (kind "worker").

local async = require("nethost.async")
local channel = require("nethost.channel")
local errors = require("nethost.error")
local json = require("nethost.json")
local log = require("nethost.log")

local workers = {}

-- Splits a byte stream into decoded JSON lines; calls on_message(msg) for each.
-- A long line (a run's results) arrives in many reads: its pieces wait in a list, joined
-- once its end has come.
local function line_reader(ch, on_message)
  local parts = {}
  while true do
    local data = ch:read()
    if not data then return end
    local start = 1
    while true do
      local nl = data:find("\n", start, true)
      if not nl then break end
      parts[#parts + 1] = data:sub(start, nl - 1)
      local line = table.concat(parts)
      parts = {}
      start = nl + 1
      local ok, msg = pcall(json.decode, line)
      if ok and type(msg) == "table" then on_message(msg) end
    end
    if start <= #data then parts[#parts + 1] = data:sub(start) end
  end
end

-- s with each byte that is not part of valid UTF-8 written as \xNN: JSON holds only UTF-8,
-- and device output (a banner, an error line) may be Latin-1.
local function utf8_safe(s)
  local out, i = {}, 1
  while true do
    local n, bad = utf8.len(s, i)
    if n then
      out[#out + 1] = s:sub(i)
      return table.concat(out)
    end
    out[#out + 1] = s:sub(i, bad - 1)
    out[#out + 1] = ("\\x%02X"):format(s:byte(bad))
    i = bad + 1
  end
end

-- A copy of v whose strings are valid UTF-8 and whose other values JSON cannot hold are
-- their text.
local function json_safe(v, depth)
  local t = type(v)
  if t == "string" then return utf8_safe(v) end
  if t == "number" or t == "boolean" or t == "nil" then return v end
  if t ~= "table" or depth > 100 then return utf8_safe(tostring(v)) end
  local copy = {}
  for k, x in pairs(v) do
    copy[type(k) == "string" and utf8_safe(k) or k] = json_safe(x, depth + 1)
  end
  return copy
end

-- A record as JSON; a value JSON cannot hold goes as its text, so a record always crosses:
-- a host whose record did not would never get one, and the run would wait for it for ever.
local function encode_record(rec)
  local ok, s = pcall(json.encode, rec)
  if ok then return s end
  ok, s = pcall(json.encode, json_safe(rec, 0))
  if ok then return s end
  local copy = {}
  for k, v in pairs(rec) do copy[k] = v end
  copy.value = rec.value ~= nil and utf8_safe(tostring(rec.value)) or nil
  ok, s = pcall(json.encode, copy)
  if ok then return s end
  return json.encode({ host = rec.host, status = "failed", elapsed = rec.elapsed,
                       error = { kind = "worker", message = "the host's record cannot be sent as JSON: "
                                 .. utf8_safe(tostring(s)) } })
end

local function send(ch, msg)
  local ok, s = pcall(json.encode, msg)
  if not ok then return nil, s end
  return ch:write(s .. "\n")
end
workers.send = send

-- The coordinator ------------------------------------------------------------------------

local Pool = {}
Pool.__index = Pool

-- The arguments a worker gets: the coordinator's `run` arguments without what only the
-- coordinator does (results file, metrics, log file, worker count), plus --worker K.
local DROP_WITH_VALUE = { ["-o"] = true, ["-w"] = true, ["--output"] = true, ["--metrics"] = true,
                          ["--log"] = true, ["--workers"] = true, ["--retry-failed"] = true }
local DROP_INLINE = { ["--output"] = true, ["--metrics"] = true, ["--log"] = true,
                      ["--workers"] = true, ["--retry-failed"] = true }

local function worker_args(args)
  local out, i = {}, 1
  while i <= #args do
    local a = args[i]
    if a == "--" then
      table.move(args, i, #args, #out + 1, out)
      break
    end
    local long = a:match("^(%-%-[%w-]+)=")
    if DROP_WITH_VALUE[a] then
      i = i + 1
    elseif not (long and DROP_INLINE[long]) then
      out[#out + 1] = a
    end
    i = i + 1
  end
  return out
end

--- workers.start(n, args, verbose) -> a pool of n worker processes. args: the
--- coordinator's `nethost run` arguments as given.
function workers.start(n, args, verbose)
  local exe = channel.exe()
  if not exe then error("--workers: cannot find the nethost executable", 0) end
  local pool = setmetatable({ workers = {}, engines = n, run = 0, local_engine = { load = 0 },
                              forwarded = {} },
                            Pool)
  local wargs = worker_args(args)
  for k = 1, n do
    local argv = { exe, "run", "--worker", ("%d/%d"):format(k, n) }
    table.move(wargs, 1, #wargs, #argv + 1, argv)
    local ch, e = channel.spawn(argv, verbose)
    if not ch then
      pool:close()
      error("--workers: " .. e, 0)
    end
    local w = { k = k, ch = ch, pid = ch:pid(), load = 0, inflight = {} }
    pool.workers[k] = w
    w.reader = async.spawn(function() pool:read_worker(w) end)
  end
  return pool
end

-- The worker's messages: host records go to the task waiting for them. When the channel
-- ends the worker is gone: the hosts it was running fail, and it gets no more.
function Pool:read_worker(w)
  line_reader(w.ch, function(msg)
    if msg.t == "secret" and type(msg.s) == "string" then
      log.secret(msg.s) -- before the record that may hold it: the channel keeps the order
      -- The other workers get this worker's records in "end" messages, and their main
      -- chunk may write them (stderr is the terminal's with -v): they mask it too, and
      -- get it before any "end" that holds it, as the channel keeps the order. Once per
      -- secret: a fleet's hosts mostly share one password.
      if not self.forwarded[msg.s] then
        self.forwarded[msg.s] = true
        for _, o in ipairs(self.workers) do
          if o ~= w and not o.dead then send(o.ch, { t = "secret", s = msg.s }) end
        end
      end
    elseif msg.t == "rec" and type(msg.rec) == "table" then
      local ctx = w.inflight[tostring(msg.run) .. "\0" .. tostring(msg.rec.host)]
      if ctx then ctx.reply:put(msg.rec) end
    end
  end)
  w.dead = true
  w.why = ("worker %d (pid %d) closed its channel"):format(w.k, w.pid)
  -- The channel usually ends just before the process's exit is reaped: wait a moment for
  -- the status, which says more than "closed".
  -- So does its stderr's end: the last lines it wrote come with it.
  local status = w.ch:exit_status()
  for _ = 1, 20 do
    if status and select(2, w.ch:stderr_tail()) then break end
    if not pcall(async.sleep, 0.05) then break end
    status = w.ch:exit_status()
  end
  if status then w.why = ("worker %d (pid %d) exited with status %d"):format(w.k, w.pid, status) end
  -- What the worker said last on stderr (unless -v showed it) says why it died: its last
  -- line goes into the hosts' error, the last lines into the log.
  local said = {}
  for line in w.ch:stderr_tail():gmatch("[^\n]+") do
    if line:find("%S") then said[#said + 1] = utf8_safe(line) end
  end
  if status ~= 0 and #said > 0 then
    w.why = ("%s (its stderr: %s)"):format(w.why, said[#said])
    log.error("worker %d (pid %d) ended; its last lines on stderr:\n  %s", w.k, w.pid,
              table.concat(said, "\n  ", math.max(1, #said - 9)))
  end
  local ctxs = {}
  for _, ctx in pairs(w.inflight) do ctxs[#ctxs + 1] = ctx end
  if #ctxs > 0 then log.error("%s while running %d host(s)", w.why, #ctxs) end
  for _, ctx in ipairs(ctxs) do ctx.reply:put(false) end
end

--- pool:begin_run() -> k: the k-th top-level nethost.run starts in the coordinator. The
--- workers get the results of the runs that ended before it now, so their main chunk goes
--- on to this one (and never past the coordinator's last run).
function Pool:begin_run()
  for _, line in ipairs(self.pending_ends or {}) do
    for _, w in ipairs(self.workers) do
      if not w.dead then w.ch:write(line) end
    end
  end
  self.pending_ends = {}
  self.run = self.run + 1
  return self.run
end

--- pool:end_run(k, res): run k's merged results, for the workers' nethost.run to return.
function Pool:end_run(k, res)
  local records = {}
  for rec in res:each() do records[#records + 1] = encode_record(rec) end
  local head = json.encode({ t = "end", run = k, aborted = res.aborted,
                             abort_reason = res.abort_reason and utf8_safe(tostring(res.abort_reason)),
                             duration = res.duration })
  self.pending_ends = self.pending_ends or {}
  -- The records are spliced in already encoded: one that JSON cannot hold must not stop
  -- the workers from getting the others.
  self.pending_ends[#self.pending_ends + 1] =
    head:sub(1, -2) .. ',"records":[' .. table.concat(records, ",") .. "]}\n"
end

--- pool:pick() -> the least loaded live worker, or pool.local_engine (the coordinator)
--- when every worker has died.
function Pool:pick()
  local best
  for _, w in ipairs(self.workers) do
    if not w.dead and (not best or w.load < best.load) then best = w end
  end
  return best or self.local_engine
end

--- pool:run_remote(w, ctx) -> the host's record from worker w, or nil, message when the
--- worker died. Raises (cancelled, timeout) as a local host task would; the worker is then
--- told to cancel the host.
function Pool:run_remote(k, w, ctx)
  local name = ctx.name
  -- A dead worker's hosts were all failed when its channel ended: one added now would
  -- wait for ever.
  if w.dead then return nil, w.why .. " before this host was sent" end
  local id = tostring(k) .. "\0" .. tostring(name)
  ctx.reply = async.queue()
  w.inflight[id] = ctx
  local ok, e = send(w.ch, { t = "host", run = k, name = name })
  if not ok and not w.dead then
    w.inflight[id] = nil
    return nil, ("worker %d (pid %d) cannot be reached: %s"):format(w.k, w.pid, tostring(e))
  end
  local gok, rec = pcall(ctx.reply.get, ctx.reply)
  w.inflight[id] = nil
  if not gok then
    if not w.dead then
      send(w.ch, { t = "cancel", run = k, name = name, reason = tostring(rec) })
    end
    error(rec, 0)
  end
  if not rec then return nil, w.why .. " while running this host" end
  return rec
end

--- pool:close(): ends every worker: their channel closes, which ends them; the
--- coordinator waits a moment to reap them (no zombie, and their CPU time is counted as
--- its children's), then a worker still running gets SIGTERM.
function Pool:close()
  local list = self.workers
  self.workers = {}
  for _, w in ipairs(list) do
    if w.reader then w.reader:cancel("the coordinator finished") end
    w.ch:hangup()
  end
  for _ = 1, 40 do
    local running = false
    for _, w in ipairs(list) do
      if not w.ch:exit_status() then running = true end
    end
    if not running or not pcall(async.sleep, 0.05) then break end
  end
  for _, w in ipairs(list) do w.ch:close() end
end

-- The worker -----------------------------------------------------------------------------

local Link = {}
Link.__index = Link

--- workers.connect(k, engines) -> the worker's link to its coordinator (descriptor 3).
--- The end of the channel ends the process.
function workers.connect(k, engines)
  local ch, e = channel.open(3)
  if not ch then error("--worker: " .. e, 0) end
  local link = setmetatable({ k = k, engines = engines, ch = ch, inboxes = {}, run = 0 }, Link)
  -- A secret a host task reads here (host:secret()) must be masked in what the coordinator
  -- writes too (-o, the summary), while the values stay as they are, as with one process.
  -- Each secret crosses once: every host reads its password, most hosts share one.
  local raw_secret, sent = log.secret, {}
  log.secret = function(v)
    raw_secret(v)
    if type(v) == "string" and not sent[v] then
      sent[v] = true
      send(ch, { t = "secret", s = v })
    end
  end
  link.reader = async.spawn(function()
    line_reader(ch, function(msg)
      if msg.t == "secret" and type(msg.s) == "string" then
        raw_secret(msg.s) -- another worker's, forwarded by the coordinator: not sent back
      elseif math.type(msg.run) == "integer" then
        link:inbox(msg.run):put(msg)
      end
    end)
    -- The coordinator is gone (finished, interrupted, killed): nothing here is of use.
    os.exit(0, false)
  end)
  return link
end

-- The queue of run k's messages (runs started at the same time by the main chunk each
-- have theirs).
function Link:inbox(k)
  local q = self.inboxes[k]
  if not q then
    q = async.queue()
    self.inboxes[k] = q
  end
  return q
end

function Link:begin_run()
  self.run = self.run + 1
  return self.run
end

--- link:next(k) -> the next message for run k.
function Link:next(k) return self:inbox(k):get() end

--- link:end_run(k): run k has returned; its queue goes.
function Link:end_run(k) self.inboxes[k] = nil end

--- link:send_record(k, rec): a finished host's record, as JSON; a value JSON cannot hold is
--- sent as its text.
function Link:send_record(k, rec)
  self.ch:write(('{"t":"rec","run":%d,"rec":%s}\n'):format(k, encode_record(rec)))
end

workers.is_error = errors.is

return workers
