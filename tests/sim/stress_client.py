#!/usr/bin/python3
"""An abusive SSH client for nethost-sim: many connections at once, each of which gives up at
a random stage (plain TCP that sends nothing, garbage instead of a banner, a reset, half a
KEXINIT, a cancelled handshake, a dropped authenticated session, a wrong password, an exec
or a shell dropped half way through a big output), mixed with well-behaved sessions whose
output is checked. Used by tests/sim/test_stress.sh and by hand for overload runs.

usage: stress_client.py --base ADDR --devices N [--port P] [--connections C]
                        [--concurrency K] [--duration S] [--hold S] [--seed S]
                        [--drop-devices K] [--ok-from M] [--stages A,B,...]
Prints one line of counts per stage and exits 1 when a well-behaved session failed (unless
--tolerate-ok-failures) or when a silent connection outlived --expect-closed-within."""
import argparse
import asyncio
import ipaddress
import random
import socket
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402

STAGES = ["tcp-silent", "tcp-close", "tcp-reset", "garbage", "banner-only", "kexinit-partial",
          "kex-cancel", "auth-drop", "bad-auth", "exec-drop", "shell-drop", "ok"]


def address(base, i):
    return str(ipaddress.IPv4Address(int(ipaddress.IPv4Address(base)) + i))


async def read_until_closed(reader, limit):
    """Reads until the server closes; returns the seconds it took or None after `limit`."""
    t0 = time.monotonic()
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), limit - (time.monotonic() - t0))
            if not chunk:
                return time.monotonic() - t0
    except (asyncio.TimeoutError, ValueError):
        return None
    except OSError:
        return time.monotonic() - t0


async def raw(stage, host, port, args, rng):
    reader, writer = await asyncio.open_connection(host, port)
    sock = writer.get_extra_info("socket")
    try:
        if stage == "tcp-close":
            return "ok"
        if stage == "tcp-reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return "ok"
        if stage == "tcp-silent":
            # The lab must hang up on a client that never speaks (its login grace time).
            took = await read_until_closed(reader, args.hold)
            if args.expect_closed_within and (took is None or took > args.expect_closed_within):
                return "not-closed"
            return "ok" if took is not None else "held"
        if stage == "garbage":
            writer.write(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096))))
            await writer.drain()
            took = await read_until_closed(reader, args.hold)
            return "ok" if took is not None else "held"
        # A real banner, then the server's KEXINIT, then half of ours (or nothing).
        writer.write(b"SSH-2.0-stress_client\r\n")
        await writer.drain()
        await asyncio.wait_for(reader.read(4096), 10)
        if stage == "kexinit-partial":
            writer.write(b"\x00\x00\x05\xdc\x0a\x14" + bytes(rng.randrange(256) for _ in range(200)))
            await writer.drain()
            await asyncio.sleep(rng.random() * 0.2)
        return "ok"
    finally:
        writer.close()


async def drop_mid_output(conn, proc, rng):
    """Reads a little of the output (slow and hung devices give little or none), then
    vanishes without closing the channel."""
    want = rng.randrange(1, 20000)
    got = 0
    try:
        while got < want:
            chunk = await asyncio.wait_for(proc.stdout.read(want - got), 2)
            if not chunk:
                break
            got += len(chunk)
    except asyncio.TimeoutError:
        pass
    conn.abort()


async def session(stage, host, port, args, rng):
    opts = dict(username="admin", password="admin", known_hosts=None,
                connect_timeout=args.timeout)
    if stage == "kex-cancel":
        # Gives up at a random point of the key exchange or authentication.
        task = asyncio.ensure_future(asyncssh.connect(host, port, **opts))
        await asyncio.sleep(rng.random() * 0.05)
        task.cancel()
        try:
            conn = await task
            conn.abort()
        except (asyncio.CancelledError, Exception):
            pass
        return "ok"
    if stage == "bad-auth":
        opts["password"] = "wrong"
        try:
            async with asyncssh.connect(host, port, **opts):
                return "auth-accepted"
        except asyncssh.PermissionDenied:
            return "ok"
    conn = await asyncssh.connect(host, port, **opts)
    if stage == "auth-drop":
        conn.abort()
        return "ok"
    if stage == "exec-drop":
        proc = await conn.create_process("show running-config", encoding=None)
        await drop_mid_output(conn, proc, rng)
        return "ok"
    if stage == "shell-drop":
        proc = await conn.create_process(term_type="vt100", encoding=None)
        proc.stdin.write(b"terminal length 0\rshow running-config\r")
        await drop_mid_output(conn, proc, rng)
        return "ok"
    # A well-behaved session: its output must be right.
    async with conn:
        r = await asyncio.wait_for(conn.run("show version"), args.timeout)
    if r.exit_status == 0 and ("ersion" in r.stdout or "Junos:" in r.stdout):
        return "ok"
    if args.verbose:
        print(f"stress: bad output from {host}: exit {r.exit_status}: {r.stdout[:200]!r}")
    return "bad-output"


async def one(stage, args, rng, counts):
    if stage in ("exec-drop", "shell-drop") and args.drop_devices:
        host = address(args.base, rng.randrange(args.drop_devices))
    elif stage == "ok":
        host = address(args.base, rng.randrange(args.ok_from, args.devices))
    else:
        host = address(args.base, rng.randrange(args.devices))
    try:
        if stage in ("tcp-silent", "tcp-close", "tcp-reset", "garbage", "banner-only",
                     "kexinit-partial"):
            res = await raw(stage, host, args.port, args, rng)
        else:
            res = await asyncio.wait_for(session(stage, host, args.port, args, rng),
                                         args.timeout * 2)
    except (OSError, asyncssh.Error, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
        res = type(e).__name__
    counts.setdefault(stage, {}).setdefault(res, 0)
    counts[stage][res] += 1


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--devices", type=int, required=True)
    p.add_argument("--port", type=int, default=2222)
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=200)
    p.add_argument("--duration", type=float, default=0, help="stop starting new ones after S")
    p.add_argument("--hold", type=float, default=5, help="how long a silent client waits")
    p.add_argument("--expect-closed-within", type=float, default=0)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--stages", default=",".join(STAGES))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tolerate-ok-failures", action="store_true")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--drop-devices", type=int, default=0,
                   help="mid-output drops go to the first K devices (the faulty ones)")
    p.add_argument("--ok-from", type=int, default=0,
                   help="well-behaved sessions go to devices from index M on")
    args = p.parse_args()
    rng = random.Random(args.seed)
    stages = args.stages.split(",")
    counts = {}
    sem = asyncio.Semaphore(args.concurrency)
    t0 = time.monotonic()

    async def worker(stage, r):
        try:
            await one(stage, args, r, counts)
        finally:
            sem.release()

    tasks = []
    for i in range(args.connections):
        if args.duration and time.monotonic() - t0 > args.duration:
            break
        await sem.acquire()
        tasks.append(asyncio.ensure_future(worker(rng.choice(stages), random.Random(rng.random()))))
    await asyncio.gather(*tasks)
    wall = time.monotonic() - t0
    bad = 0
    for stage in sorted(counts):
        print(f"stress: {stage:16s} " + " ".join(f"{k}={v}" for k, v in sorted(counts[stage].items())))
        for k, v in counts[stage].items():
            if stage == "ok" and k != "ok" and not args.tolerate_ok_failures:
                bad += v
            if k in ("not-closed", "auth-accepted", "bad-output"):
                bad += v
    print(f"stress: {len(tasks)} connections in {wall:.2f} s ({len(tasks) / wall:.0f}/s), "
          f"{bad} failures")
    return 1 if bad else 0


sys.exit(asyncio.run(main()))
