-- nethost.inventory_setup.load, what `nethost run -i/-l` (and --shard, once the command line
-- passes it) uses.
local setup = require("nethost.inventory_setup")
local dir = assert(arg[1])
assert(setup.load{} == nil, "no -i and no NETHOST_INVENTORY (ctest clears it)")
assert(#setup.load{ inventory = dir .. "/lab.yaml" } == 5)
assert(#setup.load{ inventory = dir .. "/lab.yaml", limit = "access" } == 2)
local a = setup.load{ inventory = dir .. "/lab.yaml", shard = "1/2" }
local b = setup.load{ inventory = dir .. "/lab.yaml", shard = "2/2" }
assert(#a + #b == 5)
local ok, err = pcall(setup.load, { inventory = dir .. "/lab.yaml", shard = "3/2" })
assert(not ok and err:find("expected K/N"))
ok, err = pcall(setup.load, { limit = "core" })
assert(not ok and err:find("no inventory to narrow"))
ok, err = pcall(setup.load, { inventory = dir .. "/lab.yaml", limit = "zz" })
assert(not ok and err == "-l zz matches no host in " .. dir .. "/lab.yaml", err)
