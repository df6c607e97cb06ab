-- playbooks/upload.lua against the harness's sshd: three inventory hosts (the same sshd,
-- each with its own destination), one of them unwritable; a second run whose reserve no
-- disk has fails every host before anything is sent. NETHOST_BIN and PLAYBOOKS come from
-- ctest.
local port = tonumber(os.getenv("SSHD_PORT"))
local dir = os.getenv("SSHD_DIR")
local user = os.getenv("SSHD_USER")
local bin, playbooks = os.getenv("NETHOST_BIN"), os.getenv("PLAYBOOKS")
local work = dir .. "/upload"
assert(os.execute("mkdir -p " .. work .. "/a " .. work .. "/b"))
assert(os.execute("head -c 2500000 /dev/urandom > " .. work .. "/image.bin"))
local inv = work .. "/inv.yaml"
local f = assert(io.open(inv, "w"))
f:write(string.format([[
defaults:
  username: %s
  key_file: %s/id_ed25519
  ssh: {known_hosts: %s/known_hosts}
hosts:
  dev-a: {address: 127.0.0.1, port: %d, data: {upload_dest: %s/a/image.bin}}
  dev-b: {address: 127.0.0.1, port: %d, data: {upload_dest: %s/b/image.bin}}
  dev-ro: {address: 127.0.0.1, port: %d, data: {upload_dest: /sys/kernel/notes}}
]], user, dir, dir, port, work, port, work, port))
f:close()

local function run(args)
  local p = assert(io.popen(string.format("%s run %s/upload.lua -i %s %s 2>&1", bin, playbooks,
                                          inv, args)))
  local out = p:read("a")
  local _, _, code = p:close()
  return out, code
end

-- dest per host through -l: each run copies to one folder
local out, code = run("-l dev-a -e file=" .. work .. "/image.bin -e dest=" .. work .. "/a/image.bin")
assert(code == 0, out)
assert(out:find("dev%-a%s+verified%s+2500000"), out)
assert(os.execute("cmp -s " .. work .. "/image.bin " .. work .. "/a/image.bin"), "copy differs")
out, code = run("-l dev-b -e protocol=scp -e file=" .. work .. "/image.bin -e dest=" .. work
                .. "/b/image.bin")
assert(code == 0 and out:find("scp "), out)
assert(os.execute("cmp -s " .. work .. "/image.bin " .. work .. "/b/image.bin"), "scp copy differs")
-- every host at once, each to its data.upload_dest: the one that cannot be written fails
os.remove(work .. "/a/image.bin"); os.remove(work .. "/b/image.bin")
out, code = run("-c 3 -e file=" .. work .. "/image.bin")
assert(code == 2 and out:find("dev%-ro%s+failed"), out)
assert(out:find("dev%-a%s+verified") and out:find("dev%-b%s+verified"), out)
assert(out:find("2 hosts have it, 1 failed"), out)
for _, d in ipairs({ "a", "b" }) do
  assert(os.execute("cmp -s " .. work .. "/image.bin " .. work .. "/" .. d .. "/image.bin"))
end
-- not enough space: nothing is sent
os.remove(work .. "/a/image.bin")
out, code = run("-l dev-a -e reserve=1e18 -e file=" .. work .. "/image.bin -e dest=" .. work
                .. "/a/image.bin")
assert(code == 2 and out:find("not enough space"), out)
assert(io.open(work .. "/a/image.bin") == nil, "a copy was sent without the space for it")
-- a missing file is a usage error
out, code = run("-e file=" .. work .. "/nope")
assert(code ~= 0 and out:find("not a readable file"), out)
print("ok upload playbook")
