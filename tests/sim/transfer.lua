-- ssh.put / ssh.get against nethost-sim's SFTP and SCP (test_transfer.sh starts the lab
-- with --flash-mb 8): files of 0 B, 1 B and 3 MB to and from each device's flash,
-- compared byte for byte, on every personality and with both protocols; `dir flash:`
-- and `verify /sha512` on the device CLI; a full flash and a missing file give clear
-- errors; replacing and deleting a file gives its space back.
local inv = inventory.load(os.getenv("SIM_INVENTORY"))
local work = os.getenv("WORK")
local CAP = 8 * 1024 * 1024

local F = dofile((arg[0] and arg[0]:match("^(.*)/") or ".") .. "/../lib/files.lua")
local sh, make, fs_size, same = F.sh, F.make, F.size, F.same

local function expect_error(fn, ...)
  local ok, err = pcall(fn, ...)
  assert(not ok, "expected an error")
  assert(type(err) == "table", tostring(err))
  return err
end

local files = { zero = make(work .. "/zero", 0), one = make(work .. "/one", 1),
                big = make(work .. "/big", 3 * 1000 * 1000) }
local ioslike = { cisco_ios = true, arista_eos = true }

local function free_of(host)
  local out = ssh.run(host, "dir flash:").stdout
  local free = out:match("(%d+) bytes free")
  assert(free, out)
  return tonumber(free), out
end

local hosts = {}
for host in inv:each() do hosts[#hosts + 1] = host end
assert(#hosts >= 3)

local tasks = {}
for i, host in ipairs(hosts) do
  tasks[i] = async.spawn(function()
    local s <close> = ssh.open(host)
    for _, proto in ipairs({ "sftp", "scp" }) do
      for name, path in pairs(files) do
        local remote = "flash:" .. name .. "-" .. proto
        local r = s:put(path, remote, { protocol = proto, verify = "sha256" })
        assert(r.bytes == fs_size(path) and r.protocol == proto, host.name .. " " .. remote)
        local back = ("%s/%s-%s-%s.back"):format(work, host.name, name, proto)
        local g = s:get(remote, back, { protocol = proto })
        assert(g.bytes == r.bytes, remote)
        assert(same(path, back), host.name .. ": " .. remote .. " differs after " .. proto)
        -- the other protocol reads what this one wrote
        local other = proto == "sftp" and "scp" or "sftp"
        s:get(remote, back .. "2", { protocol = other })
        assert(same(path, back .. "2"), remote .. " read back by " .. other)
      end
    end
    if ioslike[host.platform] then
      local free, out = free_of(host)
      assert(out:find("%s3000000%s+.*big%-sftp\n"), out)
      assert(out:find("%s1%s+.*one%-scp\n"), out)
      assert(out:find("%s0%s+.*zero%-sftp\n"), out)
      assert(free == CAP - 2 * 3000001, out)
      local v = s:run("verify /sha512 flash:big-scp").stdout
      local want = sh("sha512sum " .. files.big):match("^(%x+)")
      assert(v:match("= (%x+)") == want, v)
      v = s:run("verify /md5 flash:one-sftp").stdout
      assert(v:match("= (%x+)") == sh("md5sum " .. files.one):match("^(%x+)"), v)
      -- replacing a file does not count it twice; deleting gives the space back
      s:put(files.one, "flash:big-sftp")
      assert(free_of(host) == CAP - 3000003, "overwrite did not free the old bytes")
      s:run("delete flash:big-scp")
      assert(free_of(host) == CAP - 3, "delete did not free the bytes")
      assert(s:run("dir flash:").stdout:find("big%-scp") == nil, "deleted file still listed")
    end
    -- a full flash (8 MB): fill it with 3 MB files until one does not fit
    local e
    for k = 1, 4 do
      local ok, err = pcall(s.put, s, files.big, "flash:fill" .. k, { protocol = "sftp" })
      if not ok then e = err break end
    end
    assert(e, "8 MB of flash took 12 MB")
    assert(e.code == "ENOSPC" and e.message:find("no space"), e.message)
    e = expect_error(s.put, s, files.big, "flash:fill4", { protocol = "scp" })
    assert(e.kind == "transfer" and e.message:find("no space"), e.message)
    -- a missing file
    e = expect_error(s.get, s, "flash:absent", work .. "/absent", { protocol = "sftp" })
    assert(e.code == "ENOENT" and e.message:find("flash:absent"), e.message)
    e = expect_error(s.get, s, "flash:absent", work .. "/absent", { protocol = "scp" })
    assert(e.kind == "transfer" and e.message:find("flash:absent"), e.message)
    assert(io.open(work .. "/absent") == nil, "a failed get left a file")
    if ioslike[host.platform] then
      local _, out = free_of(host)
      assert(not out:find("fill4"), "SCP created a file it had no room for")
    end
    return true
  end)
end
for i, t in ipairs(tasks) do
  local ok, err = pcall(t.wait, t)
  assert(ok, hosts[i].name .. ": " .. tostring(type(err) == "table" and err.message or err))
end
-- A file replaced while SCP sends it: the reader gets one whole version, old or new, and
-- the writer a copy of its own (the lab sends files by reference). Flash is full by now,
-- so on a fresh name: remove nothing, use the 1-byte and 0-byte files as the versions.
do
  local h = hosts[1]
  local s1 <close> = ssh.open(h)
  local s2 <close> = ssh.open(h)
  for round = 1, 5 do
    s1:put(files.one, "flash:race", { protocol = "sftp" })
    local back = work .. "/race.back"
    local g = async.spawn(s1.get, s1, "flash:race", back, { protocol = "scp" })
    local p = async.spawn(s2.put, s2, files.zero, "flash:race", { protocol = "sftp" })
    g:wait()
    p:wait()
    assert(same(back, files.one) or same(back, files.zero), "round " .. round .. ": a torn read")
  end
end
print(("transfer: %d devices, SFTP and SCP, all checks passed"):format(#hosts))
