#!/bin/sh
# nethost run --workers N (docs/running.md, "Many cores"): the same results as one engine
# on a lab playbook whose host function uses main-chunk upvalues; exclusive pairs,
# concurrency and max_fail hold across engines; a worker that dies fails its hosts with
# kind "worker" (no hang); Ctrl-C to the coordinator writes every finished host's record.
# usage: test_workers.sh BIN_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
[ -x "$BIN/nethost-sim" ] || { echo "SKIP: nethost-sim not built"; exit 77; }

# hosts_lua N [FIELDS]: the Lua lines that start the playbooks below, a list `hosts` of N
# hosts h01, h02, ... with the table fields FIELDS (Lua, may use the index i) added.
hosts_lua() {
  printf 'local hosts = {}\nfor i = 1, %d do hosts[i] = { name = ("h%%02d"):format(i)%s } end\n' \
    "$1" "${2:+, $2}"
}

# run_canon LABEL STATUS JSONL ARGS...: `nethost run ARGS -o JSONL` must exit with STATUS;
# then JSONL's canonical form (canon.lua below) is in $tmp/out.
run_canon() {
  label=$1 status=$2 jsonl=$3
  shift 3
  nh run "$@" -o "$jsonl"
  [ "$rc" = "$status" ] || fail "$label: exit status $rc, not $status"
  nh run "$tmp/canon.lua" -- "$jsonl"
  [ "$rc" = 0 ] || fail "$label: canon.lua failed: $(tail -2 "$tmp/out")"
}

# Turns a .jsonl into sorted "host status value error-kind" lines (timings, order and the
# value's `pid` left out) and the summary's counts.
cat > "$tmp/canon.lua" <<'LUA'
local rows, summary = {}, nil
local function canon(v)
  if type(v) ~= "table" then return tostring(v) end
  local ks, out = {}, {}
  for k in pairs(v) do if k ~= "pid" then ks[#ks + 1] = tostring(k) end end
  table.sort(ks)
  for _, k in ipairs(ks) do out[#out + 1] = k .. "=" .. canon(v[k]) end
  return "{" .. table.concat(out, ",") .. "}"
end
local pids = {}
for line in io.lines(arg[1]) do
  local r = json.decode(line)
  if r.host then
    rows[#rows + 1] = table.concat({ r.host, r.status, canon(r.value),
                                     r.error and r.error.kind or "" }, " ")
    if type(r.value) == "table" and r.value.pid then pids[r.value.pid] = true end
  elseif r.summary then
    summary = ("total=%d ok=%d failed=%d aborted=%d"):format(r.summary.total, r.summary.ok,
                                                            r.summary.failed, r.summary.aborted)
  end
end
table.sort(rows)
rows[#rows + 1] = summary or "no summary"
io.write(table.concat(rows, "\n"), "\n")
local n = 0
for _ in pairs(pids) do n = n + 1 end
io.stderr:write("pids=", n, "\n")
LUA

# 1. A lab playbook, --workers 1 and 2: the same records. The host function uses upvalues
# of the main chunk (a table, a function, a -e var); sw-0005 refuses connections.
for try in 1 2 3; do
  start_lab 12 127.63.233.1 --mix cisco_ios=1 --fault refuse:devices=sw-0005 && break
done
cat > "$tmp/lab.lua" <<'LUA'
local sys = require("nethost.sys")
local site_of = { }
for i = 1, 12 do site_of[("sw-%04d"):format(i)] = "site" .. (i % 3) end
local function shout(s) return (s:upper()) end
local tag = nethost.vars.tag
nethost.run(nethost.inventory, function(h)
  local out = ssh.run(h, "show version").stdout
  return { version = out:match("Version ([^,%s]+)"), site = site_of[h.name],
           tag = shout(tag), pid = sys.pid() }
end, { concurrency = 4 })
LUA
for w in 1 2; do
  # Exit status 2: sw-0005 refuses.
  run_canon "--workers $w" 2 "$tmp/w$w.jsonl" "$tmp/lab.lua" -i "$tmp/lab/lab.yaml" -e tag=x \
    --workers $w
  grep -v '^pids=' "$tmp/out" > "$tmp/w$w.txt"
  grep '^pids=' "$tmp/out" > "$tmp/w$w.pids"
done
grep -q "total=12 ok=11 failed=1 aborted=0" "$tmp/w1.txt" || fail "--workers 1: $(cat "$tmp/w1.txt")"
grep -q "^sw-0003 ok {site=site0,tag=X,version=" "$tmp/w1.txt" || fail "upvalues: $(cat "$tmp/w1.txt")"
grep -q "^sw-0005 failed nil connect" "$tmp/w1.txt" || fail "sw-0005: $(cat "$tmp/w1.txt")"
diff "$tmp/w1.txt" "$tmp/w2.txt" >&2 || fail "--workers 2 results differ from --workers 1"
grep -q "pids=1" "$tmp/w1.pids" || fail "--workers 1 ran in $(cat "$tmp/w1.pids") processes"
grep -q "pids=2" "$tmp/w2.pids" || fail "--workers 2 ran in $(cat "$tmp/w2.pids") processes"
stop_lab

# 2. Exclusive pairs and the concurrency total across 3 engines (h01 and h02 are a pair,
# h03 and h04, ...): a host holds a folder named after its pair while it runs (mkdir fails if the pair's other host holds it) and
# counts the folders there (never more than the concurrency).
mkdir "$tmp/held"
cat > "$tmp/pairs.lua" <<'LUA'
local fs, sys = require("nethost.fs"), require("nethost.sys")
local held = nethost.vars.held
local hosts = {}
for i = 1, 36 do hosts[i] = { name = ("h%02d"):format(i), pair = "p" .. (i - 1) // 2 } end
nethost.run(hosts, function(h)
  local mine = held .. "/" .. h.pair
  if not fs.mkdir(mine) then error("pair " .. h.pair .. " already held") end
  local n = 0
  for _ = 1, 10 do
    n = math.max(n, #fs.list(held))
    async.sleep(0.01)
  end
  fs.remove(mine)
  if n > 6 then error(("%d hosts at once, concurrency is 6"):format(n)) end
  return { pid = sys.pid() }
end, { concurrency = 6, exclusive = "pair" })
LUA
run_canon pairs 0 "$tmp/pairs.jsonl" "$tmp/pairs.lua" -e held="$tmp/held" --workers 3
grep -q "total=36 ok=36 failed=0" "$tmp/out" || fail "pairs summary"
grep -q "pids=3" "$tmp/out" || fail "pairs: not run by 3 engines"

# 3. max_fail across engines: every host fails; serial batches of 4, max_fail 3: the first
# batch's 4 failures spend the budget and no other host starts, whichever engine ran them.
{ hosts_lua 40; cat <<'LUA'; } > "$tmp/budget.lua"
nethost.run(hosts, function(h)
  async.sleep(0.01)
  error(nethost.error("command", "broken in " .. tostring(nethost.worker or "coordinator")))
end, { concurrency = 4, serial = 4, max_fail = 3 })
LUA
run_canon budget 2 "$tmp/budget.jsonl" "$tmp/budget.lua" --workers 2
grep -q "total=40 ok=0 failed=4 aborted=36" "$tmp/out" || fail "budget: $(tail -2 "$tmp/out")"
grep -q '"message":"broken in 1"' "$tmp/budget.jsonl" || fail "budget: no host ran in the worker"

# 4. A worker that dies (the host function calls os.exit there): its hosts fail with kind
# "worker" naming it and its exit status; the others go on in the coordinator.
{ hosts_lua 16; cat <<'LUA'; } > "$tmp/crash.lua"
nethost.run(hosts, function(h)
  async.sleep(0.01)
  if nethost.worker then
    io.stderr:write("plugin acme: out of patience\n")
    os.exit(3)
  end
  return "fine"
end, { concurrency = 4 })
LUA
run_canon crash 2 "$tmp/crash.jsonl" "$tmp/crash.lua" --workers 3
nfail=$(grep -c ' failed nil worker$' "$tmp/out")
nok=$(grep -c ' ok fine $' "$tmp/out")
[ "$nfail" -ge 2 ] || fail "crash: $nfail hosts failed with kind worker (2 workers died)"
[ $((nfail + nok)) = 16 ] || fail "crash: $nfail failed + $nok ok is not 16"
grep -q 'worker [12] (pid [0-9]*) exited with status 3 (its stderr: plugin acme: out of patience) while running this host' \
  "$tmp/crash.jsonl" || fail "crash: the error does not say which worker died, how and its last words"

# --retry-failed with workers: only the hosts that failed there run again, in the workers.
{ hosts_lua 16; cat <<'LUA'; } > "$tmp/fixed.lua"
nethost.run(hosts, function(h) return "again in " .. tostring(nethost.worker) end, { concurrency = 4 })
LUA
run_canon retry-failed 0 "$tmp/retry.jsonl" "$tmp/fixed.lua" --workers 2 \
  --retry-failed "$tmp/crash.jsonl"
grep -q "total=$nfail ok=$nfail failed=0" "$tmp/out" || fail "retry-failed: $(tail -2 "$tmp/out")"
grep -q '"again in [12]"' "$tmp/retry.jsonl" || fail "retry-failed: not run in the workers"

# 5. Ctrl-C to the coordinator mid-run: the finished hosts' records and an aborted record
# for every other host, exit status 130, and no worker left behind.
{ hosts_lua 30; cat <<'LUA'; } > "$tmp/slow.lua"
nethost.run(hosts, function(h)
  if tonumber(h.name:sub(2)) > 8 then async.sleep(600) end
  return "quick"
end, { concurrency = 30 })
LUA
"$BIN/nethost" run "$tmp/slow.lua" --workers 2 -o "$tmp/slow.jsonl" > "$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 600); do
  [ -f "$tmp/slow.jsonl" ] && [ "$(grep -c '"quick"' "$tmp/slow.jsonl")" = 8 ] && break
  sleep 0.1
done
[ "$(grep -c '"quick"' "$tmp/slow.jsonl")" = 8 ] || fail "slow: the 8 quick hosts did not finish"
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 130 ] || fail "Ctrl-C: exit status $rc, not 130"
nh run "$tmp/canon.lua" -- "$tmp/slow.jsonl"
grep -q "total=30 ok=8 failed=0 aborted=22" "$tmp/out" || fail "Ctrl-C: $(tail -2 "$tmp/out")"
for _ in $(seq 300); do
  pgrep -f "$tmp/slow.lua" > /dev/null || break
  sleep 0.1
done
pgrep -f "$tmp/slow.lua" > /dev/null && fail "a worker outlived its coordinator"
# 6. A secret a host task reads in a worker is masked in the coordinator's -o as well.
secret='secret = function(self) return "s3cr3t-" .. self.name end'
{ hosts_lua 6 "$secret"; cat <<'LUA'; } > "$tmp/secret.lua"
nethost.run(hosts, function(h)
  error(nethost.error("auth", "denied with " .. h:secret() .. " in " .. tostring(nethost.worker)))
end, { concurrency = 6 })
LUA
nh run "$tmp/secret.lua" --workers 2 -o "$tmp/secret.jsonl"
[ "$rc" = 2 ] || fail "secret: exit status $rc"
grep -q 's3cr3t' "$tmp/secret.jsonl" "$tmp/out" && fail "secret: a worker's secret is written unmasked"
grep -q 'denied with \*\*\* in 1' "$tmp/secret.jsonl" || fail "secret: no masked record from the worker"
# A worker's main chunk gets every engine's records back from nethost.run (when the
# coordinator starts the next one); with -v its
# stderr is the terminal's, so it masks the secrets the other worker read as well.
{ hosts_lua 6 "$secret"; cat <<'LUA'; } > "$tmp/secret_all.lua"
local sys = require("nethost.sys")
local res = nethost.run(hosts, function(h)
  error(nethost.error("auth", "denied with " .. h:secret()))
end, { concurrency = 6, summary = false })
-- One write per line: three processes share this stderr, and write() with several
-- arguments makes several system calls whose pieces would interleave.
for rec in res:each() do io.stderr:write(("seen in %d: %s\n"):format(sys.pid(), rec.error.message)) end
-- A second run: the workers get the first one's records when the coordinator starts it.
nethost.run(hosts, function() end, { summary = false })
LUA
nh run "$tmp/secret_all.lua" --workers 2 -v
[ "$rc" = 2 ] || fail "secret_all: exit status $rc"
# Six records written by each of the three main chunks (the coordinator's and two workers').
[ "$(grep -c 'seen in .*: denied with ' "$tmp/out")" = 18 ] || fail "secret_all: not every engine wrote the records: $(cat "$tmp/out")"
grep -q 's3cr3t' "$tmp/out" && fail "secret_all: a worker wrote another worker's secret unmasked"
# A record with bytes JSON cannot hold (a device's Latin-1) still crosses, escaped: the
# host whose record did not cross was waited for for ever. (timeout: a hang guard only.)
{ hosts_lua 4; cat <<'LUA'; } > "$tmp/latin1.lua"
local res = nethost.run(hosts, function(h)
  if h.name == "h01" then error("bad byte \xff from device") end
  return { out = "caf\xe9 " .. h.name }
end, { concurrency = 4, summary = false })
for rec in res:each() do
  print(rec.host, rec.status, rec.value and rec.value.out or rec.error.message)
end
LUA
timeout 300 "$BIN/nethost" run "$tmp/latin1.lua" --workers 2 >"$tmp/out" 2>&1; rc=$?
[ "$rc" = 2 ] || fail "latin1: exit status $rc: $(cat "$tmp/out")"
grep -q 'h01	failed	.*bad byte \\xFF from device' "$tmp/out" || fail "latin1: h01: $(cat "$tmp/out")"
[ "$(grep -c 'h0[2-4]	ok	caf\\xE9 h0' "$tmp/out")" = 3 ] || fail "latin1: values: $(cat "$tmp/out")"
# 7. Bad values are refused before anything runs.
for v in -1 x 2000; do
  nh run "$tmp/secret.lua" --workers "$v"
  [ "$rc" = 1 ] && grep -q -- "--workers: expected a number of workers" "$tmp/out" \
    || fail "--workers $v: exit status $rc, $(cat "$tmp/out")"
done
echo "ok"
