"""Run by test_netmiko.sh: netmiko, the library most network scripts use today, drives one
device of each personality the way it drives real gear (its cisco_ios, arista_eos and
juniper_junos drivers: prompt discovery, paging off, enable, config mode, save or commit).
Prints one line per check; exits 1 if any failed.

usage: netmiko_check.py IOS_ADDR EOS_ADDR JUNOS_ADDR PORT
"""
import sys
import threading
import time

from netmiko import ConnectHandler

IOS, EOS, JUNOS, PORT = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
failures = []
lock = threading.Lock()


def check(name, ok, detail=""):
    with lock:
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail[:300]))
        if not ok:
            failures.append(name)


def connect(device_type, addr):
    return ConnectHandler(device_type=device_type, host=addr, port=PORT, username="admin",
                          password="admin", secret="enable", timeout=30)


def ioslike(device_type, addr, saved):
    c = connect(device_type, addr)
    check(device_type + " user prompt", c.find_prompt().endswith(">"), c.find_prompt())
    c.enable()
    prompt = c.find_prompt()
    check(device_type + " enable", prompt.endswith("#"), prompt)
    ver = c.send_command("show version")
    check(device_type + " show version", "ersion" in ver and "--More--" not in ver, ver)
    run = c.send_command("show running-config")
    check(device_type + " show running-config unpaged",
          run.count("\n") > 200 and "--More--" not in run, str(run.count("\n")))
    out = c.send_config_set(["ntp server 192.0.2.77", "interface Vlan99",
                             "description set by netmiko"])
    check(device_type + " config mode", "(config-if" in out and "Invalid" not in out, out)
    out = c.save_config()
    check(device_type + " save", saved in out, out)
    c.disconnect()
    # A new connection sees the change.
    c = connect(device_type, addr)
    c.enable()
    run = c.send_command("show running-config")
    check(device_type + " change persists", "ntp server 192.0.2.77" in run and
          "description set by netmiko" in run, run[-400:])
    bad = c.send_command("show frobnicate")
    check(device_type + " error marker", "% Invalid input" in bad, bad)
    c.disconnect()


def junos(addr):
    c = connect("juniper_junos", addr)
    prompt = c.find_prompt()
    check("junos prompt", prompt.startswith("admin@") and prompt.endswith(">"), prompt)
    ver = c.send_command("show version")
    check("junos show version", "Junos:" in ver and "---(more" not in ver, ver)
    out = c.send_config_set(["set system ntp server 192.0.2.78"], exit_config_mode=False)
    check("junos configure", "[edit]" in out and "error" not in out, out)
    out = c.commit()
    check("junos commit", "commit complete" in out, out)
    c.exit_config_mode()
    ntp = c.send_command("show configuration system ntp")
    check("junos show configuration PATH", "server 192.0.2.78;" in ntp, ntp)
    # commit confirmed: the lab's minute is one second here, so the change rolls back.
    c.send_config_set(["set system ntp server 192.0.2.79"], exit_config_mode=False)
    out = c.commit(confirm=True, confirm_delay=1)
    check("junos commit confirmed", "commit confirmed will be automatically rolled back" in out,
          out)
    c.exit_config_mode()
    time.sleep(2.5)
    ntp = c.send_command("show configuration system ntp")
    check("junos unconfirmed commit rolled back",
          "192.0.2.79" not in ntp and "192.0.2.78" in ntp, ntp)
    c.disconnect()


def guarded(fn, *args):
    try:
        fn(*args)
    except Exception as e:  # a netmiko exception is a failed check, not a crash
        check(fn.__name__ + " " + " ".join(str(a) for a in args), False, repr(e))


threads = [threading.Thread(target=guarded, args=a) for a in
           [(ioslike, "cisco_ios", IOS, "[OK]"),
            (ioslike, "arista_eos", EOS, "Copy completed successfully"),
            (junos, JUNOS)]]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("netmiko: %d failures" % len(failures))
sys.exit(1 if failures else 0)
