-- ssh against a real OpenSSH sshd (started by sshd_harness.sh): auth, host keys, exec,
-- streaming, limits, timeouts, cancellation, sessions, shells.
local S = dofile((arg[0] and arg[0]:match("^(.*)/") or ".") .. "/sshd_lib.lua")
local port, dir, user = S.port, S.dir, S.user
local fp, other_fp = os.getenv("SSHD_HOSTKEY_FP"), os.getenv("SSHD_OTHER_FP")
local which = arg and arg[1]

local host = S.host_maker(5)

local expect_error = S.expect_error

local function readfile(p)
  local f = io.open(p); if not f then return nil end
  local s = f:read("a"); f:close(); return s
end

local tests = {}

function tests.exec()
  local r = ssh.run(host(), "echo hello; echo err >&2; exit 3")
  assert(r.stdout == "hello\n", r.stdout)
  assert(r.stderr == "err\n", r.stderr)
  assert(r.exit_status == 3)
  assert(r.elapsed > 0)
  local e = expect_error("command", ssh.run, host(), "exit 4", { check = true })
  assert(e.result.exit_status == 4)
end

function tests.ipv6()
  if not os.getenv("SSHD_IPV6") then print("no IPv6 loopback: skipped"); return end
  local r = ssh.run(host({ host = "::1" }), "echo six")
  assert(r.stdout == "six\n")
end

function tests.resolve()
  local r = ssh.run(host({ host = "localhost", known_hosts = nil, host_key_policy = "off" }),
                    "echo named")
  assert(r.stdout == "named\n")
  local e = expect_error("connect", ssh.run, host({ host = "no-such-host.invalid" }), "true")
  assert(e.message:find("resolve"), e.message)
end

function tests.auth()
  local r = ssh.run(host({ key_file = dir .. "/id_pass", key_passphrase = "sekrit-pass" }),
                    "echo pass")
  assert(r.stdout == "pass\n")
  local e = expect_error("auth", ssh.run, host({ key_file = dir .. "/id_pass",
                                                  key_passphrase = "wr0ng-Pa55" }), "true")
  assert(not tostring(e):find("wr0ng", 1, true), "secret in the error: " .. tostring(e))
  e = expect_error("auth", ssh.run, host({ key_file = dir .. "/id_unknown" }), "true")
  assert(e.host == "127.0.0.1" and e.message:find("publickey"), tostring(e))
  e = expect_error("auth", ssh.run, host({ key_file = false, password = "hunter2" }), "true")
  assert(not tostring(e):find("hunter2", 1, true), "secret in the error")
  -- an inventory-style host with a secret() method and an ssh table
  local inv = setmetatable({ name = "inv-1", address = "127.0.0.1", port = port,
                             username = user,
                             ssh = { known_hosts = dir .. "/known_hosts",
                                     key_file = dir .. "/id_pass",
                                     algorithms = { kex = { "curve25519-sha256" },
                                                    cipher = "aes256-ctr" } } },
                           { __index = { secret = function(self, what)
                               if what == "key_passphrase" then return "sekrit-pass" end
                             end } })
  r = ssh.run(inv, "echo inv")
  assert(r.stdout == "inv\n" and r.host == "inv-1")
end

function tests.hostkey()
  -- strict with the right key: fine (exec test); strict with no entry: hostkey error
  local empty = dir .. "/known_hosts_empty"
  io.open(empty, "w"):close()
  local e = expect_error("hostkey", ssh.run, host({ known_hosts = empty }), "true")
  assert(e.message:find(fp, 1, true), e.message)
  -- mismatch names both fingerprints
  e = expect_error("hostkey", ssh.run, host({ known_hosts = dir .. "/known_hosts_bad" }), "true")
  assert(e.message:find(fp, 1, true) and e.message:find(other_fp, 1, true), e.message)
  assert(e.host == "127.0.0.1")
  -- accept-new pins on first use, many hosts at once, one line written
  local pin = dir .. "/known_hosts_pin"
  local tasks = {}
  for i = 1, 16 do
    tasks[i] = async.spawn(ssh.run, host({ known_hosts = pin, host_key_policy = "accept-new" }),
                           "true")
  end
  for _, t in ipairs(tasks) do t:wait() end
  async.sleep(0.05)
  local text = readfile(pin)
  assert(text, "known_hosts not written")
  local n = select(2, text:gsub("\n", ""))
  assert(n == 1, "expected one pinned line, got " .. n .. ":\n" .. text)
  assert(text:find("[127.0.0.1]:" .. port, 1, true), text)
  -- strict now accepts it; accept-new on a changed key still fails
  ssh.run(host({ known_hosts = pin }), "true")
  expect_error("hostkey", ssh.run, host({ known_hosts = dir .. "/known_hosts_bad",
                                          host_key_policy = "accept-new" }), "true")
  -- off: no check at all
  ssh.run(host({ known_hosts = dir .. "/known_hosts_bad", host_key_policy = "off" }), "true")
end

function tests.connect_errors()
  local t0 = async.now()
  local e = expect_error("connect", ssh.run, host({ port = port + 2 }), "true")
  assert(e.code == "ECONNREFUSED", tostring(e))
  -- a server that accepts TCP but never speaks: banner deadline
  t0 = async.now()
  e = expect_error("timeout", ssh.run, host({ port = port + 1, connect_timeout = 0.4 }), "true")
  local dt = async.now() - t0
  assert(dt >= 0.35 and dt < 10, "banner timeout took " .. dt)
  assert(e.stage == "banner", tostring(e.stage))
end

function tests.big_output()
  local n = 24 * 1024 * 1024
  local t0 = async.now()
  local r = ssh.run(host(), "head -c " .. n .. " /dev/zero | tr '\\0' x")
  assert(#r.stdout == n, "got " .. #r.stdout)
  print(string.format("24 MB streamed in %.2f s", async.now() - t0))
  local e = expect_error("command", ssh.run, host(), "head -c 3000000 /dev/zero",
                         { max_output = 1000000 })
  assert(e.code == "ETOOBIG", tostring(e))
end

function tests.timeout_cancel()
  local s <close> = ssh.open(host())
  local t0 = async.now()
  local e = expect_error("timeout", s.run, s, "sleep 5", { timeout = 0.3 })
  assert(async.now() - t0 < 4.5, "the 0.3 s deadline, not the 5 s command, ended it")
  -- the session survives a command timeout
  assert(s:run("echo still").stdout == "still\n")
  -- cancelling the task that waits tears the command down promptly
  local t = async.spawn(function() return s:run("sleep 10") end)
  async.sleep(0.2)
  t0 = async.now()
  t:cancel()
  local ok = pcall(t.wait, t)
  assert(async.now() - t0 < 8, "cancel waited for the 10 s command")
  assert(s:run("echo after").stdout == "after\n")
  -- async.timeout around connect
  ok, e = pcall(async.timeout, 0.3, function()
    return ssh.run(host({ port = port + 1, connect_timeout = 5 }), "true")
  end)
  assert(not ok and e.kind == "timeout", tostring(e))
end

function tests.session()
  local s <close> = ssh.open(host())
  for i = 1, 20 do
    local r = s:run("echo " .. i)
    assert(r.stdout == i .. "\n")
  end
  -- concurrent channels on one connection
  local ts = {}
  for i = 1, 8 do ts[i] = async.spawn(s.run, s, "sleep 0.2; echo c" .. i) end
  for i = 1, 8 do assert(ts[i]:wait().stdout == "c" .. i .. "\n") end
  s:close()
  -- keepalives on an idle connection do not disturb it
  local k <close> = ssh.open(host({ keepalive = 1 }))
  async.sleep(2.2)
  assert(k:run("echo alive").stdout == "alive\n")
  local e = expect_error("connect", s.run, s, "true")
  assert(e.message:find("closed"))
end

function tests.shell()
  local s <close> = ssh.open(host())
  local cli = s:shell({ timeout = 5 })
  local out = cli:send("echo shell-$((6*7))")
  assert(out:find("shell%-42"), out)
  assert(not out:find("echo shell", 1, true), "echo not stripped: " .. out)
  out = cli:send("printf 'a\\nb\\nc\\n'")
  assert(out == "a\nb\nc\n", string.format("%q", out))
  local ok, e = pcall(cli.send, cli, "sleep 3", { timeout = 0.3 })
  assert(not ok and e.kind == "timeout" and e.message:find("received"), tostring(e))
  cli:close()
end

-- the platform driver of a plugin (cisco_ios) against a Cisco-like fake CLI
function tests.platform_shell()
  local h = host({ port = port + 3, platform = "cisco_ios", enable_secret = "s3cret-en" })
  local s <close> = ssh.open(h)
  local cli = s:shell({ timeout = 5 })
  assert(cli.driver.name == "cisco_ios", "driver " .. tostring(cli.driver.name))
  -- The shell drives the device with the one platform adapter's driver (the one
  -- test_parse.lua checks): the prompt anchored at the end of what was received.
  assert(cli.driver.prompt == ssh.platform("cisco_ios").prompt, tostring(cli.driver.prompt))
  assert(tostring(cli.driver.prompt):find("\\z$"), tostring(cli.driver.prompt))
  assert(cli.last_prompt == "fake1#", "not in enable mode: " .. tostring(cli.last_prompt))
  local out = cli:send("show version")
  assert(out:find("Version 15.2(4)E10", 1, true) and not out:find("show version", 1, true)
         and not out:find("fake1#", 1, true), string.format("%q", out))
  out = cli:send("show tech-support")
  assert(out:find("tech line 60\n", 1, true) and not out:find("More"), string.format("%q", out))
  local n = select(2, out:gsub("tech line", ""))
  assert(n == 60, n)
  cli:config({ "ntp server 10.0.0.1" })
  local ok, e = pcall(cli.config, cli, { "ntp server 10.0.0.2", "bogus line" })
  assert(not ok and e.kind == "command", tostring(e))
  assert(e.device_message:find("Invalid input", 1, true), e.device_message)
  assert(e.line == "bogus line" and e.transcript, "fields")
  assert(not e.transcript:find("s3cret-en", 1, true), "secret in the transcript")
  assert(cli.last_prompt == "fake1#", "config mode not left: " .. cli.last_prompt)
  assert(cli:save():find("[OK]", 1, true))
  assert(cli:send("show running-config"):find("ntp server 10.0.0.1", 1, true))
  local ok2, e2 = pcall(cli.send, cli, "copy running-config startup-config")
  assert(not ok2 and e2.kind == "command" and e2.message:find("Destination"), tostring(e2))
  cli:close()
  s:close()
  -- a wrong enable secret is an auth error
  local s2 <close> = ssh.open(host({ port = port + 3, platform = "cisco_ios",
                                     enable_secret = "nope" }))
  ok, e = pcall(s2.shell, s2, { timeout = 5 })
  assert(not ok and e.kind == "auth", tostring(e))
end

function tests.concurrent()
  local n = tonumber(os.getenv("NETHOST_SSH_N") or "20")
  local tasks, t0 = {}, async.now()
  for i = 1, n do tasks[i] = async.spawn(ssh.run, host(), "echo " .. i) end
  for i = 1, n do assert(tasks[i]:wait().stdout == i .. "\n") end
  print(string.format("%d concurrent ssh.run in %.2f s", n, async.now() - t0))
  assert(ssh.stats().open == 0, "connections left open: " .. ssh.stats().open)
end

S.run(tests)
