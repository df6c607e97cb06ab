#!/bin/sh
# sweep.sh NETHOST PLAYBOOK: playbooks/sweep.lua end to end on 127.3.0.0/28 while the harness
# listens on 127.3.0.2:28050 and 127.3.0.5:28050 (open) and 127.3.0.9:28050 (SYNs dropped):
# 2 up, 1 down, 11 closed; the table, the summary and the -o records agree. Then a ping sweep
# (all 14 answer on loopback) unless ICMP is not permitted here.
nethost=$1; playbook=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "sweep.sh: $*" >&2; cat "$tmp/out" >&2; exit 1; }

"$nethost" run "$playbook" -e subnet=127.3.0.0/28 -e ports=28050 -e timeout=0.3 \
  -e concurrency=4 -o "$tmp/results.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/err" >&2; fail "exit status $rc"; }
grep -q '^14 hosts: 2 up, 11 closed, 1 down$' "$tmp/out" || fail "summary"
grep -Eq '^127\.3\.0\.2 +up +open ' "$tmp/out" || fail "127.3.0.2 up"
grep -Eq '^127\.3\.0\.5 +up +open ' "$tmp/out" || fail "127.3.0.5 up"
grep -Eq '^127\.3\.0\.9 +down +timeout' "$tmp/out" || fail "127.3.0.9 down"
grep -Eq '^127\.3\.0\.1 +closed +refused' "$tmp/out" || fail "127.3.0.1 closed"
[ "$(grep -c '"host"' "$tmp/results.jsonl")" -eq 14 ] || fail "14 result records"
grep '"127.3.0.9"' "$tmp/results.jsonl" | grep -q '"status":"down"' || fail "record of 127.3.0.9"

# show=up lists only the up hosts.
"$nethost" run "$playbook" -e subnet=127.3.0.0/28 -e ports=28050 -e timeout=0.3 -e show=up \
  >"$tmp/out" 2>/dev/null || fail "show=up run"
[ "$(grep -c ' up ' "$tmp/out")" -eq 2 ] || fail "show=up rows"
grep -q '127.3.0.1 ' "$tmp/out" && fail "show=up lists a closed host"

# Bad arguments: exit 1 with a message.
"$nethost" run "$playbook" -e subnet=127.3.0.0/33 >"$tmp/out" 2>&1 && fail "bad subnet accepted"
grep -q "bad prefix" "$tmp/out" || fail "bad subnet message"
"$nethost" run "$playbook" -e subnet=127.3.0.0/28 -e ports=http >"$tmp/out" 2>&1 && fail "bad port accepted"
grep -q "not a port number" "$tmp/out" || fail "bad port message"

# An inventory instead of a subnet: hosts by their address.
cat >"$tmp/inv.yaml" <<'YAML'
hosts:
  web-1: {address: 127.3.0.2}
  web-2: {address: 127.3.0.9}
  web-3: {address: 127.3.0.3}
YAML
"$nethost" run "$playbook" -i "$tmp/inv.yaml" -e ports=28050 -e timeout=0.3 >"$tmp/out" 2>/dev/null ||
  fail "inventory sweep"
grep -Eq '^web-1 +127\.3\.0\.2 +up +open' "$tmp/out" || fail "web-1 up"
grep -Eq '^web-2 +127\.3\.0\.9 +down +timeout' "$tmp/out" || fail "web-2 down"
grep -q '^3 hosts: 1 up, 1 closed, 1 down$' "$tmp/out" || fail "inventory summary"

# A name that does not resolve fails that host (exit 2), not the sweep.
printf '  bad-1: {address: no-such-host.invalid}\n' >>"$tmp/inv.yaml"
"$nethost" run "$playbook" -i "$tmp/inv.yaml" -e ports=28050 -e timeout=0.3 >"$tmp/out" 2>&1
[ $? -eq 2 ] || fail "unresolvable host: exit status"
grep -Eq '^bad-1 +failed +.*resolve' "$tmp/out" || fail "unresolvable host row"
grep -q '^4 hosts: 1 up, 1 closed, 1 down, 1 failed$' "$tmp/out" || fail "summary with a failure"

# Without ICMP permission (forced with NETHOST_ICMP=datagram where datagram ICMP sockets are
# not allowed): a ping sweep stops at once with advice; with ports it warns and goes on.
if ! NETHOST_ICMP=datagram "$nethost" run "$playbook" -e subnet=127.3.0.0/28 -e timeout=0.3 \
     >"$tmp/out" 2>&1; then
  grep -q "not permitted.*ping_group_range.*-e ports" "$tmp/out" || fail "no-ICMP message"
  [ "$(grep -c 'net.ping' "$tmp/out")" -le 1 ] || fail "no-ICMP error repeated per host"
  NETHOST_ICMP=datagram "$nethost" run "$playbook" -e subnet=127.3.0.0/28 -e ports=28050 \
    -e ping=yes -e timeout=0.3 >"$tmp/out" 2>&1 || fail "no-ICMP sweep with ports"
  grep -q "probing TCP ports only" "$tmp/out" || fail "no-ICMP warning"
  grep -q '^14 hosts: 2 up, 11 closed, 1 down$' "$tmp/out" || fail "no-ICMP summary"
fi

# Ping sweep.
"$nethost" run "$playbook" -e subnet=127.3.0.0/28 -e timeout=1 >"$tmp/out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "not permitted" "$tmp/out"; then
  echo "sweep.sh: ICMP not permitted here: ping sweep skipped"
  exit 0
fi
[ $rc -eq 0 ] || fail "ping sweep exit status $rc"
grep -q '^14 hosts: 14 up, 0 closed, 0 down$' "$tmp/out" || fail "ping summary"
echo "sweep.sh: ok"
