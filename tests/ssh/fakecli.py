#!/usr/bin/python3
"""A Cisco-like CLI for the shell tests: sshd runs it as ForceCommand on the harness's CLI
port. Raw terminal, echoes what it reads, pages `show tech-support` with --More-- (it
ignores `terminal length 0` for that one), enable with the secret "s3cret-en", config mode
with an error marker for unknown lines, and a confirmation on copy."""
import os, sys, termios, tty

HOST = "fake1"
fd_in, out = sys.stdin.fileno(), sys.stdout
try:
    tty.setraw(fd_in)
except termios.error:
    pass

def w(s):
    out.write(s.replace("\n", "\r\n"))
    out.flush()

def readline(echo=True):
    buf = ""
    while True:
        c = os.read(fd_in, 1).decode(errors="replace")
        if not c:
            sys.exit(0)
        if c in "\r\n":
            if echo:
                w("\n")
            return buf
        if c == "\x03":
            w("^C\n")
            return None
        buf += c
        if echo:
            w(c)

def readkey():
    c = os.read(fd_in, 1)
    if not c:
        sys.exit(0)
    return c

mode = "user"
paging = True
running = ["hostname " + HOST] + ["interface Gi1/0/%d\n description port %d" % (i, i) for i in range(1, 40)]

def prompt():
    return {"user": HOST + ">", "priv": HOST + "#", "config": HOST + "(config)#"}[mode]

w("\nUser Access Verification\n\n")
while True:
    w(prompt())
    line = readline()
    if line is None:
        continue
    cmd = line.strip()
    if not cmd:
        continue
    if cmd == "exit" and mode != "config":
        break
    if mode == "config":
        if cmd in ("end", "exit"):
            mode = "priv"
        elif cmd.startswith("ntp server ") or cmd.startswith("interface ") or cmd.startswith(" "):
            running.append(cmd)
        else:
            w(" " * (len(prompt()) + 1) + "^\n% Invalid input detected at '^' marker.\n\n")
        continue
    if cmd == "enable":
        w("Password: ")
        if readline(echo=False) == "s3cret-en":
            mode = "priv"
        else:
            w("% Access denied\n\n")
    elif cmd == "terminal length 0":
        paging = False
    elif cmd == "terminal width 511":
        pass
    elif cmd == "show version":
        w("Cisco IOS Software, C3750 Software (C3750-IPSERVICESK9-M), Version 15.2(4)E10, RELEASE SOFTWARE (fc2)\n%s uptime is 3 weeks\n" % HOST)
    elif cmd == "show tech-support":
        for i in range(1, 61):
            w("tech line %d\n" % i)
            if i % 20 == 0 and i < 60:
                w(" --More-- ")
                k = readkey()
                w("\b" * 10 + " " * 10 + "\b" * 10)
                if k == b"q":
                    break
    elif cmd == "show running-config" and mode == "priv":
        w("Building configuration...\n\n" + "\n".join(running) + "\nend\n")
    elif cmd == "configure terminal" and mode == "priv":
        w("Enter configuration commands, one per line.  End with CNTL/Z.\n")
        mode = "config"
    elif cmd == "copy running-config startup-config" and mode == "priv":
        w("Destination filename [startup-config]? ")
        readline()
        w("Building configuration...\n[OK]\n")
    else:
        w("% Invalid input detected at '^' marker.\n\n" if mode != "user" else
          "% Unknown command or computer name, or unable to find computer address\n")
