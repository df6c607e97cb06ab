-- The inventory's part of `nethost run`: -i PATH (or $NETHOST_INVENTORY) loads the inventory
-- into nethost.inventory, narrowed by -l PATTERN. Registered once, when the inventory module
-- is first required.

local M = {}

-- `platform=ios` means cisco_ios when exactly one platform of the inventory ends in "_ios"
-- (eos, junos, nxos likewise): people say the short name.
local function platform_aliases(inv, pattern)
  local platforms = {}
  for h in inv:each() do if h.platform then platforms[h.platform] = true end end
  return (pattern:gsub("platform=([%w_%-]+)", function(name)
    if platforms[name] then return nil end
    local found
    for p in pairs(platforms) do
      if p:sub(-#name - 1) == "_" .. name then
        if found then return nil end
        found = p
      end
    end
    return found and ("platform=" .. found) or nil
  end))
end

local function distance(a, b)
  if math.abs(#a - #b) > 3 then return 99 end
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a:byte(i) == b:byte(j) and 0 or 1))
    end
    prev = cur
  end
  return prev[#b]
end

-- "; did you mean core?" for the terms of a pattern that name no group or host: the names
-- they start, or those within two edits.
local function suggest(inv, pattern)
  local names = {}
  for _, g in ipairs(inv:groups()) do names[#names + 1] = g.name end
  for h in inv:each() do names[#names + 1] = h.name end
  local known = {}
  for _, n in ipairs(names) do known[n] = true end
  local hints = {}
  for term in pattern:gmatch("[^:,&!]+") do
    if not known[term] and not term:find("[=*?%[]") then
      local best, bestd = {}, 3
      for _, n in ipairs(names) do
        local d = n:sub(1, #term) == term and 0.5 or distance(term, n)
        if d < bestd then best, bestd = { n }, d
        elseif d == bestd and #best < 3 then best[#best + 1] = n end
      end
      if best[1] then hints[#hints + 1] = table.concat(best, " or ") end
    end
  end
  return hints[1] and ("; did you mean " .. table.concat(hints, ", ") .. "?") or ""
end

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
    opts.limit = platform_aliases(inv, opts.limit)
    local lok, narrowed, unmatched = pcall(inv.limit, inv, opts.limit)
    if not lok then
      error("-l " .. opts.limit .. ": " .. (type(narrowed) == "table" and narrowed.message or tostring(narrowed)), 0)
    end
    if unmatched and #narrowed > 0 then
      io.stderr:write("nethost: warning: -l ", opts.limit, ": ", unmatched, suggest(inv, opts.limit), "\n")
    end
    if #narrowed == 0 then
      error(string.format("-l %s matches no host in %s%s", opts.limit, path, suggest(inv, opts.limit)), 0)
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
