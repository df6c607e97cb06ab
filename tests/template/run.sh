#!/bin/sh
# The template differential test: python3-jinja2 renders the cases (and, with --fuzz,
# random ones), nethost renders the same and compare.lua checks them byte for byte.
#   run.sh NETHOST SRCDIR WORKDIR [--fuzz N SEED]
set -eu
nethost=$1 src=$2 work=$3
py=/usr/bin/python3
if ! $py -c 'import jinja2' 2>/dev/null; then
  echo "SKIP: python3-jinja2 is not installed (apt-get install python3-jinja2)" >&2
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
if [ "${4:-}" = "--fuzz" ]; then
  cases=$work/cases
  $py "$src/jinja_render.py" --fuzz "$5" "$6" "$cases"
else
  cases=$src/cases
fi
$py "$src/jinja_render.py" "$cases" "$work/out"
"$nethost" run "$src/compare.lua" -- "$cases" "$work/out"
