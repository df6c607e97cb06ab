-- The runner's progress display on stderr: on a terminal one live line (done/total, ok,
-- changed, failed, rate, ETA, batch) redrawn in place; otherwise a plain line every 10 s.

local async = require("nethost.async")
local log = require("nethost.log")
local sys = require("nethost.sys")

local progress = {}

local function fmt_eta(seconds)
  if not seconds or seconds ~= seconds or seconds == math.huge then return "?" end
  if seconds < 60 then return ("%ds"):format(math.ceil(seconds)) end
  if seconds < 3600 then return ("%dm%02ds"):format(seconds // 60, math.floor(seconds % 60)) end
  return ("%dh%02dm"):format(seconds // 3600, math.floor(seconds % 3600 / 60))
end

--- progress.start(run) -> a display; display:stop() ends it. run has total, counts
--- {ok, changed, failed, skipped, aborted}, started, batch, batches.
function progress.start(run)
  local tty = sys.isatty(2)
  local colour = tty and (os.getenv("NO_COLOR") or "") == ""
  local shown = false
  local self = {}

  local function line()
    local c = run.counts
    local done = c.ok + c.changed + c.failed + c.skipped + c.aborted
    local elapsed = async.now() - run.started
    local rate = elapsed > 0 and done / elapsed or 0
    local eta = rate > 0 and (run.total - done) / rate or nil
    local failed = c.failed > 0 and colour and ("\27[31mfailed %d\27[0m"):format(c.failed)
                   or ("failed %d"):format(c.failed)
    local s = ("%s%d/%d  ok %d  changed %d  %s  %.1f/s  ETA %s"):format(
      run.label and (run.label .. ": ") or "", done, run.total, c.ok, c.changed, failed, rate,
      fmt_eta(eta))
    if run.batches and run.batches > 1 then s = s .. ("  batch %d/%d"):format(run.batch, run.batches) end
    if run.aborted then s = s .. "  ABORTING" end
    return s
  end

  local function clear()
    if shown then
      io.stderr:write("\r\27[K")
      shown = false
    end
  end

  local function draw()
    if tty then
      io.stderr:write("\r\27[K", line())
      shown = true
    else
      io.stderr:write(line(), "\n")
    end
  end

  if tty then log.hook(clear, draw) end
  local ticker = async.spawn(function()
    async.every(tty and 0.2 or 10, function()
      if tty or async.now() - run.started >= 9 then draw() end
    end)
  end)

  function self.stop()
    ticker:cancel()
    pcall(ticker.wait, ticker)
    clear()
    if tty then log.hook(nil, nil) end
  end
  return self
end

return progress
