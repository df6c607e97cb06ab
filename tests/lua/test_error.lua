-- Error objects: fields and a one-line tostring.
local e = nethost.error("auth", "authentication failed", { host = "sw-0001", op = "ssh.open" })
assert(nethost.is_error(e) and not nethost.is_error("x") and not nethost.is_error({}))
assert(e.kind == "auth" and e.host == "sw-0001" and e.op == "ssh.open")
local s = tostring(e)
assert(not s:find("\n"), "tostring must be one line")
assert(s:find("sw-0001", 1, true) and s:find("authentication failed", 1, true), s)
assert(s:find("[auth]", 1, true), s)

-- error() with an object keeps it intact through pcall.
local ok, got = pcall(error, e)
assert(not ok and got == e)

-- A runtime error raised by nethost itself is an object too.
local tok, te = pcall(async.timeout, 0.001, async.sleep, 1)
assert(not tok and nethost.is_error(te) and te.kind == "timeout" and te.message)

-- `where` names the playbook line, even when the binding is reached through the library's
-- own wrappers (ssh.open goes through nethost/ssh.lua).
local this = debug.getinfo(1, "S").short_src
local line = debug.getinfo(1, "l").currentline + 1
local cok, ce = pcall(ssh.open, { host = "127.0.0.1", port = 1, connect_timeout = 2 })
assert(not cok and ce.kind == "connect", tostring(ce))
assert(ce.where == this .. ":" .. line, "where: " .. tostring(ce.where))
assert(tostring(ce):find(this .. ":" .. line, 1, true) == 1, tostring(ce))
assert(e.where == this .. ":2", "nethost.error's where: " .. tostring(e.where))
print("ok")
