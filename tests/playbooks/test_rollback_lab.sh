#!/bin/sh
# The mass-rollback bench (tests/bench/playbooks/rollback_lab.sh) at a CI size: 60 devices
# of the three platforms backed up, changed, rolled back and compared with their backups.
# The 2,000-device figures come from running the bench itself.
BIN=$1 SRC=$2
exec sh "$SRC/tests/bench/playbooks/rollback_lab.sh" "$BIN/.." 60 127.17.20.1
