-- The `nethost` command line. main(argv) runs as the root task; its integer result is the
-- process's exit status (0 ok, 1 the run could not start or the playbook failed, 2 some
-- hosts failed). Commands other than the built-in ones live in nethost/cmd/NAME.lua, each a
-- table {summary =, usage =, main = function(args) -> exit status}.

local nethost = require("nethost.nethost")
local argv = require("nethost.argv")

local cli = {}

local USAGE = [[
usage: nethost <command> [options]

commands:
  run PLAYBOOK [options] [-- args]   run a Lua playbook
%s  version                            print the version
  help [COMMAND]                     this text, or a command's options

Run 'nethost help run' for the options of a command.
]]

local RUN_USAGE = [[
usage: nethost run PLAYBOOK [options] [-- args]

Runs PLAYBOOK (a Lua file) as the main task. It sees its -e pairs as nethost.vars and the
arguments after '--' (or after PLAYBOOK) as arg[1], arg[2], ...

options:
  -e, --extra KEY=VALUE     set nethost.vars.KEY (a string); KEY=@FILE loads a YAML or
                            JSON file; @FILE sets every key of a YAML or JSON mapping
                            (as Ansible's -e @vars.yml); repeatable
  -i, --inventory PATH      inventory file or folder (nethost.inventory)
  -l, --limit PATTERN       narrow the inventory (names, globs, groups, a:b, a:&b, a:!b,
                            attr=value)
  -c, --concurrency N       hosts worked on at once by nethost.run
      --check               dry run: nothing is sent; the configuration playbooks
                            show per host the lines that would be sent
      --diff                show per host the unified diff of the running
                            configuration the change makes (with --check: would make);
                            also the `diff` field of each result (-o), for NETCONF
                            edits the datastore's diff
      --retries N           retry a host N times after a connection failure that
                            changed nothing (exponential back-off)
  -o, --output FILE         write per-host results: .jsonl (streamed as hosts finish),
                            .json, .csv, or .html (a report page); checked before the run
      --retry-failed FILE   run only the hosts that failed in FILE (a .jsonl from -o)
      --shard K/N           work on the K-th of N deterministic slices of the inventory
                            (one per machine or job; join the result files afterwards)
  -w, --workers N           run hosts in N worker processes, one per core (0: as many
                            as cores; default 1: in this process). Scheduling, -o,
                            progress and the summary stay in this process
      --plugins DIR         load plugins from DIR too (repeatable)
      --metrics ADDR:PORT   serve Prometheus metrics at http://ADDR:PORT/metrics while
                            the playbook runs (port 0: any free port, logged)
  -v, --verbose             more log output (repeatable)
      --log FILE            also write the log to FILE
  -q, --quiet               nothing but warnings, errors and the exit status's reason
  -h, --help                this text

exit status: 0 ok, 1 the run could not start or the playbook failed, 2 some hosts failed,
130 interrupted.
]]

local function die(fmt, ...)
  io.stderr:write("nethost: ", string.format(fmt, ...), "\n")
  return 1
end

-- Loads KEY=@FILE values with whichever decoder this build has.
local function load_vars_file(path)
  local ok, yaml = pcall(require, "nethost.yaml")
  if ok and yaml.load then
    local lok, v = pcall(yaml.load, path)
    if not lok then error((type(v) == "table" and v.message) or tostring(v), 0) end
    return v
  end
  local f, e = io.open(path, "rb")
  if not f then error(e, 0) end
  local text = f:read("a")
  f:close()
  local jok, json = pcall(require, "nethost.json")
  if jok then return json.decode(text) end
  error(path .. ": cannot read it: this build has neither YAML nor JSON support", 0)
end

-- Parses `run` options into opts; returns opts or nil, message.
local function parse_run(args)
  local opts = { vars = {}, plugins = {}, verbose = 0, args = {} }
  local av = argv.new(args)
  local function value(name) return av:value(name) end
  for a in av:each() do
    if a == "--" then
      for j = av.i + 1, #args do opts.args[#opts.args + 1] = args[j] end
      break
    elseif a == "-e" or a == "--extra" or a == "--extra-vars" then
      local kv = value(a)
      if kv:sub(1, 1) == "@" then
        -- -e @vars.yml (Ansible's form): every key of a YAML or JSON mapping.
        local t = load_vars_file(kv:sub(2))
        if type(t) ~= "table" or t[1] ~= nil then
          error(string.format("-e %s: the file must hold a mapping of names to values", kv), 0)
        end
        for k, v in pairs(t) do opts.vars[tostring(k)] = type(v) == "table" and v or tostring(v) end
      else
        local k, v = kv:match("^([^=]+)=(.*)$")
        if not k then error(string.format("-e %s: expected KEY=VALUE or @FILE", kv), 0) end
        if v:sub(1, 1) == "@" then v = load_vars_file(v:sub(2)) end
        opts.vars[k] = v
      end
    elseif a == "-i" or a == "--inventory" then opts.inventory = value(a)
    elseif a == "-l" or a == "--limit" then opts.limit = value(a)
    elseif a == "-c" or a == "--concurrency" then
      local n = math.tointeger(tonumber(value(a)))
      if not n or n < 1 then error("-c: expected a positive integer", 0) end
      opts.concurrency = n
    elseif a == "-w" or a == "--workers" then
      local v = value(a)
      local n = math.tointeger(tonumber(v))
      if not n or n < 0 or n > 1024 then
        error("--workers: expected a number of workers, 0 to 1024 (0: one per core)", 0)
      end
      if n == 0 then n = require("nethost.channel").cores() end
      opts.workers = n
    elseif a == "--worker" then
      -- Hidden: this process is worker K of N engines (nethost/workers.lua).
      local k, n = value(a):match("^(%d+)/(%d+)$")
      if not k then error("--worker: expected K/N", 0) end
      opts.worker, opts.engines = tonumber(k), tonumber(n)
    elseif a == "--check" then opts.check = true
    elseif a == "--diff" then opts.diff = true
    elseif a == "--retries" then
      local n = math.tointeger(tonumber(value(a)))
      if not n or n < 0 then error("--retries: expected a number of retries (0 or more)", 0) end
      opts.retries = n
    elseif a == "-o" or a == "--output" then opts.output = value(a)
    elseif a == "--retry-failed" then opts.retry_failed = value(a)
    elseif a == "--shard" then
      opts.shard = value(a)
      if not opts.shard:match("^%d+/%d+$") then error("--shard: expected K/N, e.g. 1/4", 0) end
    elseif a == "--log" then opts.log = value(a)
    elseif a == "--metrics" then opts.metrics = value(a)
    elseif a == "--plugins" then opts.plugins[#opts.plugins + 1] = value(a)
    elseif a == "-v" or a == "--verbose" then opts.verbose = opts.verbose + 1
    elseif a:match("^%-v+$") then opts.verbose = opts.verbose + #a - 1
    elseif a == "-q" or a == "--quiet" then opts.quiet = true
    elseif a == "-h" or a == "--help" then opts.help = true
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      error(string.format("unknown option %s (see 'nethost help run')", a), 0)
    elseif not opts.playbook then opts.playbook = a
    else opts.args[#opts.args + 1] = a
    end
  end
  return opts
end

-- Message handler: keeps error objects as they are (their tostring is the one line users
-- see) and adds the traceback of the failing task.
-- Whether a message carries Lua's "chunk:line:" position, i.e. comes from error(msg) with
-- a level: a bug somewhere, worth its traceback. error(msg, 0) is a message for the user.
local function has_position(msg)
  return msg:match("^%S+:%d+: ") ~= nil or msg:match('^%[string ".-"%]:%d+: ') ~= nil
end

local function handler(e)
  return { err = e, traceback = debug.traceback(nil, 2) }
end

-- Cuts the traceback's frames that belong to nethost's own machinery.
local function trim_traceback(tb)
  local lines = {}
  for line in tb:gmatch("[^\n]+") do
    if line:find("nethost/cli.lua", 1, true) or line:find("%[C%]: in function 'xpcall'") then
      break
    end
    lines[#lines + 1] = line
  end
  return table.concat(lines, "\n")
end

-- The files the run will write or read, checked before anything starts: a run of an hour
-- must not end in "cannot open results file".
local function check_paths(opts)
  if opts.output then
    nethost.output_format(opts.output)
    local existed = io.open(opts.output, "r")
    if existed then existed:close() end
    local f, e = io.open(opts.output, "a")
    if not f then error("-o " .. e, 0) end
    f:close()
    if not existed then os.remove(opts.output) end
  end
  if opts.retry_failed then
    local f, e = io.open(opts.retry_failed, "r")
    if not f then error("--retry-failed " .. e, 0) end
    f:close()
  end
end

local function setup(opts)
  nethost.vars = opts.vars
  nethost.check = opts.check or false
  nethost.diff = opts.diff or false
  nethost.options = opts
  if opts.metrics then
    local port = require("nethost.metrics").serve(opts.metrics)
    if not opts.quiet then
      io.stderr:write(("nethost: metrics at http://%s:%d/metrics\n"):format(opts.metrics:match("^(.*):") or "", port))
    end
  end
  if opts.output and nethost.output_format(opts.output) == "html" then
    require("nethost.html_report").open(opts.output, "nethost: " .. opts.playbook)
  end
  for _, hook in ipairs(cli.setup_hooks) do hook(opts) end
end

--- Functions other modules register to act on the run's options before the playbook
--- starts (the inventory loads -i/-l, the plugin loader reads --plugins, ...). Each is
--- called with the options and raises a message to stop the run.
cli.setup_hooks = {}

function cli.run(args)
  local given = table.move(args, 1, #args, 1, {}) -- as the user wrote them, for workers
  local ok, opts = pcall(parse_run, args)
  if not ok then return die("%s", opts) end
  if opts.help then
    io.stdout:write(RUN_USAGE)
    return 0
  end
  if not opts.playbook then return die("run: which playbook? (see 'nethost help run')") end
  if opts.worker then
    -- A worker writes nothing of its own: no results, metrics, log file or summary; the
    -- coordinator does (nethost/workers.lua).
    opts.output, opts.metrics, opts.log, opts.retry_failed, opts.quiet = nil, nil, nil, nil, true
  end
  local chunk, lerr = loadfile(opts.playbook, "t")
  if not chunk then
    -- loadfile's message already reads "file:line: message".
    return die("%s", lerr)
  end
  local pok, perr = pcall(check_paths, opts)
  if not pok then return die("%s", tostring(perr)) end
  local sok, serr = pcall(setup, opts)
  if not sok then return die("%s", tostring(serr)) end
  _G.arg = { [0] = opts.playbook, table.unpack(opts.args) }
  local workers
  if opts.worker then
    workers = require("nethost.workers")
    nethost.worker = opts.worker
    local wok, link = pcall(workers.connect, opts.worker, opts.engines)
    if not wok then return die("%s", tostring(link)) end
    workers.link = link
  elseif opts.workers and opts.workers > 1 then
    workers = require("nethost.workers")
    local wok, pool = pcall(workers.start, opts.workers, given, opts.verbose > 0)
    if not wok then return die("%s", tostring(pool)) end
    workers.pool = pool
  end
  local results = table.pack(xpcall(chunk, handler, table.unpack(opts.args)))
  if workers and workers.pool then
    workers.pool:close()
    workers.pool = nil
  end
  local html = package.loaded["nethost.html_report"]
  if html and html.is_open() then
    local wok, werr = html.write_all()
    if not wok then die("%s", werr) end
  end
  if not results[1] then
    local failure = results[2]
    if nethost.is_error(failure.err) and failure.err.kind == "cancelled" then
      -- Ctrl-C: the cleanup ran; a traceback would only alarm.
      io.stderr:write("nethost: ", failure.err.message or "cancelled", "\n")
      return 1
    end
    io.stderr:write(tostring(failure.err), "\n")
    -- A message raised without a position (error(msg, 0)) or an error object is the
    -- playbook telling the user something: one line. A bug (file:line: ...) gets its
    -- traceback.
    local err = failure.err
    if not nethost.is_error(err) and (type(err) ~= "string" or has_position(err)) then
      io.stderr:write(trim_traceback(failure.traceback), "\n")
    end
    return 1
  end
  -- A results or log file that could not be written fails the run, whatever the hosts did.
  local log_error = require("nethost.log").write_error
  if nethost.write_error or log_error then
    if log_error then io.stderr:write("nethost: ", log_error, "\n") end
    return 1
  end
  if math.type(results[2]) == "integer" then
    -- The shell sees only the low 8 bits: 256 would read as success, 300 as 44.
    if results[2] < 0 or results[2] > 255 then
      io.stderr:write(("nethost: the playbook returned %d; an exit status is 0-255\n"):format(results[2]))
      return 1
    end
    return results[2]
  end
  if results[2] == false then return 1 end
  return nethost.exit_code or 0
end

local function command_module(name)
  if not name:match("^[%w_-]+$") then return nil end
  local ok, mod = pcall(require, "nethost.cmd." .. name)
  if ok and type(mod) == "table" and mod.main then return mod end
  if not ok and not tostring(mod):find("module 'nethost.cmd." .. name .. "' not found", 1, true) then
    error(mod, 0)
  end
  return nil
end

local VERSION_HELP = [[
usage: nethost version

Prints nethost's version and, on a second line, the versions of the libraries it runs with
(Lua, libuv, libssh2, libcurl, OpenSSL, libyaml) and the allocator serving its memory
(mimalloc, or system). Also: nethost --version, -V.
]]

local HELP_HELP = [[
usage: nethost help [COMMAND]

Prints the list of commands, or COMMAND's usage and options.
]]

--- cli.commands() -> every command in the order `nethost help` lists them, each {name =,
--- usage =, summary =, help = the full text `nethost help NAME` prints}. The manual pages
--- and the shell completion are generated from this list, so they cannot disagree with
--- --help.
function cli.commands()
  local list = { { name = "run", usage = "run PLAYBOOK [options] [-- args]",
                   summary = "run a Lua playbook", help = RUN_USAGE } }
  local dir = package.searchpath("nethost.cli", package.path):gsub("cli%.lua$", "cmd")
  local p = io.popen('ls "' .. dir .. '" 2>/dev/null')
  if p then
    for file in p:lines() do
      local name = file:match("^([%w_-]+)%.lua$")
      local mod = name and command_module(name)
      if mod then
        list[#list + 1] = { name = name, usage = mod.usage or name, summary = mod.summary or "",
                            help = mod.help or ("usage: nethost " .. (mod.usage or name) .. "\n") }
      end
    end
    p:close()
  end
  list[#list + 1] = { name = "version", usage = "version", summary = "print the version",
                      help = VERSION_HELP }
  list[#list + 1] = { name = "help", usage = "help [COMMAND]",
                      summary = "this text, or a command's options", help = HELP_HELP }
  return list
end

--- cli.usage() -> the text `nethost help` prints.
function cli.usage()
  local lines = {}
  for _, c in ipairs(cli.commands()) do
    if c.name ~= "run" and c.name ~= "version" and c.name ~= "help" then
      lines[#lines + 1] = string.format("  %-34s %s\n", c.usage, c.summary)
    end
  end
  return string.format(USAGE, table.concat(lines))
end

local function help(topic)
  if topic == nil or topic == "-h" or topic == "--help" then
    io.stdout:write(cli.usage())
    return 0
  end
  for _, c in ipairs(cli.commands()) do
    if c.name == topic then
      io.stdout:write(c.help)
      return 0
    end
  end
  return die("no command '%s' (see 'nethost help')", topic)
end

function cli.main(argv)
  local command = argv[1]
  local args = table.move(argv, 2, #argv, 1, {})
  if command == nil or command == "-h" or command == "--help" or command == "help" then
    return help(args[1])
  elseif command == "run" then
    return cli.run(args)
  elseif command == "version" or command == "--version" or command == "-V" then
    local lib = require("nethost.sys").libraries()
    io.stdout:write("nethost ", nethost.version, " (", _VERSION, ")\n",
                    ("Lua %s, libuv %s, libssh2 %s, libcurl %s, OpenSSL %s, libyaml %s; allocator %s\n")
                      :format(lib.lua:match("[%d.]+$") or lib.lua, lib.libuv, lib.libssh2, lib.libcurl,
                              lib.openssl, lib.libyaml, lib.allocator))
    return 0
  end
  local mod = command_module(command)
  if not mod then return die("unknown command '%s' (see 'nethost help')", command) end
  if args[1] == "-h" or args[1] == "--help" then return help(command) end
  -- A command's user errors (raised without a position) are one line; bugs keep their
  -- traceback.
  local ok, code = xpcall(mod.main, handler, args)
  if ok then return code or 0 end
  local err = code.err
  if type(err) == "string" and not has_position(err) then
    return die("%s", err)
  end
  io.stderr:write("nethost: ", tostring(err), "\n", code.traceback, "\n")
  return 1
end

return cli
