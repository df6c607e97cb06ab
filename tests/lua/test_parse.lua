-- parse(): the vendor plugins' parsers from Lua, abbreviations, errors, platforms.
local ver = [[
Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(4)E1, RELEASE SOFTWARE (fc2)
sw-0042 uptime is 1 week, 2 days, 3 hours, 4 minutes
System image file is "flash:/c2960x-universalk9-mz.152-4.E1.bin"
cisco WS-C2960X-48FPD-L (APM86XXX) processor (revision B0) with 524288K bytes of memory.
Processor board ID FOC1234X0YZ
Configuration register is 0xF
]]
local facts = parse("cisco_ios", "sh ver", ver)
assert(facts.hostname == "sw-0042", facts.hostname)
assert(facts.version == "15.2(4)E1")
assert(facts.model == "WS-C2960X-48FPD-L")
assert(facts.serial == "FOC1234X0YZ")
assert(facts.image == "c2960x-universalk9-mz.152-4.E1.bin")
assert(facts.uptime == "1 week, 2 days, 3 hours, 4 minutes")

-- aliases, and a host table with a platform field
assert(parse("ios", "show version", ver).version == "15.2(4)E1")
assert(parse({ name = "sw-0042", platform = "cisco.ios.ios" }, "sh ver", ver).serial == "FOC1234X0YZ")
assert(parse.host({ name = "sw-0042", platform = "ios" }, "sh ver", ver).hostname == "sw-0042")

local brief = parse("cisco_ios", "sh ip int br", [[
Interface              IP-Address      OK? Method Status                Protocol
GigabitEthernet0/0     10.0.0.1        YES NVRAM  up                    up
GigabitEthernet0/1     unassigned      YES unset  administratively down down
]])
assert(#brief == 2)
assert(brief[2].status == "administratively down" and brief[2].protocol == "down")

-- empty output that means "nothing" is an empty list, not an error
local none = parse("arista_eos", "show lldp neighbors", "")
assert(type(none) == "table" and #none == 0)

-- a parse that cannot make sense of its input raises a parse error object
local ok, err = pcall(parse, "cisco_ios", "show version", "this is not show version\n")
assert(not ok and nethost.is_error(err), tostring(err))
assert(err.kind == "parse", err.kind)
assert(err.message:find("show version", 1, true), err.message)

-- the host is named in the error
ok, err = pcall(parse, { name = "sw-0007", platform = "ios" }, "show version", "junk\n")
assert(not ok and err.host == "sw-0007", tostring(err.host))

-- no parser / unknown platform: parse errors that say so
ok, err = pcall(parse, "cisco_ios", "show flux capacitor", "x")
assert(not ok and err.kind == "parse" and err.message:find("no parser", 1, true), tostring(err))
ok, err = pcall(parse, "nokia_sros", "show version", "x")
assert(not ok and err.message:find("no plugin defines", 1, true), tostring(err))

-- ambiguous abbreviations are refused as the device refuses them
ok, err = pcall(parse, "cisco_ios", "sh in", "x")
assert(not ok and err.message:find("ambiguous", 1, true), tostring(err))

-- misuse raises a plain error at once
assert(not pcall(parse, "cisco_ios", "show version"))

-- Junos configuration in sections, braces and set form
local cfg = parse("junos", "show configuration", [[
## Last commit: 2024-01-01 10:00:00 UTC by admin
system {
    host-name r-0042;
    services {
        ssh;
    }
}
interfaces {
    ge-0/0/0 {
        description "uplink";
    }
}
]])
assert(#cfg == 2 and cfg[1].line == "system" and cfg[1].children[1].line == "host-name r-0042")
assert(cfg[1].children[2].children[1].line == "ssh")
local set = parse("junos", "show configuration | display set",
                  "set system host-name r-0042\nset interfaces ge-0/0/0 unit 0\n")
assert(#set == 2 and set[2].line == "set interfaces ge-0/0/0 unit 0")
ok, err = pcall(parse, "junos", "show configuration", "system {\n  host-name x;\n")
assert(not ok and err.message:find("never closed", 1, true), tostring(err))

-- IOS running config: sections by indentation, comments and preamble dropped
local run = parse("ios", "sh run", [[
Building configuration...

Current configuration : 120 bytes
!
hostname sw-0042
!
interface GigabitEthernet0/1
 description uplink
 switchport mode trunk
!
banner motd ^C
Authorised access only
^C
end
]])
assert(run[1].line == "hostname sw-0042" and #run[1].children == 0)
assert(run[2].line == "interface GigabitEthernet0/1" and #run[2].children == 2)
assert(run[2].children[2].line == "switchport mode trunk")
assert(run[3].line == "banner motd ^C" and run[3].children[1].line == "Authorised access only")

-- platform drivers
local ios = parse.platform("ios")
assert(ios.name == "cisco_ios" and ios.save_command and ios.rollback_method == "replace")
assert(ios.on_open[1] == "terminal length 0")
local junos = parse.platform("juniper_junos")
assert(junos.config_dialect == "braces" and junos.commit_command == "commit")
local found = parse.find("eos", "sh int st")
assert(found.command == "show interfaces status" and found.plugin == "arista_eos")

-- the prompts, paging markers and error markers the SSH shell relies on
local function all_match(list, subjects)
  for _, subject in ipairs(subjects) do
    local hit = false
    for _, pattern in ipairs(list) do hit = hit or re.test(subject, pattern) end
    assert(hit, "nothing matches " .. subject)
  end
end
for _, name in ipairs({ "cisco_ios", "arista_eos" }) do
  local p = parse.platform(name)
  all_match({ p.prompt_pattern }, { "sw-0042>", "sw-0042#", "sw-0042(config)#", "sw-0042(config-if)#" })
  assert(not re.test("sw-0042 uptime is 1 week", p.prompt_pattern))
  assert(re.test("sw-0042#", p.privileged_pattern) and not re.test("sw-0042>", p.privileged_pattern))
  assert(re.test("sw-0042(config-if)#", p.config_prompt_pattern))
  all_match(p.paging_patterns, { " --More-- " })
  all_match(p.error_patterns, { "% Invalid input detected at '^' marker.", "% Incomplete command.",
                                "% Ambiguous command:  \"sh i\"" })
  all_match(p.confirm_patterns, { "Proceed with reload? [confirm]" })
end
all_match(parse.platform("ios").confirm_patterns, { "Destination filename [startup-config]? " })
local j = parse.platform("junos")
all_match({ j.prompt_pattern }, { "admin@r-0042>", "admin@r-0042#", "{master:0}admin@r-0042>" })
all_match(j.paging_patterns, { "---(more)---", "---(more 45%)---" })
all_match(j.error_patterns, { "syntax error, expecting <command>.", "error: configuration check-out failed",
                              "unknown command." })
assert(j.on_open[1] == "set cli screen-length 0")

-- the SSH shell's view of the drivers (ssh.platform)
if ssh then
  assert(ssh.platform == parse.driver)
  local d = ssh.platform("ios")
  assert(d.save == "copy running-config startup-config" and d.commit == false)
  assert(d.enable.command == "enable")
  assert(re.test("show clock\r\n10:00:00\r\nsw-0042(config-if)#", d.prompt))
  assert(not re.test("sw-0042#\r\nmore output\r\n", d.prompt))
  local j = ssh.platform("junos")
  assert(j.save == false and j.enable == false and j.commit == "commit")
  assert(re.test("[edit]\r\nadmin@r-0042# ", j.prompt))
  assert(ssh.platform("eos").commit == false)
  assert(ssh.platform("nope") == nil)
end

-- Vendor knowledge comes from the plugins only: the configuration dialect and the command
-- that shows the configuration are the plugin's config_dialect and show_config_command.
local config, device = require("nethost.config"), require("nethost.device")
assert(config.dialect("junos") == "braces" and config.dialect("ios") == "indent")
assert(config.dialect("no-such-platform") == "indent")
assert(device.running_command("juniper_junos") == "show configuration")
assert(device.running_command("eos") == "show running-config")
assert(device.running_command("no-such-platform") == "show running-config")
-- Lines that change on their own are the plugin's volatile_patterns (ABI 1.1): ignored for a
-- platform whose plugin lists them, kept for one no plugin defines.
local stamped = "! Last configuration change at 10:00\nhostname a\n"
assert(config.normalize(stamped, "ios") == "hostname a\n", config.normalize(stamped, "ios"))
assert(config.normalize(stamped, "no-such-platform") == stamped)
assert(config.normalize("## Last commit: 2024\nset x\n", "junos") == "set x\n")
assert(#parse.platform("eos").volatile_patterns > 0)
