-- Test helper: applies -e lines=... (';'-separated) to the hosts of -l, through the shell.
local lines = {}
for l in nethost.vars.lines:gmatch("[^;]+") do lines[#lines + 1] = l end
nethost.run(nethost.inventory, function(h)
  local s <close> = ssh.open(h)
  local cli = s:shell()
  cli:config(lines)
  cli:save()
end, { summary = false, progress = false })
