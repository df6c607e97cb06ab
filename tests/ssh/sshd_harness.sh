#!/bin/sh
# Starts a private OpenSSH sshd on 127.0.0.1:PORT (and [::1]:PORT when IPv6 loopback works)
# with a temporary host key, client keys and authorized_keys, runs
#   NETHOST run PLAYBOOK
# with the details in the environment, and stops sshd. Exit 77 when sshd is missing.
# usage: sshd_harness.sh NETHOST PORT PLAYBOOK
set -u
NETHOST=$1 PORT=$2 PLAYBOOK=$3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/sshd_config.sh"
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || { echo "SKIP: $SSHD not installed (apt-get install openssh-server)"; exit 77; }
command -v ssh-keygen >/dev/null || { echo "SKIP: ssh-keygen missing"; exit 77; }
# Another checkout's test run may hold the ports: move up until three free ones are found.
PORT=$(python3 -c "
import socket, sys
p = int(sys.argv[1])
for _ in range(50):
    try:
        for k in range(4):
            s = socket.socket(); s.bind(('127.0.0.1', p + k)); s.close()
        break
    except OSError:
        p += 7
print(p)" "$PORT")
DIR=$(mktemp -d /tmp/nethost-sshd.XXXXXX)
SILENT=
cleanup() {
  [ -f "$DIR/sshd.pid" ] && kill "$(cat "$DIR/sshd.pid")" 2>/dev/null
  [ -n "$SILENT" ] && kill "$SILENT" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_ed25519" || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$DIR/other_host" || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$DIR/id_ed25519" || exit 1
ssh-keygen -q -t ed25519 -N 'sekrit-pass' -f "$DIR/id_pass" || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$DIR/id_unknown" || exit 1
cat "$DIR/id_ed25519.pub" "$DIR/id_pass.pub" > "$DIR/authorized_keys"
chmod 600 "$DIR/authorized_keys"
mkdir -p /run/sshd 2>/dev/null
# Start sshd; when another test run grabbed a port between the check and the bind, move on.
start_sshd() {
LISTEN="ListenAddress 127.0.0.1:$PORT
ListenAddress 127.0.0.1:$((PORT + 3))"
if python3 -c "import socket; s=socket.socket(socket.AF_INET6); s.bind(('::1', 0))" 2>/dev/null; then
  LISTEN="$LISTEN
ListenAddress [::1]:$PORT"
  SSHD_IPV6=1
fi
{
echo "$LISTEN"
sshd_private_config "$DIR"
cat <<CFG
MaxStartups 2000:30:4000
MaxSessions 100
LogLevel ERROR
Subsystem sftp internal-sftp
Match LocalPort $((PORT + 3))
  ForceCommand /usr/bin/python3 $HERE/fakecli.py
CFG
} > "$DIR/sshd_config"
: > "$DIR/sshd.log"
"$SSHD" -f "$DIR/sshd_config" -E "$DIR/sshd.log" || return 1
i=0
while ! [ -s "$DIR/sshd.pid" ]; do
  i=$((i+1)); [ $i -gt 100 ] && return 1
  grep -q "Cannot bind" "$DIR/sshd.log" && return 1
  sleep 0.05
done
# all of this sshd's addresses must be ours (another run may have taken one meanwhile)
sleep 0.1
! grep -q "Bind to port" "$DIR/sshd.log"
}
tries=0
until start_sshd; do
  [ -s "$DIR/sshd.pid" ] && kill "$(cat "$DIR/sshd.pid")" 2>/dev/null && rm -f "$DIR/sshd.pid"
  tries=$((tries + 1))
  [ $tries -ge 6 ] && { echo "sshd did not start"; cat "$DIR/sshd.log"; exit 1; }
  PORT=$((PORT + 11 * tries))
done
# PORT+3: the fake Cisco-like CLI (fakecli.py). PORT+1: accepts TCP and never speaks (banner deadline); PORT+2: nothing listens.
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT + 1)); s.listen(100); open('$DIR/silent', 'w').close()
time.sleep(300)" &
SILENT=$!
i=0; while ! [ -e "$DIR/silent" ] && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.05; done
[ -n "${SSHD_IPV6:-}" ] && export SSHD_IPV6
export SSHD_PORT=$PORT SSHD_DIR=$DIR SSHD_USER=$(id -un)
export SSHD_HOSTKEY_FP=$(ssh-keygen -l -E sha256 -f "$DIR/host_ed25519.pub" | awk '{print $2}')
export SSHD_OTHER_FP=$(ssh-keygen -l -E sha256 -f "$DIR/other_host.pub" | awk '{print $2}')
# known_hosts files: right key, wrong key (mismatch), none
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$DIR/host_ed25519.pub")" > "$DIR/known_hosts"
echo "[127.0.0.1]:$((PORT + 3)) $(cut -d' ' -f1,2 "$DIR/host_ed25519.pub")" >> "$DIR/known_hosts"
[ -n "${SSHD_IPV6:-}" ] && echo "[::1]:$PORT $(cut -d' ' -f1,2 "$DIR/host_ed25519.pub")" >> "$DIR/known_hosts"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$DIR/other_host.pub")" > "$DIR/known_hosts_bad"
unset SSH_AUTH_SOCK
${NH_WRAP:-} "$NETHOST" run "$PLAYBOOK"
rc=$?
[ $rc -ne 0 ] && [ -s "$DIR/sshd.log" ] && { echo "--- sshd.log"; tail -20 "$DIR/sshd.log"; }
exit $rc
