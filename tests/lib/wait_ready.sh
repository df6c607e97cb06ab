# Sourced by the scripts that start nethost-sim (or another server) in the background.
# wait_ready FILE PID LOG: waits until FILE exists (the server's --ready-file), polling every
# 0.05 s for up to 30 s. Returns 0 when it does; otherwise prints LOG and returns 1, at once
# when PID has exited (a server that failed to start is not waited for).
wait_ready() {
  _tries=0
  while ! [ -e "$1" ]; do
    _tries=$((_tries + 1))
    if [ $_tries -gt 600 ] || ! kill -0 "$2" 2>/dev/null; then
      echo "nethost-sim did not start" >&2
      cat "$3" >&2
      return 1
    fi
    sleep 0.05
  done
}
