-- The `parse` global: parse(platform, command, text) -> table, using the parsers plugins
-- registered (C parsers first, then parser sources such as TextFSM templates). The command
-- may be abbreviated as on the device ("sh ip int br"). A failure raises an error object
-- of kind "parse". Empty output that legitimately means "nothing" gives an empty list.
local plugins = require("nethost.plugins")
local cli = require("nethost.cli")

-- `nethost run --plugins DIR`: load after the built-in folder and NETHOST_PLUGIN_PATH.
cli.setup_hooks[#cli.setup_hooks + 1] = function(opts)
  plugins.load_defaults()
  for _, dir in ipairs(opts.plugins or {}) do
    local n, err = plugins.load_dir(dir)
    if not n then error("--plugins " .. err, 0) end
  end
end

local parse = {}

--- parse.host(host, command, text) -> table: uses host.platform and names the host in
--- errors. What host:parse(command, text) calls.
function parse.host(host, command, text)
  if type(host) ~= "table" or type(host.platform) ~= "string" then
    error("parse.host: the host has no platform", 2)
  end
  return plugins.parse(host.platform, command, text, host.name)
end

--- parse.find(platform, command) -> {platform=, command=, source=, plugin=, file=} | nil, why
parse.find = plugins.find
--- parse.platform(name_or_alias) -> the platform driver's fields | nil
parse.platform = plugins.platform
parse.platforms = plugins.platforms
parse.parsers = plugins.parsers
--- parse.json(platform, command, text [, indent]) -> JSON in the parser's key order
parse.json = plugins.parse_json

-- Which parser parse() used: the plugins.find() table with source = "native" for a
-- plugin's own parser, or the parser source's name ("textfsm", detail = the template).
local function used(platform, command)
  local m = plugins.find(platform, command)
  if m then m.source = m.source or "native" end
  return m
end

--- parse(platform | host, command, text) -> result, used
-- A prompt pattern matched against the last line (the plugin ABI's rule) also has to work
-- on a whole multiline buffer: end-of-line anchors become end-of-buffer anchors.
local function at_end(pattern)
  if not pattern then return nil end
  local body = pattern:gsub("%$$", "")
  if body ~= pattern and not body:match("\\$") then return "(?m)" .. body .. "\\z" end
  return pattern
end

--- parse.driver(platform) -> the platform driver in the shape the SSH shell uses
--- (ssh_shell.lua: prompt, on_open, paging, enable = {command, password_prompt},
--- config_enter, config_exit, commit, save, error_markers, confirm), or nil when no plugin
--- defines the platform. Absent features are `false`, so the shell's generic defaults do
--- not fill them in (Junos has no `write memory`).
function parse.driver(platform)
  local p = plugins.platform(platform)
  if not p then return nil end
  return {
    name = p.name,
    prompt = at_end(p.prompt_pattern),
    on_open = p.on_open,
    paging = p.paging_patterns,
    enable = p.enable_command and { command = p.enable_command,
                                    password_prompt = p.enable_password_pattern,
                                    privileged = p.privileged_pattern } or false,
    config_enter = p.config_enter or false,
    config_exit = p.config_exit or false,
    config_prompt = p.config_prompt_pattern,
    -- A commit inside plain config mode (Junos). EOS commits only in config sessions.
    commit = p.rollback_method == "commit" and p.commit_command or false,
    commit_confirmed = p.commit_confirmed_command,
    save = p.save_command or false,
    error_markers = p.error_patterns,
    confirm = p.confirm_patterns,
    confirm_response = p.confirm_response,
    rollback_method = p.rollback_method,
    checkpoint_command = p.checkpoint_command,
    rollback_command = p.rollback_command,
    config_dialect = p.config_dialect,
    show_config_command = p.show_config_command,
  }
end

-- The SSH shell asks ssh.platform(name) for a plugin's driver.
do
  local ok, ssh = pcall(require, "nethost.ssh")
  if ok and type(ssh) == "table" and ssh.platform == nil then ssh.platform = parse.driver end
end

return setmetatable(parse, {
  __call = function(_, platform, command, text)
    if type(platform) == "table" then
      return parse.host(platform, command, text), used(platform.platform, command)
    end
    return plugins.parse(platform, command, text), used(platform, command)
  end,
})
