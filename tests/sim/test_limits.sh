#!/bin/sh
# Session limits as real devices have them: --max-sessions (a vty limit) and --conn-rate
# (MaxStartups-like), through nethost; and --latency-ms delaying every command.
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
cat >"$tmp/limits.lua" <<'LUA'
local h = nethost.inventory:hosts()[1]
local mode = arg[1]
if mode == "sessions" then
  local a <close> = ssh.open(h)
  local b <close> = ssh.open(h)
  local ok, e = pcall(ssh.open, h, { connect_timeout = 3 })
  assert(not ok and e.kind == "connect", "a third session must be refused: " .. tostring(e))
  a:close()
  async.sleep(0.2)
  local c <close> = ssh.open(h) -- a freed vty lets the next one in
  print("max-sessions ok")
elseif mode == "rate" then
  local refused = 0
  local r = async.gather((function()
    local fs = {}
    for i = 1, 6 do fs[i] = function() local s <close> = ssh.open(h, { connect_timeout = 3 }) end end
    return fs
  end)())
  for i = 1, r.n do if not r[i].ok then refused = refused + 1 end end
  assert(refused >= 3 and refused < 6, "6 connections at once with --conn-rate 2: refused " .. refused)
  print("conn-rate ok", refused)
else
  local t0 = async.now()
  ssh.run(h, "show clock")
  assert(async.now() - t0 >= 0.3, "latency not applied")
  print("latency ok")
end
LUA
start_lab 2 127.1.32.1 --max-sessions 2
nh run -i "$tmp/lab/lab.yaml" "$tmp/limits.lua" sessions
[ "$rc" = 0 ] || fail "max-sessions"
stop_lab
start_lab 2 127.1.32.1 --conn-rate 2
nh run -i "$tmp/lab/lab.yaml" "$tmp/limits.lua" rate
[ "$rc" = 0 ] || fail "conn-rate"
stop_lab
start_lab 2 127.1.32.1 --latency-ms 200
nh run -i "$tmp/lab/lab.yaml" "$tmp/limits.lua" latency
[ "$rc" = 0 ] || fail "latency"
echo "limits: ok"
