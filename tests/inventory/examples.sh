#!/bin/sh
# The example inventories of inventory/ (the ones README and docs/inventory.md name) resolve
# with `nethost inventory -i`, in each of the formats nethost reads.
set -u
NH=$1
INV=$2
unset NETHOST_INVENTORY
fail() { echo "FAIL: $*"; exit 1; }
# hosts FILE ARGS...: the host names `nethost inventory` prints, one line.
hosts() { "$NH" inventory -i "$@" | awk 'NF > 1 { printf "%s ", $1 }'; }
# has WHAT PATTERN...: each pattern is in $out (the last command's output), else fail.
has() {
  what=$1; shift
  for pat in "$@"; do echo "$out" | grep -q -- "$pat" || fail "$what: no $pat in: $out"; done
}

out=$(hosts "$INV/lab.yaml") || fail "lab.yaml: exit $?"
[ "$out" = "core-1 core-2 edge-1 fw-1 sw-0001 sw-0002 " ] || fail "lab.yaml hosts: $out"
out=$(hosts "$INV/lab.yaml" -l 'core:&lon*')
[ "$out" = "core-1 core-2 " ] || fail "lab.yaml -l core:&lon*: $out"
out=$("$NH" inventory -i "$INV/lab.yaml" --explain core-1) || fail "--explain exit $?"
echo "$out" | grep -q '^data.site  *group lon$' || fail "lab.yaml: site from parent group lon: $out"
out=$("$NH" inventory -i "$INV/lab.yaml" --groups) || fail "--groups exit $?"
echo "$out" | grep -q 'core' || fail "--groups: $out"

for f in ansible/inventory.yml ansible/hosts.ini; do
  out=$(hosts "$INV/$f") || fail "$f: exit $?"
  [ "$out" = "core-1 core-2 leaf-01 leaf-02 fw-1 " ] || fail "$f hosts: $out"
  out=$("$NH" inventory -i "$INV/$f" --host leaf-02) || fail "$f --host exit $?"
  # group_vars/all.yml and group_vars/leaf.yml beside the inventory apply, and dc's vars.
  has "$f --host leaf-02" '"platform": "arista_eos"' '"ntp_server": "10.0.0.1"' '"role": "leaf"' \
    '"site": "lon"'
  out=$(hosts "$INV/$f" -l dc)
  [ "$out" = "core-1 core-2 leaf-01 leaf-02 " ] || fail "$f -l dc: $out"
done

out=$(hosts "$INV/nornir") || fail "nornir: exit $?"
[ "$out" = "core-1 core-2 edge-1 " ] || fail "nornir hosts: $out"
out=$("$NH" inventory -i "$INV/nornir" --host core-1) || fail "nornir --host exit $?"
# ios becomes cisco_ios; data comes from the parent group and from defaults.yaml.
has "nornir --host core-1" '"platform": "cisco_ios"' '"site": "lon"' '"owner": "netops"'
echo ok
