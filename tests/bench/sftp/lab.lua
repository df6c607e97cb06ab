-- Driven by lab.sh: BENCH_INV (the lab's inventory), BENCH_TMP (1mb, key, addrs), BENCH_P.
local inv = inventory.load(os.getenv("BENCH_INV"))
local tmp, par, here = os.getenv("BENCH_TMP"), tonumber(os.getenv("BENCH_P")), os.getenv("BENCH_HERE")
local hosts = {}
for h in inv:each() do hosts[#hosts + 1] = h end
local n = #hosts
local rows = {}

local function nethost_run(protocol)
  local c0, t0 = os.clock(), async.now()
  local tasks = {}
  for i, h in ipairs(hosts) do
    tasks[i] = async.spawn(ssh.put, h, tmp .. "/1mb", "flash:bench.bin",
                           { protocol = protocol, timeout = 900 })
  end
  local failed, err = 0, nil
  for i = 1, n do
    local ok, e = pcall(tasks[i].wait, tasks[i])
    if not ok then failed, err = failed + 1, e end
  end
  if err then io.stderr:write("nethost " .. protocol .. ": " .. tostring(err.message or err) .. "\n") end
  rows[#rows + 1] = { "nethost " .. protocol, async.now() - t0, os.clock() - c0, failed, n }
end

local function external(label, args)
  local p = assert(io.popen(("/usr/bin/python3 -W ignore %s/parallel.py %d %s 2>&1"):format(here, n, args)))
  local out = p:read("a")
  p:close()
  local wall, cpu, failed = out:match("wall=(%S+) cpu=(%S+) failed=(%d+)")
  if not wall then error(label .. ": " .. out, 0) end
  rows[#rows + 1] = { label, tonumber(wall), tonumber(cpu), tonumber(failed), n }
end

local opts = ("-q -F /dev/null -o BatchMode=yes -o UserKnownHostsFile=%s/lab/lab.known_hosts -i %s/key -P 2222")
    :format(tmp, tmp)
nethost_run("sftp")
nethost_run("scp")
external(("openssh sftp -P%d"):format(par),
         ("lab-sftp %d %s/addrs %s %s/1mb flash:bench.bin"):format(par, tmp, opts, tmp))
external(("openssh scp -O -P%d"):format(par),
         ("lab-scp %d %s/addrs %s %s/1mb flash:bench.bin"):format(par, tmp, opts, tmp))
external("asyncssh sftp", ("lab-asyncssh %s/addrs %s/lab/lab.known_hosts %s/key %s/1mb flash:bench.bin")
         :format(tmp, tmp, tmp, tmp))

print(("%d lab devices x 1 MB into flash (nethost-sim on the same machine)"):format(n))
print(("%-22s %10s %10s %14s %8s"):format("client", "wall s", "MB/s", "CPU ms per MB", "failed"))
for _, r in ipairs(rows) do
  local ok = r[5] - r[4]
  print(("%-22s %10.2f %10.1f %14.2f %8d"):format(r[1], r[2], ok / r[2], r[3] * 1000 / math.max(ok, 1), r[4]))
end
