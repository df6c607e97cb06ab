#!/bin/sh
# The lab through netmiko (Debian's python3-netmiko, run by /usr/bin/python3): a device of
# each personality driven by netmiko's own platform drivers, as scripts drive real gear.
# usage: test_netmiko.sh BIN_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
PY=/usr/bin/python3
"$PY" -c 'import netmiko' 2>/dev/null || { echo "SKIP: $PY has no netmiko (apt-get install python3-netmiko)"; exit 77; }
start_lab 6 127.1.93.1 --mix cisco_ios=34,arista_eos=33,juniper_junos=33 --confirm-unit-ms 1000
addr_of() { sed -n "s/^  [a-z0-9-]*: {address: \([0-9.]*\), groups: \[$1,.*/\1/p" "$tmp/lab/lab.yaml" | head -1; }
timeout 150 "$PY" "$(dirname "$0")/netmiko_check.py" "$(addr_of cisco_ios)" "$(addr_of arista_eos)" \
  "$(addr_of juniper_junos)" 2222 >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "netmiko checks failed (exit $rc)"
cat "$tmp/out"
