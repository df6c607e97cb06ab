-- What the Lua tests against the private sshd (sshd_harness.sh) share, loaded with dofile
-- next to the test: the sshd's details from the harness's environment, a host table on it,
-- the check that a call fails with an error object of one kind, and the runner of a file's
-- tests.
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

-- Runs tests (a table of name -> function) in name order, or only the one $SSH_TEST names,
-- printing "ok NAME" after each.
function M.run(tests)
  local names = {}
  for name in pairs(tests) do names[#names + 1] = name end
  table.sort(names)
  local only = os.getenv("SSH_TEST")
  for _, name in ipairs(names) do
    if not only or only == name then
      tests[name]()
      print("ok " .. name)
    end
  end
end

return M
