"""Runs N transfers at once and prints wall time and client CPU (children's or own).

usage: parallel.py N scp|sftp-put OPTS... SRC DST   (DST with {i})
       parallel.py N asyncssh PORT USER KEYDIR SRC DST
       parallel.py N lab-sftp|lab-scp P ADDRS OPTS... SRC DST   (one device per line of
                    ADDRS, P clients at a time, as xargs -P would run them)
       parallel.py N lab-asyncssh ADDRS KNOWN_HOSTS KEY SRC DST   (port 2222, all at once)
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
elif mode in ("lab-sftp", "lab-scp"):
    par, addrs = int(sys.argv[3]), open(sys.argv[4]).read().split()[:n]
    args = sys.argv[5:]
    src, dst = args[-2], args[-1]
    opts = " ".join(args[:-2])
    if mode == "lab-scp":
        opts = opts.replace("-P 2222", "-O -P 2222")
        script = f"scp {opts} {src} admin@$0:{dst}"
    else:
        script = f"echo 'put {src} {dst}' | sftp {opts} -b - admin@$0 >/dev/null"
    p = subprocess.run(["xargs", "-P", str(par), "-n", "1", "sh", "-c",
                        f"{{ {script}; }} || echo TRANSFER-FAILED $0"],
                       input="\n".join(addrs) + "\n", text=True, stdout=subprocess.PIPE)
    failed = p.stdout.count("TRANSFER-FAILED")
    if failed:
        print(p.stdout.splitlines()[0], file=sys.stderr)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
elif mode == "lab-asyncssh":
    import asyncssh
    addrs = open(sys.argv[3]).read().split()[:n]
    known, key, src, dst = sys.argv[4:8]

    async def one(addr):
        async with asyncssh.connect(addr, port=2222, username="admin", client_keys=[key],
                                    known_hosts=known) as conn:
            async with conn.start_sftp_client() as sftp:
                await sftp.put(src, dst)

    async def main():
        rs = await asyncio.gather(*(one(a) for a in addrs), return_exceptions=True)
        bad = [r for r in rs if isinstance(r, Exception)]
        if bad:
            print("asyncssh:", repr(bad[0]), file=sys.stderr)
        return len(bad)

    failed = asyncio.run(main())
    ru = resource.getrusage(resource.RUSAGE_SELF)
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
