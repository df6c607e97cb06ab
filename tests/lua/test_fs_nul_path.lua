-- fs paths are C strings: "dir/x\0../y" used to be cut at the NUL and act on "dir/x", another
-- file than the one named (a backup named after a device-supplied hostname, say). They raise.
local dir = os.tmpname()
os.remove(dir)
assert(fs.mkdir(dir))
local victim = dir .. "/running.cfg"
assert(fs.write(victim, "original"))

local function refused(f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok and tostring(err):find("NUL"), tostring(err))
end
refused(fs.write, victim .. "\0.new", "clobbered")
assert(fs.read(victim) == "original", "fs.write wrote to the truncated path")
refused(fs.remove, victim .. "\0.old")
assert(fs.exists(victim), "fs.remove removed the truncated path")
refused(fs.rename, victim .. "\0x", dir .. "/moved")
refused(fs.rename, victim, dir .. "/moved\0x")
refused(fs.read, victim .. "\0x")
refused(fs.stat, victim .. "\0x")
refused(fs.exists, victim .. "\0x")
refused(fs.isdir, dir .. "\0x")
refused(fs.list, dir .. "\0x")
refused(fs.mkdir, dir .. "/sub\0x", true)
assert(fs.read(victim) == "original")
assert(fs.remove(victim) and fs.remove(dir))
