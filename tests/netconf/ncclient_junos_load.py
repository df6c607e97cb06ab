"""Junos's load-configuration and commit-configuration in the lab, through ncclient's junos
device handler (device_params={'name': 'junos'}): set, text and XML formats, a load error
raised as an RPCError, m.commit() (commit-configuration) and the result in get-config.
usage: ncclient_junos_load.py ADDRESS PORT"""
import sys

from ncclient import manager
from ncclient.operations import RPCError
from ncclient.xml_ import to_ele

addr, port = sys.argv[1], int(sys.argv[2])
with manager.connect(host=addr, port=port, username="admin", password="admin",
                     hostkey_verify=False, allow_agent=False, look_for_keys=False,
                     device_params={"name": "junos"}, timeout=60) as m:
    m.lock("candidate")
    m.load_configuration(action="set", config=['set interfaces ge-0/0/1 description "nc set"',
                                               "set interfaces ge-0/0/1 disable"])
    m.load_configuration(format="text",
                         config='interfaces {\n  ge-0/0/2 {\n    description "nc text";\n  }\n}\n')
    m.load_configuration(config=to_ele("<interfaces><interface><name>ge-0/0/3</name>"
                                       "<description>nc xml</description></interface></interfaces>"))
    try:
        m.load_configuration(action="set", config="set interfaces zz-9/9/9 description x")
        raise SystemExit("a load naming a missing interface was accepted")
    except RPCError as e:
        assert e.tag == "invalid-value" and "zz-9/9/9" in e.message, (e.tag, e.message)
    running = m.get_config("running").data_xml
    assert "nc set" not in running, "the load went to running before the commit"
    reply = m.commit()
    assert reply.xpath("//commit-success"), reply
    m.unlock("candidate")
    running = m.get_config("running").data_xml
    for want in ("nc set", "nc text", "nc xml", "<disable/>"):
        assert want in running, (want, running[:800])
print("ncclient junos load ok")
