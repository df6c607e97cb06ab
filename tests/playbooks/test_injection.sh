#!/bin/sh
# CR/LF injection through the CLI (issue 16 item 2): a line break inside one command or
# config line is a `command` error naming the host and the line, and nothing reaches the
# device; a real multi-line payload goes through the explicit API ({multiline = ...}).
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
start_lab 1 127.1.163.1
cat >"$tmp/inject.lua" <<'LUA'
local h = nethost.inventory:hosts()[1]
local s <close> = ssh.open(h)
local cli = s:shell()
local function running() return cli:send("show running-config") end
local ok, e = pcall(cli.send, cli, "show clock\nconfigure terminal\nhostname PWNED\nend")
assert(not ok and e.kind == "command" and e.host == h.name, "send: " .. tostring(e))
assert(e.message:find("show clock\\nconfigure terminal", 1, true), e.message)
ok, e = pcall(cli.config, cli, { "ntp server 6.6.6.6", "ntp server 7.7.7.7\rntp server 8.8.4.4" })
assert(not ok and e.kind == "command" and e.host == h.name, "config: " .. tostring(e))
assert(e.line == "ntp server 7.7.7.7\rntp server 8.8.4.4", tostring(e.line))
local cfg = running()
assert(not cfg:find("PWNED"), "the injected hostname reached the device")
assert(not cfg:find("ntp server [678]%."), "a config line reached the device")
-- The explicit multi-line API.
cli:config({ { multiline = "ntp server 9.9.9.1\nntp server 9.9.9.2" } })
cfg = running()
assert(cfg:find("ntp server 9.9.9.1", 1, true) and cfg:find("ntp server 9.9.9.2", 1, true), cfg)
cli:send("show clock\nshow clock", { multiline = true })
-- Text with CRLF line ends is still several lines when given as one string to cli:config.
cli:config("ntp server 9.9.9.3\r\nntp server 9.9.9.4\r\n")
cfg = running()
assert(cfg:find("ntp server 9.9.9.4", 1, true), cfg)
print("injection ok")
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/inject.lua"
[ "$rc" = 0 ] && grep -q "injection ok" "$tmp/out" || fail "injection (rc $rc)"
echo "injection: ok"
