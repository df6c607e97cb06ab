#!/bin/sh
# A mass rollback at the seeds' scale: backup -> push the issue's change (IOS) and a change on
# EOS and Junos -> rollback.lua -> backup again, every device compared with its backup by
# tests/playbooks/rollback_check.sh. Prints the time of each phase.
# usage: tests/bench/playbooks/rollback_lab.sh [BUILD_DIR] [DEVICES] [BASE]
BUILD=${1:-build} N=${2:-2000} BASE=${3:-127.17.0.1}
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=$(cd "$BUILD/bin" && pwd)
tmp=$(mktemp -d)
. "$SRC/tests/playbooks/lab.sh"
. "$SRC/tests/playbooks/rollback_check.sh"
t0=$(date +%s.%N)
start_lab "$N" "$BASE" --quiet
inv=$tmp/lab/lab.yaml
phase() { # NAME: prints the time since the previous phase
  t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" -v n="$1" -v d="$N" 'BEGIN { printf "rollback_lab: %-9s %7.1f s (%d devices)\n", n, b - a, d }'; t0=$t1
}
phase "lab start"
nh run -i "$inv" -c 500 "$SRC/playbooks/backup.lua" -e dir="$tmp/b" -e date=2026-01-01 -e git=no
[ "$rc" = 0 ] || fail "backup"
phase backup
nh run -i "$inv" -c 500 -l cisco_ios "$SRC/playbooks/push.lua" -e confirm=0 -e snapshots="$tmp/snap" \
  -e 'lines=no ip name-server 10.0.0.53;ip name-server 10.0.0.54;interface GigabitEthernet1/0/2;description changed by push'
[ "$rc" = 0 ] || fail "push ios"
nh run -i "$inv" -c 500 -l arista_eos "$SRC/tests/playbooks/change.lua" \
  -e 'lines=no ntp server 10.0.0.1;interface Ethernet3;description eos changed'
[ "$rc" = 0 ] || fail "change eos"
nh run -i "$inv" -c 500 -l juniper_junos "$SRC/tests/playbooks/change.lua" \
  -e 'lines=delete system ntp server 10.0.0.1;set interfaces ge-0/0/1 description "junos changed"'
[ "$rc" = 0 ] || fail "change junos"
phase change
nh run -i "$inv" -c 500 "$SRC/playbooks/rollback.lua" -e dir="$tmp/b"
[ "$rc" = 0 ] || fail "rollback"
restored=$(grep -cE " restored " "$tmp/out")
[ "$restored" = "$N" ] || fail "$restored of $N restored"
phase rollback
nh run -i "$inv" -c 500 "$SRC/playbooks/backup.lua" -e dir="$tmp/after" -e date=2026-01-02 -e git=no
[ "$rc" = 0 ] || fail "backup after"
bad=0
for f in "$tmp/b/2026-01-01/"*.cfg; do
  same_config "$f" "$tmp/after/2026-01-02/$(basename "$f")" >/dev/null || bad=$((bad + 1))
done
[ "$bad" = 0 ] || fail "$bad devices differ from their backups"
phase verify
echo "rollback_lab: $N devices restored and equal to their backups"
