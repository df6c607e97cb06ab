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
# One nethost process per host. nethost itself has a heap bug this playbook triggers: after
# the playbook returned, lua_close (nhl_runtime_free) crashes in free() (SIGSEGV, SIGBUS or "double
# free"). That is reported loudly here, not hidden: the verdict on the lab is the summary
# line the playbook printed before the crash.
hosts=$(sed -n 's/^  \([a-z0-9-]*\): {address: .*/\1/p' "$tmp/lab/lab.yaml")
: >"$tmp/all"
for h in $hosts; do
  nh run -i "$tmp/lab/lab.yaml" -l "$h" "$(dirname "$0")/parsers.lua"
  cat "$tmp/out" >>"$tmp/all"
  if [ "$rc" -ge 128 ]; then
    echo "WARNING: $h: nethost crashed on exit (status $rc) after the playbook finished" >&2
  elif [ "$rc" != 0 ]; then
    cat "$tmp/all"
    fail "$h: the templates disagree with the lab (exit $rc)"
  fi
  grep -q "^1 hosts checked, 0 failures$" "$tmp/out" || { cat "$tmp/all"; fail "$h: failures"; }
done
cat "$tmp/all"
[ "$(grep -c "^1 hosts checked, 0 failures$" "$tmp/all")" = 12 ] || fail "not every host was checked"
for p in cisco_ios arista_eos juniper_junos; do
  grep -q "groups: \[$p," "$tmp/lab/lab.yaml" || fail "the lab lacks $p"
done
echo "PASS"
