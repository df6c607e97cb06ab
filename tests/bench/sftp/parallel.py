"""Runs N transfers at once and prints wall time and client CPU (children's or own).

usage: parallel.py N scp|sftp-put OPTS... SRC DST   (DST with {i})
       parallel.py N asyncssh PORT USER KEYDIR SRC DST
"""
import asyncio, resource, subprocess, sys, time

n, mode = int(sys.argv[1]), sys.argv[2]
t0 = time.monotonic()
failed = 0
if mode in ("scp", "sftp-put"):
    args = sys.argv[3:]
    src, dst = args[-2], args[-1]
    opts = " ".join(args[:-2])
    procs = []
    for i in range(1, n + 1):
        d = dst.replace("{i}", str(i))
        if mode == "scp":
            cmd = f"scp {opts} {src} {d}"
        else:
            cmd = f"echo 'put {src} {d}' | sftp {opts} -b - 127.0.0.1 >/dev/null"
        procs.append(subprocess.Popen(cmd, shell=True))
    failed = sum(1 for p in procs if p.wait() != 0)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
else:
    import asyncssh
    port, user, keydir, src, dst = sys.argv[3:8]

    async def one(i):
        async with asyncssh.connect("127.0.0.1", port=int(port), username=user,
                                    client_keys=[keydir + "/id_ed25519"],
                                    known_hosts=keydir + "/known_hosts") as conn:
            async with conn.start_sftp_client() as sftp:
                await sftp.put(src, dst.replace("{i}", str(i)))

    async def main():
        rs = await asyncio.gather(*(one(i) for i in range(1, n + 1)), return_exceptions=True)
        return sum(1 for r in rs if isinstance(r, Exception))

    failed = asyncio.run(main())
    ru = resource.getrusage(resource.RUSAGE_SELF)
wall = time.monotonic() - t0
print(f"wall={wall:.3f} cpu={ru.ru_utime + ru.ru_stime:.3f} failed={failed}")
