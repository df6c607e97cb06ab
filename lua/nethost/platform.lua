-- platform: the one adapter from a plugin's platform driver (the plugin ABI's
-- nh_plugin_platform_t, as nethost.plugins.platform returns it) to what the Lua library
-- uses: the SSH shell's driver (nethost/ssh_shell.lua), the configuration dialect and the
-- lines that change on their own (nethost/config.lua), and the command that shows the
-- configuration (nethost/device.lua), and the device's file system for transfers
-- (playbooks/upload.lua).
-- Plugins are the only source of vendor knowledge; this file only translates. Adding a
-- platform is writing a plugin.

local plugins = require("nethost.plugins")
local platform_fs = require("nethost.platform_fs")

local platform = {}

-- The driver for hosts without a platform: Cisco-like prompts and markers, which most CLIs
-- resemble. Not vendor knowledge about any platform a plugin defines: a host whose
-- platform a plugin defines never sees these values.
platform.generic = {
  name = "generic",
  prompt = [=[[\w@().:/~\[\]+-]{1,80}\s?[>#$%]\s*$]=],
  on_open = {},
  paging = { [[\s*--\s?More\s?--\s*]], [[<--- More --->]], [[-- \(q\)uit --]] },
  enable = { command = "enable", password_prompt = [[[Pp]assword:\s*$]] },
  config_enter = "configure terminal",
  config_exit = "end",
  commit = false,
  save = "write memory",
  error_markers = { [[^%\s*(Invalid|Incomplete|Ambiguous|Unrecognized|Unknown|Error|Bad).*$]],
                    [[^(syntax error|unknown command|error:).*$]] },
  confirm = { [=[\[confirm\]\s*$]=], [=[\[[Yy]es/[Nn]o\]:?\s*$]=], [=[\(y/n\)\??\s*$]=],
              [=[Destination filename \[[^\]]*\]\?\s*$]=], [=[\? ?\[[^\]\r\n]*\]\s*$]=] },
}

local ROLLBACK_COMMIT = "commit"

--- platform.driver(name_or_alias) -> the shell's driver for a platform a plugin defines, or
--- nil. Fields: name, prompt, on_open, paging, enable = {command, password_prompt} | false,
--- privileged, config_enter, config_exit, config_prompt, commit, commit_confirmed, save,
--- error_markers, confirm, confirm_response, rollback_method, checkpoint_command,
--- rollback_command, config_dialect, show_config_command, platform (the plugin's table).
--- What the plugin leaves unset is `false` (its platform has no such thing), never the
--- generic driver's value: Junos has no `write memory`. The patterns are the ones the
--- registry compiled when the plugin registered the platform (regex objects, see
--- lua/regex.h), handed to the shell's expect as they are; the prompt is anchored at the end
--- of what was received, because the ABI matches it against the last line only.
function platform.driver(name)
  if type(name) ~= "string" then return nil end
  local p = plugins.platform(name)
  if not p then return nil end
  local re = p.patterns
  return {
    name = p.name,
    prompt = re.prompt or platform.generic.prompt,
    on_open = p.on_open or {},
    paging = re.paging,
    enable = p.enable_command and {
      command = p.enable_command,
      -- An enable command needs some password prompt to answer; the common one if unset.
      password_prompt = re.enable_password or platform.generic.enable.password_prompt,
      privileged = re.privileged,
    } or false,
    privileged = re.privileged,
    config_enter = p.config_enter or false,
    config_exit = p.config_exit or false,
    config_prompt = re.config_prompt,
    -- A commit inside plain config mode (Junos). EOS commits only in config sessions.
    commit = p.rollback_method == ROLLBACK_COMMIT and p.commit_command or false,
    commit_confirmed = p.commit_confirmed_command,
    save = p.save_command or false,
    error_markers = re.errors,
    confirm = re.confirm,
    confirm_response = p.confirm_response,
    rollback_method = p.rollback_method,
    checkpoint_command = p.checkpoint_command,
    rollback_command = p.rollback_command,
    config_dialect = p.config_dialect,
    show_config_command = p.show_config_command,
    platform = p,
  }
end

--- platform.shell_driver(name_or_alias | nil) -> the driver the SSH shell uses: the
--- plugin's, or the generic one for a host without a (known) platform.
function platform.shell_driver(name)
  return platform.driver(name) or platform.generic
end

--- platform.dialect(name_or_alias) -> "indent" | "braces" | "set", as the plugin says;
--- "indent" (the common case) for a platform no plugin defines.
function platform.dialect(name)
  local p = type(name) == "string" and plugins.platform(name) or nil
  return p and p.config_dialect or "indent"
end

--- platform.volatile(name_or_alias) -> the plugin's volatile_patterns, compiled (regex
--- objects): lines of the configuration that change while the configuration does not. An
--- empty list for a platform no plugin defines.
function platform.volatile(name)
  local p = type(name) == "string" and plugins.platform(name) or nil
  return p and p.patterns.volatile or {}
end

--- platform.show_config_command(name_or_alias) -> the command that shows the running
--- configuration, as the plugin says; "show running-config" when it says nothing.
function platform.show_config_command(name)
  local p = type(name) == "string" and plugins.platform(name) or nil
  return p and p.show_config_command or "show running-config"
end

-- File systems. A platform's plugin says where files go, how the device shows free space and
-- prints a file's digest (ABI 1.2). A host without a platform is taken for a POSIX system
-- (an sshd on a server, a Linux-based switch's shell): `df -Pk` and `sha256sum`. A platform
-- a plugin defines never gets those: its CLI would reject them.

local function known(host)
  local name = type(host) == "table" and host.platform or host
  if type(name) == "string" and plugins.platform(name) then return name end
  return nil
end

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- A path goes into a device command as it is (a CLI has no quoting): a line break or other
-- control character in it would end the command and start another one on the device.
local function bad_path(path)
  if type(path) ~= "string" or path:find("%c") then
    local shown = tostring(path):gsub("%c", function(c) return ("\\%d"):format(c:byte()) end)
    return ("file path '%s' has a control character: refused in a device command"):format(shown)
  end
end

-- Runs cmd in the session; its output, or nil, err when the device said it failed.
local function run(s, cmd)
  local r = s:run(cmd)
  if r.exit_status and r.exit_status ~= 0 then
    local first = (r.stdout .. (r.stderr or "")):match("([^\r\n]*%S[^\r\n]*)") or ""
    return nil, ("'%s' failed (exit %d): %s"):format(cmd, r.exit_status, first)
  end
  return r.stdout
end

--- platform.file_path(host, name) -> where a file named name goes on host when a playbook
--- gives no destination: the plugin's file_default_dir .. name ("flash:x.bin",
--- "/var/tmp/x.bin"), or name (the login folder) when the platform says nothing.
function platform.file_path(host, name)
  local pname = known(host)
  local p = pname and plugins.platform(pname)
  return (p and p.file_default_dir or "") .. name
end

-- Runs the plugin's command of kind what ("free", "checksum") for path in session s:
-- out, cmd, algorithm | nil, message (missing: what to say when the plugin has none).
local function ask_device(s, pname, what, path, missing)
  local bad = bad_path(path)
  if bad then return nil, bad end
  local cmd, alg = platform_fs.command(pname, what, path)
  if not cmd then return nil, pname .. ": " .. missing end
  local out, err = run(s, cmd)
  if not out then return nil, err end
  return out, cmd, alg
end

--- platform.free_space(session, host, path) -> free bytes of the file system path is on |
--- nil, message. Runs the plugin's file_free_command in the session and hands its output
--- to the plugin's parser; `df -Pk FOLDER` for a host without a platform.
function platform.free_space(s, host, path)
  local pname = known(host)
  if pname then
    local out, cmd = ask_device(s, pname, "free", path, "the platform does not say how to read free space")
    if not out then return nil, cmd end
    local free, why = platform_fs.free_space(pname, out, path)
    if not free then return nil, why .. " '" .. cmd .. "'" end
    return free
  end
  local folder = path:match("^(.*)/[^/]*$") or "."
  if folder == "" then folder = "/" end
  local cmd = "df -Pk " .. shell_quote(folder)
  local out, err = run(s, cmd)
  if not out then return nil, err end
  local kb = out:match("\n%S+%s+%d+%s+%d+%s+(%d+)")
  if not kb then return nil, "cannot read the free space from '" .. cmd .. "'" end
  return tonumber(kb) * 1024
end

--- platform.checksum_algorithm(host) -> the digest the device computes itself ("sha512",
--- "sha256", ...), or nil when it cannot (a platform whose plugin names no checksum command).
function platform.checksum_algorithm(host)
  local pname = known(host)
  if not pname then return "sha256" end
  local _, alg = platform_fs.command(pname, "checksum", "")
  return alg
end

--- platform.checksum(session, host, path) -> hex, algorithm | nil, message: the digest the
--- device computes of its file path (the plugin's file_checksum_command, `sha256sum` for a
--- host without a platform).
function platform.checksum(s, host, path)
  local pname = known(host)
  if pname then
    local out, cmd, alg = ask_device(s, pname, "checksum", path, "the platform prints no file digest")
    if not out then return nil, cmd end
    local hex, why = platform_fs.checksum(pname, out)
    if not hex then return nil, why .. " of '" .. cmd .. "'" end
    return hex, alg
  end
  local cmd = "sha256sum " .. shell_quote(path)
  local out, err = run(s, cmd)
  if not out then return nil, err end
  local hex = out:match("^(%x+)%s")
  if not hex or #hex ~= 64 then return nil, "cannot read a digest from '" .. cmd .. "'" end
  return hex:lower(), "sha256"
end

return platform
