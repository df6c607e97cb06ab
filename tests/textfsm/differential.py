#!/usr/bin/python3
"""Differential test: nethost's TextFSM engine against the reference implementation.

Runs Debian's python3-textfsm (TextFSM.ParseText, the reference) and nethost's tfsm-parse
on the same (template, input) pairs and compares records, List items (strings, None,
nested-group dicts) and errors. The inputs have no expected parse: each corpus .raw is
fed to a template of a *different* command of the same platform (a deterministic
sample), which exercises partial matches, Error actions and odd states, plus the .raw
files of the corpus that have no .yml, through the index (clitable).

usage: /usr/bin/python3 differential.py TFSM_PARSE CORPUS_DIR [MAX_PAIRS]
Exit 0 if all agree, 1 otherwise, 77 if the reference is not installed.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

warnings.simplefilter("ignore", FutureWarning)  # "Possible nested set": tested on purpose

try:
    import textfsm
    from textfsm import clitable
except ImportError:
    print("SKIP: python3-textfsm is not installed for", sys.executable)
    sys.exit(77)


REGEXES = [
    r"\d{,3}", r"a{,}", r"[[:alpha:]]+\]", r"[\w\-.]+", r"\x41\u0042", r"\101", r"\0",
    r"(a)\1", r"(?P<x>a)(?P=x)", r"(a)?(?(1)b|c)", r"(?P<g>a)?(?(g)b|c)", r"a(?=b)",
    r"(?<!x)y", r"\w+\Z", r"[^]]+", r"[]a]+", r"a{2,3}?", r"(?i:A)b", r"(?s:.)",
    r"\u00e9+", r"a|b", r"[\s\S]", r"\b\w+\b", r"{", r"a{x}", r"x{2}{", r" #",
    r"\s+\S", r"[a\]]+", r"[\d-z]+", r"(?:ab)+", r"(?>a+)b", r"a++", r"\.\*",
    r"[.*+?]+", r"\v", r"[\b]", r"(?#comment)z", r"(?x) a b # comment", r"(?i)Ab",
    r"\N", r"\q", r"a**", r"(?<name>a)", r"[a-\d]", r"(?P<1x>a)", r"\8",
    r"\W+", r"\D+", r"\B\w", r"\AA", r"[\u00e0-\u00ff]+", r"\\", r"a{3,2}",
]
SUBJECTS = ("abc\naa\nab\nac\nbc\nxy\n y\n]]a\nABc\n\u00e9\u00e9x\n{x}\nx{2}{\n #\n"
            "\u00a0z\n[:alpha:]]\nz-\n\x0bq\n\bq\nab\naab\n\\n\n007\n\x00x\n"
            "caf\u00e9 ok\n.*\n+?\n")


def reference(template, raw):
    try:
        with open(template) as t:
            fsm = textfsm.TextFSM(t)
        with open(raw) as r:
            rows = fsm.ParseText(r.read())
        return {"ok": True, "header": fsm.header, "rows": rows}
    except textfsm.TextFSMError as e:
        return {"ok": False, "error": str(e)}
    except textfsm.TextFSMTemplateError as e:
        return {"ok": False, "error": str(e), "template": True}


def main():
    tool, corpus = sys.argv[1], sys.argv[2]
    max_pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    tdir = os.path.join(corpus, "templates")
    if not os.path.isdir(tdir):
        print("SKIP: no corpus at", corpus)
        return 77
    cli = clitable.CliTable("index", tdir)
    tests = os.path.join(corpus, "tests")
    pairs = []
    for platform in sorted(os.listdir(tests)):
        if platform == "mocks":
            continue
        cases = []
        for command in sorted(os.listdir(os.path.join(tests, platform))):
            folder = os.path.join(tests, platform, command)
            raws = sorted(f for f in os.listdir(folder) if f.endswith(".raw"))
            row = cli.index.GetRowMatch({"Command": command.replace("_", " "),
                                         "Platform": platform})
            if not raws or not row:
                continue
            tpl = cli.index.index[row]["Template"].split(":")[0]
            cases.append((os.path.join(tdir, tpl), os.path.join(folder, raws[0])))
        for i, (tpl, _) in enumerate(cases):
            if len(cases) > 1:
                pairs.append((tpl, cases[(i + 1) % len(cases)][1]))
    step = max(1, len(pairs) // max_pairs)
    pairs = pairs[::step][:max_pairs]
    # Hand-written templates for what the corpus does not exercise (nested List groups,
    # option order, states, EOF, Error, odd line breaks, Python-only regex syntax).
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
    for f in sorted(os.listdir(here)):
        if f.endswith(".textfsm"):
            pairs.append((os.path.join(here, f), os.path.join(here, f[:-8] + ".txt")))
    # A battery of Python regex constructs, each in its own template, over the same lines.
    tmp = tempfile.mkdtemp(prefix="nh-tfsm-diff-")
    subjects = os.path.join(tmp, "subjects.txt")
    with open(subjects, "w") as f:
        f.write(SUBJECTS)
    for i, rx in enumerate(REGEXES):
        path = os.path.join(tmp, "rx%03d.textfsm" % i)
        with open(path, "w") as f:
            f.write("Value M (.)\nValue N (.)\n\nStart\n  ^(?P<M>%s) -> Record\n" % rx)
        pairs.append((path, subjects))
    batch = "".join("%s\t%s\n" % p for p in pairs)
    out = subprocess.run([tool, "--batch"], input=batch.encode(), stdout=subprocess.PIPE,
                         check=True).stdout.decode().splitlines()
    failures = 0
    errors = 0
    for (tpl, raw), line in zip(pairs, out):
        mine = json.loads(line)
        ref = reference(tpl, raw)
        if ref["ok"] != mine["ok"]:
            same = False
        elif ref["ok"]:
            same = ref["header"] == mine["header"] and ref["rows"] == mine["rows"]
        else:
            errors += 1
            same = ref["error"] in mine["error"]
        if not same:
            failures += 1
            print("DIFF %s on %s\n  reference: %s\n  nethost:   %s" %
                  (tpl, raw, json.dumps(ref)[:600], json.dumps(mine)[:600]))
    # The inputs without an expected parse, through the index.
    mocks = os.path.join(tests, "mocks")
    n_mocks = 0
    for root, _, files in os.walk(mocks):
        for f in sorted(files):
            if not f.endswith(".raw"):
                continue
            platform, command = root.split(os.sep)[-2:]
            raw = os.path.join(root, f)
            c = clitable.CliTable("index", tdir)
            with open(raw) as r:
                c.ParseCmd(r.read(), {"Command": command.replace("_", " "),
                                      "Platform": platform})
            ref = [[v for v in row] for row in c]
            mine = json.loads(subprocess.run(
                [tool, "--index", tdir, platform, command.replace("_", " "), raw],
                stdout=subprocess.PIPE, check=True).stdout)
            n_mocks += 1
            if not mine["ok"] or mine["rows"] != ref or mine["header"] != list(c.header):
                failures += 1
                print("DIFF (index) %s\n  reference: %s\n  nethost:   %s" %
                      (raw, json.dumps(ref)[:600], json.dumps(mine)[:600]))
    shutil.rmtree(tmp, ignore_errors=True)
    print("differential: %d template/input pairs (%d raising Error) + %d index inputs, "
          "%d differences" % (len(pairs), errors, n_mocks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
