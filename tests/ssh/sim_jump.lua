-- nethost-sim as the jump host (docs/lab.md, "The lab as a jump host"), run by
-- test_sim_jump.sh on a lab of 8 devices from 127.1.201.1 (mix 2:1:1): sw-0001, sw-0002 and
-- sw-0006 forward (--bastions), sw-0006 drops its connection after 1 MB forwarded (--fault
-- drop), sw-0008 answers show commands with 4 MB (--fault huge). Every session here reaches
-- its device through the lab itself: one hop, two hops, an inventory name, a list, a
-- ProxyJump string; NETCONF, SFTP and SCP; forwards the lab refuses; a bastion lost mid-run.
local S = dofile((arg[0] and arg[0]:match("^(.*)/") or ".") .. "/sshd_lib.lua")
local labfile = assert(os.getenv("SIM_INVENTORY"))
local key = assert(os.getenv("SIM_KEY"))
local f = assert(io.open(labfile))
local lab_text = f:read("a")
f:close()
local lab = inventory.load(labfile)

-- The lab's inventory with fields added to some hosts' flow maps, extra hosts appended, and
-- a key file in the defaults (a ProxyJump string hop logs in with the defaults' key; the
-- lab takes any key for admin).
local function derive(fields, extra)
  local t, n = lab_text:gsub("\n  ssh:\n", "\n  key_file: " .. key .. "\n  ssh:\n", 1)
  assert(n == 1, "no defaults ssh: section in " .. labfile)
  -- the known_hosts file beside the lab's inventory, by its full path
  t, n = t:gsub("\n    known_hosts: ", "\n    known_hosts: " .. labfile:match("^(.*/)"), 1)
  assert(n == 1, "no known_hosts in " .. labfile)
  for name, add in pairs(fields) do
    t, n = t:gsub("\n  " .. name:gsub("%-", "%%-") .. ": {", "\n  " .. name .. ": {" .. add .. ", ")
    assert(n == 1, "no host " .. name .. " in " .. labfile)
  end
  if extra then t = t .. extra end
  return inventory.decode(t, "jump.yaml")
end

local function expect_error(fn, ...)
  return S.expect_error(nil, fn, ...)
end

local settle_open = S.settle_open

local OPTS = { timeout = 60, max_output = 16 * 1024 * 1024 }

-- Runs cmd on host name directly and on inv's name (through its jump hosts): the same bytes
-- and exit status, at least min_bytes of them.
local function same_as_direct(inv, name, cmd, min_bytes)
  local direct = ssh.run(lab:get(name), cmd, OPTS)
  local r = ssh.run(inv:get(name), cmd, OPTS)
  assert(#direct.stdout >= min_bytes and r.stdout == direct.stdout
         and r.exit_status == direct.exit_status,
         name .. " through the jump host: " .. #r.stdout .. " bytes, directly " .. #direct.stdout)
end

-- Runs cmd on host: its output must contain want.
local function expect_output(host, cmd, want)
  local r = ssh.run(host, cmd)
  assert(r.stdout:find(want, 1, true), r.stdout)
end

local tests = {}

function tests.one_hop()
  local inv = derive({ ["sw-0004"] = "ssh: {jump: sw-0001}", ["r-0003"] = "ssh: {jump: sw-0001}" })
  -- the same bytes as directly, a whole running configuration
  same_as_direct(inv, "sw-0004", "show running-config", 5000)
  -- 4 MB (sw-0008's huge fault): the lab stops reading the device while the SSH window is shut
  same_as_direct(derive({ ["sw-0008"] = "ssh: {jump: sw-0001}" }), "sw-0008", "show version", 4000000)
  settle_open(0)
  -- a platform shell with config mode, and a Junos shell, on one connection to sw-0001
  local s <close> = ssh.open(inv:get("sw-0004"))
  local cli = s:shell({ timeout = 30 })
  cli:config({ "ntp server 10.9.9.9" })
  local out = cli:send("show running-config | include ntp server")
  assert(out:find("ntp server 10.9.9.9", 1, true), out)
  local j <close> = ssh.open(inv:get("r-0003"))
  local jcli = j:shell({ timeout = 30 })
  out = jcli:send("show version")
  assert(out:find("Junos: ", 1, true), out)
  assert(ssh.stats().open == 1, "one TCP connection (sw-0001's): " .. ssh.stats().open)
  jcli:close()
  cli:close()
  j:close()
  s:close()
  -- the change went to the device itself
  expect_output(lab:get("sw-0004"), "show running-config | include ntp server 10.9.9.9", "10.9.9.9")
end

function tests.two_hops()
  local inv = derive({ ["sw-0005"] = "ssh: {jump: [sw-0001, sw-0002]}",
                       ["r-0007"] = 'ssh: {jump: "admin@127.1.201.1:2222,admin@127.1.201.2:2222"}' })
  same_as_direct(inv, "sw-0005", "show running-config", 1)
  -- a shell through the ProxyJump string (the hops log in with the defaults' key)
  local s <close> = ssh.open(inv:get("r-0007"))
  local cli = s:shell({ timeout = 30 })
  local out = cli:send("show interfaces terse")
  assert(out:find("ge%-0/0/0"), out)
  assert(ssh.stats().open == 1, "one TCP connection (sw-0001's): " .. ssh.stats().open)
  cli:close()
  s:close()
  -- 12 sessions at once share the hops' connections
  local tasks = {}
  for i = 1, 12 do
    tasks[i] = async.spawn(ssh.run, inv:get(i % 2 == 0 and "sw-0005" or "r-0007"), "show version")
  end
  for i = 1, 12 do
    local v = tasks[i]:wait().stdout
    assert(v:find(i % 2 == 0 and "Cisco IOS" or "Junos:", 1, true), v)
  end
end

function tests.refused()
  local inv = derive({}, [[
  outside: {address: 127.0.0.1, port: 22, ssh: {jump: sw-0001, host_key_policy: "off"}}
  wrongport: {address: 127.1.201.5, port: 2223, ssh: {jump: sw-0001}}
  plainhop: {address: 127.1.201.5, ssh: {jump: sw-0004}}
  deep: {address: 127.0.0.1, port: 22, ssh: {jump: [sw-0001, sw-0002], host_key_policy: "off"}}
]])
  local cases = {
    outside = { "via jump sw-0001", "127.0.0.1 port 22" },
    wrongport = { "via jump sw-0001", "127.1.201.5 port 2223" },
    plainhop = { "via jump sw-0004", "127.1.201.5 port 2222" },
    deep = { "via jump sw-0002", "127.0.0.1 port 22" },
  }
  for name, want in pairs(cases) do
    local e = expect_error(ssh.run, inv:get(name), "show version")
    local what = name .. ": " .. tostring(e)
    assert(e.kind == "connect" and e.stage == "connect" and e.host == name, what)
    assert(e.message:find(want[1], 1, true) and e.message:find(want[2], 1, true), what)
    assert(e.message:find("prohibited", 1, true), what)
  end
  -- the hop's own connection is fine: the next session through it works
  local ok = derive({ ["sw-0004"] = "ssh: {jump: sw-0001}" })
  assert(ssh.run(ok:get("sw-0004"), "show clock").exit_status == 0)
end

function tests.bastion_drops()
  local inv = derive({ ["sw-0008"] = "ssh: {jump: sw-0006}", ["sw-0005"] = "ssh: {jump: sw-0006}",
                       ["sw-0004"] = "ssh: {jump: sw-0001}" })
  -- sw-0008's 4 MB answer through sw-0006, which dies after 1 MB; a session through sw-0001
  -- meanwhile is not affected
  local other = async.spawn(function()
    local s <close> = ssh.open(inv:get("sw-0004"))
    local out = {}
    for i = 1, 5 do out[i] = s:run("show clock").stdout end
    return out
  end)
  local e = expect_error(ssh.run, inv:get("sw-0008"), "show version", OPTS)
  assert(e.kind == "connect" or e.kind == "channel", tostring(e))
  assert(tostring(e):find("jump sw-0006", 1, true), tostring(e))
  for _, o in ipairs(other:wait()) do assert(o:find("UTC", 1, true), o) end
  -- the next session opens a new connection to sw-0006
  expect_output(inv:get("sw-0005"), "show version", "Cisco IOS")
end

function tests.netconf()
  -- NETCONF on the lab's NETCONF port of r-0003 (the inventory's netconf.port) through one
  -- hop, and the subsystem on the SSH port through two
  local inv = derive({ ["r-0003"] = "ssh: {jump: sw-0001}",
                       ["r-0007"] = "ssh: {jump: [sw-0001, sw-0002]}" })
  assert(lab_text:find("\n  netconf: {port: 27296}", 1, true), "the lab's NETCONF port")
  for _, t in ipairs({ { "r-0003", nil }, { "r-0007", 2222 } }) do
    local s <close> = netconf.open(inv:get(t[1]), { port = t[2] })
    local r = s:get_config("running")
    assert(r:text("//host-name") == t[1], t[1] .. ": " .. tostring(r:text("//host-name")))
    s:close()
  end
end

function tests.transfer()
  -- SFTP and SCP into sw-0005's flash through two lab hops: 5 MB each way, which makes the
  -- bastions hold the client's bytes while the device's socket is full
  local inv = derive({ ["sw-0005"] = "ssh: {jump: [sw-0001, sw-0002]}" })
  local dir = labfile:match("^(.*)/")
  local path = dir .. "/five.bin"
  local out = assert(io.open(path, "wb"))
  local chunk = {}
  for i = 1, 4096 do chunk[i] = string.char((i * 7) % 256) end
  chunk = table.concat(chunk)
  for i = 1, 5 * 256 do out:write(chunk:sub(i % 64 + 1) .. chunk:sub(1, i % 64)) end
  out:close()
  local f2 = assert(io.open(path, "rb"))
  local want = f2:read("a")
  f2:close()
  local s <close> = ssh.open(inv:get("sw-0005"))
  for _, proto in ipairs({ "sftp", "scp" }) do
    local remote = "flash:five-" .. proto
    local r = s:put(path, remote, { protocol = proto, verify = "sha256", timeout = 120 })
    assert(r.bytes == #want, proto .. ": " .. r.bytes)
    local back = path .. "." .. proto
    s:get(remote, back, { protocol = proto, timeout = 120 })
    local g = assert(io.open(back, "rb"))
    local got = g:read("a")
    g:close()
    assert(got == want, proto .. ": the file came back different (" .. #got .. " bytes)")
  end
  assert(ssh.stats().open == 1, "one TCP connection (sw-0001's): " .. ssh.stats().open)
  s:close()
end

-- Each test leaves no connection open, jump hosts' ones too.
S.run(tests, function() settle_open(0) end)
