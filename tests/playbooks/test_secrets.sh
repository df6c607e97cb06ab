#!/bin/sh
# Secrets never leave the process (issue 16 item 1): a playbook that puts a host's enable
# secret into a command (the device rejects it, so it lands in error messages), prints it,
# logs it, reports it and raises it after nethost.run; then every output of the run —
# stdout, stderr, the -o results (.jsonl, .json, .csv), the --log file, a report — is
# grepped for the secret, raw and JSON-escaped.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
start_lab 2 127.1.164.1
secret='Zq9"pw-Secret'
sed "s/^  enable_secret: .*/  enable_secret: 'Zq9\"pw-Secret'/" "$tmp/lab/lab.yaml" >"$tmp/lab/secret.yaml"
grep -q 'Zq9"pw-Secret' "$tmp/lab/secret.yaml" || fail "inventory"
mkdir "$tmp/o"
cat >"$tmp/leak.lua" <<'LUA'
local report = require("nethost.report")
local out = arg[1]
local res = nethost.run(nethost.inventory, function(host)
  local s = host:secret("enable_secret")
  print("stdout: " .. s)
  io.stderr:write("stderr: ", s, "\n")
  log.warn("log line with %s", s)
  ssh.run(host, "username ops secret " .. s, { check = true })
end)
local rows = {}
for rec in res:each() do rows[#rows + 1] = { host = rec.host, error = tostring(rec.error) } end
assert(report.write(out .. "/report.csv", rows, { "host", "error" }))
print(rows[1].error)
for rec in res:each() do assert(rec.status == "ok", tostring(rec.error)) end
LUA
for ext in jsonl json csv; do
  nh run -i "$tmp/lab/secret.yaml" -o "$tmp/o/results.$ext" --log "$tmp/o/run.log" "$tmp/leak.lua" -- "$tmp/o"
  [ "$rc" = 1 ] || fail "the playbook's final error (rc $rc)"
  cp "$tmp/out" "$tmp/o/output.$ext.txt"
  [ -s "$tmp/o/results.$ext" ] || fail "no results.$ext"
done
grep -q "username ops secret \*\*\*" "$tmp/o/results.jsonl" || fail "the masked command is not in the results"
grep -q "stdout: \*\*\*" "$tmp/o/output.jsonl.txt" || fail "the masked print"
leaks=$(grep -rlF -e "$secret" -e 'Zq9\"pw-Secret' "$tmp/o")
[ -z "$leaks" ] || { for f in $leaks; do grep -F -e "$secret" -e 'Zq9\"pw-Secret' "$f" | head -3; done; fail "the secret leaked into: $leaks"; }
echo "secrets: ok"
