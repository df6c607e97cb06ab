#!/usr/bin/python3
"""Runs every command the README and docs/*.md show, so a documented command that stopped
working fails CI.

A fenced ```sh block is a command block. A comment on the line before the fence changes
what happens to it:

  <!-- doc-test: skip REASON -->          not run (an install, a benchmark, the network);
                                          listed with its reason at the end
  <!-- doc-test: from TEXT -->            run from TEXT on (the README's first command:
                                          its apt-get and build are what CI does already)
  <!-- doc-test: server FILE -->          a server: run in the background until FILE
                                          exists, then stopped with SIGTERM; it must exit 0

Each file's blocks run in order, with bash -e -o pipefail, in a scratch folder of their
own that links the source tree's playbooks/, inventory/, tests/, plugins/ and build/bin
(the build under test), with that build's bin first on PATH (so `nethost` is the build's).
The lab the commands start lives on a loopback base and port of its own
(NETHOST_LAB_BASE, NETHOST_LAB_PORT, NETHOST_LAB_DIR), and paths under /tmp/ are moved
into the scratch folder, so the commands never meet another test's lab or files.

usage: run_doc_commands.py BUILD_DIR SOURCE_DIR [FILE.md...]
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MARK = re.compile(r"^<!--\s*doc-test:\s*(skip|from|server)\b\s*(.*?)\s*-->$")
# Each file's lab gets a port of its own: a lab an earlier file stopped may still be
# closing its listeners (slowly, under ASan) when the next file starts one.
LAB_BASE, LAB_PORT = "127.6.0.1", 2422


def blocks(path):
    """(line, kind, argument, text) of every ```sh block of path."""
    out, lines = [], open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            if j == len(lines):
                sys.exit("FAIL: %s:%d: a ```sh block that never ends" % (path, i + 1))
            prev = next((lines[k].strip() for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            kind, arg = "run", ""
            if prev.startswith("<!--") and "doc-test" in prev:
                m = MARK.match(prev)
                if not m or not m.group(2):
                    sys.exit("FAIL: %s:%d: bad marker %r (skip REASON, from TEXT, server FILE)"
                             % (path, i, prev))
                kind, arg = m.group(1), m.group(2)
            out.append((i + 1, kind, arg, "\n".join(lines[start:j]) + "\n"))
            i = j
        i += 1
    return out


def workspace(root, build, src):
    os.makedirs(os.path.join(root, "tmp"))
    for d in ("playbooks", "inventory", "tests", "plugins"):
        os.symlink(os.path.join(src, d), os.path.join(root, d))
    os.makedirs(os.path.join(root, "build"))
    os.symlink(os.path.join(build, "bin"), os.path.join(root, "build", "bin"))


def env_for(root, build, port):
    env = dict(os.environ)
    env["PATH"] = os.path.join(build, "bin") + os.pathsep + env.get("PATH", "")
    env["NETHOST_LAB_BASE"] = LAB_BASE
    env["NETHOST_LAB_PORT"] = str(port)
    env["NETHOST_LAB_DIR"] = os.path.join(root, "tmp", "nethost-lab")
    env["LAB_PASSWORD"] = "admin"
    env.pop("NETHOST_INVENTORY", None)
    return env


def tail(text, n=40):
    return "\n".join(text.rstrip("\n").split("\n")[-n:])


def run_block(text, cwd, env, groups):
    """Runs text; output through a file, since a command may leave a background job (a lab
    a later block uses) that would hold a pipe open. Its process group joins groups, ended
    once the file's blocks have run."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", text], cwd=cwd, env=env,
                             stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        rc = p.wait()
        groups.append(p.pid)
        out.seek(0)
        return rc, out.read().decode(errors="replace")


def run_server(text, ready, cwd, env):
    p = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", "exec " + text.strip()], cwd=cwd,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    ready = os.path.join(cwd, ready)
    # Bounded by the lab's own start, not by a clock of ours: it either gets ready or exits.
    while not os.path.exists(ready):
        if p.poll() is not None:
            return p.returncode, p.stdout.read().decode(errors="replace")
        time.sleep(0.1)
    os.killpg(p.pid, signal.SIGTERM)
    out = p.communicate()[0].decode(errors="replace")
    return p.returncode, out


def main():
    build, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    files = sys.argv[3:] or (["README.md"] + sorted(
        os.path.join("docs", f) for f in os.listdir(os.path.join(src, "docs")) if f.endswith(".md")))
    scratch = tempfile.mkdtemp(prefix="nethost-doc-")
    ran, skipped, seen, failures = 0, [], {}, []
    try:
        for index, rel in enumerate(files):
            bl = blocks(os.path.join(src, rel))
            if not bl:
                continue
            root = os.path.join(scratch, re.sub(r"[^A-Za-z0-9]", "_", rel))
            workspace(root, build, src)
            env = env_for(root, build, LAB_PORT + index)
            groups = []
            for line, kind, arg, text in bl:
                where = "%s:%d" % (rel, line)
                if kind == "skip":
                    skipped.append((where, arg))
                    continue
                if kind == "from":
                    at = text.find(arg)
                    if at < 0:
                        failures.append("%s: the marker's %r is not in the block" % (where, arg))
                        continue
                    text = text[at:]
                if text in seen:
                    print("doc-test: %s: same commands as %s" % (where, seen[text]))
                    continue
                seen[text] = where
                text = text.replace("/tmp/", root + "/tmp/")
                t0 = time.monotonic()
                if kind == "server":
                    rc, out = run_server(text, arg, root, env)
                else:
                    rc, out = run_block(text, root, env, groups)
                ran += 1
                print("doc-test: %s: exit %d (%.1f s)" % (where, rc, time.monotonic() - t0))
                if rc != 0:
                    failures.append("%s: exit %d\n%s\n--- output:\n%s" % (where, rc, text, tail(out)))
            # A lab a file's commands left running is stopped (and is a failure).
            p = subprocess.run([os.path.join(build, "bin", "nethost"), "lab", "stop"], cwd=root,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if b"not running" not in p.stdout:
                failures.append("%s: its commands left a lab running" % rel)
            for g in groups:
                try:
                    os.killpg(g, signal.SIGTERM)
                except ProcessLookupError:
                    pass
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for where, why in skipped:
        print("doc-test: %s: skipped: %s" % (where, why))
    for f in failures:
        print("FAIL: " + f)
    print("doc-test: %d blocks run, %d skipped, %d failed" % (ran, len(skipped), len(failures)))
    if failures or ran == 0:
        sys.exit(1)


sys.stdout.reconfigure(line_buffering=True)
main()
