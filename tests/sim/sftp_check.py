"""The lab's SFTP server through an independent client (asyncssh): put and get of 0 B, 1 B
and 2 MB files compared byte for byte, listdir, stat, rename, remove, a missing file, a write at an offset near 2^64, and
malformed packets that must close the session cleanly while the lab keeps serving.
usage: sftp_check.py ADDRESS PORT WORKDIR"""
import asyncio
import filecmp
import os
import struct
import sys

import asyncssh


async def connect(addr, port):
    return await asyncssh.connect(addr, port, username="admin", password="admin",
                                  known_hosts=None, client_keys=None)


async def files(addr, port, work):
    sizes = {"a0": 0, "a1": 1, "a2m": 2_000_000}
    for name, n in sizes.items():
        with open(os.path.join(work, name), "wb") as f:
            f.write(os.urandom(n))
    async with await connect(addr, port) as conn:
        async with conn.start_sftp_client() as sftp:
            for name in sizes:
                await sftp.put(os.path.join(work, name), "flash:" + name)
                back = os.path.join(work, name + ".back")
                await sftp.get("flash:" + name, back)
                assert filecmp.cmp(os.path.join(work, name), back, shallow=False), name
                assert (await sftp.stat("/" + name)).size == sizes[name], name
            names = await sftp.listdir("/")
            assert {"a0", "a1", "a2m"} <= set(names), names
            await sftp.rename("a1", "a1-renamed")
            assert await sftp.exists("a1-renamed") and not await sftp.exists("a1")
            await sftp.remove("a1-renamed")
            try:
                await sftp.get("flash:missing", os.path.join(work, "missing"))
                raise AssertionError("got a missing file")
            except asyncssh.SFTPNoSuchFile:
                pass


async def wrap(addr, port):
    """A WRITE at an offset near 2^64 while other files use the flash: the lab must refuse it
    (no space), not wrap its free-space sum and loop growing the file's buffer."""
    async with await connect(addr, port) as conn:
        async with conn.start_sftp_client() as sftp:
            async with sftp.open("flash:wrap.bin", "wb") as f:
                try:
                    await asyncio.wait_for(f.write(b"w" * 8, offset=2**64 - 16), 60)
                    raise AssertionError("a write at offset 2^64 - 16 succeeded")
                except asyncssh.SFTPError:
                    pass
            await sftp.remove("flash:wrap.bin")


async def raw(addr, port, packets):
    """Sends raw bytes on an sftp subsystem channel; the lab must close it (no EOF is sent)."""
    async with await connect(addr, port) as conn:
        chan, _ = await conn.create_session(asyncssh.SSHClientSession, subsystem="sftp",
                                            encoding=None)
        for p in packets:
            chan.write(p)
        await asyncio.wait_for(chan.wait_closed(), 60)


def pkt(body):
    return struct.pack(">I", len(body)) + body


async def main():
    addr, port, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    await files(addr, port, work)
    await wrap(addr, port)
    init = pkt(b"\x01" + struct.pack(">I", 3))
    bad = [
        [b"\xff\xff\xff\xff\x03"],                           # a length over the maximum
        [struct.pack(">I", 0)],                              # a zero length
        [init, pkt(b"\x03\x00\x00\x00\x01\x00\x00\x10\x00")],  # OPEN whose path runs past the end
        [pkt(b"\x03" + b"\x00" * 8)],                         # OPEN before INIT
        [init, pkt(b"\x05\x00\x00\x00\x02\x00\x00\x00\x03h99" + b"\x00" * 3)],  # short READ
        [init, pkt(b"\x06\x00\x00\x00\x02\x00\x00\x00\x03h00" + b"\x00" * 8 + b"\xff\xff\xff\xff")],
    ]
    for packets in bad:
        await raw(addr, port, packets)
    # The lab still serves SFTP.
    await files(addr, port, work)
    print("sftp_check: ok")


asyncio.run(main())
