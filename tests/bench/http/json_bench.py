"""Python json throughput on the document json_bench.lua uses."""
import json
import time

items = []
for i in range(1, 2001):
    items.append({"name": "Ethernet1/%d" % i, "description": "uplink to sw-%d \"core\"" % i,
                  "mtu": 9214, "enabled": i % 3 != 0, "speed": 1e10,
                  "counters": {"in_octets": i * 123456789, "out_octets": i * 987654321,
                               "errors": []}, "vlans": [1, 10, 20, 30]})
doc = {"device": "sw-0001", "interfaces": items}
text = json.dumps(doc, separators=(",", ":"))
mb = len(text) / 1e6


def bench(name, fn):
    rounds, t0 = 0, time.process_time()
    while True:
        fn()
        rounds += 1
        if time.process_time() - t0 > 1.0:
            break
    dt = (time.process_time() - t0) / rounds
    print("python  json %-7s %7.1f MB/s  (%.2f ms per %.2f MB document)" % (name, mb / dt, dt * 1000, mb))


bench("encode", lambda: json.dumps(doc, separators=(",", ":")))
bench("decode", lambda: json.loads(text))
