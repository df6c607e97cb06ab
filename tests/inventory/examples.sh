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
  echo "$out" | grep -q '"platform": "arista_eos"' || fail "$f: leaf platform: $out"
  # group_vars/all.yml and group_vars/leaf.yml beside the inventory apply.
  echo "$out" | grep -q '"ntp_server": "10.0.0.1"' || fail "$f: group_vars/all.yml: $out"
  echo "$out" | grep -q '"role": "leaf"' || fail "$f: group_vars/leaf.yml: $out"
  echo "$out" | grep -q '"site": "lon"' || fail "$f: dc vars: $out"
  out=$(hosts "$INV/$f" -l dc)
  [ "$out" = "core-1 core-2 leaf-01 leaf-02 " ] || fail "$f -l dc: $out"
done

out=$(hosts "$INV/nornir") || fail "nornir: exit $?"
[ "$out" = "core-1 core-2 edge-1 " ] || fail "nornir hosts: $out"
out=$("$NH" inventory -i "$INV/nornir" --host core-1) || fail "nornir --host exit $?"
echo "$out" | grep -q '"platform": "cisco_ios"' || fail "nornir: ios -> cisco_ios: $out"
echo "$out" | grep -q '"site": "lon"' || fail "nornir: parent group data: $out"
echo "$out" | grep -q '"owner": "netops"' || fail "nornir: defaults.yaml: $out"
echo ok
