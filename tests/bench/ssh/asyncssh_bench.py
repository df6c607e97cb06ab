#!/usr/bin/python3
"""asyncssh side of the SSH benchmark: what users write today (asyncio.gather + Semaphore +
wait_for). usage: asyncssh_bench.py INVENTORY CONCURRENCY [baseline]
With "baseline" no connection is made: the process's memory without sessions."""
import asyncio, sys, time, warnings
warnings.filterwarnings("ignore")
import asyncssh, yaml

from bench_results import report, version_of

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
            return version_of(r.stdout)
        except Exception as e:
            return e

async def main():
    hosts, user, password, kh = load(sys.argv[1])
    conc = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    known = asyncssh.read_known_hosts(kh) if kh else None
    sem = asyncio.Semaphore(conc)
    t0 = time.monotonic()
    res = await asyncio.gather(*[one(sem, a, p, user, password, known) for _, a, p in hosts])
    report("asyncssh", res, t0)

asyncio.run(main())
