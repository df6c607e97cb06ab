-- The inventory's part of `nethost run`: -i PATH (or $NETHOST_INVENTORY) loads the inventory
-- into nethost.inventory, narrowed by -l PATTERN. Registered once, when the inventory module
-- is first required.

local M = {}

--- Loads the inventory the options name; returns it (narrowed by opts.limit, then by
--- opts.shard "K/N"), or nil when no inventory is given. Raises a one-line message for any
--- problem.
function M.load(opts)
  local path = opts.inventory
  if path == nil or path == "" then path = os.getenv("NETHOST_INVENTORY") end
  if path == nil or path == "" then
    if opts.limit then
      error("-l " .. opts.limit .. ": no inventory to narrow (give -i PATH or set NETHOST_INVENTORY)", 0)
    end
    return nil
  end
  local inventory = require("nethost.inventory")
  local ok, inv = pcall(inventory.load, path)
  if not ok then
    error(type(inv) == "table" and inv.message or tostring(inv), 0)
  end
  if opts.limit then
    local lok, narrowed, unmatched = pcall(inv.limit, inv, opts.limit)
    if not lok then
      error("-l " .. opts.limit .. ": " .. (type(narrowed) == "table" and narrowed.message or tostring(narrowed)), 0)
    end
    if unmatched and #narrowed > 0 then
      io.stderr:write("nethost: warning: -l ", opts.limit, ": ", unmatched, "\n")
    end
    if #narrowed == 0 then
      error(string.format("-l %s matches no host in %s", opts.limit, path), 0)
    end
    inv = narrowed
  end
  -- --shard K/N (opts.shard, when the command line has it): this machine's share.
  if opts.shard then
    local k, n = tostring(opts.shard):match("^(%d+)/(%d+)$")
    k, n = tonumber(k), tonumber(n)
    if not k or n < 1 or k < 1 or k > n then
      error("--shard " .. tostring(opts.shard) .. ": expected K/N with 1 <= K <= N", 0)
    end
    inv = inv:shard(k, n)
  end
  return inv
end

local cli_ok, cli = pcall(require, "nethost.cli")
if cli_ok and type(cli) == "table" and cli.setup_hooks and not cli._inventory_hook then
  cli._inventory_hook = true
  table.insert(cli.setup_hooks, function(opts)
    require("nethost.nethost").inventory = M.load(opts)
  end)
end

return M
