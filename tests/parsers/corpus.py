#!/usr/bin/env python3
"""Runs every vendor parser on the real device outputs of the ntc-templates test suite
(../shared/corpus) and compares each field the nethost schema shares with the reference
parse (.yml). Usage: corpus.py NETHOST CORPUS_TESTS_DIR. Exit 0 all equal, 1 mismatches,
77 when the corpus or PyYAML is missing."""
import json
import os
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("SKIP: PyYAML (python3-yaml) is not installed")
    sys.exit(77)


def first(v):
    return v[0] if isinstance(v, list) and v else ("" if isinstance(v, list) else v)


def first_word(v):
    return v.split(" ")[0] if v else v


def strip_kbit(v):
    return v.split(" ")[0] if v else v


def strip_slash(v):
    return v.lstrip("/") if v else v


def lower(v):
    return v.lower() if isinstance(v, str) else v


# (ntc platform, ntc command dir) -> (nethost platform, command, single-record?, fields,
# record filter on the reference). fields: ours -> (theirs, transform of theirs, transform
# of ours).
IOS_STATUS = {"interface": "port", "description": "name", "status": "status",
              "vlan": "vlan_id", "duplex": "duplex", "speed": "speed", "type": "type"}
CASES = {
    ("cisco_ios", "show_version"): ("cisco_ios", "show version", True, {
        "version": "version", "hostname": "hostname", "uptime": "uptime",
        "image": ("running_image", strip_slash), "model": ("hardware", first), "serial": ("serial", first),
        "config_register": "config_register"}, None),
    ("cisco_ios", "show_interfaces"): ("cisco_ios", "show interfaces", False, {
        "interface": "interface", "link_status": "link_status",
        "protocol_status": ("protocol_status", first_word), "description": "description",
        "hardware_type": "hardware_type", "mac_address": "mac_address", "mtu": "mtu",
        "bandwidth_kbps": ("bandwidth", strip_kbit), "duplex": "duplex", "speed": "speed",
        "input_packets": "input_packets", "output_packets": "output_packets",
        "input_errors": "input_errors", "output_errors": "output_errors", "crc": "crc"}, None),
    ("cisco_ios", "show_interfaces_status"): ("cisco_ios", "show interfaces status", False,
                                              IOS_STATUS, None),
    ("cisco_ios", "show_lldp_neighbors"): ("cisco_ios", "show lldp neighbors", False, {
        "local_interface": "local_interface", "neighbor": "neighbor_name",
        "neighbor_interface": "neighbor_interface", "capabilities": "capabilities"}, None),
    ("arista_eos", "show_version"): ("arista_eos", "show version", True, {
        "model": "model", "version": "image", "serial": "serial_number", "uptime": "uptime",
        "hardware_version": "hw_version", "mac_address": "sys_mac"}, None),
    ("arista_eos", "show_interfaces"): ("arista_eos", "show interfaces", False, {
        "interface": "interface", "link_status": "link_status",
        "protocol_status": ("protocol_status", first_word), "description": "description",
        "hardware_type": "hardware_type", "mac_address": "mac_address",
        "ip_address": "ip_address", "mtu": "mtu"}, None),
    ("arista_eos", "show_interfaces_status"): ("arista_eos", "show interfaces status", False,
                                               IOS_STATUS, None),
    ("arista_eos", "show_inventory"): ("arista_eos", "show inventory", False, {
        "part": "pid", "serial": "sn", "version": "vid", "description": "descr"},
        lambda r: r.get("pid", "") != ""),
    ("arista_eos", "show_ip_interface_brief"): ("arista_eos", "show ip interface brief", False, {
        "interface": "interface", "ip_address": "ip_address", "status": "status",
        "protocol": "protocol", "mtu": "mtu"}, None),
    ("arista_eos", "show_lldp_neighbors"): ("arista_eos", "show lldp neighbors", False, {
        "local_interface": "local_interface", "neighbor": "neighbor_name",
        "neighbor_interface": "neighbor_interface"}, None),
    ("arista_eos", "show_vlan"): ("arista_eos", "show vlan", False, {
        "vlan_id": "vlan_id", "name": "vlan_name", "status": "status",
        "interfaces": "interfaces"}, None),
    ("juniper_junos", "show_version"): ("juniper_junos", "show version", True, {
        "hostname": "hostname", "model": "model", "version": "junos_version"}, None),
    ("juniper_junos", "show_lldp_neighbors"): ("juniper_junos", "show lldp neighbors", False, {
        "local_interface": "local_interface", "parent_interface": "parent_interface",
        "chassis_id": "chassis_id", "neighbor_interface": "neighbor_interface",
        "neighbor": "neighbor_name"}, None),
    ("juniper_junos", "show_interfaces"): ("juniper_junos", "show interfaces", False, {
        "interface": "interface", "link_status": ("link_status", lower),
        "description": "description", "mtu": "mtu", "hardware_type": "hardware_type"}, None),
}


# Reference parses that are wrong, checked by hand against the raw output.
KNOWN_REFERENCE_ERRORS = {
    # "Chassis    A0000   JNP204 [MX204]": the reference shifts serial and description.
    ("juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware3.raw", "serial"),
    ("juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware3.raw",
     "description"),
    # "Chassis    XH3123120000    Virtual Chassis": the same shift.
    ("juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware_dac_no_revision.raw",
     "serial"),
    ("juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware_dac_no_revision.raw",
     "description"),
}


def as_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return [as_text(x) for x in v]
    return v


def compare(ours, theirs, fields, where, problems):
    for key, spec in fields.items():
        tkey, fn = (spec, None) if isinstance(spec, str) else spec
        if tkey not in theirs:
            continue
        want = theirs[tkey]
        if fn:
            want = fn(want)
        got = as_text(ours.get(key))
        if key == "vlan" and isinstance(got, str) and got.startswith("in "):
            got = got[3:]  # nethost keeps "in Po49" (a member of Po49); the reference drops "in"
        if isinstance(want, str):
            want = want.strip()
        if want in ("", []):
            continue  # the reference template did not capture this field
        if (where.split("[")[0], key) in KNOWN_REFERENCE_ERRORS:
            continue
        if got != want:
            problems.append(f"{where}: {key}: nethost {got!r}, reference {tkey}={want!r}")


def chassis_case(ours, theirs, where, problems):
    chassis = next((r for r in ours if r.get("name") == "Chassis"), None)
    if chassis is None:
        problems.append(f"{where}: no Chassis item")
        return
    want = theirs[0]
    for key, tkey in (("serial", "chassis_serial_number"), ("description", "chassis_description")):
        if (where, key) in KNOWN_REFERENCE_ERRORS:
            continue
        if want.get(tkey, "") != chassis.get(key, ""):
            problems.append(f"{where}: {key}: nethost {chassis.get(key)!r}, reference {want.get(tkey)!r}")


def main():
    nethost, corpus = sys.argv[1], sys.argv[2]
    if not os.path.isdir(corpus):
        print(f"SKIP: corpus not found: {corpus}")
        return 77
    problems, files, records = [], 0, 0
    cases = dict(CASES)
    cases[("juniper_junos", "show_chassis_hardware")] = ("juniper_junos", "show chassis hardware",
                                                        None, None, None)
    for (nplat, ndir), (plat, cmd, single, fields, keep) in sorted(cases.items()):
        folder = os.path.join(corpus, nplat, ndir)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".raw"):
                continue
            raw = os.path.join(folder, name)
            ref = raw[:-4] + ".yml"
            if not os.path.exists(ref):
                continue
            files += 1
            where = f"{nplat}/{ndir}/{name}"
            run = subprocess.run([nethost, "parse", plat, cmd, raw, "--compact"],
                                 capture_output=True, text=True, timeout=30)
            if run.returncode != 0:
                problems.append(f"{where}: parse failed: {run.stderr.strip()}")
                continue
            ours = json.loads(run.stdout)
            with open(ref, encoding="utf-8") as f:
                theirs = (yaml.safe_load(f) or {}).get("parsed_sample") or []
            if single is None:
                chassis_case(ours, theirs, where, problems)
                continue
            if single:
                ours = [ours]
                theirs = theirs[:1]
            if keep:
                theirs = [r for r in theirs if keep(r)]
            if len(ours) != len(theirs):
                problems.append(f"{where}: {len(ours)} records, reference has {len(theirs)}")
                continue
            for i, (o, t) in enumerate(zip(ours, theirs)):
                records += 1
                compare(o, t, fields, f"{where}[{i}]", problems)
    for p in problems:
        print(p)
    print(f"{files} files, {records} records compared, {len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
