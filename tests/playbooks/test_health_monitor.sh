#!/bin/sh
# health.lua with a webhook receiver, monitor.lua for two polls, and the tutorial's
# playbook, against one lab.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
start_lab 8 127.1.65.1 --mix cisco_ios=50,arista_eos=25,juniper_junos=25
inv=$tmp/lab/lab.yaml
# A webhook receiver on loopback: every POST body on its own line.
/usr/bin/python3 - "$tmp/hook.txt" <<'PY' &
import http.server, sys
out = open(sys.argv[1], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        out.write(body.decode() + "\n"); out.flush()
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.1.65.200", 18765), H).serve_forever()
PY
hook=$!
trap 'kill $hook 2>/dev/null; cleanup' EXIT
sleep 0.5
nh run -i "$inv" "$SRC/playbooks/health.lua" -e max_errors=100 -e webhook=http://127.1.65.200:18765/alerts
kill $hook
grep -Eq "^(sw|r)-[0-9]+ +.*: [0-9]+ input errors/CRCs \(max 100\)" "$tmp/out" || fail "interface error alerts"
grep -Eq "^(sw|r)-[0-9]+ +.*: down" "$tmp/out" || fail "down interface alerts"
grep -q "8 hosts: [0-9]* healthy, [1-9][0-9]* with alerts, 0 unreachable" "$tmp/out" || fail "health summary"
[ "$rc" = 2 ] || fail "alerts give exit 2"
grep -q '"alerts":\[' "$tmp/hook.txt" || fail "webhook received nothing"
nh run -i "$inv" "$SRC/playbooks/monitor.lua" -e interval=1 -e polls=2
[ "$rc" = 0 ] || fail "monitor"
grep -q "poll 2 at" "$tmp/out" || fail "second poll"
grep -q "hosts 8 reachable / 8; interfaces [0-9]* up, [0-9]* down" "$tmp/out" || fail "dashboard"
grep -q "monitor: 2 poll(s), 0 change(s)" "$tmp/out" || fail "monitor summary"
nh run -i "$inv" "$SRC/playbooks/tutorial/first.lua"
[ "$rc" = 0 ] || fail "tutorial"
grep -Eq "^sw-0001 +15\.[0-9]" "$tmp/out" || fail "tutorial table"
echo "health/monitor/tutorial: ok"
