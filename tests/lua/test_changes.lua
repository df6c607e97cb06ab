-- config.apply (what a push would send and leave), changes.format (--check / --diff output)
-- and report.text's cut cells.
local changes = require("nethost.changes")
local config = require("nethost.config")
local report = require("nethost.report")

local ios = [[
Building configuration...
!
hostname sw-1
ip name-server 10.0.0.53
ntp server 10.0.0.1
!
interface GigabitEthernet1/0/2
 description user port 2
 switchport access vlan 20
!
end
]]
-- Lines already there are not sent; a section header comes with its new lines.
local new, sent = config.apply(ios, { "ntp server 10.0.0.1", "ntp server 10.0.0.77",
  "interface GigabitEthernet1/0/2", "description user port 2", "exit" }, "cisco_ios")
assert(table.concat(sent, "|") == "ntp server 10.0.0.77", table.concat(sent, "|"))
assert(not config.equal(ios, new, "cisco_ios"))
local d = changes.diff(ios, new, "cisco_ios", { model = true })
assert(d:find("\n%+ntp server 10.0.0.77\n") and not d:find("\n%-"), d)
-- The issue's change: every line counts, the description replaces the old one.
new, sent = config.apply(ios, { "no ip name-server 10.0.0.53", "ip name-server 10.0.0.54",
  "interface GigabitEthernet1/0/2", "description changed by push" }, "cisco_ios")
assert(table.concat(sent, "|") == "no ip name-server 10.0.0.53|ip name-server 10.0.0.54|" ..
       "interface GigabitEthernet1/0/2|description changed by push|exit", table.concat(sent, "|"))
d = changes.diff(ios, new, "cisco_ios", { model = true })
assert(d:find("\n%- description user port 2\n") and d:find("\n%+ description changed by push\n"), d)
-- Nothing to do: nothing sent, nothing changes.
new, sent = config.apply(ios, { "ntp server 10.0.0.1", "no ntp server 10.9.9.9",
  "interface GigabitEthernet1/0/2", "no shutdown" }, "cisco_ios")
assert(#sent == 0 and config.equal(ios, new, "cisco_ios"), table.concat(sent, "|"))
assert(changes.diff(ios, new, "cisco_ios", { model = true }) == "")
-- A global "no KEYWORD" turns off a default: sent unless the device shows it already.
_, sent = config.apply(ios, { "no ip domain-lookup" }, "cisco_ios")
assert(sent[1] == "no ip domain-lookup")
_, sent = config.apply(ios:gsub("hostname sw%-1\n", "hostname sw-1\nno ip domain-lookup\n"),
                       { "no ip domain-lookup" }, "cisco_ios")
assert(#sent == 0)

-- Junos: set lines already there and deletes of absent statements are left out.
local junos = [[
system {
    host-name r-1;
    ntp {
        server 10.0.0.1;
    }
}
]]
local jn, js = config.apply(junos, { "set system ntp server 10.0.0.1", "set system ntp server 10.0.0.2",
  "delete system ntp server 10.9.9.9", "delete system ntp server 10.0.0.1",
  "set system host-name r-2" }, "juniper_junos")
assert(table.concat(js, "|") == "set system ntp server 10.0.0.2|delete system ntp server 10.0.0.1|" ..
       "set system host-name r-2", table.concat(js, "|"))
assert(jn == "set system host-name r-2\nset system ntp server 10.0.0.2\n", jn)

-- What --check and --diff print, from records as the runner keeps them.
local res = nethost.run({ "a", "b", "c" }, function(h)
  if h.name == "a" then
    nethost.would_send({ "ntp server 10.0.0.77" })
    h:diff(changes.diff(ios, ios:gsub("ntp server 10.0.0.1", "ntp server 10.0.0.77"), "cisco_ios"))
  elseif h.name == "b" then
    h:diff("")
  end
end, { progress = false, summary = false })
assert(res:get("a").diff:find("+ntp server 10.0.0.77", 1, true))
assert(res:get("b").diff == nil, "an empty diff is no diff")
local plain = changes.format(res, { diff = true, check = false, colour = false })
assert(plain:find("== a (changed)", 1, true) and plain:find("\n%-ntp server 10.0.0.1\n"), plain)
assert(not plain:find("\27[", 1, true) and not plain:find("== b", 1, true), plain)
local coloured = changes.format(res, { diff = true, check = false, colour = true })
assert(coloured:find("\27[32m+ntp server 10.0.0.77\27[0m", 1, true), coloured)
assert(coloured:find("\27[31m-ntp server 10.0.0.1\27[0m", 1, true), coloured)
local lines = changes.format(res, { diff = false, check = true, colour = false })
assert(lines == "== a would be sent 1 line(s):\n    ntp server 10.0.0.77\n", lines)
assert(changes.format(res, { diff = false, check = false }) == "")

-- Cut cells.
local t = report.text({ { host = "a", v = ("x"):rep(100) }, { host = "b", v = ("é"):rep(5) } },
                      { "host", "v" }, { max_width = 10 })
assert(t:find(("x"):rep(9) .. "…", 1, true) and not t:find(("x"):rep(10), 1, true), t)
assert(t:find(("é"):rep(5), 1, true), t)
print("ok")
