"""A hostile SFTP client against the lab: it asks for 100 MB (400 READs of 256 KB of one
file) and reads none of it, so its channel window stays shut. The lab must stop taking
requests while its unsent replies exceed its bound (1 MB, tests/sim/xfer.h) instead of
buffering all 100 MB: its peak memory grows by far less than that. Then the client reads,
and every reply must arrive, whole and in order (the lab resumes once its output drains).
usage: sftp_hostile.py ADDRESS PORT SIM_PID
Prints the lab's peak memory growth while the client did not read."""
import asyncio
import struct
import sys

import asyncssh

N_READS = 400
READ = 256 * 1024


def vm_hwm_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def pkt(kind, body):
    return struct.pack(">IB", len(body) + 1, kind) + body


def sstr(b):
    return struct.pack(">I", len(b)) + b


class Client(asyncssh.SSHClientSession):
    def __init__(self):
        self.buf = bytearray()
        self.more = asyncio.Event()

    def data_received(self, data, datatype):
        self.buf.extend(data)
        self.more.set()

    async def packet(self):
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    p = bytes(self.buf[4:4 + n])
                    del self.buf[:4 + n]
                    return p
            self.more.clear()
            await self.more.wait()


async def main(addr, port, pid):
    async with asyncssh.connect(addr, port, username="admin", password="admin",
                                known_hosts=None, client_keys=None) as conn:
        async with conn.start_sftp_client() as sftp:
            async with sftp.open("flash:big.bin", "wb") as f:
                await f.write(b"\x5a" * (2 * READ))
        chan, c = await conn.create_session(Client, subsystem="sftp", encoding=None,
                                            window=256 * 1024)
        chan.write(pkt(1, struct.pack(">I", 3)))
        assert (await c.packet())[0] == 2, "no VERSION"
        chan.write(pkt(3, struct.pack(">I", 1) + sstr(b"flash:big.bin") + struct.pack(">II", 1, 0)))
        r = await c.packet()
        assert r[0] == 102, f"OPEN answered with {r[0]}"
        handle = r[5:]
        before = vm_hwm_kb(pid)
        chan.pause_reading()
        reqs = b"".join(pkt(5, struct.pack(">I", 100 + i) + handle + struct.pack(">QI", 0, READ))
                        for i in range(N_READS))
        chan.write(reqs)
        await asyncio.sleep(3)  # time for a lab without the bound to answer every READ
        grown_mb = (vm_hwm_kb(pid) - before) / 1024
        print(f"sftp_hostile: lab peak memory grew {grown_mb:.1f} MB while "
              f"{N_READS * READ // 2**20} MB of replies were asked for and not read")
        chan.resume_reading()
        for i in range(N_READS):
            r = await c.packet()
            assert r[0] == 103, f"reply {i}: type {r[0]}"
            rid, n = struct.unpack(">II", r[1:9])
            assert rid == 100 + i and n == READ and r[9:] == b"\x5a" * READ, f"reply {i}"
        chan.close()
        assert grown_mb < 40, f"the lab buffered {grown_mb:.1f} MB for a client that reads nothing"
    print("sftp_hostile: ok")


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
