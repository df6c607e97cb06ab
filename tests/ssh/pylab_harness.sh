#!/bin/sh
# Runs PLAYBOOK against the asyncssh stand-in lab (tests/bench/ssh/fallback_lab.py): N hosts
# that are all 127.0.0.1:PORT, for scale tests while nethost-sim is not built. Exit 77 when
# python3-asyncssh is missing.
# usage: pylab_harness.sh NETHOST PORT N PLAYBOOK
set -u
NETHOST=$1 PORT=$2 N=$3 PLAYBOOK=$4
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
$PY -c "import asyncssh" 2>/dev/null || { echo "SKIP: python3-asyncssh missing"; exit 77; }
PORT=$($PY -c "
import socket, sys
p = int(sys.argv[1])
for _ in range(50):
    try:
        s = socket.socket(); s.bind(('127.0.0.1', p)); s.close(); break
    except OSError:
        p += 7
print(p)" "$PORT")
DIR=$(mktemp -d /tmp/nethost-pylab.XXXXXX)
LAB=
trap '[ -n "$LAB" ] && kill $LAB 2>/dev/null; rm -rf "$DIR"' EXIT INT TERM
ssh-keygen -q -t ed25519 -N '' -f "$DIR/hostkey" || exit 1
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$DIR/hostkey.pub")" > "$DIR/known_hosts"
{ printf "defaults:\n  username: admin\n  password: admin\n  port: %d\n" "$PORT"
  printf "  ssh: {host_key_policy: strict, known_hosts: %s}\nhosts:\n" "$DIR/known_hosts"
  i=1; while [ $i -le "$N" ]; do printf "  d%05d: {address: 127.0.0.1}\n" $i; i=$((i+1)); done
} > "$DIR/lab.yaml"
$PY "$HERE/../bench/ssh/fallback_lab.py" "$PORT" "$DIR/ready" "$DIR/hostkey" > "$DIR/lab.log" 2>&1 &
LAB=$!
i=0; while ! [ -e "$DIR/ready" ]; do i=$((i+1)); [ $i -gt 200 ] && { cat "$DIR/lab.log"; exit 1; }; sleep 0.05; done
SIM_INVENTORY=$DIR/lab.yaml "$NETHOST" run "$PLAYBOOK"
