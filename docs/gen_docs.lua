-- Run by the build as `nethost run docs/gen_docs.lua -- OUTDIR NETHOST_SIM SOURCE_DIR`:
-- writes the manual pages (nethost.1, nethost-sim.1, nethost-playbook.7) and the bash
-- completion (nethost.bash) from the help texts --help prints and docs/lua-api.md.
local cli = require("nethost.cli")
local manpage = require("nethost.manpage")
local completion = require("nethost.completion")
local out_dir, sim, src = arg[1], arg[2], arg[3]
assert(out_dir and sim and src, "usage: gen_docs.lua OUTDIR NETHOST_SIM SOURCE_DIR")

local function write(name, text)
  local f = assert(io.open(out_dir .. "/" .. name, "w"))
  assert(f:write(text))
  assert(f:close())
end
local function read(cmd)
  local p = assert(io.popen(cmd))
  local text = p:read("a")
  p:close()
  return text
end

local version = nethost.version
local commands = cli.commands()
write("nethost.1", manpage.nethost(commands, version, {
  description = "nethost runs Lua 5.4 playbooks against fleets of network devices: one event "
    .. "loop drives thousands of SSH and HTTP sessions at once, each device a coroutine. "
    .. "C plugins add vendor platforms and parsers. The playbook API is in "
    .. "nethost-playbook(7); the guides are in /usr/share/doc/nethost.",
  exit = "0 ok; 1 the run could not start or the playbook failed; 2 some hosts failed (or a "
    .. "playbook's own condition, such as vulnerable hosts with fail_on_vulnerable=yes); "
    .. "130 interrupted (Ctrl-C), 143 terminated (SIGTERM).",
  environment = {
    { "NETHOST_INVENTORY", "the inventory when -i is not given" },
    { "NETHOST_LUA_DIR", "load the Lua library from this folder instead of the installed one" },
    { "NETHOST_DEBUG", "report handles left open at exit" },
    { "NETHOST_LAB_DIR", "the default --dir of `nethost lab` (else /tmp/nethost-lab)" },
    { "NETHOST_LAB_BASE", "the default --base of `nethost lab` and nethost-sim (else 127.1.0.1)" },
    { "NETHOST_LAB_PORT", "the default --port of `nethost lab` and nethost-sim (else 2222)" },
    { "NETHOST_SHARD_INDEX", "the 0-based shard of `nethost shard` (else JOB_COMPLETION_INDEX, "
      .. "else SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN)" },
    { "NETHOST_SHARDS", "the shard count of `nethost shard` (else SLURM_ARRAY_TASK_COUNT)" },
    { "NETHOST_RESULTS_DIR", "the folder of `nethost shard`'s files (else results)" },
  },
  files = {
    { "/usr/share/nethost/lua", "the Lua library (found relative to the executable: ../share/nethost/lua)" },
    { "/usr/lib/nethost/plugins", "the plugins loaded at start (../lib/nethost/plugins); --plugins adds folders" },
    { "/usr/share/nethost/playbooks", "the playbooks that come with nethost (audit, backup, push, ...)" },
    { "/tmp/nethost-lab", "the default folder of `nethost lab`" },
  },
}))
write("nethost-sim.1", manpage.sim(read(("%q --help 2>&1"):format(sim)), version))
local f = assert(io.open(src .. "/docs/lua-api.md"))
write("nethost-playbook.7", manpage.markdown(f:read("a"), "nethost-playbook", 7, version,
                                             "the Lua API of nethost playbooks"))
f:close()
write("nethost.bash", completion.bash(commands))
