"""The lab's NETCONF server checked with the reference client, ncclient: hello and
capabilities, get-config, lock / edit-config / validate / commit / unlock on the candidate,
lock-denied across two sessions, an rpc-error for invalid config, an unknown RPC, and the
change visible through nethost's CLI side (checked by the calling script).
usage: ncclient_check.py ADDRESS PORT junos|ios"""
import sys

from ncclient import manager
from ncclient.operations import RPCError

addr, port, plat = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def connect():
    return manager.connect(host=addr, port=port, username="admin", password="admin",
                           hostkey_verify=False, allow_agent=False, look_for_keys=False,
                           device_params={"name": "default"}, timeout=60)


def desc_config(ifname, text):
    if plat == "junos":
        return ("<config><configuration><interfaces><interface><name>%s</name>"
                "<description>%s</description></interface></interfaces></configuration></config>"
                % (ifname, text))
    return ('<config><interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface>'
            "<name>%s</name><description>%s</description></interface></interfaces></config>"
            % (ifname, text))


ifname = "ge-0/0/2" if plat == "junos" else "GigabitEthernet1/0/4"
with connect() as m, connect() as other:
    caps = list(m.server_capabilities)
    assert "urn:ietf:params:netconf:base:1.1" in caps, caps
    assert ":candidate" in m.server_capabilities, caps
    assert int(m.session_id) > 0 and m.session_id != other.session_id
    data = m.get_config("running").data_xml
    assert ifname in data, data[:500]
    m.lock("candidate")
    try:
        other.lock("candidate")
        raise SystemExit("second lock was granted")
    except RPCError as e:
        assert e.tag == "lock-denied", e.tag
    m.edit_config(target="candidate", config=desc_config(ifname, "set by ncclient"))
    try:
        m.edit_config(target="candidate", config=desc_config("bogus-9/9", "x"))
        raise SystemExit("invalid interface accepted")
    except RPCError as e:
        assert e.tag == "invalid-value" and e.severity == "error", (e.tag, e.severity)
    m.validate("candidate")
    m.commit()
    m.unlock("candidate")
    assert "set by ncclient" in m.get_config("running").data_xml
    try:
        m.dispatch(__import__("ncclient.xml_", fromlist=["to_ele"]).to_ele("<frobnicate/>"))
        raise SystemExit("unknown RPC accepted")
    except RPCError as e:
        assert e.tag == "operation-not-supported", e.tag
print("ncclient ok", plat)
