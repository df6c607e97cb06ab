-- netconf_push.lua — push a configuration change with NETCONF, safely.
--
-- For each host: lock the candidate, edit it, validate, `commit confirmed` (the device rolls
-- back by itself unless confirmed in time), verify the running datastore, then confirm with
-- a plain commit and unlock. On any failure before the confirm: discard-changes, cancel the
-- pending confirmed commit (or let its timeout restore the device), unlock. Rolling batches,
-- pair exclusion and the failure budget as in push.lua; with on_abort=rollback, hosts already
-- changed get their previous running configuration back (copy-config of the snapshot).
--
--   nethost run playbooks/netconf_push.lua -i INVENTORY [-l LIMIT] [--check] [--diff]
--       -e config=change.xml        the <config> contents (or DIR/<platform>.xml with -e snippets=DIR)
--       [-e verify=XPATH]           an XPath that must match in running after the commit
--       [-e confirm=120]            the confirmed commit's timeout (seconds)
--       [-e serial=1,10%,50%] [-e max_fail=5%] [-e exclusive=pair] [-e on_abort=rollback|stop]
--       [-o results.jsonl]
--
-- Exit status: 0 all applied (or would be, with --check), 2 some hosts failed or the run
-- was aborted.

local fs = require("nethost.fs")
local report = require("nethost.report")

local vars = nethost.vars
if not nethost.inventory then error("netconf_push: needs an inventory (-i)", 0) end
if not vars.config and not vars.snippets then
  error("netconf_push: give -e config=FILE.xml or -e snippets=DIR", 0)
end

local fixed = vars.config and assert(fs.read(vars.config))
local function config_for(platform)
  if fixed then return fixed end
  return fs.read(vars.snippets .. "/" .. tostring(platform) .. ".xml")
end

local confirm = tonumber(vars.confirm or "120")

local res = nethost.run(nethost.inventory, function(host)
  local cfg = config_for(host.platform)
  if not cfg then nethost.skip("no configuration for platform " .. tostring(host.platform)) end
  local s <close> = netconf.open(host)
  if not s:has(":candidate") then
    error(nethost.error("netconf", "the device has no candidate datastore", { host = host.name, op = "push" }))
  end
  if nethost.check then
    s:edit_config("candidate", cfg) -- recorded in would_send; nothing is sent
    return { mode = "check" }
  end
  local snapshot = s:get_config("running").xml
  s:lock("candidate")
  local committed = false
  local ok, err = pcall(function()
    s:edit_config("candidate", cfg)
    s:validate("candidate")
    s:commit({ confirmed = true, timeout = confirm })
    committed = true
    if vars.verify and #s:get_config("running"):find(vars.verify) == 0 then
      error(nethost.error("netconf", "verify failed: no match for " .. vars.verify,
                          { host = host.name, op = "verify" }))
    end
    s:commit() -- confirms
  end)
  if not ok then
    -- Undo on the device: the pending confirmed commit is cancelled (its timeout would
    -- restore the device anyway), the candidate's edits are discarded.
    if committed then pcall(s.cancel_commit, s) end
    pcall(s.discard_changes, s)
    pcall(s.unlock, s, "candidate")
    error(err, 0)
  end
  s:unlock("candidate")
  host:on_rollback(function()
    local r <close> = netconf.open(host)
    r:lock("candidate")
    r:copy_config("candidate", snapshot)
    r:commit()
    r:unlock("candidate")
  end)
  return { mode = "commit confirmed" }
end, nethost.rollout_options("netconf_push"))

print(report.rollout(res))
local sum = res:summary()
return (sum.failed + sum.aborted > 0) and 2 or 0
