-- ssh.run and ssh.open with bad hosts, options and commands: each raises before any I/O,
-- and nothing leaks (the sanitizer build checks for leaks at exit). ssh.run allocated its
-- request before reading the host, so every one of these leaked it (LeakSanitizer: 696
-- bytes per call from l_run). Nothing listens on 127.0.0.1:1.
local function fails_with(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "accepted")
  assert(tostring(err):find(pattern), "expected /" .. pattern .. "/, got: " .. tostring(err))
end

local base = { host = "127.0.0.1", port = 1, user = "u", host_key_policy = "off", agent = false }
local function with(fields)
  local h = {}
  for k, v in pairs(base) do h[k] = v end
  for k, v in pairs(fields) do h[k] = v end
  return h
end

for _ = 1, 20 do
  fails_with("bad port", ssh.run, with { port = 70000 }, "show clock")
  fails_with("bad port", ssh.run, with { port = 1e300 }, "show clock")
  fails_with("bad port", ssh.run, with { port = 0 / 0 }, "show clock")
  fails_with("unknown host_key_policy", ssh.run, with { host_key_policy = "maybe" }, "x")
  fails_with("no address", ssh.run, { port = 22 }, "x")
  -- Lua code run while reading the host: a secret method that fails, or that yields.
  local failing = with { password = false }
  failing.password = nil
  failing.secret = function() error("vault unreachable") end
  fails_with("vault unreachable", ssh.run, failing, "x")
  local yielding = with {}
  yielding.secret = function() async.sleep(0) return "pw" end
  fails_with("cannot wait here", ssh.run, yielding, "x")
  fails_with("bad port", ssh.open, with { port = -1 })
end

-- NUL bytes: C would run "show version" or authenticate with "se" without a word.
fails_with("NUL", ssh.run, base, "show version\0; reload")
fails_with("'password' contains a NUL byte", ssh.run, with { password = "se\0cret" }, "x")
fails_with("'user' contains a NUL byte", ssh.run, with { user = "admin\0x" }, "x")
fails_with("'key_file' contains a NUL byte", ssh.open, with { key_file = "/tmp/k\0ey" })
local secretive = with {}
secretive.secret = function(_, which) if which == "password" then return "p\0w" end end
fails_with("'password' contains a NUL byte", ssh.open, secretive)

-- Huge timeouts are "a long time", not undefined casts; the connect fails as usual.
local ok, err = pcall(ssh.run, with { timeout = math.huge, connect_timeout = 1e300,
                                      max_output = 1e300, keepalive = 1e300 }, "x")
assert(not ok and err.kind == "connect", tostring(err))
