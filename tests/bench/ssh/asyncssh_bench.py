#!/usr/bin/python3
"""asyncssh side of the SSH benchmark: what users write today (asyncio.gather + Semaphore +
wait_for). usage: asyncssh_bench.py INVENTORY CONCURRENCY [baseline]
With "baseline" no connection is made: the process's memory without sessions."""
import asyncio, re, sys, time, warnings
warnings.filterwarnings("ignore")
import asyncssh, yaml

VERSION = re.compile(r"Junos: (\S+)|[Vv]ersion:?\s+([\w.()\-]+)")

def load(path):
    inv = yaml.safe_load(open(path))
    d = inv.get("defaults", {})
    kh = d.get("ssh", {}).get("known_hosts")
    if kh and not kh.startswith("/"):
        import os
        kh = os.path.join(os.path.dirname(os.path.abspath(path)), kh)
    hosts = [(name, h["address"], h.get("port", d.get("port", 22))) for name, h in inv["hosts"].items()]
    return hosts, d["username"], d["password"], kh

BASELINE = len(sys.argv) > 3 and sys.argv[3] == "baseline"

async def one(sem, addr, port, user, password, known):
    async with sem:
        if BASELINE:
            return "baseline"
        try:
            conn = await asyncio.wait_for(asyncssh.connect(
                addr, port, username=user, password=password, known_hosts=known), 60)
            async with conn:
                r = await asyncio.wait_for(conn.run("show version"), 60)
            m = VERSION.search(r.stdout)
            return (m.group(1) or m.group(2)) if m else None
        except Exception as e:
            return e

async def main():
    hosts, user, password, kh = load(sys.argv[1])
    conc = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    known = asyncssh.read_known_hosts(kh) if kh else None
    sem = asyncio.Semaphore(conc)
    t0 = time.monotonic()
    res = await asyncio.gather(*[one(sem, a, p, user, password, known) for _, a, p in hosts])
    ok = sum(1 for r in res if isinstance(r, str))
    errs = {}
    for r in res:
        if isinstance(r, Exception):
            errs[type(r).__name__] = errs.get(type(r).__name__, 0) + 1
    print(f"asyncssh: {ok} versions, {len(res) - ok} failed {errs}, {time.monotonic() - t0:.2f} s",
          file=sys.stderr)

asyncio.run(main())
