-- File transfer (ssh.put / ssh.get, s:put / s:get) against a real OpenSSH sshd started by
-- sshd_harness.sh (internal-sftp): SFTP and SCP, 0 B, 1 B and tens of MB compared byte
-- for byte in both directions, modes, verify, a missing remote file, permission denied,
-- a deadline and a cancel in the middle of a transfer, a server without SFTP (SCP
-- fallback), and through a jump host.
local S = dofile((arg[0] and arg[0]:match("^(.*)/") or ".") .. "/sshd_lib.lua")
local port, dir, user = S.port, S.dir, S.user
local work = dir .. "/xfer"
assert(os.execute("mkdir -p " .. work))

local host = S.host_maker(10)

local function sh(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  p:close()
  return out
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- A file of n pseudo-random bytes (not a repeating pattern: a misplaced chunk must show).
local function make(path, n)
  if n == 0 then
    assert(io.open(path, "wb")):close()
  else
    assert(os.execute(string.format(
      "head -c %d /dev/urandom > %s", n, path)))
  end
  return path
end

local function same(a, b)
  return os.execute(string.format("cmp -s %s %s", a, b)) == true
end

local function mode_of(path) return sh("stat -c %a " .. path):gsub("%s+$", "") end

-- Any kind of error object.
local function expect_error(fn, ...)
  return S.expect_error(nil, fn, ...)
end

-- No temporary file may stay behind a download (finished, failed or cancelled).
local function no_temps()
  local left = sh("ls " .. work .. " | grep nhtmp || true")
  assert(left == "", "temporary files left: " .. left)
end

local sizes = { 0, 1, 65536, 24 * 1024 * 1024 + 7 }

local tests = {}

local function round_trip(protocol)
  local s <close> = ssh.open(host())
  for _, n in ipairs(sizes) do
    local src = make(string.format("%s/src-%s-%d", work, protocol, n), n)
    local remote = string.format("%s/remote-%s-%d", work, protocol, n)
    local back = string.format("%s/back-%s-%d", work, protocol, n)
    local r = s:put(src, remote, { protocol = protocol })
    assert(r.bytes == n, string.format("put %d: bytes %s", n, r.bytes))
    assert(r.protocol == protocol, r.protocol)
    assert(type(r.elapsed) == "number" and r.host == "127.0.0.1")
    assert(same(src, remote), "put " .. n .. " bytes: the remote copy differs")
    local g = s:get(remote, back, { protocol = protocol })
    assert(g.bytes == n, string.format("get %d: bytes %s", n, g.bytes))
    assert(same(src, back), "get " .. n .. " bytes: the local copy differs")
    local want = sh("sha256sum " .. src):match("^(%x+)")
    assert(r.sha256 == want and g.sha256 == want, "sha256 of " .. n .. " bytes")
    -- a download is 0600 unless a mode is asked for
    assert(mode_of(back) == "600", mode_of(back))
    os.remove(remote); os.remove(back); os.remove(src)
  end
  no_temps()
end

function tests.sftp_round_trip() round_trip("sftp") end
function tests.scp_round_trip() round_trip("scp") end

function tests.modes_and_verify()
  local src = make(work .. "/m-src", 100000)
  assert(os.execute("chmod 0751 " .. src))
  -- an upload keeps the local file's mode unless told otherwise, whatever sshd's umask
  local r = ssh.put(host(), src, work .. "/m-remote", { verify = "sha256" })
  assert(r.bytes == 100000 and mode_of(work .. "/m-remote") == "751", mode_of(work .. "/m-remote"))
  ssh.put(host(), src, work .. "/m-remote", { mode = "0604" })
  assert(mode_of(work .. "/m-remote") == "604", mode_of(work .. "/m-remote"))
  ssh.put(host(), src, work .. "/m-scp", { mode = 416, protocol = "scp", verify = true })
  assert(mode_of(work .. "/m-scp") == "640", mode_of(work .. "/m-scp"))
  local g = ssh.get(host(), work .. "/m-remote", work .. "/m-back", { mode = "0644",
                                                                       verify = "sha256" })
  assert(g.bytes == 100000 and mode_of(work .. "/m-back") == "644")
  assert(same(src, work .. "/m-back"))
  -- a download replaces the destination only once complete
  local keep = work .. "/keep"
  local f = assert(io.open(keep, "w")); f:write("old"); f:close()
  expect_error(ssh.get, host(), work .. "/absent", keep)
  assert(read(keep) == "old", "a failed download touched the destination")
  ssh.get(host(), work .. "/m-remote", keep)
  assert(same(src, keep))
  -- bad options are errors naming the option (misuse raises a message, not an error object)
  local function misuse(opts, what)
    local ok, e = pcall(ssh.put, host(), src, work .. "/x", opts)
    assert(not ok and tostring(e):find(what), tostring(e))
  end
  misuse({ mode = "rwx" }, "octal")
  misuse({ protocol = "ftp" }, "unknown protocol")
  misuse({ verify = "md5" }, "verify")
  no_temps()
end

function tests.errors()
  for _, protocol in ipairs({ "sftp", "scp" }) do
    local o = { protocol = protocol }
    local e = expect_error(ssh.get, host(), work .. "/no/such/file", work .. "/dst", o)
    -- libssh2 keeps no more of a refused SCP download than "Failed to recv file"
    assert(e.kind == "transfer" and e.stage == "open", tostring(e))
    assert(e.code == (protocol == "sftp" and "ENOENT" or "EPROTO"), tostring(e))
    assert(e.message:find("no/such/file", 1, true) and e.host == "127.0.0.1", e.message)
    assert(io.open(work .. "/dst") == nil, "a failed download created its destination")
    -- permission denied: a read-only sysfs file refuses writes even to root
    local ro = "/sys/kernel/notes"
    if sh("id -u") ~= "0\n" then
      ro = work .. "/ro/file"
      assert(os.execute("mkdir -p " .. work .. "/ro && chmod 0500 " .. work .. "/ro"))
    end
    make(work .. "/small", 10)
    e = expect_error(ssh.put, host(), work .. "/small", ro, o)
    assert(e.kind == "transfer" and e.stage == "open", protocol .. ": " .. tostring(e))
    assert(e.code == (protocol == "sftp" and "EACCES" or "EPROTO"), tostring(e))
    assert(e.message:find(ro, 1, true), e.message)
    -- a local file that is missing fails before anything is sent
    e = expect_error(ssh.put, host(), work .. "/absent-local", work .. "/x", o)
    assert(e.code == "ENOENT" and e.stage == "local", tostring(e))
    e = expect_error(ssh.get, host(), work .. "/small", "/nonexistent-dir/x", o)
    assert(e.code == "ENOENT" and e.stage == "local", tostring(e))
  end
  no_temps()
end

-- The session stays usable after a transfer stopped in the middle.
local function still_usable(s)
  assert(s:run("echo alive").stdout == "alive\n")
  local r = s:put(work .. "/small", work .. "/after")
  assert(r.bytes == 10 and same(work .. "/small", work .. "/after"))
end

function tests.deadline_and_cancel()
  local big = make(work .. "/big", 64 * 1024 * 1024)
  make(work .. "/small", 10)
  for _, protocol in ipairs({ "sftp", "scp" }) do
    local s <close> = ssh.open(host())
    -- a deadline far too short for 64 MB: the transfer stops with ETIMEDOUT part way
    local e = expect_error(s.get, s, big, work .. "/big-back", { protocol = protocol,
                                                                   timeout = 0.01 })
    assert(e.code == "ETIMEDOUT" and e.kind == "timeout", tostring(e))
    assert(io.open(work .. "/big-back") == nil)
    still_usable(s)
    -- cancel: the task waiting on the transfer is cancelled once bytes have moved
    for _, dirn in ipairs({ "put", "get" }) do
      local t = async.spawn(function()
        if dirn == "put" then return s:put(big, work .. "/big-remote", { protocol = protocol }) end
        return s:get(big, work .. "/big-back", { protocol = protocol })
      end)
      async.sleep(0.02)
      t:cancel()
      local ok, err = pcall(t.wait, t)
      assert(not ok, protocol .. " " .. dirn .. ": the transfer was not cancelled")
      assert(type(err) ~= "table" or err.code == "ECANCELED" or err.kind == "cancelled",
             tostring(err))
      assert(io.open(work .. "/big-back") == nil)
      still_usable(s)
    end
  end
  no_temps()
end

function tests.no_sftp_subsystem()
  -- A second sshd without the SFTP subsystem: the default falls back to SCP, and asking
  -- for SFTP says why it failed.
  -- Another test run may take the port between the check and sshd's bind: try others.
  local cfg, p2 = dir .. "/sshd_nosftp_config", nil
  for try = 1, 8 do
    local cand = tonumber(sh(string.format([[/usr/bin/python3 -c "
import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"]])))
    os.remove(dir .. "/nosftp.pid")
    assert(os.execute(string.format(
      "sed -e '/^Subsystem/d' -e '/^Match/,$d' -e 's/^ListenAddress .*//' -e 's#^PidFile .*#PidFile %s/nosftp.pid#' %s/sshd_config > %s && echo 'ListenAddress 127.0.0.1:%d' >> %s",
      dir, dir, cfg, cand, cfg)))
    os.execute(string.format("/usr/sbin/sshd -f %s -E %s/nosftp.log", cfg, dir))
    for _ = 1, 100 do
      if io.open(dir .. "/nosftp.pid") then p2 = cand break end
      async.sleep(0.05)
    end
    if p2 then break end
    assert(try < 8, "the second sshd did not start: " .. sh("tail -3 " .. dir .. "/nosftp.log"))
  end
  local ok, err = pcall(function()
    local h = host({ port = p2, host_key_policy = "off" })
    local src = make(work .. "/fb", 300000)
    local r = ssh.put(h, src, work .. "/fb-remote", { verify = "sha256" })
    assert(r.protocol == "scp" and r.bytes == 300000, r.protocol)
    assert(same(src, work .. "/fb-remote"))
    local g = ssh.get(h, work .. "/fb-remote", work .. "/fb-back")
    assert(g.protocol == "scp" and same(src, work .. "/fb-back"))
    local e = expect_error(ssh.put, h, src, work .. "/x", { protocol = "sftp" })
    assert(e.stage == "sftp" and e.message:find("no SFTP subsystem"), tostring(e))
  end)
  os.execute(string.format("kill $(cat %s/nosftp.pid)", dir))
  assert(ok, tostring(err))
end

function tests.through_jump_host()
  local src = make(work .. "/j-src", 3 * 1024 * 1024 + 1)
  for _, protocol in ipairs({ "sftp", "scp" }) do
    local h = host({ jump = { host({ name = "bastion1" }), host({ name = "bastion2" }) } })
    local r = ssh.put(h, src, work .. "/j-remote", { protocol = protocol, verify = "sha256" })
    assert(r.bytes == 3 * 1024 * 1024 + 1 and same(src, work .. "/j-remote"))
    local g = ssh.get(h, work .. "/j-remote", work .. "/j-back", { protocol = protocol })
    assert(g.bytes == r.bytes and same(src, work .. "/j-back"))
    os.remove(work .. "/j-back")
  end
end

S.run(tests)
