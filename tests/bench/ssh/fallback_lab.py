#!/usr/bin/python3
"""A stand-in lab for the SSH benchmark when nethost-sim is not built: one asyncssh server
(password admin/admin, answers every exec with a Cisco-like `show version`). It is slow —
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
    process.stdout.write(VERSION * 10)
    process.exit(0)
async def main():
    port = int(sys.argv[1])
    await asyncssh.create_server(Server, "127.0.0.1", port, server_host_keys=[sys.argv[3]],
                                 process_factory=handle, backlog=4096)
    open(sys.argv[2], "w").write("ready")
    await asyncio.Future()
asyncio.run(main())
