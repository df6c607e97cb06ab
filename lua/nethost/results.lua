-- The results of nethost.run: one record per host, in the order the hosts were given.
--
-- A record: {host = name, status = "ok"|"changed"|"failed"|"skipped"|"aborted", value =
-- what the task returned, error = {kind, message, op, stage, transcript, traceback},
-- changes = {...}, would_send = {...} (check mode), timings = {phase = seconds}, started =
-- epoch seconds, elapsed = seconds, attempts = n, rollback = {status, error}}.

local results = {}

local Results = {}
Results.__index = Results

--- results.new(names) -> a results object with a pending record per host name.
function results.new()
  return setmetatable({ records = {}, by_name = {}, aborted = false }, Results)
end

function Results:add(rec)
  local records = self.records
  records[#records + 1] = rec
  self.by_name[rec.host] = rec
  return rec
end

function Results:__len() return #self.records end

--- results:get(name) -> the host's record or nil.
function Results:get(name) return self.by_name[name] end

--- for rec in results:each() do ... end
function Results:each()
  local i, records = 0, self.records
  return function()
    i = i + 1
    return records[i]
  end
end

local function select_status(self, wanted)
  local out = {}
  for _, rec in ipairs(self.records) do
    if wanted[rec.status] then out[#out + 1] = rec end
  end
  return out
end

--- results:ok() -> records that succeeded (ok or changed)
function Results:ok() return select_status(self, { ok = true, changed = true }) end
--- results:changed() -> records that changed something
function Results:changed() return select_status(self, { changed = true }) end
--- results:failed() -> records that failed
function Results:failed() return select_status(self, { failed = true }) end
--- results:skipped() / results:aborted()
function Results:skipped() return select_status(self, { skipped = true }) end
function Results:aborted_hosts() return select_status(self, { aborted = true }) end

--- results:values() -> {name = value} of the hosts that succeeded
function Results:values()
  local out = {}
  for _, rec in ipairs(self.records) do
    if rec.status == "ok" or rec.status == "changed" then out[rec.host] = rec.value end
  end
  return out
end

--- results:summary() -> {total, ok, changed, failed, skipped, aborted, duration, aborted_run,
--- abort_reason, failures = {{kind =, count =, hosts = {...}}, ...} (largest first)}
function Results:summary()
  local s = { total = #self.records, ok = 0, changed = 0, failed = 0, skipped = 0, aborted = 0,
              pending = 0, duration = self.duration, aborted_run = self.aborted,
              abort_reason = self.abort_reason, rolled_back = 0, rollback_failed = 0 }
  local kinds = {}
  for _, rec in ipairs(self.records) do
    s[rec.status] = (s[rec.status] or 0) + 1
    if rec.status == "failed" then
      local kind = rec.error and rec.error.kind or "error"
      local k = kinds[kind]
      if not k then
        k = { kind = kind, count = 0, hosts = {} }
        kinds[kind] = k
      end
      k.count = k.count + 1
      k.hosts[#k.hosts + 1] = rec.host
    end
    if rec.rollback then
      if rec.rollback.status == "ok" then
        s.rolled_back = s.rolled_back + 1
      else
        s.rollback_failed = s.rollback_failed + 1
      end
    end
  end
  local failures = {}
  for _, k in pairs(kinds) do failures[#failures + 1] = k end
  table.sort(failures, function(a, b)
    if a.count ~= b.count then return a.count > b.count end
    return a.kind < b.kind
  end)
  s.failures = failures
  return s
end

local function plural(n, word) return n .. " " .. word .. (n == 1 and "" or "s") end

--- results:report() -> the human summary: counts, duration, failures grouped by kind with a
--- few host names and the first message of each kind.
function Results:report()
  local s = self:summary()
  local lines = {}
  local head = ("%s: %d ok, %d changed, %d failed"):format(plural(s.total, "host"), s.ok,
                                                          s.changed, s.failed)
  if s.skipped > 0 then head = head .. (", %d skipped"):format(s.skipped) end
  if s.aborted > 0 then head = head .. (", %d aborted"):format(s.aborted) end
  if s.duration then head = head .. (" in %.1f s"):format(s.duration) end
  lines[1] = head
  if self.aborted then
    lines[#lines + 1] = "run aborted: " .. tostring(self.abort_reason)
  end
  if s.rolled_back + s.rollback_failed > 0 then
    lines[#lines + 1] = ("rollback: %d restored, %d failed"):format(s.rolled_back,
                                                                   s.rollback_failed)
  end
  for _, k in ipairs(s.failures) do
    local shown = {}
    local printable = require("nethost.log").printable -- names may hold control characters
    for i = 1, math.min(5, #k.hosts) do shown[i] = printable(k.hosts[i]) end
    local more = #k.hosts > 5 and (", +%d more"):format(#k.hosts - 5) or ""
    local first = self.by_name[k.hosts[1]].error
    lines[#lines + 1] = ("  %-10s %5d  %s%s"):format(k.kind, k.count, table.concat(shown, ", "), more)
    if first and first.message then
      lines[#lines + 1] = ("  %-10s        e.g. %s"):format("", printable(first.message:sub(1, 160)))
    end
  end
  return table.concat(lines, "\n")
end

--- results.read(path, who [, lenient]) -> records: the host records of a results file
--- written with -o: a .json ({results = [...], summary = {...}}) or a .jsonl (a line per
--- host, a summary line). Errors are one line naming who, the file and the line. lenient
--- skips what is not a host record (the line a killed run was writing).
function results.read(path, who, lenient)
  local f, e = io.open(path)
  if not f then error(who .. ": " .. e, 0) end
  local text = f:read("a")
  f:close()
  local json = require("nethost.json")
  local records = {}
  local function is_record(rec)
    return type(rec) == "table" and type(rec.host) == "string" and type(rec.status) == "string"
  end
  -- A whole document (-o .json), whatever the file is called; else one record per line.
  local ok, doc = pcall(json.decode, text)
  if ok and type(doc) == "table" and type(doc.results) == "table" then
    for _, rec in ipairs(doc.results) do
      if is_record(rec) then records[#records + 1] = rec end
    end
    return records
  end
  if path:match("%.json$") then
    if not lenient then
      error(("%s: %s: not a results file written with -o .json"):format(who, path), 0)
    end
  end
  local n = 0
  for line in text:gmatch("([^\n]*)\n?") do
    n = n + 1
    if line:match("%S") then
      local lok, rec = pcall(json.decode, line)
      if lok and is_record(rec) then
        records[#records + 1] = rec
      elseif lenient or (lok and type(rec) == "table" and rec.summary) then
        -- skipped: the summary line, or what a kill cut short
      elseif not lok then
        local why = type(rec) == "table" and rec.message or rec
        error(("%s: %s:%d: not JSON: %s"):format(who, path, n, tostring(why)), 0)
      else
        error(("%s: %s:%d: not a host record"):format(who, path, n), 0)
      end
    end
  end
  return records
end

return results
