#!/bin/sh
# The HTML report as a user gets it: `-o report.html` on an audit of the lab (one device
# refusing connections), and `nethost report` over a results file whose host names, errors
# and transcripts are hostile HTML. check_html.py parses both pages and asserts their
# contents, that everything is escaped and that nothing outside the file is referenced.
# usage: test_html.sh BIN SOURCE_DIR
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$SRC/tests/playbooks/lab.sh"
need_python

start_lab 8 127.1.84.1 --fault refuse:devices=sw-0003
nh run "$SRC/playbooks/audit.lua" -i "$tmp/lab/lab.yaml" -o "$tmp/audit.html" -q
[ "$rc" = 2 ] || fail "audit with an unreachable host: exit $rc, expected 2"
[ -s "$tmp/audit.html" ] || fail "no report written"
"$PY" "$SRC/tests/report/check_html.py" "$tmp/audit.html" run 8 sw-0003 || fail "audit.html"

# The same run as JSON lines, then `nethost report`: the same host table.
nh run "$SRC/playbooks/audit.lua" -i "$tmp/lab/lab.yaml" -o "$tmp/audit.jsonl" -q
nh report "$tmp/audit.jsonl" -o "$tmp/from-jsonl.html"
[ "$rc" = 0 ] || fail "nethost report: exit $rc"
"$PY" "$SRC/tests/report/check_html.py" "$tmp/from-jsonl.html" file 8 sw-0003 || fail "from-jsonl.html"
stop_lab

# Hostile contents: every field a device or an inventory controls.
cat >"$tmp/evil.jsonl" <<'JSONL'
{"host":"<script>alert(1)</script>","status":"failed","elapsed":0.5,"attempts":1,"error":{"kind":"command","message":"\"><img src=http://198.51.100.1/x.png onerror=alert(2)>","transcript":"line1\n</pre><iframe src=//198.51.100.1/></iframe>"}}
{"host":"ok-host' onmouseover='alert(3)","status":"ok","elapsed":0.25,"attempts":1,"value":{"note":"<link rel=stylesheet href=https://198.51.100.1/x.css>"}}
{"summary":{"total":2}}
JSONL
nh report "$tmp/evil.jsonl" -o "$tmp/evil.html"
[ "$rc" = 0 ] || fail "nethost report evil.jsonl: exit $rc"
"$PY" "$SRC/tests/report/check_html.py" "$tmp/evil.html" evil 2 "<script>alert(1)</script>" || fail "evil.html"

# Bad input: one line naming file and line; a report that is not .html.
printf '{"host":"a","status":"ok"}\nnot json\n' >"$tmp/bad.jsonl"
nh report "$tmp/bad.jsonl" -o "$tmp/bad.html"
[ "$rc" = 1 ] && grep -q "bad.jsonl:2: not JSON" "$tmp/out" || fail "bad line: exit $rc"
[ "$(wc -l <"$tmp/out")" = 1 ] || fail "bad input gave more than one line"
nh report "$tmp/evil.jsonl" -o "$tmp/x.pdf"
[ "$rc" = 1 ] && grep -q "name it .html" "$tmp/out" || fail "report -o x.pdf: exit $rc"
echo "report.html: ok"
