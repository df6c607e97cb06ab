-- `nethost shard PLAYBOOK [run options...]`: the entry point of one shard of a run spread
-- over a batch system (docs/scale.md). It finds which shard it is from the environment the
-- scheduler sets, runs `nethost run PLAYBOOK --shard K/N -o DIR/shard-K-of-N.jsonl ...` in
-- this process and returns run's exit status. `nethost shard merge OUT.jsonl` joins the
-- shards' files once every shard has finished. It is a command rather than a shell script
-- so the container image or the cluster node needs nothing but nethost itself.
local fs = require("nethost.fs")

local shard = {
  summary = "run one shard of a Kubernetes Job or Slurm array",
  usage = "shard PLAYBOOK [run options]",
  help = "usage: nethost shard PLAYBOOK [run options...]\n" ..
         "       nethost shard merge OUT.jsonl\n\n" ..
         "Runs one shard of a run spread over a batch system: `nethost run PLAYBOOK --shard K/N\n" ..
         "-o DIR/shard-K-of-N.jsonl` plus the given run options, with its exit status. The\n" ..
         "shard is found in the environment the scheduler sets:\n" ..
         "  index (0-based)   NETHOST_SHARD_INDEX, else JOB_COMPLETION_INDEX (Kubernetes\n" ..
         "                    Indexed Job), else SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN\n" ..
         "  count             NETHOST_SHARDS, else SLURM_ARRAY_TASK_COUNT\n" ..
         "  folder DIR        NETHOST_RESULTS_DIR (default: results), shared by all shards\n" ..
         "`nethost shard merge OUT.jsonl`, after every shard has finished, checks that each\n" ..
         "shard's file is in DIR and joins them with `nethost merge`.\n",
}

-- The environment variable's value, nil when unset or empty (as the shell's ${V:-}).
local function env(name)
  local v = os.getenv(name)
  if v == "" then return nil end
  return v
end

-- A whole number from the variable name, or a one-line error naming it.
local function whole(name, v)
  if not v:match("^%d+$") or #v > 9 then
    error(("shard: %s is '%s', not a whole number"):format(name, v), 0)
  end
  return tonumber(v)
end

local function shard_count()
  for _, name in ipairs({ "NETHOST_SHARDS", "SLURM_ARRAY_TASK_COUNT" }) do
    local v = env(name)
    if v then
      local n = whole(name, v)
      if n < 1 then error(("shard: %s is %d; a run has at least 1 shard"):format(name, n), 0) end
      return n
    end
  end
  error("shard: no shard count: set NETHOST_SHARDS (or run as a Slurm array)", 0)
end

local function shard_index()
  local v = env("NETHOST_SHARD_INDEX")
  if v then return whole("NETHOST_SHARD_INDEX", v) end
  v = env("JOB_COMPLETION_INDEX")
  if v then return whole("JOB_COMPLETION_INDEX", v) end
  v = env("SLURM_ARRAY_TASK_ID")
  if v then
    local id = whole("SLURM_ARRAY_TASK_ID", v)
    local min = env("SLURM_ARRAY_TASK_MIN")
    min = min and whole("SLURM_ARRAY_TASK_MIN", min) or 0
    if id < min then
      error(("shard: SLURM_ARRAY_TASK_ID %d is below SLURM_ARRAY_TASK_MIN %d"):format(id, min), 0)
    end
    return id - min
  end
  error("shard: no shard index: set JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or NETHOST_SHARD_INDEX", 0)
end

local function results_dir()
  return env("NETHOST_RESULTS_DIR") or "results"
end

local function shard_file(dir, k, n)
  return ("%s/shard-%d-of-%d.jsonl"):format(dir, k, n)
end

local function merge(args)
  if #args ~= 2 then error("shard: usage: nethost shard merge OUT.jsonl", 0) end
  local n, dir = shard_count(), results_dir()
  local margs = { args[2] }
  -- Every shard's file must be there: a missing shard is a lost part of the fleet.
  for k = 1, n do
    local f = shard_file(dir, k, n)
    local st = fs.stat(f)
    if not st or st.type ~= "file" then
      error(("shard: %s is missing (shard %d of %d did not finish)"):format(f, k, n), 0)
    end
    margs[#margs + 1] = f
  end
  return require("nethost.cmd.merge").main(margs)
end

function shard.main(args)
  if args[1] == "merge" then return merge(args) end
  if #args < 1 then error("shard: usage: nethost shard PLAYBOOK [run options...]", 0) end
  local index = shard_index()
  local n = shard_count()
  if index >= n then
    error(("shard: shard index %d is not below the shard count %d"):format(index, n), 0)
  end
  local k, dir = index + 1, results_dir()
  local ok, e = fs.mkdir(dir, true) -- 0700: the shards' results hold device data
  if not ok then error(("shard: cannot make %s: %s"):format(dir, e), 0) end
  local rargs = { args[1], "--shard", ("%d/%d"):format(k, n), "-o", shard_file(dir, k, n) }
  table.move(args, 2, #args, #rargs + 1, rargs)
  -- Required here, not at load: cli.lua loads every command to list them.
  return require("nethost.cli").run(rargs)
end

return shard
