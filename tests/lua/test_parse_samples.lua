-- Parsers the shared corpus has no samples for, on typical device output.
local vlan = parse("cisco_ios", "sh vlan br", [[

VLAN Name                             Status    Ports
---- -------------------------------- --------- -------------------------------
1    default                          active    Gi1/0/1, Gi1/0/2, Gi1/0/3
                                                Gi1/0/4
10   users                            active
1002 fddi-default                     act/unsup
]])
assert(#vlan == 3, #vlan)
assert(vlan[1].vlan_id == 1 and vlan[1].name == "default" and #vlan[1].interfaces == 4)
assert(vlan[1].interfaces[4] == "Gi1/0/4")
assert(vlan[2].vlan_id == 10 and #vlan[2].interfaces == 0)
assert(vlan[3].status == "act/unsup")

-- Full `show vlan` goes on with a table of VLAN types, where the VLAN list ends.
local full = parse("cisco_ios", "show vlan", [[
VLAN Name                             Status    Ports
---- -------------------------------- --------- -------------------------------
1    default                          active    Gi0/1, Gi0/2
10   users                            active

VLAN Type  SAID       MTU   Parent RingNo BridgeNo Stp  BrdgMode Trans1 Trans2
---- ----- ---------- ----- ------ ------ -------- ---- -------- ------ ------
1    enet  100001     1500  -      -      -        -    -        0      0
10   enet  100010     1500  -      -      -        -    -        0      0
]])
assert(#full == 2, #full)
assert(full[2].vlan_id == 10 and full[2].name == "users" and #full[2].interfaces == 0)

local inv = parse("ios", "show inventory", [[
NAME: "1", DESCR: "WS-C2960X-48FPD-L"
PID: WS-C2960X-48FPD-L , VID: V05  , SN: FOC1234X0YZ

NAME: "GigabitEthernet1/0/49", DESCR: "1000BaseSX SFP"
PID: GLC-SX-MMD          , VID: V01  , SN: AGM1234567
]])
assert(#inv == 2)
assert(inv[1].name == "1" and inv[1].part == "WS-C2960X-48FPD-L" and inv[1].version == "V05")
assert(inv[2].serial == "AGM1234567" and inv[2].description == "1000BaseSX SFP")
assert(not pcall(parse, "ios", "show inventory", "PID: x\n"))

local terse = parse("junos", "sh int terse", [[
Interface               Admin Link Proto    Local                 Remote
ge-0/0/0                up    up
ge-0/0/0.0              up    up   inet     10.0.0.1/30
                                   inet6    fe80::1/64
                                            2001:db8::1/64
ge-0/0/1                up    down
lo0.0                   up    up   inet     127.0.0.1           --> 0/0
]])
assert(#terse == 6, #terse)
assert(terse[1].interface == "ge-0/0/0" and terse[1].status == "up" and terse[1].protocol == "up")
assert(terse[2].family == "inet" and terse[2].ip_address == "10.0.0.1/30")
assert(terse[3].interface == "ge-0/0/0.0" and terse[3].family == "inet6")
assert(terse[4].family == "inet6" and terse[4].ip_address == "2001:db8::1/64")
assert(terse[5].protocol == "down" and terse[5].ip_address == nil)
assert(terse[6].remote == "0/0")

local vlans = parse("junos", "show vlans", [[

Routing instance        VLAN name             Tag          Interfaces
default-switch          default               1
                                                           ge-0/0/0.0*
                                                           ge-0/0/1.0
default-switch          v100                  100          ge-0/0/2.0*
]])
assert(#vlans == 2)
assert(vlans[1].vlan_id == 1 and vlans[1].name == "default" and vlans[1].instance == "default-switch")
assert(#vlans[1].interfaces == 2 and vlans[1].interfaces[1] == "ge-0/0/0.0")
assert(vlans[2].vlan_id == 100 and vlans[2].interfaces[1] == "ge-0/0/2.0")

local brief = parse("eos", "show ip interface brief", [[
                                                                               Address
Interface         IP Address           Status       Protocol            MTU    Owner
----------------- -------------------- ------------ -------------- ----------- -------
Ethernet1         10.0.0.1/31          up           up                 1500
Management1       192.168.0.10/24      up           up                 1500
]])
assert(#brief == 2 and brief[1].interface == "Ethernet1" and brief[1].mtu == 1500)

local cfg = parse("eos", "show running-config", [[
! Command: show running-config
! device: sw-0042 (vEOS, EOS-4.27.0F)
!
hostname sw-0042
!
interface Ethernet1
   description uplink
   no switchport
   ip address 10.0.0.1/31
!
router bgp 65000
   neighbor 10.0.0.0 remote-as 65001
   address-family ipv4
      neighbor 10.0.0.0 activate
!
end
]])
assert(#cfg == 3 and cfg[2].line == "interface Ethernet1" and #cfg[2].children == 3)
assert(cfg[3].children[2].line == "address-family ipv4")
assert(cfg[3].children[2].children[1].line == "neighbor 10.0.0.0 activate")

-- empty tables are empty lists; empty show version is an error
for _, c in ipairs({ { "ios", "show ip interface brief" }, { "ios", "show vlan" },
                     { "junos", "show interfaces terse" }, { "junos", "show chassis hardware" },
                     { "eos", "show inventory" } }) do
  local r = parse(c[1], c[2], "")
  assert(type(r) == "table" and #r == 0, c[2])
end
for _, p in ipairs({ "ios", "eos", "junos" }) do
  local ok, err = pcall(parse, p, "show version", "")
  assert(not ok and err.kind == "parse")
end
