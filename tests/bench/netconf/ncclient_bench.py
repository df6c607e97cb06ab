"""get-config (running) on every cisco_ios / juniper_junos host of a lab inventory with
ncclient and a thread pool (the usual Python way). usage: ncclient_bench.py lab.yaml [threads]"""
import concurrent.futures
import sys

import yaml
from ncclient import manager

inv = yaml.safe_load(open(sys.argv[1]))
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 100
port = inv["defaults"]["netconf"]["port"]
hosts = [h["address"] for h in inv["hosts"].values()
         if "cisco_ios" in h["groups"] or "juniper_junos" in h["groups"]]


def one(addr):
    with manager.connect(host=addr, port=port, username="admin", password="admin",
                         hostkey_verify=False, allow_agent=False, look_for_keys=False,
                         device_params={"name": "default"}, timeout=120) as m:
        return len(m.get_config("running").data_xml)


with concurrent.futures.ThreadPoolExecutor(threads) as pool:
    ok = sum(1 for n in pool.map(one, hosts) if n > 0)
print("ncclient: %d get-config replies" % ok)
