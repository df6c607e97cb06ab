#!/usr/bin/python3
"""A stand-in lab for the SSH benchmark when nethost-sim is not built: one asyncssh server
(password admin/admin; an exec gets a Cisco-like `show version`, a PTY shell a minimal
Cisco-like CLI). It is slow —
its CPU is reported as lab CPU and makes wall times lab-bound — but client CPU and memory
figures stay meaningful. usage: fallback_lab.py PORT READY_FILE HOST_KEY"""
import asyncio, sys, warnings
warnings.filterwarnings("ignore")
import asyncssh
VERSION = "Cisco IOS Software, C3750 Software (C3750-IPSERVICESK9-M), Version 15.2(4)E10, RELEASE SOFTWARE (fc2)\nuptime is 3 weeks\n"
class Server(asyncssh.SSHServer):
    def begin_auth(self, username): return True
    def password_auth_supported(self): return True
    def validate_password(self, u, p): return u == "admin" and p == "admin"
async def handle(process):
    if process.command is not None:  # exec channel
        process.stdout.write(VERSION * 10)
        process.exit(0)
        return
    # PTY shell: a minimal Cisco-like CLI (what netmiko's cisco_ios driver needs)
    prompt = "lab1#"
    process.stdout.write("\r\n" + prompt)
    try:
        while True:
            line = await process.stdin.readline()
            if not line:
                break
            cmd = line.strip()
            if cmd == "exit":
                break
            if cmd.startswith("show version"):
                process.stdout.write((VERSION * 10).replace("\n", "\r\n"))
            elif cmd and not cmd.startswith("terminal"):
                process.stdout.write("% Invalid input detected at '^' marker.\r\n")
            process.stdout.write(prompt)
    except Exception:
        pass
    process.exit(0)
async def main():
    port = int(sys.argv[1])
    await asyncssh.create_server(Server, "127.0.0.1", port, server_host_keys=[sys.argv[3]],
                                 process_factory=handle, backlog=4096)
    open(sys.argv[2], "w").write("ready")
    await asyncio.Future()
asyncio.run(main())
