-- A platform's file system (plugin ABI 1.2) through nethost.platform: default folders,
-- free-space parsers and device digests, as the plugins describe them, and the errors for
-- output they cannot read.
local platform = require("nethost.platform")
local platform_fs = require("nethost.platform_fs")
local fs = require("nethost.fs")

assert(platform.file_path({ platform = "cisco_ios" }, "x.bin") == "flash:x.bin")
assert(platform.file_path({ platform = "eos" }, "x.bin") == "flash:x.bin")
assert(platform.file_path({ platform = "junos" }, "x.bin") == "/var/tmp/x.bin")
assert(platform.file_path({}, "x.bin") == "x.bin")

-- Commands, with the destination's folder or path filled in.
assert(platform_fs.command("cisco_ios", "free", "flash:x.bin") == "dir flash:")
assert(platform_fs.command("cisco_ios", "free", "bootflash:/img/x.bin") == "dir bootflash:/img/")
local cmd, alg = platform_fs.command("arista_eos", "checksum", "flash:x.bin")
assert(cmd == "verify /sha512 flash:x.bin" and alg == "sha512", cmd)
cmd, alg = platform_fs.command("juniper_junos", "checksum", "/var/tmp/x.bin")
assert(cmd == "file checksum sha-256 /var/tmp/x.bin" and alg == "sha256", cmd)
assert(platform_fs.command("juniper_junos", "free", "/var/tmp/x") == "show system storage")
assert(platform_fs.command("no_such_platform", "free", "x") == nil)
assert(platform.checksum_algorithm({ platform = "junos" }) == "sha256")
assert(platform.checksum_algorithm({ platform = "ios" }) == "sha512")
assert(platform.checksum_algorithm({}) == "sha256") -- sha256sum on a POSIX host

-- IOS/EOS `dir`.
assert(platform_fs.free_space("cisco_ios", "Directory of flash:/\n\n" ..
  "    1  -rw-       2500000  Dec 4 2026 10:00:00 +00:00  a.bin\n\n" ..
  "8388608 bytes total (5888608 bytes free)\n", "flash:a.bin") == 5888608)
assert(platform_fs.free_space("cisco_xe", "  1439281152 bytes free\n", "bootflash:x") == 1439281152)
local v, err = platform_fs.free_space("cisco_ios", "% Invalid input\n", "flash:x")
assert(v == nil and err:match("cannot read the free space"), err)

-- Junos `show system storage`: the longest mount point holding the path, /var under /.mount.
local storage = [[
Filesystem              Size       Used      Avail  Capacity  Mounted on
/dev/gpt/junos          1.9G       1.2G       598M       67%  /.mount
tmpfs                   1.0G        36K       1.0G        0%  /.mount/tmp
/dev/gpt/var             20G       1.3G        17G        7%  /.mount/var
devfs                   1.0K       1.0K         0B      100%  /dev
]]
assert(platform_fs.free_space("junos", storage, "/var/tmp/x.bin") == 17 * 1024 ^ 3)
assert(platform_fs.free_space("junos", storage, "/tmp/x") == 1024 ^ 3)
assert(platform_fs.free_space("junos", storage, "/etc/x") == 598 * 1024 ^ 2)
-- Older Junos mounts /var on /var; a dual-RE table is read for the first RE only.
assert(platform_fs.free_space("junos", [[
re0:
--------------------------------------------------------------------------
Filesystem              Size       Used      Avail  Capacity  Mounted on
/dev/ad0s1a             885M       293M       521M       36%  /
/dev/ad0s1e              98M        44K        90M        0%  /config
/dev/ad0s1f             3.6G       1.5G       1.8G       46%  /var

re1:
--------------------------------------------------------------------------
Filesystem              Size       Used      Avail  Capacity  Mounted on
/dev/ad0s1a             885M       293M       100M       36%  /
/dev/ad0s1f             3.6G       1.5G       1.0G       46%  /var
]], "/var/tmp/x") == math.floor(1.8 * 1024 ^ 3))
v, err = platform_fs.free_space("junos", "error: syntax error\n", "/var/tmp/x")
assert(v == nil and err:match("^junos: cannot read"), err)

-- Digests: the plugin's command prints it; nethost takes the one run of the right length.
local hex = string.rep("0123456789abcdef", 4)
assert(platform_fs.checksum("junos", "SHA256 (/var/tmp/x.bin) = " .. hex:upper() .. "\n") == hex)
local h512 = string.rep("ab", 64)
assert(platform_fs.checksum("ios", "..........Done!\nverify /sha512 (flash:x) = " .. h512 .. "\n")
       == h512)
v, err = platform_fs.checksum("ios", "%Error opening flash:x (No such file or directory)\n")
assert(v == nil and err:match("cannot read a digest"), err)
v, err = platform_fs.checksum("ios", h512 .. " " .. string.rep("cd", 64)) -- two: ambiguous
assert(v == nil, "two different digests must not be taken for one")

-- The local side: fs.digest.
local path = os.tmpname()
local f = assert(io.open(path, "wb"))
f:write("abc")
f:close()
assert(fs.digest(path, "sha256") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
assert(fs.digest(path, "md5") == "900150983cd24fb0d6963f7d28e17f72")
assert(fs.digest(path, "sha512"):sub(1, 16) == "ddaf35a193617aba")
os.remove(path)
local d, why = fs.digest(path, "sha256")
assert(d == nil and why:match("no such file"), why)
assert(not pcall(fs.digest, path, "crc32"), "an unknown algorithm is misuse")
-- The session side, with a fake session: commands as the plugin formats them, a device's
-- error (exit status) named with the command, and the POSIX fallback for a host without a
-- platform (df -Pk, sha256sum, paths quoted for the shell).
local function fake(outputs)
  return { run = function(_, cmd)
    local o = assert(outputs[cmd], "unexpected command " .. cmd)
    return { stdout = o[1], stderr = "", exit_status = o[2] or 0 }
  end }
end
local ios = fake({
  ["dir flash:"] = { "\n8388608 bytes total (100 bytes free)\n" },
  ["verify /sha512 flash:a.bin"] = { "%Error opening flash:a.bin (No such file or directory)\n", 1 },
})
assert(platform.free_space(ios, { platform = "ios" }, "flash:a.bin") == 100)
local got, e = platform.checksum(ios, { platform = "ios" }, "flash:a.bin")
assert(got == nil and e:match("'verify /sha512 flash:a.bin' failed %(exit 1%): %%Error opening"), e)
local posix = fake({
  ["df -Pk '/data/it'\\''s'"] = { "Filesystem 1024-blocks Used Available Capacity Mounted on\n" ..
                                   "/dev/sda1 1000 10 990 1% /\n" },
  ["sha256sum '/data/it'\\''s/x y'"] = { hex .. "  /data/it's/x y\n" },
})
assert(platform.free_space(posix, {}, "/data/it's/x y") == 990 * 1024)
got, e = platform.checksum(posix, { name = "srv" }, "/data/it's/x y")
assert(got == hex and e == "sha256", e)
print("ok platform_fs")
