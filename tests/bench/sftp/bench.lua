-- Driven by run.sh inside the sshd harness (SSHD_PORT, SSHD_DIR, SSHD_USER).
local port, dir, user = tonumber(os.getenv("SSHD_PORT")), os.getenv("SSHD_DIR"), os.getenv("SSHD_USER")
local n, here = tonumber(os.getenv("BENCH_N")), os.getenv("BENCH_DIR")
local work = dir .. "/bench"
assert(os.execute("mkdir -p " .. work .. " && head -c 1048576 /dev/urandom > " .. work .. "/1mb"))
local host = { host = "127.0.0.1", port = port, user = user, key_file = dir .. "/id_ed25519",
               known_hosts = dir .. "/known_hosts", connect_timeout = 60 }
local rows = {}

local function nethost_run(protocol)
  assert(os.execute("rm -f " .. work .. "/r-*"))
  local c0, t0 = os.clock(), async.now()
  local tasks = {}
  for i = 1, n do
    tasks[i] = async.spawn(ssh.put, host, work .. "/1mb", ("%s/r-%d"):format(work, i),
                           { protocol = protocol, timeout = 600 })
  end
  local failed = 0
  for i = 1, n do if not pcall(tasks[i].wait, tasks[i]) then failed = failed + 1 end end
  local wall, cpu = async.now() - t0, os.clock() - c0
  rows[#rows + 1] = { "nethost " .. protocol, wall, cpu, failed }
end

local function external(label, cmd)
  assert(os.execute("rm -f " .. work .. "/r-*"))
  local p = assert(io.popen(("/usr/bin/python3 -W ignore %s/parallel.py %d %s"):format(here, n, cmd)))
  local out = p:read("a")
  p:close()
  local wall, cpu, failed = out:match("wall=(%S+) cpu=(%S+) failed=(%d+)")
  rows[#rows + 1] = { label, tonumber(wall), tonumber(cpu), tonumber(failed) }
end

local opts = ("-q -o BatchMode=yes -o UserKnownHostsFile=%s/known_hosts -i %s/id_ed25519 -P %d")
    :format(dir, dir, port)
nethost_run("sftp")
nethost_run("scp")
external("openssh scp x" .. n, ("scp %s %s/1mb 127.0.0.1:%s/r-{i}"):format(opts, work, work))
external("openssh sftp x" .. n, ("sftp-put %s %s/1mb %s/r-{i}"):format(opts, work, work))
external("asyncssh sftp", ("asyncssh %d %s %s %s/1mb %s/r-{i}"):format(port, user, dir, work, work))

print(("%d transfers of 1 MB to one local sshd, all at once"):format(n))
print(("%-22s %10s %10s %14s %8s"):format("client", "wall s", "MB/s", "CPU ms per MB", "failed"))
for _, r in ipairs(rows) do
  print(("%-22s %10.2f %10.1f %14.2f %8d"):format(r[1], r[2], n / r[2], r[3] * 1000 / n, r[4]))
end
