#!/bin/sh
# harness.sh LISTEN_HELPER "LISTENERS" COMMAND...: starts the listeners, runs COMMAND, stops
# them, and exits with COMMAND's status.
helper=$1; listeners=$2; shift 2
tmp=$(mktemp -d) || exit 1
# shellcheck disable=SC2086
"$helper" $listeners >"$tmp/ready" &
pid=$!
i=0
while ! grep -q ready "$tmp/ready" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
    echo "harness: listeners did not start" >&2
    kill $pid 2>/dev/null; rm -rf "$tmp"; exit 1
  fi
  sleep 0.05
done
"$@"
rc=$?
kill $pid 2>/dev/null
wait $pid 2>/dev/null
rm -rf "$tmp"
exit $rc
