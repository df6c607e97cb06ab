-- Local file helpers for the Lua transfer tests (tests/ssh/transfer.lua against the private
-- sshd, tests/sim/transfer.lua against the lab), loaded with dofile: both make files,
-- send them, fetch them back and compare, so they share how that is done here.
local M = {}

-- The standard output of a shell command.
function M.sh(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  p:close()
  return out
end

-- A file of n pseudo-random bytes (not a repeating pattern: a misplaced chunk must show).
-- Returns its path.
function M.make(path, n)
  if n == 0 then
    assert(io.open(path, "wb")):close()
  else
    assert(os.execute(string.format("head -c %d /dev/urandom > %s", n, path)))
  end
  return path
end

-- The whole content of a local file.
function M.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- The size of a local file in bytes (the test files are a few MB at most).
function M.size(path)
  return #M.read(path)
end

-- Whether two local files hold the same bytes.
function M.same(a, b)
  return os.execute(string.format("cmp -s %s %s", a, b)) == true
end

return M
