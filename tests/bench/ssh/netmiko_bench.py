#!/usr/bin/python3
"""netmiko side of the SSH benchmark: ThreadPoolExecutor over ConnectHandler (PTY shell,
prompt detection, paging off, as netmiko always does). usage: netmiko_bench.py INVENTORY
CONCURRENCY"""
import sys, time, warnings
warnings.filterwarnings("ignore")
from concurrent.futures import ThreadPoolExecutor
import yaml
from netmiko import ConnectHandler

from bench_results import report, version_of

def load(path):
    inv = yaml.safe_load(open(path))
    d = inv.get("defaults", {})
    groups = inv.get("groups", {})
    hosts = []
    for name, h in inv["hosts"].items():
        platform = next((groups[g]["platform"] for g in h.get("groups", [])
                         if groups.get(g, {}).get("platform")), "cisco_ios")
        hosts.append((h["address"], h.get("port", d.get("port", 22)), platform))
    return hosts, d["username"], d["password"], d.get("enable_secret")

def one(args):
    addr, port, platform, user, password, secret = args
    try:
        with ConnectHandler(device_type=platform, host=addr, port=port, username=user,
                            password=password, secret=secret, fast_cli=True,
                            timeout=60, auth_timeout=60, banner_timeout=60) as c:
            out = c.send_command("show version")
        return version_of(out)
    except Exception as e:
        return e

def main():
    hosts, user, password, secret = load(sys.argv[1])
    conc = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=conc) as ex:
        res = list(ex.map(one, [(a, p, pl, user, password, secret) for a, p, pl in hosts]))
    report("netmiko", res, t0)

main()
