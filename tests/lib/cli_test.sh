# Sourced by the CLI tests that drive nethost with scratch files: a scratch folder $T,
# removed on exit, no inventory from the caller's environment, and fail MESSAGE, which shows
# the end of $T/err (where the tests put nethost's stderr) and exits 1.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset NETHOST_INVENTORY
fail() { echo "FAIL: $*"; [ -f "$T/err" ] && tail -5 "$T/err"; exit 1; }
