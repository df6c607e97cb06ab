-- Tiny assertion helpers for the http suite (loaded with dofile next to the test).
local t = { failures = 0 }

function t.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s, want %s", what, tostring(got), tostring(want)), 2)
  end
end

function t.ok(cond, what)
  if not cond then error("check failed: " .. what, 2) end
end

-- Runs fn expecting it to raise; returns the error.
function t.raises(fn, what)
  local ok, e = pcall(fn)
  if ok then error("expected an error: " .. what, 2) end
  return e
end

function t.env(name)
  local v = os.getenv(name)
  if not v then error("environment variable " .. name .. " not set (run through harness.py)") end
  return v
end

return t
