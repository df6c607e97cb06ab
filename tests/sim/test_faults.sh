#!/bin/sh
# Every fault mode and session limit of the lab through a real, independent client (OpenSSH),
# checked precisely enough that a fault which stopped behaving as named would fail: the
# output a faulty device gives is compared byte for byte with what the same device says in a
# fault-free lab of the same seed, and the timings are measured.
# usage: test_faults.sh BIN_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
command -v ssh >/dev/null || { echo "SKIP: no ssh client"; exit 77; }
export LC_ALL=C # byte counts and byte classes, not characters

printf '#!/bin/sh\necho admin\n' >"$tmp/askpass"
chmod +x "$tmp/askpass"
# sshc SECONDS ADDR ARGS...: OpenSSH with the lab's known_hosts (strict), the password, one
# password prompt (a denied login fails at once), and no connection sharing (every call is a
# new TCP connection, which the limits count). LogLevel INFO: a reset noticed after the
# connection is up ("Connection reset by ADDR port P") is only reported at that level.
sshc() {
  secs=$1 addr=$2; shift 2
  SSH_ASKPASS="$tmp/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none timeout "$secs" \
    ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$tmp/lab/lab.known_hosts" -o PubkeyAuthentication=no \
    -o PreferredAuthentications=keyboard-interactive,password -o NumberOfPasswordPrompts=1 \
    -o ControlMaster=no -o ControlPath=none -o ConnectTimeout=5 -o LogLevel=INFO \
    "admin@$addr" "$@"
}
ms() { echo $(($(date +%s%N) / 1000000)); }
size() { wc -c <"$1" | tr -d ' '; }
# prefix N FILE: the first N bytes of FILE.
prefix() { head -c "$1" "$2"; }

# Twelve devices; the same options (but the faults) give the same devices in both labs.
MIX=cisco_ios=60,arista_eos=20,juniper_junos=20
A=127.1.80 # the lab under test
R=127.1.81 # the fault-free reference lab
# Commands whose output depends only on the seed (no clock, no uptime), per device index.
cmd() { case $1 in 4 | 9) echo "show interfaces terse" ;; *) echo "show vlan" ;; esac; }

# ---- references: what each device says when nothing is wrong ----
start_lab 12 "$R.1" --mix "$MIX"
for i in 1 2 3 4 5 6 10 12; do
  sshc 10 "$R.$i" "$(cmd $i)" >"$tmp/ref.$i" 2>"$tmp/out" || fail "reference $i"
  [ "$(size "$tmp/ref.$i")" -gt 300 ] || fail "reference $i is too short"
done
stop_lab

# ---- faults by device list, limits and a changed host key ----
# 1 sw-0001 ios, 10 sw-0010 ios, 12 sw-0012 eos: healthy; 2 sw-0002 eos: hang-output;
# 3 sw-0003 ios: drop; 4 r-0004 junos: slow; 5 sw-0005 ios: garbage; 6 sw-0006 ios: huge;
# 7 sw-0007 eos: auth; 8 sw-0008 ios: host key changed; 9 r-0009 junos: hang;
# 11 sw-0011 ios: refuse. Every device allows two sessions.
start_lab 12 "$A.1" --mix "$MIX" --max-sessions 2 --fault hang-output:devices=sw-0002 \
  --fault drop:devices=sw-0003 --fault slow:devices=r-0004 --fault garbage:devices=sw-0005 \
  --fault huge:devices=sw-0006 --fault auth:devices=sw-0007 --fault hang:devices=r-0009 \
  --fault refuse:devices=sw-0011 --host-key-change sw-0008
grep -q "^  sw-0002: {address: $A.2, groups: \[arista_eos," "$tmp/lab/lab.yaml" &&
  grep -q "^  r-0004: {address: $A.4, groups: \[juniper_junos," "$tmp/lab/lab.yaml" &&
  grep -q "^  sw-0006: {address: $A.6, groups: \[cisco_ios," "$tmp/lab/lab.yaml" ||
  fail "the lab's devices are not the ones this test was written for"

# hang-output and hang run in the background while the rest is checked; hang-output's first
# half arrives within two seconds.
sshc 4 "$A.2" "$(cmd 2)" >"$tmp/ho.out" 2>"$tmp/ho.err" &
ho_pid=$!
sshc 3 "$A.9" "$(cmd 9)" >"$tmp/hang.out" 2>&1 &
hang_pid=$!
L=$(size "$tmp/ref.2")
for _ in $(seq 40); do [ "$(size "$tmp/ho.out")" -ge $((L / 2)) ] && break; sleep 0.05; done
[ "$(size "$tmp/ho.out")" = $((L / 2)) ] || fail "hang-output: $(size "$tmp/ho.out") bytes, not $((L / 2))"

# drop: the first half of the real output, then the connection dies without an exit status
# (OpenSSH's 255), at once rather than at the client's timeout.
t0=$(ms)
sshc 10 "$A.3" "$(cmd 3)" >"$tmp/out" 2>"$tmp/drop.err"
rc=$? took=$(($(ms) - t0))
[ "$rc" = 255 ] || fail "drop: ssh exited $rc, not 255 (no exit status, connection lost)"
[ "$took" -lt 3000 ] || fail "drop: took $took ms"
L=$(size "$tmp/ref.3")
[ "$(size "$tmp/out")" = $((L / 2)) ] || fail "drop: $(size "$tmp/out") bytes, not $((L / 2))"
prefix $((L / 2)) "$tmp/ref.3" | cmp -s - "$tmp/out" || fail "drop: not a prefix of the output"

# slow: the whole output, intact, no faster than 64 bytes every 50 ms.
t0=$(ms)
sshc 20 "$A.4" "$(cmd 4)" >"$tmp/out" 2>"$tmp/err" || fail "slow: ssh exited $?"
took=$(($(ms) - t0))
cmp -s "$tmp/ref.4" "$tmp/out" || fail "slow: output differs from the device's"
L=$(size "$tmp/ref.4")
least=$((((L + 63) / 64 - 1) * 50))
[ "$took" -ge "$least" ] || fail "slow: $L bytes in $took ms, less than the trickle's $least ms"

# garbage: the real text with 48 bytes of terminal junk inserted a third of the way in.
sshc 10 "$A.5" "$(cmd 5)" >"$tmp/out" 2>"$tmp/err" || fail "garbage: ssh exited $?"
L=$(size "$tmp/ref.5") cut=$(($(size "$tmp/ref.5") / 3))
[ "$(size "$tmp/out")" = $((L + 48)) ] || fail "garbage: $(size "$tmp/out") bytes, not $L + 48"
cmp -s -n "$cut" "$tmp/ref.5" "$tmp/out" || fail "garbage: the text before the junk"
tail -c $((L - cut)) "$tmp/ref.5" >"$tmp/a"
tail -c $((L - cut)) "$tmp/out" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || fail "garbage: the text after the junk"
junk=$(head -c $((cut + 48)) "$tmp/out" | tail -c 48 | tr -cd '\000\007\033\217\240\376\377' | wc -c)
[ "$junk" -gt 0 ] || fail "garbage: no control or 8-bit bytes among the inserted ones"
grep -aq "^99 *MGMT *active" "$tmp/out" || fail "garbage: the real text is missing"

# huge: a show command answers with at least 4 MB: the real output, then padding, ending
# with a whole line and exit status 0.
sshc 20 "$A.6" "$(cmd 6)" >"$tmp/out" 2>"$tmp/err" || fail "huge: ssh exited $?"
[ "$(size "$tmp/out")" -ge 4194304 ] || fail "huge: only $(size "$tmp/out") bytes"
prefix "$(size "$tmp/ref.6")" "$tmp/out" | cmp -s - "$tmp/ref.6" || fail "huge: the real output"
[ "$(tail -c 1 "$tmp/out" | od -An -c | tr -d ' ')" = '\n' ] || fail "huge: a cut last line"
tail -1 "$tmp/out" | grep -q "^ [0-9]* permit ip host [0-9.]* any log$" || fail "huge: last line"

# auth: the login is denied.
sshc 10 "$A.7" 'show clock' >"$tmp/out" 2>&1 && fail "auth: the client got in"
grep -q "Permission denied" "$tmp/out" || fail "auth: no 'Permission denied'"

# --host-key-change: strict checking refuses the device.
sshc 10 "$A.8" 'show clock' >"$tmp/out" 2>&1 && fail "host key change: the client got in"
grep -q "REMOTE HOST IDENTIFICATION HAS CHANGED" "$tmp/out" &&
  grep -q "Host key verification failed" "$tmp/out" || fail "host key change: the message"

# refuse (by list): no listener.
sshc 10 "$A.11" 'show clock' >"$tmp/out" 2>&1 && fail "refuse: the device answered"
grep -q "Connection refused" "$tmp/out" || fail "refuse: not refused"

# --max-sessions 2: two PTY sessions held open, a third connection is reset while another
# device still takes two; closing one lets the next in.
hold() { # hold N ADDR PROMPT: a PTY session in the background, fed from fd N+2 of this
  # shell through a fifo (closing the fd ends the session, so no other session may inherit
  # it); waits for its prompt
  mkfifo "$tmp/fifo.$1"
  (
    exec 3>&- 4>&- 5>&- # for good in this subshell (a function's redirection keeps a copy)
    sshc 25 "$2" -tt <"$tmp/fifo.$1" >"$tmp/hold.$1" 2>&1
  ) &
  eval "exec $(($1 + 2))>\"\$tmp/fifo.$1\""
  for _ in $(seq 100); do grep -q "$3" "$tmp/hold.$1" && return 0; sleep 0.05; done
  fail "session $1 got no prompt"
}
release() { eval "exec $(($1 + 2))>&-"; }
hold 1 "$A.10" "sw-0010>"
hold 2 "$A.10" "sw-0010>"
sshc 10 "$A.10" 'show clock' >"$tmp/out" 2>&1
rc=$?; [ $rc = 255 ] || fail "max-sessions: a third session was let in"
grep -q "reset" "$tmp/out" || fail "max-sessions: the third connection was not reset"
hold 3 "$A.12" "sw-0012>"
sshc 10 "$A.12" "$(cmd 12)" >"$tmp/out" 2>"$tmp/err" || fail "max-sessions: another device's second session"
cmp -s "$tmp/out" "$tmp/ref.12" || fail "max-sessions: another device's output"
release 1
ok=
for _ in $(seq 40); do
  sleep 0.05
  sshc 10 "$A.10" "$(cmd 10)" >"$tmp/out" 2>"$tmp/err" && { ok=1; break; }
done
[ -n "$ok" ] || fail "max-sessions: a freed session did not let the next one in"
cmp -s "$tmp/out" "$tmp/ref.10" || fail "max-sessions: output after a freed session"
release 2
release 3

# Healthy devices are untouched by their neighbours' faults.
sshc 10 "$A.1" "$(cmd 1)" >"$tmp/out" 2>"$tmp/err" || fail "healthy sw-0001: ssh exited $?"
cmp -s "$tmp/out" "$tmp/ref.1" || fail "healthy sw-0001: output differs"

# hang-output: the first half of the real output arrived early, then nothing until the
# client's own timeout (124). hang: logged in, and no output ever.
L=$(size "$tmp/ref.2")
wait "$ho_pid"
rc=$?
[ "$rc" = 124 ] || { cat "$tmp/ho.err" >&2; fail "hang-output: ssh ended ($rc) before its timeout"; }
[ "$(size "$tmp/ho.out")" = $((L / 2)) ] || fail "hang-output: more output came later"
prefix $((L / 2)) "$tmp/ref.2" | cmp -s - "$tmp/ho.out" || fail "hang-output: not a prefix of the output"
wait "$hang_pid"
rc=$?
[ "$rc" = 124 ] || fail "hang: ssh ended ($rc) before its timeout"
[ "$(size "$tmp/hang.out")" = 0 ] || fail "hang: the device said something"
stop_lab
grep -q '"sw-0010": {[^}]*"peak_concurrent": 2, "rejected": 1,' "$tmp/lab/stats.json" ||
  fail "stats: sw-0010 peak 2 and one rejected"

# ---- --conn-rate and --latency-ms ----
start_lab 3 "$A.1" --conn-rate 2 --latency-ms 300
# Six connections at once to one device: two tokens, the rest reset; another device at the
# same time is not limited by it.
pids=
for k in 1 2 3 4 5 6; do
  sshc 10 "$A.1" 'show clock' >"$tmp/rate.$k" 2>&1 &
  pids="$pids $!"
done
sshc 10 "$A.2" 'show clock' >"$tmp/other.1" 2>&1 &
pids="$pids $!"
sshc 10 "$A.2" 'show clock' >"$tmp/other.2" 2>&1 &
# shellcheck disable=SC2086 # a list of pids
wait $pids "$!" # these, not the lab
ok=$(grep -l "UTC" "$tmp"/rate.? | wc -l) reset=$(grep -l "reset" "$tmp"/rate.? | wc -l)
[ "$ok" -ge 2 ] && [ "$ok" -le 3 ] && [ $((ok + reset)) = 6 ] ||
  fail "conn-rate 2: of 6 connections $ok got in and $reset were reset"
grep -q UTC "$tmp/other.1" && grep -q UTC "$tmp/other.2" || fail "conn-rate: another device limited"
sleep 1.1
sshc 10 "$A.1" 'show clock' >"$tmp/out" 2>&1 || fail "conn-rate: no token after a second"
# Latency: the handshake and then every command of a PTY session waits 300 ms, so five
# waits at least.
t0=$(ms)
printf 'show clock\nshow clock\nshow clock\nexit\n' | sshc 10 "$A.3" -tt >"$tmp/out" 2>&1
took=$(($(ms) - t0))
[ "$(grep -c UTC "$tmp/out")" = 3 ] || fail "latency: three clocks"
[ "$took" -ge 1500 ] || fail "latency: handshake and four commands in $took ms, under 5 x 300"
stop_lab

# ---- faults by rate ----
# rate_run N WHY: N connections in turn over four devices; sets got to how many got in; every
# other one must have failed (255) with a message matching WHY.
rate_run() {
  got=0
  for k in $(seq "$1"); do
    if sshc 10 "$A.$((k % 4 + 1))" 'show clock' >"$tmp/out" 2>&1; then
      grep -q UTC "$tmp/out" || fail "rate: no output"
      got=$((got + 1))
    else
      grep -q "$2" "$tmp/out" || fail "rate: connection $k failed, but not with '$2'"
    fi
  done
}
start_lab 4 "$A.1" --fault refuse:rate=1
rate_run 8 "reset by"
[ "$got" = 0 ] || fail "refuse:rate=1 let $got of 8 connections in"
stop_lab
grep -q '"connections_rejected": 8,' "$tmp/lab/stats.json" || fail "refuse:rate=1: stats"
start_lab 4 "$A.1" --fault auth:rate=1
rate_run 8 "Permission denied"
[ "$got" = 0 ] || fail "auth:rate=1 let $got of 8 logins in"
stop_lab
grep -q '"handshakes": 8,' "$tmp/lab/stats.json" || fail "auth:rate=1: the handshakes"
start_lab 4 "$A.1" --fault refuse:rate=0.5
rate_run 40 "reset by"
[ "$got" -ge 12 ] && [ "$got" -le 28 ] || fail "refuse:rate=0.5: $got of 40 got in"
refused_in=$got
stop_lab
grep -q "\"connections_rejected\": $((40 - got))," "$tmp/lab/stats.json" || fail "refuse:rate=0.5: stats"
start_lab 4 "$A.1" --fault auth:rate=0.5
rate_run 40 "Permission denied"
[ "$got" -ge 12 ] && [ "$got" -le 28 ] || fail "auth:rate=0.5: $got of 40 got in"
stop_lab
echo "faults: all checks passed (rate 0.5: refuse let $refused_in of 40 in, auth $got)"
