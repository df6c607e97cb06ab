#!/usr/bin/python3
"""Reference timing: parses every corpus case as ntc-templates' parse_output does, with
Debian's python3-textfsm (clitable), and prints "<raw path>\t<seconds>" per case and
"TOTAL\t<seconds>" at the end."""
import os
import sys
import time

from textfsm import clitable

corpus = sys.argv[1]
tdir = os.path.join(corpus, "templates")
tests = os.path.join(corpus, "tests")
t_all = time.perf_counter()
cli = clitable.CliTable("index", tdir)
for platform in sorted(os.listdir(tests)):
    pdir = os.path.join(tests, platform)
    for command in sorted(os.listdir(pdir)):
        cdir = os.path.join(pdir, command)
        if not os.path.isdir(cdir):
            continue
        for f in sorted(os.listdir(cdir)):
            if not f.endswith(".raw") or not os.path.exists(os.path.join(cdir, f[:-4] + ".yml")):
                continue
            raw = os.path.join(cdir, f)
            with open(raw) as r:
                text = r.read()
            t0 = time.perf_counter()
            c = clitable.CliTable("index", tdir)
            c.ParseCmd(text, {"Command": command.replace("_", " "), "Platform": platform})
            rows = [[v for v in row] for row in c]
            print("%s\t%.6f" % (raw, time.perf_counter() - t0))
print("TOTAL\t%.6f" % (time.perf_counter() - t_all))
