-- upload.lua — copy a file (a software image, a certificate, a configuration) to every
-- selected device, checking free space first and the copy's digest after.
--
--   nethost run playbooks/upload.lua -i INVENTORY [-l LIMIT] [-c N] -e file=PATH
--       [-e dest=PATH]        the remote path (default: the host's data.upload_dest, else
--                             the platform's default folder and the file's name:
--                             flash:NAME on IOS/EOS, /var/tmp/NAME on Junos, NAME in the
--                             login folder on a host without a platform)
--       [-e protocol=scp]     force SCP (default: SFTP, SCP when the device has no SFTP)
--       [-e verify=device|read|no]
--                             device: the device computes the copy's digest (`verify
--                             /sha512` on IOS/EOS, `file checksum sha-256` on Junos,
--                             `sha256sum` without a platform) and it is compared with the
--                             local file's; read: read the copy back over SFTP/SCP and
--                             compare SHA-256; no: do not check. Default: device where the
--                             platform can, else read
--       [-e space=no]         skip the free-space check
--       [-e reserve=BYTES]    free space to leave on the device besides the file (default 0)
--       [-e timeout=SECONDS]  per host (default 1800)
--       [-o results.jsonl]
--
-- Per host: the free space on the destination's file system (the platform's command, e.g.
-- `dir flash:` or `show system storage`, `df -Pk DIR` without a platform) must hold the file
-- plus the reserve, else the host fails without sending anything; then ssh.put streams the
-- file (docs/ssh.md, "File transfer") and the copy is verified. All vendor knowledge comes
-- from the platform's plugin through nethost.platform. The report lists each host's bytes,
-- rate and state. Exit status: 0 every host has the file, 2 some failed.

local fs = require("nethost.fs")
local platform = require("nethost.platform")
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
local verify = nethost.vars.verify or "auto"
if not ({ auto = true, device = true, read = true, no = true })[verify] then
  error("upload: -e verify must be device, read or no", 0)
end
local check_space = nethost.vars.space ~= "no"
local protocol = nethost.vars.protocol
local timeout = tonumber(nethost.vars.timeout or "1800")
if not timeout or not (timeout > 0) then error("upload: -e timeout must be a positive number of seconds", 0) end

-- The local file's digests, computed once per algorithm (the whole file is read).
local local_digest = {}
local function digest_of(alg, moved_sha256)
  if alg == "sha256" and moved_sha256 then return moved_sha256 end
  if not local_digest[alg] then
    local_digest[alg] = assert(fs.digest(file, alg))
  end
  return local_digest[alg]
end

-- fs.digest reads the whole file on the loop thread: inside a host task it would stall every
-- other host's transfer for as long as it reads (seconds for an image). So the digests the
-- devices print are computed here, before any host runs; SHA-256 comes from the transfer.
if verify == "auto" or verify == "device" then
  for h in nethost.inventory:each() do
    local alg = platform.checksum_algorithm(h)
    if alg and alg ~= "sha256" then digest_of(alg) end
  end
end

local res = nethost.run(nethost.inventory, function(host)
  local data = host.data or {}
  local dest = nethost.vars.dest or data.upload_dest or platform.file_path(host, name)
  local s <close> = ssh.open(host)
  local free
  if check_space then
    local err
    free, err = platform.free_space(s, host, dest)
    if not free then error(nethost.error("command", err)) end
    if free < size + reserve then
      error(nethost.error("transfer", ("not enough space for %s: %d bytes needed, %d free")
                          :format(dest, size + reserve, free)))
    end
  end
  local how = verify
  if how == "auto" then how = platform.checksum_algorithm(host) and "device" or "read" end
  local r = s:put(file, dest, { verify = how == "read" and "sha256" or nil, protocol = protocol,
                                timeout = timeout })
  local digest, alg
  if how == "device" then
    digest, alg = platform.checksum(s, host, dest) -- alg is the message when digest is nil
    if not digest then error(nethost.error("command", alg)) end
    local want = digest_of(alg, r.sha256)
    if digest ~= want then
      error(nethost.error("transfer", ("%s digest of %s on the device is %s, the file's is %s")
                          :format(alg, dest, digest, want)))
    end
  end
  return { dest = dest, bytes = r.bytes, elapsed = r.elapsed, protocol = r.protocol,
           sha256 = r.sha256, verified = how ~= "no" and how or nil, digest = digest,
           digest_algorithm = alg, free_before = free }
end, { name = "upload", timeout = timeout + 60 })

local rows, ok, failed = {}, 0, 0
for rec in res:each() do
  local v = rec.value
  if v then
    ok = ok + 1
    rows[#rows + 1] = { host = rec.host, state = v.verified and "verified" or "copied",
                        bytes = tostring(v.bytes), rate = v.elapsed > 0 and
                        ("%.1f MB/s"):format(v.bytes / v.elapsed / 1e6) or "",
                        detail = ("%s %s%s"):format(v.protocol, v.dest, v.verified and
                          (" (%s, %s)"):format(v.digest_algorithm or "sha256", v.verified) or "") }
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
