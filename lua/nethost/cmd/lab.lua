-- `nethost lab`: the simulated lab (nethost-sim) for demos, tutorials and tests.
--
--   nethost lab start [--devices N] [--dir DIR] [-- SIM OPTIONS]   start it in the background
--   nethost lab stop [--dir DIR]                                   stop it, print its stats
--   nethost lab run [--devices N] [--dir DIR] PLAYBOOK [RUN OPTIONS] start, run, stop
--
-- The lab writes DIR/lab.yaml (an inventory ready for -i, strict host keys included);
-- `lab run` passes it to the playbook. See docs/lab.md.

local fs = require("nethost.fs")

local lab = {
  summary = "a simulated lab of network devices on loopback (start, stop, run)",
  usage = "lab start|stop|run [options]",
}

lab.help = [[
usage: nethost lab start [options] [-- SIM OPTIONS]
       nethost lab stop  [--dir DIR]
       nethost lab run   [options] PLAYBOOK [RUN OPTIONS]

Starts nethost-sim in the background with N devices on 127.1.0.1 and up, writing
DIR/lab.yaml. `lab run` starts the lab, runs the playbook with -i DIR/lab.yaml and the RUN
OPTIONS (see 'nethost help run'), then stops it. Every nethost-sim option can follow '--'
(see nethost-sim --help).

options:
      --devices N        number of simulated devices (default 200)
      --dir DIR          the lab's folder: inventory, pid, log (default /tmp/nethost-lab,
                         or NETHOST_LAB_DIR); 'lab stop' needs the same --dir
      --port P           SSH port of every device (default 2222, or NETHOST_LAB_PORT)
      --base ADDR        address of device 1 (default 127.1.0.1, or NETHOST_LAB_BASE)
      --sim 'OPTIONS'    more nethost-sim options (lab run)
  -h, --help             this text
]]

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function sim_path()
  local dir = package.searchpath("nethost.cli", package.path):match("^(.*)/share/nethost/lua/")
  local candidates = { dir and (dir .. "/bin/nethost-sim"), "nethost-sim" }
  for _, c in ipairs(candidates) do
    if c and (c == "nethost-sim" or fs.exists(c)) then return c end
  end
end

-- The defaults a user (or a test running the documented commands on a lab of its own) can
-- move with NETHOST_LAB_DIR, NETHOST_LAB_BASE and NETHOST_LAB_PORT; nethost-sim reads the
-- last two itself.
local function env(name)
  local v = os.getenv(name)
  return v ~= "" and v or nil
end

local function parse(args)
  local o = { devices = 200, dir = env("NETHOST_LAB_DIR") or "/tmp/nethost-lab", sim = {}, rest = {} }
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--devices" then i = i + 1; o.devices = tonumber(args[i])
    elseif a == "--dir" then i = i + 1; o.dir = args[i]
    elseif a == "--sim" then i = i + 1; o.sim[#o.sim + 1] = args[i]
    elseif a == "--port" then
      i = i + 1
      o.port = math.tointeger(tonumber(args[i]))
      if not o.port or o.port < 1 or o.port > 65535 then error("lab: --port needs a port number", 0) end
      o.sim[#o.sim + 1] = "--port " .. o.port
    elseif a == "--base" then
      i = i + 1
      if not (args[i] or ""):match("^%d+%.%d+%.%d+%.%d+$") then error("lab: --base needs an IPv4 address", 0) end
      o.sim[#o.sim + 1] = "--base " .. args[i]
    elseif a == "--" then
      for j = i + 1, #args do o.sim[#o.sim + 1] = shell_quote(args[j]) end
      break
    else
      o.rest[#o.rest + 1] = a
    end
    i = i + 1
  end
  if not o.devices or o.devices < 1 then error("lab: --devices needs a positive number", 0) end
  return o
end

local function read_pid(dir)
  local f = io.open(dir .. "/sim.pid")
  if not f then return nil end
  local pid = tonumber(f:read("l"))
  f:close()
  return pid
end

local lab_holding

local function default_port() return math.tointeger(tonumber(env("NETHOST_LAB_PORT"))) or 2222 end

local function alive(pid) return pid and os.execute("kill -0 " .. pid .. " 2>/dev/null") end

-- The lab listening on PORT, if another nethost-sim holds it: {pid =, dir = its --dir}, read
-- from its command line (its --inventory-out is DIR/lab.yaml). nil when unknown.
lab_holding = function(port)
  local p = io.popen(("ss -Hltnp 'sport = :%d' 2>/dev/null"):format(port))
  if not p then return nil end
  local out = p:read("a")
  p:close()
  for pid in out:gmatch('"nethost%-sim",pid=(%d+)') do
    local f = io.open("/proc/" .. pid .. "/cmdline", "rb")
    if f then
      local argv = {}
      for a in f:read("a"):gmatch("([^%z]*)%z") do argv[#argv + 1] = a end
      f:close()
      for i, a in ipairs(argv) do
        if a == "--inventory-out" and argv[i + 1] then
          return { pid = tonumber(pid), dir = argv[i + 1]:match("^(.*)/[^/]*$") or "." }
        end
      end
    end
  end
  return nil
end

-- o.exit_with: the pid the lab must not outlive (lab run passes its own).
function lab.start(o)
  local sim = sim_path()
  if not sim then error("lab: nethost-sim is not installed next to nethost", 0) end
  assert(fs.mkdir(o.dir, true))
  local pid = read_pid(o.dir)
  if alive(pid) then error(("lab: already running in %s (pid %d); 'nethost lab stop' first"):format(o.dir, pid), 0) end
  local ready = o.dir .. "/ready"
  fs.remove(ready)
  local cmd = ("ulimit -n $(ulimit -Hn) 2>/dev/null; %s --devices %d --inventory-out %s --ready-file %s --stats %s %s >%s 2>&1 & echo $! >%s")
    :format(shell_quote(sim), o.devices, shell_quote(o.dir .. "/lab.yaml"), shell_quote(ready),
            shell_quote(o.dir .. "/stats.json"),
            (o.exit_with and ("--exit-with %d "):format(o.exit_with) or "") .. table.concat(o.sim, " "),
            shell_quote(o.dir .. "/sim.log"), shell_quote(o.dir .. "/sim.pid"))
  if not os.execute(cmd) then error("lab: cannot start " .. sim, 0) end
  pid = read_pid(o.dir)
  local deadline = async.now() + 60
  while not fs.exists(ready) do
    if not alive(pid) or async.now() > deadline then
      -- One line: the lab's own last message (a busy port, a bad option), and the
      -- folder its log is in, which 'lab stop' needs too.
      local log = fs.read(o.dir .. "/sim.log") or ""
      local last = log:match("([^\n]*)\n*$") or ""
      for line in log:gmatch("[^\n]+") do
        if line:find("error", 1, true) or line:find("cannot", 1, true) then last = line; break end
      end
      if not alive(pid) then fs.remove(o.dir .. "/sim.pid") end
      local other = last:find("in use", 1, true) and lab_holding(o.port or default_port())
      if other then
        error(("lab: port %d is taken by another lab (pid %d); stop it with 'nethost lab "
               .. "stop --dir %s' or give --port"):format(o.port or default_port(), other.pid, other.dir), 0)
      end
      error(("lab: nethost-sim did not start: %s (log: %s/sim.log)"):format(last, o.dir), 0)
    end
    async.sleep(0.05)
  end
  if not o.quiet then io.stderr:write(("lab: %d devices up (pid %d); inventory %s/lab.yaml\n"):format(o.devices, pid, o.dir)) end
  return pid
end

function lab.stop(o)
  local pid = read_pid(o.dir)
  if not alive(pid) then
    io.stderr:write("lab: not running in " .. o.dir .. "\n")
    return 0
  end
  -- Waits in a shell, not with async.sleep: stopping must work in a cancelled task too
  -- (after Ctrl-C), and it is the last thing the process does.
  os.execute(("kill -TERM %d; for i in $(seq 100); do kill -0 %d 2>/dev/null || exit 0; "
              .. "sleep 0.1; done; kill -KILL %d"):format(pid, pid, pid))
  fs.remove(o.dir .. "/sim.pid")
  -- The lab's own figures (its CPU time above all), so a run it served is never a hidden
  -- bottleneck; the full statistics are in DIR/stats.json.
  local stats = (fs.read(o.dir .. "/sim.log") or ""):match("nethost%-sim: stats: ([^\n]*)")
  if not o.quiet then io.stderr:write("lab: stopped", stats and ("; " .. stats) or "", "\n") end
  return 0
end

function lab.main(args)
  local sub = table.remove(args, 1)
  local ok, o = pcall(parse, args)
  if not ok then
    io.stderr:write("nethost: ", tostring(o), "\n")
    return 1
  end
  if sub == "start" then
    lab.start(o)
    return 0
  elseif sub == "stop" then
    return lab.stop(o)
  elseif sub == "run" then
    if not o.rest[1] then
      io.stderr:write("nethost: lab run: which playbook?\n")
      return 1
    end
    for _, a in ipairs(o.rest) do if a == "-q" or a == "--quiet" then o.quiet = true end end
    o.exit_with = require("nethost.sys").pid()
    lab.start(o)
    local run_args = { o.rest[1], "-i", o.dir .. "/lab.yaml" }
    table.move(o.rest, 2, #o.rest, 4, run_args)
    local rok, code = pcall(require("nethost.cli").run, run_args)
    lab.stop(o)
    if not rok then error(code, 0) end
    return code
  end
  io.stdout:write(lab.help)
  return sub == nil and 0 or 1
end

return lab
