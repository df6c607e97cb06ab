"""aiohttp side of the HTTP benchmark: N GETs spread over the given hosts at a concurrency.
usage: /usr/bin/python3 fetch_aiohttp.py URLS_FILE N CONCURRENCY [decode|raw]
decode: each body is decoded as JSON (r.json()), as a script reading a REST API does."""
import asyncio
import sys
import time

import aiohttp


async def main(urls, n, conc, decode):
    counter = {"next": 0, "ok": 0, "failed": 0, "bytes": 0}
    conn = aiohttp.TCPConnector(limit=0, limit_per_host=0, ttl_dns_cache=None)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
        async def worker():
            while True:
                i = counter["next"]
                counter["next"] += 1
                if i >= n:
                    return
                try:
                    async with session.get(urls[i % len(urls)]) as r:
                        body = await r.read()
                        if r.status == 200 and (not decode or isinstance(await r.json(), dict)):
                            counter["ok"] += 1
                            counter["bytes"] += len(body)
                        else:
                            counter["failed"] += 1
                except Exception as e:  # counted, the run goes on
                    counter["failed"] += 1
                    if counter["failed"] <= 3:
                        print(repr(e), file=sys.stderr)
        t0 = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(conc)))
        wall = time.monotonic() - t0
    print("RESULT ok=%d failed=%d wall=%.3f bytes=%d connects=-1"
          % (counter["ok"], counter["failed"], wall, counter["bytes"]))


if __name__ == "__main__":
    urls = [line.strip() for line in open(sys.argv[1]) if line.strip()]
    asyncio.run(main(urls, int(sys.argv[2]), int(sys.argv[3]),
                     len(sys.argv) > 4 and sys.argv[4] == "decode"))
