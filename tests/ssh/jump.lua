-- Jump hosts against a real OpenSSH sshd (started by sshd_harness.sh): the sshd is the jump
-- host (one hop, and twice for two hops) and the device behind it (itself, or the fake
-- Cisco CLI on PORT+3); a jump host that is down, a changed jump host key, a jump host
-- that drops its connection, sharing of jump host connections.
local S = dofile((arg[0] and arg[0]:match("^(.*)/") or ".") .. "/sshd_lib.lua")
local port, dir, user = S.port, S.dir, S.user

local host = S.host_maker(10)

local expect_error = S.expect_error

-- The sshd child serving nethost's own TCP connection to the jump host (the only
-- connection of this process to PORT: device sessions are tunnelled) is killed.
local function kill_jump_connection()
  local f = io.open("/proc/self/stat"); local pid = f:read("a"):match("^(%d+)"); f:close()
  local cmd = string.format([[
lp=$(ss -tnpH "dport = :%d" | grep "pid=%s," | awk '{print $4}' | sed 's/.*://' | head -1)
[ -n "$lp" ] || exit 1
sp=$(ss -tnpH "sport = :%d and dport = :$lp" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$sp" ] && kill "$sp"]], port, pid, port)
  assert(os.execute(cmd), "could not find the jump host's sshd process")
end

local settle_open = S.settle_open

-- An inventory on the sshd: the defaults log in as the harness's user with its key and
-- check host keys against known_hosts (a file of the harness's folder); hosts is the rest
-- of the YAML.
local function sshd_inventory(known_hosts, hosts, name)
  return inventory.decode(string.format([[
defaults:
  username: %s
  key_file: %s/id_ed25519
  ssh: {known_hosts: %s/%s, connect_timeout: 10}
]], user, dir, dir, known_hosts) .. hosts, name)
end

local tests = {}

function tests.one_hop()
  local r = ssh.run(host({ jump = host() }), "echo through; echo err >&2; exit 3")
  assert(r.stdout == "through\n" and r.stderr == "err\n" and r.exit_status == 3, r.stdout)
  -- a ProxyJump string takes the key, known_hosts and policy of the host reached
  local r2 = ssh.run(host({ jump = user .. "@127.0.0.1:" .. port }), "echo string")
  assert(r2.stdout == "string\n")
  -- sessions, shells and big outputs go through the tunnel as well
  local s <close> = ssh.open(host({ port = port + 3, platform = "cisco_ios", jump = host() }))
  local cli = s:shell({ timeout = 10 })
  local out = cli:send("show version")
  assert(out:find("Cisco"), out)
  cli:close()
  assert(ssh.stats().open == 1, "one TCP connection (the jump host's): " .. ssh.stats().open)
  s:close()
  local r3 = ssh.run(host({ jump = host() }), "head -c 8000000 /dev/zero | tr '\\0' x")
  assert(#r3.stdout == 8000000 and not r3.stdout:find("[^x]"), #r3.stdout)
end

function tests.two_hops()
  local hop1 = host({ name = "bastion1" })
  local hop2 = host({ name = "bastion2", host = "localhost", host_key_policy = "off",
                      known_hosts = nil })
  local r = ssh.run(host({ jump = { hop1, hop2 } }), "echo two")
  assert(r.stdout == "two\n", r.stdout)
  -- the same written as OpenSSH would, and a hop that has its own jump host
  r = ssh.run(host({ jump = string.format("%s@127.0.0.1:%d,%s@127.0.0.1:%d", user, port, user,
                                          port) }), "echo twostr")
  assert(r.stdout == "twostr\n")
  r = ssh.run(host({ jump = host({ jump = host() }) }), "echo nested")
  assert(r.stdout == "nested\n")
  -- two hops concurrently share both hops' connections
  local tasks = {}
  for i = 1, 12 do tasks[i] = async.spawn(ssh.run, host({ jump = { hop1, hop2 } }), "echo " .. i) end
  for i = 1, 12 do assert(tasks[i]:wait().stdout == i .. "\n") end
end

function tests.jump_down()
  local e = expect_error("connect", ssh.run, host({ jump = host({ name = "bastion1",
                                                                  port = port + 2 }) }), "true")
  assert(e.message:find("jump bastion1 %(127.0.0.1:" .. (port + 2) .. "%)"), e.message)
  assert(e.stage == "connect", tostring(e.stage))
  -- second hop down, first up: the error names the second hop
  e = expect_error("connect", ssh.run, host({ jump = { host({ name = "b1" }),
                                                       host({ name = "b2", port = port + 2 }) } }),
                   "true")
  assert(e.message:find("jump b2 "), e.message)
  -- the device behind a working jump host refuses
  e = expect_error("connect", ssh.run, host({ port = port + 2, jump = host({ name = "b1" }) }),
                   "true")
  assert(e.message:find("via jump b1") and e.message:find(tostring(port + 2)), e.message)
  -- a jump host that never speaks: its banner deadline
  e = expect_error("timeout", ssh.run, host({ jump = host({ name = "mute", port = port + 1,
                                                            connect_timeout = 0.5 }) }), "true")
  assert(e.stage == "banner" and e.message:find("jump mute"), e.message)
  settle_open(0)
end

function tests.jump_hostkey()
  local e = expect_error("hostkey", ssh.run,
                         host({ jump = host({ name = "bastion1",
                                              known_hosts = dir .. "/known_hosts_bad" }) }), "true")
  assert(e.message:find("jump bastion1") and e.stage == "hostkey", e.message)
  -- the device's key is checked under its own policy behind a good jump host
  e = expect_error("hostkey", ssh.run, host({ known_hosts = dir .. "/known_hosts_bad",
                                              jump = host() }), "true")
  assert(not e.message:find("jump"), e.message)
end

function tests.sharing()
  -- 25 sessions through a jump host carrying 10 each on at most 2 connections: 20 run at
  -- once, 5 wait for room, and everything completes.
  local hop = host({ name = "b", max_sessions = 10, max_connections = 2 })
  local sessions, gate, tasks = {}, async.queue(), {}
  local peak = 0
  for i = 1, 25 do
    tasks[i] = async.spawn(function()
      local s <close> = ssh.open(host({ jump = hop }))
      sessions[#sessions + 1] = s
      peak = math.max(peak, #sessions)
      local r = s:run("echo " .. i)
      assert(r.stdout == i .. "\n")
      gate:get()
      for k, v in ipairs(sessions) do if v == s then table.remove(sessions, k) break end end
    end)
  end
  while #sessions < 20 do async.sleep(0.05) end
  async.sleep(0.3)
  assert(#sessions == 20, "sessions open at once: " .. #sessions)
  assert(ssh.stats().open == 2, "jump host connections: " .. ssh.stats().open)
  for _ = 1, 25 do gate:put(true) end
  for i = 1, 25 do tasks[i]:wait() end
  assert(peak == 20, peak)
  settle_open(0)
end

function tests.jump_drops()
  local s = ssh.open(host({ jump = host({ name = "bastion1" }) }))
  assert(s:run("echo before").stdout == "before\n")
  local t = async.spawn(function() return s:run("sleep 30") end)
  async.sleep(0.3)
  kill_jump_connection()
  local ok, e = pcall(t.wait, t)
  assert(not ok and e.kind == "connect" or e.kind == "channel", tostring(e))
  assert(tostring(e):find("jump bastion1"), tostring(e))
  s:close()
  -- the next session opens a new connection to the jump host
  local r = ssh.run(host({ jump = host({ name = "bastion1" }) }), "echo after")
  assert(r.stdout == "after\n")
end

function tests.errors()
  local e = select(2, pcall(ssh.run, host({ jump = "bad:port:x:" }), "true"))
  assert(tostring(e):find("jump") or tostring(e):find("port"), tostring(e))
  e = select(2, pcall(ssh.run, host({ jump = 42 }), "true"))
  assert(tostring(e):find("'jump' must be"), tostring(e))
  local loop = host({ name = "x" })
  loop.jump = loop
  e = select(2, pcall(ssh.run, host({ jump = loop }), "true"))
  assert(tostring(e):find("more than 8 jump hosts") or tostring(e):find("stack overflow"),
         tostring(e))
end

function tests.inventory()
  -- ssh.jump names inventory hosts (their address, user, key and policy), a list of them,
  -- or a ProxyJump string; the jump host inherits the group's jump and skips itself.
  local inv = sshd_inventory("known_hosts", string.format([[
groups:
  behind: {ssh: {jump: [bastion1, bastion2]}}
hosts:
  bastion1: {address: 127.0.0.1, port: %d, groups: [behind]}
  bastion2: {address: 127.0.0.1, port: %d, groups: [behind], ssh: {max_sessions: 4}}
  sw-1: {address: 127.0.0.1, port: %d, groups: [behind]}
  sw-2: {address: 127.0.0.1, port: %d, ssh: {jump: "%s@127.0.0.1:%d"}}
  sw-3: {address: 127.0.0.1, port: %d, ssh: {jump: bastion1}}
  bad: {address: 127.0.0.1, port: %d, ssh: {jump: bastion1, known_hosts: %s/known_hosts_bad}}
]], port, port, port, port, user, port, port, port, dir), "inv.yaml")
  local sw1 = inv:get("sw-1")
  assert(sw1.ssh.jump == "bastion1,bastion2", tostring(sw1.ssh.jump))
  assert(inv:get("bastion2").ssh.max_sessions == 4)
  assert(ssh.run(sw1, "echo sw1").stdout == "sw1\n")
  assert(ssh.run(inv:get("sw-2"), "echo sw2").stdout == "sw2\n")
  assert(ssh.run(inv:get("sw-3"), "echo sw3").stdout == "sw3\n")
  -- bastion2 reaches itself through bastion1 only; bastion1 directly
  assert(ssh.run(inv:get("bastion2"), "echo b2").stdout == "b2\n")
  assert(ssh.run(inv:get("bastion1"), "echo b1").stdout == "b1\n")
  local e = expect_error("hostkey", ssh.run, inv:get("bad"), "true")
  assert(not e.message:find("jump"), e.message)
  -- A ProxyJump string hop logs in with the defaults' credentials, not the device's: here
  -- the defaults pin the wrong host key, so the hop fails while the device's would pass.
  local inv2 = sshd_inventory("known_hosts_bad", string.format([[
hosts:
  sw-5: {address: 127.0.0.1, port: %d, ssh: {known_hosts: %s/known_hosts, jump: "127.0.0.1:%d"}}
  sw-6: {address: 127.0.0.1, port: %d, ssh: {known_hosts: %s/known_hosts}}
]], port, dir, port, port, dir), "inv2.yaml")
  assert(ssh.run(inv2:get("sw-6"), "echo direct").stdout == "direct\n")
  e = expect_error("hostkey", ssh.run, inv2:get("sw-5"), "true")
  assert(e.message:find("jump 127.0.0.1:" .. port), e.message)
  -- Ansible: ProxyJump from ansible_ssh_common_args / -J in ansible_ssh_extra_args
  local ans = inventory.decode(string.format([[
all:
  hosts:
    r1: {ansible_host: 127.0.0.1, ansible_port: %d,
         ansible_ssh_common_args: "-o StrictHostKeyChecking=no -o ProxyJump=%s@127.0.0.1:%d"}
    r2: {ansible_host: 127.0.0.1, ansible_port: %d, ansible_ssh_extra_args: "-J r1"}
    r3: {ansible_host: 127.0.0.1, ansible_port: %d, ansible_ssh_common_args: "-o 'ProxyJump none'"}
]], port, user, port, port, port), "hosts.yml")
  assert(ans:get("r1").ssh.jump == user .. "@127.0.0.1:" .. port, tostring(ans:get("r1").ssh.jump))
  assert(ans:get("r2").ssh.jump == "r1")
  assert(ans:get("r3").ssh.jump == nil)
  local opts = { user = user, key_file = dir .. "/id_ed25519", known_hosts = dir .. "/known_hosts" }
  -- the hops' host keys are checked under their own policy (here: the default file)
  e = expect_error("hostkey", ssh.run, ans:get("r2"), "true", opts)
  assert(e.message:find("jump r1 %(127.0.0.1:" .. port .. "%): jump " .. user .. "@127.0.0.1:"
                        .. port .. ": no host key"), e.message)
end

S.run(tests)
