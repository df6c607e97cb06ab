#!/bin/sh
# push.lua reports "changed" only when the running configuration changed (push table, runner
# summary and results agree); --check shows exactly the lines that would be sent; --diff
# prints per-host diffs for push and rollback and keeps them in the results.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
here=$(dirname "$0")
. "$here/lab.sh"
start_lab 4 127.17.101.1 --mix cisco_ios=50,arista_eos=50
inv=$tmp/lab/lab.yaml
push() { nh run -i "$inv" "$SRC/playbooks/push.lua" -e confirm=0 -e snapshots="$tmp/snap" "$@"; }
# Every device has "ntp server 10.0.0.1": nothing is sent, nothing changes.
push -e 'lines=ntp server 10.0.0.1' -o "$tmp/noop.jsonl"
[ "$rc" = 0 ] || fail "no-op push"
grep -q "4 hosts: 4 ok, 0 changed, 0 failed" "$tmp/out" || fail "runner summary of a no-op push"
[ "$(grep -cE '^sw-[0-9]+ +ok +already configured +no change' "$tmp/out")" = 4 ] || fail "push table of a no-op push"
[ "$(grep -c '"status":"ok"' "$tmp/noop.jsonl")" = 4 ] || fail "results of a no-op push"
# A line the device takes without changing anything ("no ip domain-lookup" is sent, as a
# global no-form might turn a default off): sent, but the verification read equals the
# snapshot, so the host is ok.
push -l sw-0001 -e 'lines=no ip domain-lookup'
[ "$rc" = 0 ] || fail "push of a line that changes nothing"
grep -q "1 hosts*: 1 ok, 0 changed" "$tmp/out" || fail "a line sent that changed nothing counts as ok"
# --check: which hosts would change and exactly the lines not already there.
push -e 'lines=ntp server 10.0.0.1;ntp server 10.0.0.88' --check -o "$tmp/check.jsonl"
[ "$rc" = 0 ] || fail "push --check"
grep -q "4 hosts: 0 ok, 4 changed" "$tmp/out" || fail "--check counts the hosts that would change"
grep -q '"would_send":\["ntp server 10.0.0.88"\]' "$tmp/check.jsonl" || fail "would_send has only the missing line"
[ "$(grep -c '^== sw-[0-9]* would be sent 1 line(s):$' "$tmp/out")" = 4 ] || fail "--check prints the lines per host"
[ "$(grep -c '^    ntp server 10.0.0.88$' "$tmp/out")" = 4 ] || fail "--check prints the line"
grep -q '^    ntp server 10.0.0.1$' "$tmp/out" && fail "--check shows a line already present"
# --check --diff: the diff it would make, nothing sent.
NO_COLOR=1 push -l sw-0001 -e 'lines=ntp server 10.0.0.88' --check --diff -o "$tmp/cd.jsonl"
grep -q '^+ntp server 10.0.0.88$' "$tmp/out" || fail "--check --diff prints the diff"
grep -q '"diff":"--- before' "$tmp/cd.jsonl" || fail "--check --diff: diff field"
# The real push with --diff, then a rollback with --diff: both print the change.
nh run -i "$inv" "$SRC/playbooks/backup.lua" -e dir="$tmp/b" -e date=2026-01-01 -e git=no
push -e 'lines=ntp server 10.0.0.88;interface Ethernet5;description diffed' -l arista_eos --diff -o "$tmp/d.jsonl"
[ "$rc" = 0 ] || fail "push --diff"
grep -q "2 hosts: 0 ok, 2 changed" "$tmp/out" || fail "push summary"
grep -q '^== sw-0002 (changed)$' "$tmp/out" || fail "push --diff host header"
grep -q '^+ntp server 10.0.0.88$' "$tmp/out" && grep -q '^+   description diffed$' "$tmp/out" &&
  grep -q '^-   description server port 5$' "$tmp/out" || fail "push --diff lines"
grep -q "$(printf '\033')" "$tmp/out" && fail "no colour when stdout is not a terminal"
[ "$(grep -c '"diff":"--- before' "$tmp/d.jsonl")" = 2 ] || fail "diff field in push results"
nh run -i "$inv" "$SRC/playbooks/rollback.lua" -e dir="$tmp/b" --diff -o "$tmp/r.jsonl"
[ "$rc" = 0 ] || fail "rollback --diff"
grep -q '^-ntp server 10.0.0.88$' "$tmp/out" && grep -q '^+   description server port 5$' "$tmp/out" ||
  fail "rollback --diff lines"
[ "$(grep -c '"diff":"--- before' "$tmp/r.jsonl")" = 2 ] || fail "diff field in rollback results"
# Two pushes in the same second get their own snapshot folders.
before=$(ls "$tmp/snap" | wc -l)
for h in sw-0001 sw-0002 sw-0003; do
  "$BIN/nethost" run -i "$inv" -l $h "$SRC/playbooks/push.lua" -e confirm=0 -e snapshots="$tmp/snap" \
    -e 'lines=ntp server 10.0.0.91' >"$tmp/p-$h" 2>&1 &
  pids="${pids:-} $!"
done
wait $pids # not a bare wait: the lab is a child too
grep -q "1 changed" "$tmp/p-sw-0001" && grep -q "1 changed" "$tmp/p-sw-0003" || fail "parallel pushes"
[ "$(ls "$tmp/snap" | wc -l)" = $((before + 3)) ] || fail "one snapshot folder per run"
for d in "$tmp/snap/"*; do [ "$(ls "$d" | wc -l)" -le 2 ] || fail "runs share $d"; done
echo "push changed / --check / --diff: ok"
