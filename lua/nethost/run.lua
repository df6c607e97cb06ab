-- nethost.run(hosts, fn, opts): runs fn(host) as one task per host, safely.
--
-- The calling task is the dispatcher: it starts host tasks while there is room (concurrency),
-- never two hosts sharing a value of the `exclusive` attribute at once, batch by batch
-- (`serial`), and stops starting hosts when the failure budget (`max_fail`) is spent; then,
-- with on_abort = "rollback", it runs the undo every changed host registered. Each host task
-- writes its own result line (-o results.jsonl) the moment it ends, so an interrupted run
-- loses nothing already done. See docs/running.md.

local async = require("nethost.async")
local errors = require("nethost.error")
local hooks = require("nethost.hooks")
local log = require("nethost.log")
local nethost = require("nethost.nethost")
local progress = require("nethost.progress")
local results = require("nethost.results")
local session_log = require("nethost.session_log")
local sys = require("nethost.sys")

local unpack = table.unpack

-- The host list ---------------------------------------------------------------------------

local function host_name(h)
  if type(h) == "string" then return h end
  return h.name or tostring(h)
end

local function host_list(hosts)
  if type(hosts) ~= "table" and type(hosts) ~= "userdata" then
    error("nethost.run: hosts must be an inventory or a list of hosts", 3)
  end
  local list = {}
  local ok, each = pcall(function() return hosts.each end)
  if ok and type(each) == "function" then
    for h in hosts:each() do list[#list + 1] = h end
  else
    for i, h in ipairs(hosts) do list[i] = h end
  end
  return list
end

-- attribute(host, "pair") / attribute(host, "data.site"): the host's own field, then its data.
local function attribute(host, name)
  if not name:find(".", 1, true) then
    local v = host[name]
    if v == nil then
      local data = host.data
      if data then v = data[name] end
    end
    return v
  end
  local v = host
  for part in name:gmatch("[^.]+") do
    if v == nil then return nil end
    v = v[part]
  end
  return v
end

-- Options -------------------------------------------------------------------------------

-- "10%" of n, at least 1; a number as it is.
local function amount(spec, n, what)
  if type(spec) == "string" and math.tointeger(tonumber(spec)) then spec = math.tointeger(tonumber(spec)) end
  if math.type(spec) == "integer" and spec >= 0 then return spec end
  if type(spec) == "number" and spec > 0 and spec < 1 then return math.max(1, math.ceil(spec * n)) end
  local pct = type(spec) == "string" and tonumber(spec:match("^%s*([%d.]+)%s*%%%s*$"))
  if pct then return math.max(1, math.ceil(pct * n / 100)) end
  error(("nethost.run: %s must be a count or a percentage like \"10%%\", not %s"):format(
    what, tostring(spec)), 4)
end

-- serial -> a list of batch sizes covering n hosts: 5, "20%", or {1, "10%", "50%"} (the last
-- size repeats).
local function batch_sizes(serial, n)
  if serial == nil then return { n } end
  local steps = type(serial) == "table" and serial or { serial }
  if #steps == 0 then error("nethost.run: serial is an empty list", 3) end
  local sizes, covered, i = {}, 0, 1
  while covered < n do
    local size = math.max(1, amount(steps[math.min(i, #steps)], n, "serial"))
    size = math.min(size, n - covered)
    sizes[#sizes + 1] = size
    covered = covered + size
    i = i + 1
  end
  return sizes
end

-- The failure budget: trips when failures exceed max_fail (a count, or a percentage of the
-- run). A percentage also trips early when the failure rate of the hosts finished so far
-- exceeds it, but only once min_sample hosts have finished, so one early failure out of
-- 1,000 does not trip a 5% budget.
local function make_budget(max_fail, min_sample, n)
  if max_fail == nil then return nil end
  local pct = type(max_fail) == "string" and tonumber(max_fail:match("^%s*([%d.]+)%s*%%%s*$"))
  if pct then
    return { count = math.floor(pct * n / 100), rate = pct / 100, spec = max_fail,
             min_sample = min_sample or math.min(n, math.max(10, math.ceil(n / 10))) }
  end
  return { count = amount(max_fail, n, "max_fail"), spec = max_fail }
end

local function budget_spent(b, failed, finished)
  if not b then return nil end
  if failed > b.count then
    return ("%d host(s) failed, more than max_fail %s allows"):format(failed, tostring(b.spec))
  end
  if b.rate and finished >= b.min_sample and failed / finished > b.rate then
    return ("%d of the first %d hosts failed (%.1f%%), over max_fail %s"):format(
      failed, finished, failed / finished * 100, b.spec)
  end
  return nil
end

local RETRYABLE = { connect = true, resolve = true, banner = true }

-- The host a task receives: a proxy with the inventory host's fields and methods (called with
-- the real host as self) plus the run's own methods. One metatable serves every proxy; the
-- proxy's context is found in a weak map, so a proxy costs one table.
local proxy_ctx = setmetatable({}, { __mode = "k" })
local Proxy = { __name = "nethost.runhost" }
local own_methods = {
  on_rollback = function(proxy, fn)
    if type(fn) ~= "function" then error("host:on_rollback: needs a function", 2) end
    local ctx = proxy_ctx[proxy]
    ctx.undo = ctx.undo or {}
    ctx.undo[#ctx.undo + 1] = fn
  end,
  changed = function(proxy, what) proxy_ctx[proxy]:mark_changed(what) end,
  -- host:diff(text): the unified diff of the change, kept as the record's `diff` field.
  diff = function(proxy, text)
    if text ~= nil and type(text) ~= "string" then error("host:diff: needs a string", 2) end
    proxy_ctx[proxy].diff = text ~= "" and text or nil
  end,
}

function Proxy.__index(proxy, k)
  local v = own_methods[k]
  if v ~= nil then return v end
  local ctx = proxy_ctx[proxy]
  local host = ctx.host
  v = host[k]
  if type(v) ~= "function" then return v end
  local cache = ctx.methods
  if not cache then
    cache = {}
    ctx.methods = cache
  end
  local w = cache[k]
  if not w then
    if k == "secret" then
      -- Whatever secret a task reads is masked in every log line from then on.
      w = function(self, ...)
        if self == proxy then self = host end
        local value = v(self, ...)
        log.secret(value, tostring(ctx.name) .. ": " .. tostring((...)))
        return value
      end
    else
      w = function(self, ...)
        if self == proxy then self = host end
        return v(self, ...)
      end
    end
    cache[k] = w
  end
  return w
end

function Proxy.__tostring(proxy) return tostring(proxy_ctx[proxy].name) end

-- pairs(host) in a task lists the inventory host's fields (a template's variables, say).
function Proxy.__pairs(proxy) return next, proxy_ctx[proxy].host, nil end

-- A host's context in a run: its record, proxy, undo list, changes.
local Ctx = {}
Ctx.__index = Ctx

-- A context is the recorder hooks.task() hands to the modules that act on devices.
function Ctx:mark_changed(what)
  -- false: the playbook compared the configuration before and after and found it the same
  -- (lines sent that were already there); the host is "ok", not "changed".
  if what == false then
    self.changed, self.changes = false, nil
    return
  end
  self.changed = true
  if what ~= nil then
    self.changes = self.changes or {}
    self.changes[#self.changes + 1] = what
  end
end

function Ctx:record_would_send(lines)
  local list = self.would_send or {}
  self.would_send = list
  if type(lines) == "table" then
    for _, l in ipairs(lines) do list[#list + 1] = l end
  else
    list[#list + 1] = tostring(lines)
  end
end

-- The host's device session transcripts (nethost/session_log.lua), kept for a failed host's
-- record (transcript_tail): its last TRANSCRIPT_TAIL lines. The pieces of text are kept as
-- they came, the last TRANSCRIPT_TAIL of them (each has a line at least, so they hold the
-- last lines), and split into lines only for a failed host: a host that succeeds pays for
-- no splitting or escaping of its output.
local TRANSCRIPT_TAIL = 20
function Ctx:record_transcript(dir, text)
  local t = self.transcript
  if not t then
    t = { n = 0, dirs = {} }
    self.transcript = t
  end
  t.n = t.n + 1
  local k = (t.n - 1) % TRANSCRIPT_TAIL + 1
  t[k], t.dirs[k] = text, dir
end

local function transcript_tail(ctx)
  local t = ctx.transcript
  if not t then return nil end
  local lines = {}
  for i = math.max(1, t.n - TRANSCRIPT_TAIL + 1), t.n do
    local k = (i - 1) % TRANSCRIPT_TAIL + 1
    session_log.tail_lines(t.dirs[k], t[k], lines)
  end
  local out = {}
  for i = math.max(1, #lines - TRANSCRIPT_TAIL + 1), #lines do out[#out + 1] = lines[i] end
  return out
end

function Ctx:add_timing(phase, seconds)
  local t = self.timings or {}
  self.timings = t
  t[phase] = (t[phase] or 0) + seconds
end

local function new_ctx(host, rec, key)
  local ctx = setmetatable({ host = type(host) == "string" and { name = host } or host,
                             name = rec.host, rec = rec, key = key, changed = false }, Ctx)
  local proxy = setmetatable({}, Proxy)
  proxy_ctx[proxy] = ctx
  ctx.proxy = proxy
  return ctx
end

-- Error objects become records that serialise (no functions or userdata; tracebacks are
-- kept) and still print as the one-line error they came from.
local error_mt = getmetatable(errors.new("error", ""))
local function error_record(e, traceback)
  local r
  if errors.is(e) then
    r = {}
    for k, v in pairs(e) do
      if type(v) ~= "function" and type(v) ~= "userdata" then r[k] = v end
    end
    r.message = r.message or tostring(e)
  else
    r = { kind = "error", message = tostring(e), traceback = traceback }
  end
  return setmetatable(r, error_mt)
end

-- Output --------------------------------------------------------------------------------

local function open_output(path)
  if not path then return nil end
  local format = nethost.output_format(path)
  if format == "html" then
    -- The HTML report is written when the playbook ends, with every run and table in it.
    return { format = "html", path = path, html = require("nethost.html_report") }
  end
  local f, e = require("nethost.fs").open(path, "w") -- 0600: results hold device data
  if not f then error("-o: " .. e, 0) end
  return { file = f, format = format, path = path, json = require("nethost.json"),
           written = setmetatable({}, { __mode = "k" }) }
end

local OUTPUT_FORMATS = { jsonl = true, json = true, csv = true, html = true }

--- nethost.output_format(path) -> "jsonl"|"json"|"csv"|"html" by the path's extension;
--- raises a one-line message for any other.
function nethost.output_format(path)
  local ext = tostring(path):match("%.(%w+)$")
  if not OUTPUT_FORMATS[ext] then
    error(("-o %s: unknown format%s (use .jsonl, .json, .csv or .html)"):format(
      path, ext and (" ." .. ext) or ""), 0)
  end
  return ext
end

local function encode(out, v)
  local ok, s = pcall(out.json.encode, v)
  if ok then return s end
  -- The task returned something JSON cannot hold: keep its text form rather than lose it.
  local copy = {}
  for k, x in pairs(v) do copy[k] = x end
  copy.value = tostring(v.value)
  ok, s = pcall(out.json.encode, copy)
  return ok and s or out.json.encode({ host = v.host, status = v.status })
end

-- Writes to the results file (secrets masked), keeping the first failure (a full disk, /dev/full): the run
-- reports it and exits 1. Nothing already written is touched.
local function out_write(out, ...)
  if out.failed then return end
  local ok, e = out.file:write(log.mask(table.concat({ ... })))
  if ok then ok, e = out.file:flush() end
  if not ok then out.failed = e or "write failed" end
end

local function stream_record(out, rec)
  if out and out.format == "jsonl" and not out.written[rec] then
    out.written[rec] = true
    out_write(out, encode(out, rec), "\n")
  end
end

local CSV_FIELDS = { "host", "status", "elapsed", "attempts", "error_kind", "error", "value" }

local function csv_cell(v)
  v = v == nil and "" or tostring(v)
  if v:find('[,"\r\n]') then v = '"' .. v:gsub('"', '""') .. '"' end
  return v
end

local function close_output(out, res, label)
  if not out then return end
  if out.format == "html" then return out.html.add_run(out.path, res, label) end
  local f, summary = out.file, res:summary()
  summary.failures_by_kind = {}
  for _, k in ipairs(summary.failures) do summary.failures_by_kind[k.kind] = k.count end
  summary.failures = nil
  if out.format == "jsonl" then
    for rec in res:each() do stream_record(out, rec) end
    out_write(out, out.json.encode({ summary = summary }), "\n")
  elseif out.format == "json" then
    local list = {}
    for rec in res:each() do list[#list + 1] = rec end
    out_write(out, out.json.encode({ results = list, summary = summary }), "\n")
  else
    out_write(out, table.concat(CSV_FIELDS, ","), "\n")
    for rec in res:each() do
      local value = rec.value
      if type(value) == "table" then
        local ok, s = pcall(out.json.encode, value)
        value = ok and s or tostring(value)
      end
      local row = { rec.host, rec.status, rec.elapsed and ("%.3f"):format(rec.elapsed),
                    rec.attempts, rec.error and rec.error.kind, rec.error and rec.error.message,
                    value }
      for i = 1, #CSV_FIELDS do row[i] = csv_cell(row[i]) end
      out_write(out, table.concat(row, ","), "\n")
    end
  end
  local ok, e = f:close()
  if not ok and not out.failed then out.failed = e or "write failed" end
  if out.failed then
    nethost.write_error = ("-o %s: cannot write the results: %s"):format(out.path, out.failed)
    io.stderr:write("nethost: ", nethost.write_error, "\n")
  end
end

-- --retry-failed FILE: each host's status in an earlier run's results (.jsonl, streamed,
-- or .json). A killed run leaves no record for the hosts it had not finished: those run
-- again with the failed and aborted ones.
local function statuses_in(path)
  local status = {}
  for _, rec in ipairs(results.read(path, "--retry-failed", true)) do status[rec.host] = rec.status end
  return status
end

-- The run ---------------------------------------------------------------------------------

-- A failure's traceback is kept for plain Lua errors (a bug in the playbook), not for error
-- objects (an operational failure, already explained by its message).
local function keep_traceback(e)
  if errors.is(e) then return e end
  return { plain = e, traceback = debug.traceback(nil, 2) }
end

local function call_with_timeout(run, proxy)
  return async.timeout(run.timeout, run.fn, proxy)
end

-- Runs one host: attempts (retrying connect failures that changed nothing), timeout,
-- status. Never raises; puts the context on run.done when finished.
local function host_main(run, ctx)
  local rec, proxy = ctx.rec, ctx.proxy
  rec.started = sys.time()
  local t0 = async.now()
  while true do
    rec.attempts = (rec.attempts or 0) + 1
    local ok, v
    if run.timeout then
      ok, v = xpcall(call_with_timeout, keep_traceback, run, proxy)
    else
      ok, v = xpcall(run.fn, keep_traceback, proxy)
    end
    if ok then
      rec.value = v
      rec.status = ctx.changed and "changed" or "ok"
      break
    end
    local e, traceback = v, nil
    if not errors.is(e) then e, traceback = v.plain, v.traceback end
    local kind = errors.is(e) and e.kind
    if kind == "skip" then
      rec.status, rec.reason = "skipped", e.message
      break
    elseif kind == "cancelled" then
      rec.status, rec.error = "aborted", error_record(e)
      break
    end
    if kind == "timeout" and e.op == "async.timeout" and run.timeout then
      -- The stage and partial output of what it interrupted stay on the error (l_ssh.c).
      e.message = ("host task timed out after %g s%s"):format(run.timeout,
                                                            e.stage and " (" .. e.stage .. ")" or "")
    end
    if kind and not e.host then e.host = rec.host end
    local stage = kind and (e.stage or kind)
    if RETRYABLE[stage] and not ctx.changed and rec.attempts <= run.retries and not run.aborted then
      local delay = run.retry_delay * 2 ^ (rec.attempts - 1) * (0.75 + math.random() / 2)
      log.info("%s; retry %d of %d in %.1f s", tostring(e), rec.attempts, run.retries, delay)
      if not pcall(async.sleep, delay) then
        rec.status, rec.error = "aborted", error_record(e)
        break
      end
    else
      rec.status, rec.error = "failed", error_record(e, traceback)
      log.info("failed: %s", tostring(e))
      break
    end
  end
  rec.elapsed = async.now() - t0
  rec.changes, rec.would_send, rec.timings = ctx.changes, ctx.would_send, ctx.timings
  rec.diff = ctx.diff
  if rec.status == "failed" or rec.status == "aborted" then rec.transcript_tail = transcript_tail(ctx) end
  if run.closed then return end -- the dispatcher was interrupted and recorded this host
  stream_record(run.out, rec)
  run.done:put(ctx)
end

-- Runs one host in a worker process (--workers N, nethost/workers.lua) and copies the
-- record it sends back. Cancelled (Ctrl-C, cancel_on_abort, an outer timeout), the host is
-- recorded aborted at once and the worker is told to stop it; a worker that dies fails the
-- host with kind "worker". Like host_main, never raises.
local function remote_main(run, ctx, w)
  local rec = ctx.rec
  if w.dead then
    -- Its worker died between the pick and now: the host was never sent, so it starts
    -- on another engine.
    w.load = w.load - 1
    w = run.pool:pick()
    w.load = w.load + 1
    ctx.engine = w
    if w == run.pool.local_engine then return host_main(run, ctx) end
  end
  rec.started = sys.time()
  local t0 = async.now()
  local ok, got, why = pcall(run.pool.run_remote, run.pool, run.k, w, ctx)
  if not ok then
    rec.status, rec.error = "aborted", error_record(got)
  elseif not got then
    rec.status = "failed"
    rec.error = error_record(errors.new("worker", why, { host = rec.host }))
  else
    for k, v in pairs(got) do
      if k ~= "host" then rec[k] = v end
    end
    if type(rec.error) == "table" then setmetatable(rec.error, error_mt) end
    if rec.status == "pending" then rec.status = "failed" end
  end
  rec.elapsed = rec.elapsed or async.now() - t0
  if run.closed then return end
  stream_record(run.out, rec)
  run.done:put(ctx)
end

local function count(run, rec)
  local c = run.counts
  c[rec.status] = (c[rec.status] or 0) + 1
end

-- /metrics (--metrics ADDR:PORT): the hosts of the run, refreshed as hosts start and end.
local metrics = require("nethost.metrics")
local function export_metrics(run, rec)
  if not metrics.serving() then return end
  local l = { run = run.label or "run" }
  metrics.set("nethost_run_hosts", run.total, l, "Hosts in the run.")
  metrics.set("nethost_run_hosts_in_flight", run.nrunning, l, "Hosts being worked on now.")
  if rec then
    local ls = { run = l.run, status = rec.status }
    metrics.inc("nethost_run_hosts_done_total", 1, ls, "Hosts finished, by status.")
    if rec.elapsed then
      metrics.observe("nethost_host_duration_seconds", rec.elapsed, ls,
                      "Time a host's task took, by status.")
    end
  end
end

-- Runs the registered undos of every changed host, with the run's concurrency.
local function rollback_all(run)
  local todo = run.undo
  if #todo == 0 then return end
  log.warn("rolling back %d changed host(s)", #todo)
  local sem = async.semaphore(run.concurrency)
  local jobs = {}
  for i, ctx in ipairs(todo) do
    jobs[i] = function()
      sem:with(function()
        local t = async.spawn(function()
          for j = #ctx.undo, 1, -1 do ctx.undo[j](ctx.proxy) end
        end)
        async.locals(t, { run_context = ctx })
        local ok, e = pcall(t.wait, t)
        ctx.rec.rollback = ok and { status = "ok" } or { status = "failed", error = error_record(e) }
        if not ok then log.error("%s: rollback failed: %s", ctx.name, tostring(e)) end
      end)
    end
  end
  async.gather(jobs)
end

-- A FIFO for the dispatcher: hosts ready to start, in order.
local function fifo() return { first = 1, last = 0 } end
local function push(q, v) q.last = q.last + 1; q[q.last] = v end
local function pop(q)
  local i = q.first
  if i > q.last then return nil end
  local v = q[i]
  q[i] = nil
  q.first = i + 1
  return v
end

-- --retry-failed FILE: of list, the hosts that failed or were aborted in the earlier run,
-- and those with no record there (a killed run never wrote them).
local function only_failed(list, path)
  local status = statuses_in(path)
  local kept, failed, missing = {}, 0, 0
  for _, h in ipairs(list) do
    local st = status[host_name(h)]
    if st == nil then
      missing = missing + 1
    elseif st == "failed" or st == "aborted" or st == "pending" then
      failed = failed + 1
    end
    if st == nil or st == "failed" or st == "aborted" or st == "pending" then kept[#kept + 1] = h end
  end
  log.warn("--retry-failed: running %d host(s): %d failed or aborted in %s, %d with no record there",
           #kept, failed, path, missing)
  return kept
end

-- The run's state: the hosts, their result records (all "pending"), the dispatcher's
-- bookkeeping, and the output file.
local function new_run(list, fn, opts, o)
  local run = {
    fn = fn, total = #list, label = opts.name, opts = opts, list = list, res = results.new(),
    concurrency = opts.concurrency or o.concurrency or 100,
    timeout = opts.timeout, retries = opts.retries or o.retries or 0, retry_delay = opts.retry_delay or 1,
    exclusive = opts.exclusive, started = async.now(), done = async.queue(),
    counts = { ok = 0, changed = 0, failed = 0, skipped = 0, aborted = 0 },
    running = {}, nrunning = 0, aborted = false, undo = {},
    busy = {},     -- exclusive key -> true while a host holding it runs
    deferred = {}, -- exclusive key -> FIFO of hosts waiting for it
    out = open_output(opts.output == nil and o.output or opts.output or nil),
  }
  for _, h in ipairs(list) do run.res:add({ host = host_name(h), status = "pending" }) end
  return run
end

local function start_host(run, ctx)
  if ctx.key ~= nil then run.busy[ctx.key] = true end
  local t
  if run.pool then
    -- --workers N: the least loaded engine runs it, this process or a worker.
    local engine = run.pool:pick()
    engine.load = engine.load + 1
    ctx.engine = engine
    if engine == run.pool.local_engine then
      t = async.spawn(host_main, run, ctx)
    else
      t = async.spawn(remote_main, run, ctx, engine)
    end
  else
    t = async.spawn(host_main, run, ctx)
  end
  async.locals(t, { run_context = ctx })
  ctx.task = t
  run.running[ctx] = true
  run.nrunning = run.nrunning + 1
  export_metrics(run)
end

-- Whether the failure budget is spent; if so the run aborts (no new host starts).
local function check_budget(run)
  local c, res = run.counts, run.res
  local reason = budget_spent(run.budget, c.failed, c.ok + c.changed + c.failed)
  if reason then
    run.aborted, res.aborted, res.abort_reason = true, true, reason
    log.error("failure budget spent: %s; no new host starts", reason)
  end
  return reason
end

local function finish_host(run, ctx)
  run.running[ctx] = nil
  run.nrunning = run.nrunning - 1
  ctx.task = nil
  if ctx.engine then ctx.engine.load = ctx.engine.load - 1 end
  count(run, ctx.rec)
  export_metrics(run, ctx.rec)
  if ctx.undo then run.undo[#run.undo + 1] = ctx end
  if ctx.key ~= nil then run.busy[ctx.key] = nil end
  if run.budget and not run.aborted then
    local reason = check_budget(run)
    if reason and run.opts.cancel_on_abort then
      for other in pairs(run.running) do other.task:cancel("the run aborted: " .. reason) end
    end
  end
end

-- The next host of the batch that may start now, or nil. A host whose exclusive key is
-- busy waits in that key's FIFO; hosts whose key was just freed go first.
local function next_host(run, batch)
  local ctx = pop(batch.unblocked)
  if ctx then return ctx end
  while batch.index <= batch.last do
    local i = batch.index
    batch.index = i + 1
    local h = run.list[i]
    local key = run.exclusive and attribute(h, run.exclusive)
    ctx = new_ctx(h, run.res.records[i], key)
    if key == nil or not run.busy[key] then return ctx end
    local d = run.deferred[key]
    if not d then
      d = fifo()
      run.deferred[key] = d
    end
    push(d, ctx)
  end
  return nil
end

-- A finished host frees its exclusive key: the first host waiting for it may start.
local function release_key(run, batch, ctx)
  local d = ctx.key ~= nil and run.deferred[ctx.key]
  if d then
    push(batch.unblocked, pop(d))
    if d.first > d.last then run.deferred[ctx.key] = nil end
  end
end

-- Runs hosts first..last (one batch) under the concurrency limit until all have finished.
local function run_batch(run, first, last)
  local batch = { index = first, last = last, unblocked = fifo() }
  while true do
    while not run.aborted and run.nrunning < run.concurrency do
      local ctx = next_host(run, batch)
      if not ctx then break end
      start_host(run, ctx)
    end
    if run.nrunning == 0 then return end
    local ctx = run.done:get()
    finish_host(run, ctx)
    release_key(run, batch, ctx)
  end
end

-- The dispatcher: batch after batch, checking the failure budget between batches.
local function dispatch(run)
  local first = 1
  for b, size in ipairs(run.sizes) do
    run.batch = b
    run_batch(run, first, first + size - 1)
    first = first + size
    if run.aborted then break end
    if run.budget and b < #run.sizes and check_budget(run) then break end
  end
end

-- The dispatcher itself was interrupted (Ctrl-C, an outer timeout): stop every host and
-- record it, so the results written say exactly what happened.
local function interrupted(run, err)
  local res = run.res
  run.aborted, res.aborted = true, true
  res.abort_reason = res.abort_reason or tostring(err)
  for ctx in pairs(run.running) do
    ctx.task:cancel("the run was interrupted")
    if ctx.rec.status == "pending" then
      ctx.rec.status, ctx.rec.error = "aborted", error_record(err)
    end
  end
end

-- Hosts that never started end as aborted, with the reason.
local function abort_unstarted(run)
  local res = run.res
  for rec in res:each() do
    if rec.status == "pending" then
      rec.status = "aborted"
      rec.reason = "not started: " .. tostring(res.abort_reason)
      count(run, rec)
    end
  end
end

-- The worker pool of --workers N when this nethost.run is one the workers take part in:
-- called by the main chunk (not from inside a host task, where it runs where that host
-- runs).
local function top_level_pool()
  local w = package.loaded["nethost.workers"]
  return w and w.pool and not nethost.context() and w.pool or nil
end

local function run_hosts(hosts, fn, opts)
  local o = nethost.options or {}
  local pool = top_level_pool()
  local k = pool and pool:begin_run()
  local list = host_list(hosts)
  if o.retry_failed and opts.retry_failed ~= false then list = only_failed(list, o.retry_failed) end
  local run = new_run(list, fn, opts, o)
  if math.type(run.concurrency) ~= "integer" or run.concurrency < 1 then
    error("nethost.run: concurrency must be a positive integer", 3)
  end
  if run.timeout ~= nil and (type(run.timeout) ~= "number" or not (run.timeout > 0)) then
    error("nethost.run: timeout must be a positive number of seconds", 3)
  end
  run.budget = make_budget(opts.max_fail, opts.min_sample, #list)
  run.sizes = batch_sizes(opts.serial, #list)
  run.batches = #run.sizes
  -- Undo functions live in the engine that ran the host: a run that may roll back runs
  -- in this process only.
  run.k = k
  if pool and opts.on_abort ~= "rollback" then run.pool = pool end
  if opts.connect_rate then
    local has_ssh, ssh = pcall(require, "nethost.ssh")
    -- With workers each engine takes its share, so the total holds.
    local rate = run.pool and opts.connect_rate / pool.engines or opts.connect_rate
    if has_ssh and ssh.connect_rate then ssh.connect_rate(rate) end
  end
  local display = (not o.quiet and opts.progress ~= false and #list > 0) and progress.start(run)

  local ok, err = pcall(dispatch, run)
  if not ok then interrupted(run, err) end
  abort_unstarted(run)
  if ok and run.aborted and opts.on_abort == "rollback" then
    local rok, rerr = pcall(rollback_all, run)
    if not rok then log.error("rollback stopped: %s", tostring(rerr)) end
  end
  local res = run.res
  res.duration = async.now() - run.started
  run.closed = true
  if display then display.stop() end
  close_output(run.out, res, run.label)
  if pool then pool:end_run(k, res) end
  if not ok then error(err, 0) end
  return res
end

-- A worker's part of the k-th top-level nethost.run (--workers N): run the hosts the
-- coordinator sends, send back each record, and return the results the coordinator
-- merged, so the main chunk goes on exactly as in the coordinator.
local function worker_run(link, hosts, fn, opts)
  local k = link:begin_run()
  local by_name = {}
  for _, h in ipairs(host_list(hosts)) do by_name[host_name(h)] = h end
  local o = nethost.options or {}
  local run = { fn = fn, timeout = opts.timeout, retries = opts.retries or o.retries or 0,
                retry_delay = opts.retry_delay or 1, exclusive = opts.exclusive, running = {} }
  run.done = { put = function(_, ctx)
    run.running[ctx.name] = nil
    link:send_record(k, ctx.rec)
  end }
  if opts.connect_rate then
    local has_ssh, ssh = pcall(require, "nethost.ssh")
    if has_ssh and ssh.connect_rate then ssh.connect_rate(opts.connect_rate / link.engines) end
  end
  while true do
    local msg = link:next(k)
    if msg.t == "host" then
      local h = by_name[msg.name]
      if h == nil then
        link:send_record(k, { host = msg.name, status = "failed", error = {
          kind = "worker", message = ("worker %d has no host %s in this nethost.run (its main chunk built another host list)"):format(
            link.k, tostring(msg.name)) } })
      else
        local ctx = new_ctx(h, { host = msg.name, status = "pending" },
                            run.exclusive and attribute(h, run.exclusive))
        local t = async.spawn(host_main, run, ctx)
        async.locals(t, { run_context = ctx })
        ctx.task = t
        run.running[msg.name] = ctx
      end
    elseif msg.t == "cancel" then
      local ctx = run.running[msg.name]
      if ctx then ctx.task:cancel(msg.reason or "the run was interrupted") end
    elseif msg.t == "end" then
      link:end_run(k)
      run.closed = true
      for _, ctx in pairs(run.running) do ctx.task:cancel("the run ended") end
      local res = results.new()
      for _, rec in ipairs(msg.records or {}) do
        if type(rec.error) == "table" then setmetatable(rec.error, error_mt) end
        res:add(rec)
      end
      res.aborted, res.abort_reason, res.duration = msg.aborted or false, msg.abort_reason, msg.duration
      return res
    end
  end
end

--- nethost.run(hosts, fn, opts) -> results (see docs/running.md)
function nethost.run(hosts, fn, opts)
  if type(fn) ~= "function" then error("nethost.run: fn must be a function", 2) end
  opts = opts or {}
  if type(opts) ~= "table" then error("nethost.run: opts must be a table", 2) end
  if opts.on_abort ~= nil and opts.on_abort ~= "rollback" and opts.on_abort ~= "stop" then
    error("nethost.run: on_abort must be \"rollback\" or \"stop\"", 2)
  end
  local w = package.loaded["nethost.workers"]
  if w and w.link and not nethost.context() then
    local res = worker_run(w.link, hosts, fn, opts)
    local s = res:summary()
    if s.failed + s.aborted > 0 then nethost.exit_code = 2 end
    return res
  end
  local res = run_hosts(hosts, fn, opts)
  local s = res:summary()
  if s.failed + s.aborted > 0 then nethost.exit_code = 2 end
  if opts.summary ~= false and not (nethost.options or {}).quiet then
    io.stderr:write(res:report(), "\n")
  elseif opts.summary ~= false and s.failed + s.aborted > 0 then
    -- -q: only the reason for the exit status.
    io.stderr:write(("nethost: %d of %d host(s) failed or aborted\n"):format(s.failed + s.aborted, s.total))
  end
  return res
end

--- nethost.host() -> the host the current task works on (inside nethost.run), or nil.
--- nethost.rollout_options(name [, vars]) -> the nethost.run options of a rolling change,
--- from the -e vars every change playbook takes (push, netconf_push, rollback): timeout
--- (seconds per host, default 300), serial (a count, a percent, or comma-separated batch
--- sizes), max_fail (a count or a percent), exclusive and on_abort.
function nethost.rollout_options(name, vars)
  vars = vars or nethost.vars or {}
  local serial = vars.serial
  if type(serial) == "string" and serial:find(",", 1, true) then
    local batches = {}
    for part in serial:gmatch("[^,]+") do batches[#batches + 1] = part:match("^%s*(.-)%s*$") end
    serial = batches
  end
  return { name = name, timeout = tonumber(vars.timeout or "300"), serial = serial,
           max_fail = vars.max_fail and (tonumber(vars.max_fail) or vars.max_fail),
           exclusive = vars.exclusive, on_abort = vars.on_abort }
end

function nethost.host()
  local l = async.current() and async.locals()
  local ctx = l and l.run_context
  return ctx and ctx.proxy
end

--- nethost.context() -> the runner's context of the current host task, or nil: the
--- recorder of changes, check-mode sends and timings (see nethost/hooks.lua).
function nethost.context()
  local l = async.current() and async.locals()
  return l and l.run_context
end

-- The modules that act on devices (ssh) learn about check mode and the current host task
-- from here, and from nowhere else.
hooks.set_runner({
  check = function() return nethost.check end,
  task = nethost.context,
})

--- nethost.changed(what): marks the current host changed (what: a description).
function nethost.changed(what)
  local ctx = nethost.context()
  if not ctx then error("nethost.changed: not inside a nethost.run host task", 2) end
  ctx:mark_changed(what)
end

--- nethost.would_send(lines): in check mode, records what would have been sent.
function nethost.would_send(lines)
  local ctx = nethost.context()
  if ctx then ctx:record_would_send(lines) end
end

--- nethost.timing(phase, seconds): adds to the current host's time in a phase.
function nethost.timing(phase, seconds)
  local ctx = nethost.context()
  if ctx then ctx:add_timing(phase, seconds) end
end

--- nethost.skip(reason): ends the current host task as skipped.
function nethost.skip(reason)
  error(errors.new("skip", reason or "skipped"), 2)
end

return nethost
