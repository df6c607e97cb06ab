#!/bin/sh
# `nethost version` names the libraries it runs with and the allocator that really serves
# its malloc (the top-level CMakeLists.txt, "The allocator"): mimalloc in a default build, the system's in a
# sanitizer build or with -DNETHOST_ALLOCATOR=system.
#   allocator.sh NETHOST EXPECTED   (EXPECTED: mimalloc or system)
set -u
N=$1 EXPECTED=$2
out=$("$N" version) || { echo "FAIL: nethost version exited $?"; exit 1; }
echo "$out"
echo "$out" | sed -n 2p | grep -Eq '^Lua [0-9.]+, libuv [0-9.]+, libssh2 [0-9.]+, libcurl [0-9.]+, OpenSSL [0-9.]+, libyaml [0-9.]+; allocator ' ||
  { echo "FAIL: no library line"; exit 1; }
case $EXPECTED in
  mimalloc) echo "$out" | grep -Eq 'allocator mimalloc [0-9]+\.[0-9]+\.[0-9]+$' ||
              { echo "FAIL: built with mimalloc, but malloc is not served by it"; exit 1; } ;;
  *) echo "$out" | grep -q 'allocator system$' || { echo "FAIL: expected the system allocator"; exit 1; } ;;
esac
echo ok
