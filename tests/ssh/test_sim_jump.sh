#!/bin/sh
# nethost-sim as the jump host (docs/lab.md, "The lab as a jump host"): nethost through the
# lab at one and two hops, refused forwards and a bastion lost mid-run (sim_jump.lua), then
# OpenSSH's own client through the lab with -J (an independent client), and the lab's
# forward counters. Lab addresses 127.1.201.x.
# usage: test_sim_jump.sh BIN_DIR SOURCE_DIR
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
[ -x "$BIN/nethost-sim" ] || { echo "SKIP: nethost-sim not built"; exit 77; }

# 8 devices: sw-0001 sw-0002 r-0003 sw-0004 sw-0005 sw-0006 r-0007 sw-0008.
start_lab 8 127.1.201.1 --mix cisco_ios=2,arista_eos=1,juniper_junos=1 \
  --bastions sw-0001,sw-0002,sw-0006 --fault drop:devices=sw-0006 --fault huge:devices=sw-0008 \
  --http --http-port 27295 --netconf-port 27296
grep -q '^  sw-0008: {address: 127.1.201.8,' "$tmp/lab/lab.yaml" || fail "unexpected lab layout"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/key" || fail "ssh-keygen"

SIM_INVENTORY=$tmp/lab/lab.yaml SIM_KEY=$tmp/key "$BIN/nethost" run "$SRC/tests/ssh/sim_jump.lua" \
  >"$tmp/out" 2>&1 || fail "sim_jump.lua"
cat "$tmp/out"

# OpenSSH's client with -J through the lab: its ProxyJump runs `ssh -W`, a direct-tcpip
# channel, with the same configuration file (so the same key and host-key settings).
if command -v ssh >/dev/null; then
  cat >"$tmp/ssh_config" <<CFG
Host *
  User admin
  Port 2222
  IdentityFile $tmp/key
  IdentitiesOnly yes
  BatchMode yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  ConnectTimeout 20
CFG
  sshj() { timeout 60 ssh -F "$tmp/ssh_config" "$@" </dev/null; }
  sshj -J 127.1.201.1 127.1.201.4 'show version' >"$tmp/out" 2>&1 || fail "ssh -J, one hop"
  grep -q "Cisco IOS Software" "$tmp/out" || fail "ssh -J one hop: no show version"
  # two hops, and the last hop names the device as the lab does (sw-0005 is not in DNS)
  sshj -J 127.1.201.1,127.1.201.2 sw-0005 'show version' >"$tmp/out" 2>&1 || fail "ssh -J, two hops"
  grep -q "Cisco IOS Software" "$tmp/out" || fail "ssh -J two hops: no show version"
  if sshj -J 127.1.201.1 -p 22 127.0.0.1 true >"$tmp/out" 2>&1; then
    fail "ssh -J to 127.0.0.1:22 through the lab worked"
  fi
  grep -q "prohibited\|stdio forwarding failed" "$tmp/out" || fail "ssh -J refusal: $(cat "$tmp/out")"
  # the HTTP port is a lab listener too: RESTCONF of sw-0004 through sw-0001 (ssh -W)
  printf 'GET /restconf/data/Cisco-IOS-XE-native:native/hostname HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\nConnection: close\r\n\r\n' |
    timeout 60 ssh -F "$tmp/ssh_config" -W 127.1.201.4:27295 127.1.201.1 >"$tmp/out" 2>&1 ||
    fail "ssh -W to the HTTP port"
  grep -q "sw-0004" "$tmp/out" || fail "RESTCONF through the lab: $(cat "$tmp/out")"
  echo "ok openssh -J"
else
  echo "no ssh client: OpenSSH checks skipped"
fi

stop_lab
[ "$sim_rc" = 0 ] || fail "nethost-sim exited with $sim_rc"
/usr/bin/python3 - "$tmp/lab/stats.json" <<'PY' || fail "lab statistics"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["forwards"] >= 20, s["forwards"]
assert s["forwards_refused"] >= 4, s["forwards_refused"]
print("forwards", s["forwards"], "refused", s["forwards_refused"])
PY
grep -q "refused direct-tcpip to 127.1.201.5 port 2222 (not a --bastions device)" "$tmp/lab/sim.log" \
  || fail "no refusal in the lab's log"

# --inventory-jump: the lab's own inventory puts every device behind sw-0001 and sw-0002, and
# a playbook runs unchanged through two hops (sw-0002 through sw-0001, the rest through both).
start_lab 8 127.1.201.1 --inventory-jump sw-0001,sw-0002
grep -q '^    jump: \[sw-0001, sw-0002\]$' "$tmp/lab/lab.yaml" || fail "no jump in the lab's inventory"
nh run -i "$tmp/lab/lab.yaml" "$SRC/playbooks/audit.lua"
[ "$rc" = 0 ] || fail "audit.lua through the lab's jump hosts: exit $rc"
grep -q "^8 hosts: .* 0 unreachable" "$tmp/out" || fail "audit.lua through the lab's jump hosts"
stop_lab
/usr/bin/python3 - "$tmp/lab/stats.json" <<'PY' || fail "lab statistics (--inventory-jump)"
import json, sys
s = json.load(open(sys.argv[1]))
# 6 devices through both hops (2 channels each at least), sw-0002 through sw-0001
assert s["forwards"] >= 7, s["forwards"]
assert s["per_device"]["sw-0003"]["sessions"] == 1, s["per_device"]["sw-0003"]
PY
# The lab stopped (SIGTERM) while sessions run through its forwards: it still exits cleanly
# (and leak-free under ASan), and nethost fails those hosts without crashing.
start_lab 8 127.1.201.1 --inventory-jump sw-0001,sw-0002 --latency-ms 2000
"$BIN/nethost" run -i "$tmp/lab/lab.yaml" "$SRC/playbooks/audit.lua" >"$tmp/out" 2>&1 &
run_pid=$!
n=0
until [ "$(ss -tnH state established "dst 127.1.201.5:2222" | wc -l)" -gt 0 ]; do
  n=$((n+1)); [ $n -le 600 ] || fail "no forwarded session to sw-0005"
  sleep 0.05
done
stop_lab
[ "$sim_rc" = 0 ] || fail "nethost-sim stopped with forwards open exited with $sim_rc"
wait $run_pid; rc=$?
[ "$rc" = 2 ] || [ "$rc" = 0 ] || fail "nethost run while the lab stopped: exit $rc"
if "$BIN/nethost-sim" --devices 2 --base 127.1.201.1 --inventory-out "$tmp/x.yaml" \
     --bastions sw-0001,sw-0019 --inventory-jump sw-0009 >"$tmp/out" 2>&1; then
  fail "--inventory-jump naming no device was accepted"
fi
grep -q "inventory-jump: no device named sw-0009" "$tmp/out" || fail "--inventory-jump error: $(cat "$tmp/out")"
grep -q "warning: --bastions: no device named sw-0019" "$tmp/out" || fail "--bastions warning: $(cat "$tmp/out")"
echo "PASS"
