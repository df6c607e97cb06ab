-- What the Lua tests in tests/ssh share, loaded with dofile next to the test: the private
-- sshd's details from sshd_harness.sh's environment (nil under the lab), a host table on it,
-- the check that a call fails with an error object of one kind, the wait for background
-- connections to close, and the runner of a file's tests.
local M = {}

M.port = tonumber(os.getenv("SSHD_PORT"))
M.dir = os.getenv("SSHD_DIR")
M.user = os.getenv("SSHD_USER")

-- A function making host tables on the sshd (the harness's client key and known_hosts,
-- the given connect timeout); the fields of its argument override the defaults.
function M.host_maker(connect_timeout)
  return function(t)
    local h = { host = "127.0.0.1", port = M.port, user = M.user,
                key_file = M.dir .. "/id_ed25519", known_hosts = M.dir .. "/known_hosts",
                connect_timeout = connect_timeout }
    for k, v in pairs(t or {}) do h[k] = v end
    return h
  end
end

-- Calls fn(...), which must raise an error object; of the given kind unless kind is nil.
-- Returns the error object.
function M.expect_error(kind, fn, ...)
  local ok, err = pcall(fn, ...)
  assert(not ok, "expected " .. (kind and "a " .. kind .. " error" or "an error") .. ", got success")
  assert(type(err) == "table", "expected an error object, got " .. tostring(err))
  assert(kind == nil or err.kind == kind, "expected kind " .. tostring(kind) .. ", got " .. tostring(err))
  return err
end

-- Waits (up to 20 s) until n SSH connections are open: connections, jump host ones too,
-- close in the background once their last session or tunnel has closed.
function M.settle_open(n)
  for _ = 1, 400 do
    if ssh.stats().open == n then return end
    async.sleep(0.05)
  end
  error("connections left open: " .. ssh.stats().open .. ", expected " .. n)
end

-- Runs tests (a table of name -> function) in name order, or only the one $SSH_TEST names,
-- printing "ok NAME" after each. after(), if given, runs at the end of each test: the
-- check every test of a file shares (as settle_open(0): it left no connection open).
function M.run(tests, after)
  local names = {}
  for name in pairs(tests) do names[#names + 1] = name end
  table.sort(names)
  local only = os.getenv("SSH_TEST")
  for _, name in ipairs(names) do
    if not only or only == name then
      tests[name]()
      if after then after() end
      print("ok " .. name)
    end
  end
end

return M
