-- upload.lua — copy a file (a software image, a certificate, a configuration) to every
-- selected device, checking free space first and the copy's SHA-256 after.
--
--   nethost run playbooks/upload.lua -i INVENTORY [-l LIMIT] [-c N] -e file=PATH
--       [-e dest=PATH]        the remote path (default: the host's data.upload_dest, else
--                             flash:NAME on IOS-like platforms, NAME in the login folder)
--       [-e protocol=scp]     force SCP (default: SFTP, SCP when the device has no SFTP)
--       [-e verify=no]        skip reading the copy back (default: verify its SHA-256)
--       [-e reserve=BYTES]    free space to leave on the device besides the file (default 0)
--       [-e timeout=SECONDS]  per host (default 1800)
--       [-o results.jsonl]
--
-- Per host: the free space on the destination's file system (`dir FS:` on IOS-like
-- platforms, `df -Pk DIR` elsewhere) must hold the file plus the reserve, else the host
-- fails without sending anything; then ssh.put streams the file (docs/ssh.md, "File
-- transfer") and reads it back to compare SHA-256 digests. The report lists each host's
-- bytes, rate and state. Exit status: 0 every host has the file, 2 some failed.

local fs = require("nethost.fs")
local report = require("nethost.report")

if not nethost.inventory then error("upload: needs an inventory (-i)", 0) end
local file = nethost.vars.file
if not file then error("upload: give the file to copy with -e file=PATH", 0) end
local st = fs.stat(file)
if not st or st.type ~= "file" then error("upload: " .. file .. ": not a readable file", 0) end
local size = st.size
local name = file:match("([^/]+)$")
local reserve = tonumber(nethost.vars.reserve or "0")
if not reserve then error("upload: -e reserve must be a number of bytes", 0) end
local verify = nethost.vars.verify ~= "no" and "sha256" or nil
local protocol = nethost.vars.protocol

-- Platforms whose CLI has IOS's `dir FS:` ("... 12345 bytes free").
local IOSLIKE = { cisco_ios = true, cisco_xe = true, cisco_nxos = true, arista_eos = true }

-- The free bytes of the file system dest is on, or nil, err.
local function free_space(s, host, dest)
  if IOSLIKE[host.platform] then
    local fsname = dest:match("^([%w%-]+:)") or "flash:"
    local out = s:run("dir " .. fsname).stdout
    local free = out:match("%((%d+) bytes free%)") or out:match("(%d+) bytes free")
    if not free then return nil, "cannot read the free space from 'dir " .. fsname .. "'" end
    return tonumber(free)
  end
  local folder = dest:match("^(.*)/[^/]*$") or "."
  if folder == "" then folder = "/" end
  local out = s:run("df -Pk '" .. folder:gsub("'", "'\\''") .. "'").stdout
  local kb = out:match("\n%S+%s+%d+%s+%d+%s+(%d+)")
  if not kb then return nil, "cannot read the free space from 'df -Pk " .. folder .. "'" end
  return tonumber(kb) * 1024
end

local res = nethost.run(nethost.inventory, function(host)
  local data = host.data or {}
  local dest = nethost.vars.dest or data.upload_dest or (IOSLIKE[host.platform] and "flash:" .. name or name)
  local s <close> = ssh.open(host)
  local free, err = free_space(s, host, dest)
  if not free then error(nethost.error("command", err)) end
  if free < size + reserve then
    error(nethost.error("transfer", ("not enough space for %s: %d bytes needed, %d free")
                        :format(dest, size + reserve, free)))
  end
  local r = s:put(file, dest, { verify = verify, protocol = protocol,
                                timeout = tonumber(nethost.vars.timeout or "1800") })
  return { dest = dest, bytes = r.bytes, elapsed = r.elapsed, protocol = r.protocol,
           sha256 = r.sha256, verified = verify ~= nil, free_before = free }
end, { name = "upload", timeout = tonumber(nethost.vars.timeout or "1800") + 60 })

local rows, ok, failed = {}, 0, 0
for rec in res:each() do
  local v = rec.value
  if v then
    ok = ok + 1
    rows[#rows + 1] = { host = rec.host, state = v.verified and "verified" or "copied",
                        bytes = tostring(v.bytes), rate = v.elapsed > 0 and
                        ("%.1f MB/s"):format(v.bytes / v.elapsed / 1e6) or "",
                        detail = v.protocol .. " " .. v.dest }
  else
    failed = failed + 1
    rows[#rows + 1] = { host = rec.host, state = "failed", bytes = "", rate = "",
                        detail = rec.error and rec.error.message or "?" }
  end
end
table.sort(rows, function(a, b) return a.host < b.host end)
if rows[1] then print(report.text(rows, { "host", "state", "bytes", "rate", "detail" })) end
print(("\nupload %s (%d bytes): %d hosts have it, %d failed"):format(name, size, ok, failed))
return failed > 0 and 2 or 0
