"""What the Python sides of the SSH benchmark share: reading the version out of a device's
"show version" and the summary line run.sh collects (one per tool, on stderr)."""
import re
import sys
import time

VERSION = re.compile(r"Junos: (\S+)|[Vv]ersion:?\s+([\w.()\-]+)")


def version_of(text):
    """The software version in a "show version" answer, or None."""
    m = VERSION.search(text)
    return (m.group(1) or m.group(2)) if m else None


def report(tool, results, t0):
    """Prints how many hosts answered with a version, how many failed (by exception type)
    and the time since t0 (time.monotonic())."""
    ok = sum(1 for r in results if isinstance(r, str))
    errs = {}
    for r in results:
        if isinstance(r, Exception):
            errs[type(r).__name__] = errs.get(type(r).__name__, 0) + 1
    print(f"{tool}: {ok} versions, {len(results) - ok} failed {errs}, "
          f"{time.monotonic() - t0:.2f} s", file=sys.stderr)
