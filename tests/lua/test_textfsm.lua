-- textfsm: user templates (text and file), the ntc-templates index, errors of kind "parse".
local tpl = [[
Value Filldown Chassis (\S+)
Value Required Slot (\d+)
Value List Ports (\S+)

Start
  ^Chassis ${Chassis}
  ^Slot ${Slot} -> Continue
  ^Slot \d+ ports ${Ports} -> Record
  ^  port ${Ports}
  ^fatal -> Error "device said fatal"
]]
local r = textfsm.parse(tpl, "Chassis c1\nSlot 1 ports a\n  port b\nSlot 2 ports c\n")
assert(#r == 2, #r)
assert(r[1].Chassis == "c1" and r[1].Slot == "1")
assert(#r[1].Ports == 1 and r[1].Ports[1] == "a")
assert(r[2].Chassis == "c1" and r[2].Ports[1] == "b" and r[2].Ports[2] == "c")

-- a template with many Values (ntc-templates' "show interfaces" has dozens): every column
-- reaches the table intact (the binding once overflowed the Lua stack here)
do
  local names, line, want = {}, {}, {}
  for i = 1, 120 do
    names[#names + 1] = ("Value V%d (\\S+)"):format(i)
    line[#line + 1] = ("${V%d}"):format(i)
    want[i] = "w" .. i
  end
  local wide = table.concat(names, "\n") .. "\n\nStart\n  ^" .. table.concat(line, " ") .. " -> Record\n"
  local text = string.rep(table.concat(want, " ") .. "\n", 50)
  for _ = 1, 3 do
    local rows = textfsm.parse(wide, text)
    assert(#rows == 50, #rows)
    for _, row in ipairs(rows) do
      for i = 1, 120 do assert(row["V" .. i] == want[i], i) end
    end
  end
end

-- empty output: an empty list, not an error
local empty = textfsm.parse(tpl, "")
assert(type(empty) == "table" and #empty == 0)

-- the template's Error action: a parse error naming the rule line and the input line
local ok, err = pcall(textfsm.parse, tpl, "fatal\n")
assert(not ok and err.kind == "parse", tostring(err))
assert(tostring(err):find("device said fatal", 1, true), tostring(err))
assert(tostring(err):find("Rule Line: 10", 1, true), tostring(err))

-- an invalid template: the message names the template line
ok, err = pcall(textfsm.parse, "Value X (\\d+)\n\nStart\n  ^${Y}\n", "1\n")
assert(not ok and err.kind == "parse")
assert(tostring(err):find("<template>:4:", 1, true), tostring(err))

-- a template file
local path = os.tmpname()
local f = assert(io.open(path, "w"))
f:write("Value V (\\S+)\n\nStart\n  ^Version ${V} -> Record\n")
f:close()
assert(textfsm.parse(path, "Version 1.2\n")[1].V == "1.2")
os.remove(path)

-- the ntc-templates index (skipped without the corpus copy)
local corpus = "/work/shared/corpus/ntc-templates/templates"
if io.open(corpus .. "/index") then
  textfsm.dir(corpus)
  assert(textfsm.dir() == corpus)
  local recs, used = textfsm.parse_index("cisco_ios", "sh clock",
                                          "*18:57:38.347 UTC Mon Oct 19 2015\n")
  assert(used == "cisco_ios_show_clock.textfsm", used)
  assert(recs[1].time == "18:57:38.347" and recs[1].year == "2015")
  assert(textfsm.lookup("cisco_ios", "show version") == "cisco_ios_show_version.textfsm")
  assert(textfsm.lookup("cisco_ios", "frobnicate") == nil)
  ok, err = pcall(textfsm.parse_index, "cisco_ios", "frobnicate", "x")
  assert(not ok and err.kind == "parse" and tostring(err):find("No template found"))
else
  io.stderr:write("textfsm: corpus not found, index part skipped\n")
end

-- parse(): native parsers win, TextFSM templates (the built-in textfsm source, textfsm.dir()) fill in;
-- the second result says which parser ran.
if textfsm.dir() then -- textfsm.dir() above chose the corpus when it exists
  local ver = "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(4)E1, RELEASE SOFTWARE (fc2)\n"
  local _, how = parse("cisco_ios", "sh ver", ver)
  assert(how.source == "native", how.source)
  local recs, how2 = parse("cisco_ios", "sh clock", "*18:57:38.347 UTC Mon Oct 19 2015\n")
  assert(how2.source == "textfsm" and how2.detail == "cisco_ios_show_clock.textfsm", how2.detail)
  assert(recs[1].timezone == "UTC")
end

-- a folder without an index: parse_index raises, parse() finds no parser (and no crash)
textfsm.dir("/nonexistent-textfsm-folder")
ok, err = pcall(textfsm.parse_index, "cisco_ios", "sh clock", "x")
assert(not ok and err.kind == "parse" and tostring(err):find("NET_TEXTFSM", 1, true), tostring(err))
ok, err = pcall(parse, "cisco_ios", "sh clock", "*18:57:38.347 UTC Mon Oct 19 2015\n")
assert(not ok and err.kind == "parse", tostring(err))

-- a large output (parsed on the thread pool by parse()) through the TextFSM fallback
local corpus_dir = "/work/shared/corpus/ntc-templates/templates"
if io.open(corpus_dir .. "/index") then
  textfsm.dir(corpus_dir)
  local lines = { "Unicast Entries", " vlan     mac address     type        protocols               port",
                  "---------+---------------+--------+---------------------+-------------------------" }
  for i = 1, 6000 do
    lines[#lines + 1] = string.format("  %-4d    0002.d180.%04x   dynamic ip,ipx,assigned,other GigabitEthernet0/%d",
                                      i % 4094 + 1, i % 65536, i % 48)
  end
  local big = table.concat(lines, "\n") .. "\n"
  assert(#big > 256 * 1024)
  local recs, how = parse("cisco_ios", "sh mac address-table", big)
  assert(how.source == "textfsm", how.source)
  assert(#recs == 6000, #recs)
  assert(recs[6000].destination_address == "0002.d180.1770", recs[6000].destination_address)
  assert(recs[1].destination_port[1] == "GigabitEthernet0/1", tostring(recs[1].destination_port))
  -- the same through textfsm.parse_index (on the loop thread) gives the same records
  local direct = textfsm.parse_index("cisco_ios", "sh mac address-table", big)
  assert(#direct == 6000 and direct[17].vlan_id == recs[17].vlan_id)
end

-- One null (issue 15, item 5): a List item that a template's optional group did not match
-- is json.null, through textfsm.parse_index and parse() alike (clitable writes the string
-- "None"), and every such result encodes to JSON.
do
  local dir = os.tmpname()
  os.remove(dir)
  fs.mkdir(dir)
  fs.write(dir .. "/index", "Template, Hostname, Platform, Command\n\n"
                             .. "lab_os_show_ports.textfsm, .*, lab_os, sh[[ow]] po[[rts]]\n")
  fs.write(dir .. "/lab_os_show_ports.textfsm", table.concat({
    "Value Required NAME (\\S+)",
    "Value List TAGS (\\w+)",
    "",
    "Start",
    "  ^port ${NAME} -> Continue",
    "  ^port \\S+(?: tag ${TAGS})? -> Record",
    "", "" }, "\n"))
  textfsm.dir(dir)
  local text = "port ge-0/0/1 tag blue\nport ge-0/0/2\n"
  local direct = textfsm.parse_index("lab_os", "show ports", text)
  local recs, how = parse("lab_os", "show ports", text)
  assert(how.source == "textfsm", how.source)
  for _, r in ipairs({ direct, recs }) do
    assert(#r == 2 and r[1].tags[1] == "blue", json.encode(r))
    assert(r[2].tags[1] == json.null, "missing List item: " .. tostring(r[2].tags[1]))
    local ok, s = pcall(json.encode, r)
    assert(ok, "a parse result with a missing List item does not encode: " .. tostring(s))
    assert(s:find('"tags":[null]', 1, true), s)
  end
  fs.remove(dir .. "/index")
  fs.remove(dir .. "/lab_os_show_ports.textfsm")
  fs.remove(dir)
end
