#!/usr/bin/python3
"""An SSH server for nethost's tests that is not nethost-sim: python3-asyncssh (Debian),
one process, many listeners on 127.0.0.1 (ports BASE .. BASE+N-1), password auth
(admin/admin), exec channels answering Cisco-like commands and a PTY shell with a prompt.

Each listener has one behaviour, the listener's index modulo the list given with
--behaviours (default: all of them, in the order below), so a client can aim at a
behaviour by port. The behaviours are the ways real servers differ from nethost-sim:

  plain       answers at once; output, exit status, EOF and close leave together
  tiny        output in 1-7 byte pieces, one SSH packet (and TCP segment) each
  globalreq   global requests to the client (keepalive@openssh.com wanting a reply,
              hostkeys-00@openssh.com wanting none) before, between and after the output
  extinfo     SSH_MSG_EXT_INFO after authentication, SSH_MSG_IGNORE and SSH_MSG_DEBUG
              between pieces of output
  window      small channel windows and packets (1 KB / 512 B): window adjusts in both
              directions at odd moments, 64 KB of output
  eofclose    the last piece of output, EOF, exit status and channel close in one write
  drop        output and EOF, then the TCP connection closes (no exit status, no close)
  disconnect  output, then SSH_MSG_DISCONNECT and the TCP close, no channel close
  halfclose   output and EOF, then a TCP half-close (FIN, the socket still reading); the
              full close 0.3 s later (the client's late packets then meet a reset)
  slowbanner  the SSH banner waits 0.2-1.5 s (through a relay in this process)
  trickle     TCP-level fragments: the relay forwards the server's bytes 1-40 at a time

Commands: `show version` (about 1.4 KB), `show clock`, `show big` (64 KB), anything else
gets "% Invalid input". The shell prompt is "lab1#"; "exit" ends it.

With --log FILE the server writes a line for each command it has answered: the text after
" ! " in the command (a tag: the soak puts the session's name there), the behaviour, the
seconds from the command's arrival until its whole answer was written, and the wall-clock
time (seconds since the epoch) it was. A session the
client reports as hung is thus compared with the server's view (tests/soak/ssh_soak.lua):
a server that answered long before the client's deadline makes it a hang of the client;
one that answered late, or not at all, a server too slow for the load.

usage: asyncssh_server.py --port BASE --listeners N --hostkey FILE --ready FILE
       [--behaviours a,b,...] [--log FILE]
"""
import argparse
import asyncio
import random
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402
from asyncssh.constants import MSG_DEBUG, MSG_EXT_INFO, MSG_GLOBAL_REQUEST, MSG_IGNORE  # noqa
from asyncssh.packet import Boolean, String, UInt32  # noqa: E402

BEHAVIOURS = ["plain", "tiny", "globalreq", "extinfo", "window", "eofclose", "drop",
              "disconnect", "slowbanner", "trickle", "halfclose"]
VERSION = ("Cisco IOS Software, C3750 Software (C3750-IPSERVICESK9-M), Version 15.2(4)E10, "
           "RELEASE SOFTWARE (fc2)\nlab1 uptime is 3 weeks, 2 days\n") * 10
BIG = "".join("interface GigabitEthernet1/0/%d\n description port %d\n" % (i, i)
              for i in range(1, 1400))[:65536]
PROMPT = "lab1#"


def answer(cmd):
    cmd = cmd.strip()
    if cmd.startswith("show version"):
        return VERSION
    if cmd.startswith("show clock"):
        return "*12:00:00.000 UTC Mon Jan 1 2024\n"
    if cmd.startswith("show big"):
        return BIG
    if cmd == "" or cmd.startswith("terminal"):
        return ""
    return "% Invalid input detected at '^' marker.\n"


class Server(asyncssh.SSHServer):
    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.conn = None

    def connection_made(self, conn):
        self.conn = conn

    def begin_auth(self, username):
        return True

    def password_auth_supported(self):
        return True

    def validate_password(self, username, password):
        ok = username == "admin" and password == "admin"
        if ok and self.behaviour == "extinfo":
            # Servers announce extensions (server-sig-algs) around authentication.
            self.conn.send_packet(MSG_EXT_INFO, UInt32(1), String(b"server-sig-algs"),
                                  String(b"ssh-ed25519,rsa-sha2-256,rsa-sha2-512"))
        return ok


def global_requests(conn):
    """What OpenSSH and others send unasked: a keepalive wanting a reply, a host key list
    wanting none."""
    asyncio.ensure_future(conn._make_global_request(b"keepalive@openssh.com"))
    conn.send_packet(MSG_GLOBAL_REQUEST, String(b"hostkeys-00@openssh.com"), Boolean(False),
                     String(b"not-a-real-key-blob"))


async def write_in_pieces(write, data, most, every):
    """Writes data in pieces of 1 to most bytes (random), yielding to the event loop after
    every `every` pieces so that the client's reads interleave with them."""
    i = k = 0
    while i < len(data):
        n = random.randint(1, most)
        write(data[i:i + n])
        i += n
        k += 1
        if k % every == 0:
            await asyncio.sleep(0)


async def write_out(process, text, behaviour):
    conn = process.channel.get_connection()
    if process.term_type:
        text = text.replace("\n", "\r\n")
    if behaviour == "tiny":
        # Each write leaves as its own packet (and TCP segment: asyncio sends at once).
        await write_in_pieces(process.stdout.write, text, 7, 32)
        return
    if behaviour == "globalreq":
        half = len(text) // 2
        global_requests(conn)
        process.stdout.write(text[:half])
        await asyncio.sleep(0)
        global_requests(conn)
        process.stdout.write(text[half:])
        global_requests(conn)
        return
    if behaviour == "extinfo":
        for i in range(0, len(text), 300):
            process.stdout.write(text[i:i + 300])
            conn.send_packet(MSG_IGNORE, String(b"x" * random.randint(0, 64)))
            conn.send_packet(MSG_DEBUG, Boolean(False), String(b"lab debug"), String(b""))
            await asyncio.sleep(0)
        return
    if behaviour == "window":
        # Pieces of 700 bytes, a pass of the event loop after every 16 (window adjusts from
        # the client then fall between them). Not one pass per piece: with hundreds of
        # sessions a pass of this loop takes up to a second, and 96 of them made the answer
        # take a minute (seen in the soak as sessions timing out with all output read and
        # the server still writing: the server's slowness, not the client's).
        for k, i in enumerate(range(0, len(text), 700)):
            process.stdout.write(text[i:i + 700])
            if k % 16 == 15:
                await asyncio.sleep(0)
        return
    process.stdout.write(text)


LOG = None


def log_answer(cmd, behaviour, t0):
    """Notes that the answer to cmd was written (see --log)."""
    if LOG and " ! " in cmd:
        LOG.write("%s %s %.3f %.3f\n" % (cmd.split(" ! ", 1)[1].strip(), behaviour,
                                          time.monotonic() - t0, time.time()))


async def handle_exec(process, behaviour):
    t0 = time.monotonic()
    cmd = process.command
    text = answer(cmd)
    if behaviour == "window" and cmd.startswith("show version"):
        text = text + BIG
    if behaviour == "eofclose":
        # The last piece, EOF, exit status and close leave in one go.
        process.stdout.write(text)
        log_answer(cmd, behaviour, t0)
        process.exit(0)
        return
    await write_out(process, text, behaviour)
    log_answer(cmd, behaviour, t0)
    if behaviour == "drop":
        process.stdout.write_eof()
        await asyncio.sleep(0)
        process.channel.get_connection()._transport.close()
        return
    if behaviour == "halfclose":
        process.stdout.write_eof()
        await asyncio.sleep(0)
        transport = process.channel.get_connection()._transport
        transport.write_eof()
        await asyncio.sleep(0.3)
        transport.close()
        return
    if behaviour == "disconnect":
        await asyncio.sleep(0)
        process.channel.get_connection().close()
        return
    process.exit(0)


async def handle_shell(process, behaviour):
    await write_out(process, "\nlab1 ready\n" + PROMPT, "plain")
    while True:
        try:
            line = await process.stdin.readline()
        except (asyncssh.Error, OSError, asyncio.CancelledError):
            break
        if not line:
            break
        t0 = time.monotonic()
        cmd = line.strip()
        if cmd == "exit":
            break
        # The PTY echoes the line (asyncssh's line editor is off: raw, like a device).
        await write_out(process, line.rstrip("\r\n") + "\n" + answer(cmd) + PROMPT, behaviour)
        log_answer(cmd, behaviour, t0)
    process.exit(0)


def make_handler(behaviour):
    async def handle(process):
        try:
            if process.command is not None:
                await handle_exec(process, behaviour)
            else:
                await handle_shell(process, behaviour)
        except (asyncssh.Error, OSError, BrokenPipeError, ConnectionError):
            pass
    return handle


class Relay(asyncio.Protocol):
    """Front of the slowbanner and trickle listeners: a TCP relay in this process to the
    listener's own asyncssh server, delaying or fragmenting the server's bytes."""

    def __init__(self, backend_port, behaviour):
        self.backend_port, self.behaviour = backend_port, behaviour
        self.transport = None
        self.queue = asyncio.Queue()
        self.back = None
        self.task = None

    def connection_made(self, transport):
        self.transport = transport
        self.task = asyncio.ensure_future(self.run())

    def data_received(self, data):
        self.queue.put_nowait(data)

    def eof_received(self):
        self.queue.put_nowait(None)
        return True

    def connection_lost(self, exc):
        self.queue.put_nowait(None)
        if self.back:
            self.back.close()

    async def run(self):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.backend_port)
        except OSError:
            self.transport.close()
            return
        self.back = writer
        up = asyncio.ensure_future(self.upstream(writer))
        first = True
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if first and self.behaviour == "slowbanner":
                    await asyncio.sleep(random.uniform(0.2, 1.5))
                first = False
                if self.behaviour == "trickle":
                    await write_in_pieces(self.transport.write, data, 40, 16)
                else:
                    self.transport.write(data)
        except (OSError, ConnectionError):
            pass
        finally:
            up.cancel()
            writer.close()
            self.transport.close()

    async def upstream(self, writer):
        try:
            while True:
                data = await self.queue.get()
                if data is None:
                    writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
        except (OSError, ConnectionError, RuntimeError):
            pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--listeners", type=int, default=len(BEHAVIOURS))
    ap.add_argument("--hostkey", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--behaviours", default=",".join(BEHAVIOURS))
    ap.add_argument("--log")
    args = ap.parse_args()
    global LOG
    if args.log:
        LOG = open(args.log, "w", buffering=1)
    kinds = args.behaviours.split(",")
    for k in kinds:
        if k not in BEHAVIOURS:
            sys.exit("unknown behaviour %r (known: %s)" % (k, ", ".join(BEHAVIOURS)))
    loop = asyncio.get_running_loop()
    key = asyncssh.read_private_key(args.hostkey)
    servers = []
    for i in range(args.listeners):
        b = kinds[i % len(kinds)]
        port = args.port + i
        opts = dict(server_host_keys=[key], process_factory=make_handler(b), backlog=4096,
                    login_timeout=120)
        if b == "window":
            opts.update(window=1024, max_pktsize=512)
        if b in ("slowbanner", "trickle"):
            # The asyncssh server listens on an ephemeral port behind the relay.
            inner = await asyncssh.create_server(lambda b=b: Server(b), "127.0.0.1", 0, **opts)
            inner_port = inner.sockets[0].getsockname()[1]
            servers.append(inner)
            servers.append(await loop.create_server(lambda p=inner_port, b=b: Relay(p, b),
                                                    "127.0.0.1", port, backlog=4096))
        else:
            servers.append(await asyncssh.create_server(lambda b=b: Server(b), "127.0.0.1",
                                                        port, **opts))
    with open(args.ready, "w") as f:
        f.write("ready\n")
    await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
