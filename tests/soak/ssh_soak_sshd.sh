#!/bin/sh
# SSH soak against real OpenSSH: a private sshd on 127.0.0.1:PORT (its own config, with
# MaxStartups and MaxSessions raised so sshd itself refuses nothing at the concurrency
# used), public-key login, every exec answered by a ForceCommand printing a Cisco-like
# `show version`. Runs tests/soak/ssh_soak.lua through nethost: SESSIONS sessions at
# CONCURRENCY, asserting that none hangs. Exit 77 when sshd is missing.
#
# usage: ssh_soak_sshd.sh NETHOST [SESSIONS [CONCURRENCY [PORT]]]
# env:   SOAK_TIMEOUT=S  the per-session deadline (default 60)
set -u
NETHOST=$1 SESSIONS=${2:-20000} CONC=${3:-500} PORT=${4:-23700}
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || { echo "SKIP: $SSHD not installed (apt-get install openssh-server)"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/sshd_config.sh"
DIR=$(mktemp -d /tmp/nethost-soak-sshd.XXXXXX)
cleanup() {
  [ -f "$DIR/sshd.pid" ] && kill "$(cat "$DIR/sshd.pid")" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_ed25519" || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$DIR/id_ed25519" || exit 1
cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
chmod 600 "$DIR/authorized_keys"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$DIR/host_ed25519.pub")" > "$DIR/known_hosts"
i=0
while [ $i -lt 10 ]; do
  echo "Cisco IOS Software, C3750 Software (C3750-IPSERVICESK9-M), Version 15.2(4)E10, RELEASE SOFTWARE (fc2)"
  echo "lab1 uptime is 3 weeks, 2 days"
  i=$((i + 1))
done > "$DIR/version.txt"
mkdir -p /run/sshd 2>/dev/null
{
  echo "ListenAddress 127.0.0.1:$PORT"
  sshd_private_config "$DIR"
  cat <<CFG
MaxStartups 4000:100:8000
MaxSessions 1000
LoginGraceTime 300
LogLevel ERROR
ForceCommand /bin/cat $DIR/version.txt
CFG
} > "$DIR/sshd_config"
"$SSHD" -f "$DIR/sshd_config" -E "$DIR/sshd.log" || { cat "$DIR/sshd.log"; exit 1; }
i=0
while ! [ -s "$DIR/sshd.pid" ]; do
  i=$((i + 1))
  if [ $i -gt 100 ]; then cat "$DIR/sshd.log"; exit 1; fi
  sleep 0.05
done
NETHOST_SSH_TRACE=1 "$NETHOST" run "$HERE/ssh_soak.lua" -e port="$PORT" -e listeners=1 \
  -e behaviours=sshd -e sessions="$SESSIONS" -e concurrency="$CONC" \
  -e known_hosts="$DIR/known_hosts" -e key_file="$DIR/id_ed25519" -e user="$(id -un)" \
  -e timeout="${SOAK_TIMEOUT:-60}" -e shell_every=0
RC=$?
[ -s "$DIR/sshd.log" ] && { echo "sshd's log (errors):"; sort "$DIR/sshd.log" | uniq -c | head; }
exit $RC
