-- Inventory hosts straight into ssh.run and nethost.run, against the private sshd that
-- tests/ssh/sshd_harness.sh starts: address, port, username, key_file with a passphrase
-- read through host:secret, and a known_hosts path relative to the inventory's folder.
local port = assert(tonumber(os.getenv("SSHD_PORT")))
local dir = assert(os.getenv("SSHD_DIR"))
local user = assert(os.getenv("SSHD_USER"))

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

write(dir .. "/passphrase.txt", "sekrit-pass\n")
write(dir .. "/inventory.yaml", ([[
defaults:
  username: %s
  port: %d
  key_file: id_pass                  # relative to this file's folder
  passphrase_file: passphrase.txt
  ssh: {host_key_policy: accept-new, known_hosts: inv_known_hosts, connect_timeout: 30}
groups:
  lab: {data: {role: lab}}
hosts:
  dev-1: {address: 127.0.0.1, groups: [lab]}
  dev-2: {address: 127.0.0.1, groups: [lab], data: {role: other}}
]]):format(user, port))

local inv = inventory.load(dir .. "/inventory.yaml")
assert(#inv == 2)
local h = inv:get("dev-1")
assert(h:secret("passphrase") == "sekrit-pass")
local r = ssh.run(h, "echo from-inventory")
assert(r.stdout == "from-inventory\n", r.stdout)
local kh = io.open(dir .. "/inv_known_hosts")
assert(kh, "accept-new wrote the known_hosts the inventory names")
kh:close()

local res = nethost.run(inv, function(host)
  return ssh.run(host, "echo " .. host.data.role).stdout
end, { summary = false })
for rec in res:each() do
  assert(rec.status == "ok", rec.host .. ": " .. tostring(rec.error or rec.status))
end
assert(res:summary().ok == 2, "both hosts ok")
print("inventory + ssh ok")
