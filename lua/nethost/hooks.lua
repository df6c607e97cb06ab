-- hooks: how the modules that act on devices (ssh, its CLI) report what the runner wants to
-- know — whether check mode is on, that a host is being changed, what check mode would have
-- sent, and time spent per phase — without knowing the runner.
--
-- The runner (nethost/run.lua) registers itself once with hooks.set_runner. Until then (a
-- script that uses ssh without nethost.run's module) check mode is off and there is no host
-- task to report to. Dependencies point down: run.lua knows hooks, ssh.lua knows hooks,
-- neither knows the other.

local hooks = {}

local runner = nil

--- hooks.set_runner{check = fn() -> bool, task = fn() -> recorder | nil}
--- task() returns the current host task's recorder, with the methods
---   recorder:mark_changed(what)        the host is being changed (what: a description)
---   recorder:record_would_send(lines)  check mode: what would have been sent
---   recorder:add_timing(phase, seconds) time spent in a phase ("connect", "commands")
--- or nil outside a host task.
function hooks.set_runner(r)
  if type(r) ~= "table" or type(r.check) ~= "function" or type(r.task) ~= "function" then
    error("hooks.set_runner: needs {check = function, task = function}", 2)
  end
  runner = r
end

--- hooks.check() -> whether nothing may be sent to devices (--check).
function hooks.check()
  return runner ~= nil and runner.check() and true or false
end

--- hooks.task() -> the current host task's recorder, or nil.
function hooks.task()
  return runner and runner.task() or nil
end

return hooks
