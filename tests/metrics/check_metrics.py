"""Validates a /metrics scrape strictly against the Prometheus text format 0.0.4, then its
values against the lab, and parses it again with python3-prometheus-client when present.

usage: check_metrics.py FILE DEVICES DOWN_HOST
Exits 1 with a message on the first failed check.
"""
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r"^(%s)(?:\{((?:%s)(?:,%s)*)?\})? (\S+)$" % (NAME, LABEL, LABEL))
KINDS = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(msg):
    print("check_metrics: FAIL: " + msg)
    sys.exit(1)


def value(s, line):
    if s in ("+Inf", "-Inf", "NaN"):
        return float(s.replace("Inf", "inf").replace("NaN", "nan"))
    try:
        return float(s)
    except ValueError:
        fail("line %d: bad value %r" % (line, s))


def parse(text):
    """-> {family: {"type", "help", "samples": [(name, {labels}, value)]}}"""
    if not text.endswith("\n"):
        fail("the text does not end with a newline")
    families, current, seen_done = {}, None, set()
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line == "":
            fail("line %d: empty line" % n)
        if line.startswith("#"):
            m = re.match(r"^# (HELP|TYPE) (%s) ?(.*)$" % NAME, line)
            if not m:
                if line.startswith("# HELP") or line.startswith("# TYPE"):
                    fail("line %d: malformed %r" % (n, line))
                continue
            what, name, rest = m.groups()
            if name in seen_done:
                fail("line %d: family %s appears twice" % (n, name))
            if current and current != name:
                seen_done.add(current)
            fam = families.setdefault(name, {"type": None, "help": None, "samples": []})
            if fam["samples"]:
                fail("line %d: %s of %s after its samples" % (n, what, name))
            if what == "TYPE":
                if rest not in KINDS or fam["type"]:
                    fail("line %d: bad or repeated TYPE %r" % (n, rest))
                fam["type"] = rest
            else:
                if fam["help"] is not None or re.search(r"\\[^\\n]", rest):
                    fail("line %d: bad or repeated HELP" % n)
                fam["help"] = rest
            current = name
            continue
        m = SAMPLE.match(line)
        if not m:
            fail("line %d: not a sample: %r" % (n, line))
        sname, labels_text, v = m.group(1), m.group(2), m.group(m.lastindex)
        labels = dict(re.findall(LABEL, labels_text or ""))
        if len(labels) != len(re.findall(LABEL, labels_text or "")):
            fail("line %d: a label repeated" % n)
        base = current
        if base is None or not (sname == base or (families[base]["type"] == "histogram" and sname in (base + "_bucket", base + "_sum", base + "_count"))):
            fail("line %d: sample %s outside its family (current %s)" % (n, sname, base))
        families[base]["samples"].append((sname, labels, value(v, n)))
    for name, fam in families.items():
        if fam["type"] is None or fam["help"] is None:
            fail("%s: no TYPE or HELP" % name)
        if not fam["samples"]:
            fail("%s: no samples" % name)
        if fam["type"] == "counter":
            for s in fam["samples"]:
                if s[2] < 0 or math.isnan(s[2]):
                    fail("%s: negative counter" % name)
        if fam["type"] == "histogram":
            check_histogram(name, fam["samples"])
    return families


def check_histogram(name, samples):
    series = {}
    for sname, labels, v in samples:
        key = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
        s = series.setdefault(key, {"buckets": [], "sum": None, "count": None})
        if sname.endswith("_bucket"):
            if "le" not in labels:
                fail("%s: a bucket without le" % name)
            s["buckets"].append((value(labels["le"], 0), v))
        elif sname.endswith("_sum"):
            s["sum"] = v
        else:
            s["count"] = v
    for key, s in series.items():
        b = s["buckets"]
        if not b or b[-1][0] != math.inf:
            fail("%s%s: no le=\"+Inf\" bucket last" % (name, dict(key)))
        if [x[0] for x in b] != sorted(x[0] for x in b):
            fail("%s%s: buckets not in order" % (name, dict(key)))
        if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
            fail("%s%s: buckets not cumulative" % (name, dict(key)))
        if s["count"] is None or s["sum"] is None or s["count"] != b[-1][1]:
            fail("%s%s: _count %s != +Inf bucket %s" % (name, dict(key), s["count"], b[-1][1]))


def main():
    path, devices, down_host = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    text = open(path, encoding="utf-8").read()
    fams = parse(text)
    need = {"nethost_run_hosts": "gauge", "nethost_run_hosts_in_flight": "gauge",
            "nethost_run_hosts_done_total": "counter", "nethost_host_duration_seconds": "histogram",
            "nethost_operation_duration_seconds": "histogram", "nethost_ssh_sessions_open": "gauge",
            "nethost_ssh_bytes_total": "counter",
            "nethost_task_resumes_total": "counter", "nethost_host_reachable": "gauge",
            "nethost_interface_up": "gauge", "nethost_monitor_polls_total": "counter",
            "nethost_monitor_interfaces": "gauge"}
    for name, kind in need.items():
        if name not in fams:
            fail("no %s" % name)
        if fams[name]["type"] != kind:
            fail("%s is a %s, expected %s" % (name, fams[name]["type"], kind))
    reach = {s[1]["host"]: s[2] for s in fams["nethost_host_reachable"]["samples"]}
    if len(reach) != devices:
        fail("nethost_host_reachable: %d hosts, expected %d" % (len(reach), devices))
    if reach[down_host] != 0 or sum(reach.values()) != devices - 1:
        fail("nethost_host_reachable: %s" % reach)
    ifs = fams["nethost_interface_up"]["samples"]
    if not ifs or any(s[2] not in (0, 1) for s in ifs) or any(s[1]["host"] == down_host for s in ifs):
        fail("nethost_interface_up: %s" % ifs[:5])
    if {s[1]["host"] for s in ifs} != {h for h, v in reach.items() if v == 1}:
        fail("nethost_interface_up: not every reachable host has interfaces")
    states = {s[1]["state"]: s[2] for s in fams["nethost_monitor_interfaces"]["samples"]}
    if states.get("up", -1) + states.get("down", -1) + states.get("disabled", -1) != len(ifs):
        fail("nethost_monitor_interfaces %s != %d interfaces" % (states, len(ifs)))
    ops = {s[1]["kind"] for s in fams["nethost_operation_duration_seconds"]["samples"]}
    if "ssh.exec" not in ops or "ssh.connect" not in ops:
        fail("operation kinds: %s" % sorted(ops))
    # Every device answered show commands over SSH: each way carries at least the version
    # exchange, key exchange and a command per device (far more than 1 KB each).
    nbytes = {s[1].get("direction"): s[2] for s in fams["nethost_ssh_bytes_total"]["samples"]}
    if set(nbytes) != {"in", "out"} or nbytes["in"] < 1024 * (devices - 1) or nbytes["out"] < 1024 * (devices - 1):
        fail("nethost_ssh_bytes_total: %s" % nbytes)
    if nbytes["in"] <= nbytes["out"]:
        fail("nethost_ssh_bytes_total: more sent than read (%s): show output is the bulk" % nbytes)
    done = {}
    for s in fams["nethost_run_hosts_done_total"]["samples"]:
        done[s[1]["status"]] = done.get(s[1]["status"], 0) + s[2]
    if done.get("failed", 0) < 1 or done.get("ok", 0) < devices - 1:
        fail("nethost_run_hosts_done_total: %s" % done)
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        print("check_metrics: python3-prometheus-client missing: strict parser only")
    else:
        names = {f.name for f in text_string_to_metric_families(text)}
        if "nethost_host_reachable" not in names or "nethost_operation_duration_seconds" not in names:
            fail("prometheus_client did not read the families: %s" % sorted(names))
    print("check_metrics: %s ok (%d families)" % (path, len(fams)))


main()
