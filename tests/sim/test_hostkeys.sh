#!/bin/sh
# Host keys: one per lab by default, one per device with --host-keys device (each device
# presents the key its known_hosts line lists, and keeps it across restarts with
# --state-dir), and --host-key-change making one device's key a mismatch that a strict
# client (OpenSSH and nethost) refuses while its neighbours still connect; and public-key
# login.
# usage: test_hostkeys.sh BIN_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
command -v ssh-keyscan >/dev/null || { echo "SKIP: no ssh-keyscan"; exit 77; }

# presented ADDR: the ed25519 key the device at ADDR offers, as "ssh-ed25519 AAAA...".
presented() { timeout 10 ssh-keyscan -p 2222 -t ed25519 "$1" 2>/dev/null | cut -d' ' -f2,3; }
# listed ADDR: the key the lab's known_hosts expects of ADDR.
listed() { grep "^\[$1\]:2222 " "$tmp/lab/lab.known_hosts" | cut -d' ' -f2,3; }
keys() { cut -d' ' -f3 "$tmp/lab/lab.known_hosts" | sort -u | wc -l; }

start_lab 6 127.1.95.1
[ "$(keys)" = 1 ] || fail "default: expected one key for the lab, got $(keys)"
[ "$(presented 127.1.95.4)" = "$(listed 127.1.95.4)" ] || fail "default: device 4's key"
stop_lab

start_lab 6 127.1.95.1 --host-keys device --state-dir "$tmp/state"
[ "$(keys)" = 6 ] || fail "--host-keys device: expected 6 distinct keys, got $(keys)"
for a in 127.1.95.1 127.1.95.2 127.1.95.6; do
  k=$(presented $a)
  [ -n "$k" ] && [ "$k" = "$(listed $a)" ] || fail "$a presents '$k', known_hosts lists '$(listed $a)'"
done
first=$(listed 127.1.95.3)
cat >"$tmp/versions.lua" <<'LUA'
-- every device through strict host-key checking, each with its own key
local n = 0
for rec in nethost.run(nethost.inventory, function(h)
  local out = ssh.run(h, "show version").stdout
  return (out:match("[Vv]ersion") or out:match("Junos: ")) ~= nil
end):each() do
  assert(rec.status == "ok" and rec.value, rec.host .. ": " .. tostring(rec.error))
  n = n + 1
end
print("checked", n)
LUA
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/versions.lua"
[ "$rc" = 0 ] && grep -q "checked	6" "$tmp/out" || fail "nethost with per-device keys (rc $rc)"
stop_lab
[ -f "$tmp/state/hostkeys/$(sed -n 's/^  \([a-z0-9-]*\): {address: 127.1.95.3,.*/\1/p' "$tmp/lab/lab.yaml")" ] ||
  fail "per-device key not kept in the state dir"

# A restart with the same state dir presents the same keys.
start_lab 6 127.1.95.1 --host-keys device --state-dir "$tmp/state"
[ "$(listed 127.1.95.3)" = "$first" ] || fail "restart changed device 3's known_hosts line"
[ "$(presented 127.1.95.3)" = "$first" ] || fail "restart changed device 3's key"
stop_lab

# One device's key changes: strict clients refuse it, its neighbours are unaffected.
name5=$(sed -n 's/^  \([a-z0-9-]*\): {address: 127.1.95.5,.*/\1/p' "$tmp/lab/lab.yaml")
start_lab 6 127.1.95.1 --host-keys device --host-key-change "$name5"
[ "$(presented 127.1.95.5)" != "$(listed 127.1.95.5)" ] || fail "--host-key-change: same key"
[ "$(presented 127.1.95.4)" = "$(listed 127.1.95.4)" ] || fail "--host-key-change hit device 4"
printf '#!/bin/sh\necho admin\n' >"$tmp/askpass"
chmod +x "$tmp/askpass"
sshc() {
  SSH_ASKPASS="$tmp/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none timeout 20 \
    ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$tmp/lab/lab.known_hosts" -o PubkeyAuthentication=no \
    -o ConnectTimeout=5 "admin@$1" 'show clock'
}
sshc 127.1.95.5 >"$tmp/out" 2>&1 && fail "OpenSSH accepted a changed host key"
grep -q "REMOTE HOST IDENTIFICATION HAS CHANGED" "$tmp/out" || fail "OpenSSH: no mismatch warning"
sshc 127.1.95.4 >"$tmp/out" 2>&1 || fail "OpenSSH: the neighbour of a changed key"
# Public-key login (the lab takes any key for admin), with OpenSSH and with nethost.
ssh-keygen -q -t ed25519 -N '' -f "$tmp/id_lab" || fail "ssh-keygen"
timeout 20 ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=yes -o BatchMode=yes \
  -o UserKnownHostsFile="$tmp/lab/lab.known_hosts" -o PreferredAuthentications=publickey \
  -o IdentitiesOnly=yes -i "$tmp/id_lab" admin@127.1.95.4 'show clock' >"$tmp/out" 2>&1 ||
  fail "OpenSSH public-key login"
cat >"$tmp/pubkey.lua" <<LUA
local h = nethost.inventory:hosts()[4]
local r = ssh.run({ host = h.address, port = 2222, user = "admin", key_file = "$tmp/id_lab",
                    known_hosts = "$tmp/lab/lab.known_hosts" }, "show clock")
assert(r.exit_status == 0 and #r.stdout > 0, "pubkey run")
print("pubkey ok")
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/pubkey.lua"
grep -q "pubkey ok" "$tmp/out" || fail "nethost public-key login"
cat >"$tmp/mismatch.lua" <<'LUA'
for rec in nethost.run(nethost.inventory, function(h) return ssh.run(h, "show clock").exit_status end):each() do
  print(rec.host, rec.status, rec.error and rec.error.kind or "-")
end
LUA
nh run -q -i "$tmp/lab/lab.yaml" "$tmp/mismatch.lua"
grep -q "^$name5	failed	hostkey$" "$tmp/out" || fail "nethost: the changed key is not a hostkey failure"
[ "$(grep -c '	ok	' "$tmp/out")" = 5 ] || fail "nethost: the other five devices"
# --host-keys device with --host-key-change exits cleanly (it once freed the changed key's
# bind once per changed device, and leaked those devices' own binds).
stop_lab
[ "$sim_rc" = 0 ] || fail "nethost-sim exited $sim_rc after --host-keys device --host-key-change"
echo "hostkeys: ok"
