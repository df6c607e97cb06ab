#!/bin/sh
# The lab through a real, independent client (OpenSSH): exec and PTY sessions on every
# personality, paging, enable, config mode, changes that persist across connections and
# across restarts (--state-dir), error markers and exit statuses, faults, and the stats.
# usage: test_openssh.sh BIN_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
command -v ssh >/dev/null || { echo "SKIP: no ssh client"; exit 77; }

printf '#!/bin/sh\necho admin\n' >"$tmp/askpass"
chmod +x "$tmp/askpass"
# sshc ADDR ARGS...: OpenSSH with the lab's known_hosts (strict) and the password.
sshc() {
  addr=$1; shift
  SSH_ASKPASS="$tmp/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none timeout 20 \
    ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$tmp/lab/lab.known_hosts" -o PubkeyAuthentication=no \
    -o PreferredAuthentications=keyboard-interactive,password -o ConnectTimeout=5 \
    -o LogLevel=ERROR "admin@$addr" "$@"
}
host_of() { # first host of a platform: "name address"
  sed -n "s/^  \([a-z0-9-]*\): {address: \([0-9.]*\), groups: \[$1,.*/\1 \2/p" "$tmp/lab/lab.yaml" | head -1
}

start_lab 10 127.1.30.1 --state-dir "$tmp/state" --mix cisco_ios=60,arista_eos=20,juniper_junos=20
set -- $(host_of cisco_ios); ios=$2
set -- $(host_of arista_eos); eos=$2
set -- $(host_of juniper_junos); junos=$2
[ -n "$ios" ] && [ -n "$eos" ] && [ -n "$junos" ] || fail "lab lacks a personality"

# Exec channels: output and exit status.
sshc "$ios" 'show version' >"$tmp/out" 2>&1 || fail "ios exec"
grep -q "Cisco IOS Software, .* Version 15" "$tmp/out" || fail "ios show version"
sshc "$eos" 'show version' >"$tmp/out" 2>&1 || fail "eos exec"
grep -q "Software image version: 4\." "$tmp/out" || fail "eos show version"
sshc "$junos" 'show version' >"$tmp/out" 2>&1 || fail "junos exec"
grep -q "^Junos: " "$tmp/out" || fail "junos show version"
sshc "$ios" 'show ip interface brief' >"$tmp/out" 2>&1 || fail "ios ip int brief"
grep -q "^Vlan99 .* 10\.99\." "$tmp/out" || fail "ip int brief rows"
sshc "$ios" 'sh run | include ^hostname' >"$tmp/out" 2>&1 || fail "ios pipe"
[ "$(cat "$tmp/out")" = "hostname sw-0001" ] || fail "pipe include"
sshc "$ios" 'show frobnicate' >"$tmp/out" 2>&1 && fail "an invalid command exits 0"
grep -q "% Invalid input detected at '^' marker." "$tmp/out" || fail "ios error marker"
sshc "$junos" 'show frobnicate' >"$tmp/out" 2>&1 && fail "junos invalid exits 0"
grep -q "syntax error" "$tmp/out" || fail "junos error marker"

# A PTY session: banner, paging, enable with the secret, config mode, save.
# (typed the way a person or an expect script would: each line after the last answer)
slowly() { for line in "$@"; do sleep 0.3; printf "$line"; done; sleep 0.5; }
slowly 'enable\n' 'enable\n' 'show running-config\n' 'q' 'configure terminal\n' 'hostname lab-test\n' \
  'interface Gi1/0/7\n' 'description set over pty\n' 'end\n' 'write memory\n' 'exit\n' |
  sshc "$ios" -tt >"$tmp/out" 2>&1
grep -q "Authorized access only" "$tmp/out" || fail "pty banner"
grep -q -- "--More--" "$tmp/out" || fail "pty paging"
grep -q "Password:" "$tmp/out" || fail "enable password prompt"
grep -q "sw-0001#" "$tmp/out" || fail "privileged prompt"
grep -q "sw-0001(config)#" "$tmp/out" || fail "config prompt"
grep -q "lab-test(config-if)#" "$tmp/out" || fail "the prompt follows the hostname"
grep -q "\[OK\]" "$tmp/out" || fail "write memory"
# Paging off: the platform's command.
printf 'terminal length 0\nshow running-config\nexit\n' | sshc "$ios" -tt >"$tmp/out" 2>&1
grep -q -- "--More--" "$tmp/out" && fail "paging still on after terminal length 0"

# The change persists across connections...
sshc "$ios" 'show running-config' >"$tmp/out" 2>&1
grep -q "^hostname lab-test" "$tmp/out" || fail "hostname not persisted"
grep -A2 "^interface GigabitEthernet1/0/7" "$tmp/out" | grep -q "description set over pty" ||
  fail "interface description not persisted"
sshc "$ios" 'show interfaces' | grep -A3 "^GigabitEthernet1/0/7 " | grep -q "Description: set over pty" ||
  fail "show interfaces does not follow the config"

# ...Junos commit and rollback...
printf 'set cli screen-length 0\nconfigure\nset system ntp server 10.7.7.7\ncommit\nexit\nexit\n' |
  sshc "$junos" -tt >"$tmp/out" 2>&1
grep -q "commit complete" "$tmp/out" || fail "junos commit"
sshc "$junos" 'show configuration | display set' | grep -q "^set system ntp server 10.7.7.7$" ||
  fail "junos commit not applied"
printf 'configure\nrollback 1\ncommit\nexit\nexit\n' | sshc "$junos" -tt >"$tmp/out" 2>&1
sshc "$junos" 'show configuration | display set' | grep -q "10.7.7.7" && fail "junos rollback"

# ...and across a restart with --state-dir.
stop_lab
start_lab 10 127.1.30.1 --state-dir "$tmp/state" --mix cisco_ios=60,arista_eos=20,juniper_junos=20
sshc "$ios" 'show running-config' | grep -q "^hostname lab-test" || fail "state-dir"

# Faults: authentication failure, hang, refused connection.
stop_lab
grep -q '"sw-0001": {"address": "127.1.30.1", "sessions": [1-9]' "$tmp/lab/stats.json" ||
  fail "stats: sessions per device"
# Names depend only on the options: devices 8, 9 and 10 of the lab just stopped.
names=$(sed -n 's/^  \([a-z0-9-]*\): {address:.*/\1/p' "$tmp/lab/lab.yaml")
set -- $names
hang=$8 auth=$9; shift 9; refuse=$1
start_lab 10 127.1.30.1 --fault "auth:devices=$auth" --fault "hang:devices=$hang" \
  --fault "refuse:devices=$refuse" --mix cisco_ios=60,arista_eos=20,juniper_junos=20
sshc 127.1.30.9 'show version' >"$tmp/out" 2>&1 && fail "auth fault let the client in"
grep -q "Permission denied" "$tmp/out" || fail "auth fault message"
sshc 127.1.30.10 'show version' >"$tmp/out" 2>&1 && fail "refused device answered"
grep -q "refused" "$tmp/out" || fail "refuse fault"
SSH_ASKPASS="$tmp/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none timeout 3 \
  ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$tmp/lab/lab.known_hosts" \
  -o PubkeyAuthentication=no -o LogLevel=ERROR admin@127.1.30.8 'show version' >"$tmp/out" 2>&1
[ $? = 124 ] || fail "hang fault: the command ended"
echo "openssh: all checks passed"
