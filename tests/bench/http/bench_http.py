#!/usr/bin/python3
"""HTTP benchmark: nethost vs aiohttp fetching from nginx, and JSON throughput vs Python.

    bench_http.py --nethost build/bin/nethost [--devices 1000] [--requests 10000,50000]
                  [--concurrency 1000] [--port 19400]

nginx listens on one loopback address per simulated device (127.3.X.Y:PORT), so requests
are spread over --devices hosts with a connection (keep-alive) each, as against a lab.
Each client runs as a child process measured with wait4: wall time, CPU (user+sys), peak
RSS. nginx's own CPU is reported too, so a saturated server is visible.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "http"))
import harness  # noqa: E402

CONF = """
{user}
daemon off;
worker_processes {workers};
pid {d}/nginx.pid;
worker_rlimit_nofile 60000;
events {{ worker_connections 30000; multi_accept on; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path {d}/tmp_body;
  proxy_temp_path {d}/tmp_proxy;
  fastcgi_temp_path {d}/tmp_fcgi;
  uwsgi_temp_path {d}/tmp_uwsgi;
  scgi_temp_path {d}/tmp_scgi;
  default_type application/json;
  server {{
{listens}
    root {d}/www;
  }}
}}
"""


def device_addr(i):
    return "127.3.%d.%d" % (i // 250, i % 250 + 1)


def proc_cpu(pid):
    """user+sys seconds of pid and its children that are still alive (nginx workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    return total


def run_client(cmd, nginx_pid):
    cpu0 = proc_cpu(nginx_pid)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    nginx_cpu = proc_cpu(nginx_pid) - cpu0
    res = {}
    for line in out.splitlines():
        if line.startswith("RESULT"):
            for kv in line.split()[1:]:
                k, v = kv.split("=")
                res[k] = float(v)
    if status != 0 or not res:
        raise RuntimeError("client failed: %s (status %d)" % (" ".join(cmd), status))
    res.update(proc_wall=wall, cpu=ru.ru_utime + ru.ru_stime, rss_mb=ru.ru_maxrss / 1024.0,
               nginx_cpu=nginx_cpu)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nethost", required=True)
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--requests", default="10000,50000")
    ap.add_argument("--concurrency", type=int, default=1000)
    ap.add_argument("--port", type=int, default=19400)
    ap.add_argument("--path", default="/interfaces.json")
    ap.add_argument("--workers", type=int, default=2, help="nginx worker processes")
    ap.add_argument("--skip-json", action="store_true")
    a = ap.parse_args()

    d = tempfile.mkdtemp(prefix="nethost-bench-http-")
    os.chmod(d, 0o755)
    harness.make_files(d)
    # The workload: a 1.7 KB JSON document, as a device's REST API answers
    # (an interface table), decoded by both clients.
    with open(os.path.join(d, "www", "interfaces.json"), "w") as f:
        json.dump({"interfaces": [{"name": "Ethernet%d" % i, "admin": "up", "oper":
                                   "up" if i % 3 else "down", "speed": 10000, "mtu": 9214,
                                   "rx": 1234567 * i, "tx": 7654321 * i}
                                  for i in range(1, 16)]}, f)
    listens = "\n".join("    listen %s:%d;" % (device_addr(i), a.port) for i in range(a.devices))
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(CONF.format(d=d, listens=listens, workers=a.workers,
                            user="user root root;" if os.geteuid() == 0 else ""))
    urls = os.path.join(d, "urls.txt")
    with open(urls, "w") as f:
        for i in range(a.devices):
            f.write("http://%s:%d%s\n" % (device_addr(i), a.port, a.path))
    nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", d, "-c", os.path.join(d, "nginx.conf"),
                              "-e", os.path.join(d, "error.log")],
                             preexec_fn=harness.die_with_parent)
    try:
        if not harness.wait_port(device_addr(a.devices - 1), a.port):
            raise RuntimeError("nginx did not start")
        print("HTTP GET %s from nginx (%d worker), %d devices, concurrency %d"
              % (a.path, a.workers, a.devices, a.concurrency))
        print("%-8s %7s %8s %9s %10s %8s %9s %7s" % ("client", "N", "wall s", "req/s",
                                                     "CPU ms", "us/req", "RSS MB", "nginx%"))
        # A .json body is decoded by both clients (r:json(), aiohttp's r.json()), as a
        # playbook reading a device's REST API would.
        decode = "decode" if a.path.endswith(".json") else "raw"
        for n in [int(x) for x in a.requests.split(",")]:
            rows = {}
            for name, cmd in (("nethost", [a.nethost, "run", os.path.join(HERE, "fetch.lua"),
                                           "--", urls, str(n), str(a.concurrency), decode]),
                              ("aiohttp", ["/usr/bin/python3", os.path.join(HERE, "fetch_aiohttp.py"),
                                           urls, str(n), str(a.concurrency), decode])):
                r = run_client(cmd, nginx.pid)
                if r["failed"]:
                    print("  %s: %d failed requests" % (name, r["failed"]))
                rows[name] = r
                print("%-8s %7d %8.2f %9.0f %10.0f %8.1f %9.1f %6.0f%%" % (
                    name, n, r["wall"], r["ok"] / r["wall"], r["cpu"] * 1000,
                    r["cpu"] / n * 1e6, r["rss_mb"], 100 * r["nginx_cpu"] / r["proc_wall"]))
            nh, ai = rows["nethost"], rows["aiohttp"]
            print("  ratio N=%d: throughput x%.1f, CPU per request 1/%.1f, RSS 1/%.1f" % (
                n, (nh["ok"] / nh["wall"]) / (ai["ok"] / ai["wall"]),
                ai["cpu"] / nh["cpu"], ai["rss_mb"] / nh["rss_mb"]))
    finally:
        nginx.send_signal(15)
        nginx.wait()
        subprocess.run(["rm", "-rf", d])
    if not a.skip_json:
        print()
        subprocess.run([a.nethost, "run", os.path.join(HERE, "json_bench.lua")], check=True)
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "json_bench.py")], check=True)


if __name__ == "__main__":
    main()
