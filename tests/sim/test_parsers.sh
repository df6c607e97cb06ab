#!/bin/sh
# The lab's show commands are what real parsers read: tests/sim/parsers.lua fetches every
# documented show command from each personality and parses it with the ntc-templates
# (TextFSM), asserting records whose key fields match the device's own configuration.
# usage: test_parsers.sh BIN_DIR   (the corpus from $NETHOST_CORPUS, set by CMake)
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
corpus=${NETHOST_CORPUS:-}
if [ -z "$corpus" ] || [ ! -f "$corpus/templates/index" ]; then
  echo "SKIP: no ntc-templates corpus (configure with -DNETHOST_CORPUS=DIR)"
  exit 77
fi
export NET_TEXTFSM="$corpus/templates"

# Two pairs of each personality (consecutive devices are pairs), and the seed's one device
# in twenty with a very large configuration among them.
start_lab 12 127.1.90.1 --mix cisco_ios=34,arista_eos=33,juniper_junos=33
nh run -i "$tmp/lab/lab.yaml" "$(dirname "$0")/parsers.lua"
cat "$tmp/out"
[ "$rc" = 0 ] || fail "the templates disagree with the lab (exit $rc)"
grep -q "^12 hosts checked, 0 failures$" "$tmp/out" || fail "not every host was checked"
for p in cisco_ios arista_eos juniper_junos; do
  grep -q "groups: \[$p," "$tmp/lab/lab.yaml" || fail "the lab lacks $p"
done
echo "PASS"
