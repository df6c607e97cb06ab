-- Manual pages in roff, generated from the texts --help prints (nethost(1), nethost-sim(1))
-- and from docs/lua-api.md (nethost-playbook(7)), so the manual and --help cannot disagree.
-- The build runs docs/gen_docs.lua, which calls these; tests/docs/test_man.sh checks it.
--
-- The help format it reads: "usage:" lines, paragraphs, "section:" headings, and option
-- lines "  -x, --long ARG   text" whose text continues on lines indented to the text.

local M = {}

-- Escapes text for roff: backslashes, leading dots and quotes, and dashes (as \-, so
-- options copy and paste as ASCII).
local function esc(s)
  s = s:gsub("\\", "\\e"):gsub("%-", "\\-")
  if s:match("^[.']") then s = "\\&" .. s end
  return s
end
M.escape = esc

-- An option line: its leading spaces, the option part, and the text after 2+ spaces.
local function option_line(line)
  local lead, opt, text = line:match("^(  +)(%-%S.-)%s%s+(%S.*)$")
  if lead and #lead <= 8 then return opt, text end
  lead, opt = line:match("^(  +)(%-%S.*)$")
  if lead and #lead <= 8 and not opt:find("  ", 1, true) then return opt, "" end
  return nil
end
M.option_line = option_line

--- manpage.from_help(text) -> roff for the body of a command's help (everything after its
--- usage lines), and the list of usage lines.
function M.from_help(text)
  local out, usage, in_usage, in_list = {}, {}, true, false
  local lines = {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  for _, line in ipairs(lines) do
    if in_usage and (line:match("^usage: ") or (line:match("^%s+%S") and #usage > 0)) then
      usage[#usage + 1] = line:gsub("^usage:%s*", ""):gsub("^%s+", "")
    elseif line == "" then
      in_usage = false
      if not in_list then out[#out + 1] = ".PP" end
    else
      in_usage = false
      local opt, desc = option_line(line)
      if opt then
        in_list = true
        out[#out + 1] = ".TP"
        out[#out + 1] = "\\fB" .. esc(opt) .. "\\fR"
        if desc ~= "" then out[#out + 1] = esc(desc) end
      elseif line:match("^%S.*:$") and not line:find("  ", 1, true) then
        in_list = false
        out[#out + 1] = ".PP"
        out[#out + 1] = "\\fB" .. esc(line:sub(1, -2)) .. "\\fR"
      elseif in_list and line:match("^%s%s%s%s+%S") then
        out[#out + 1] = esc((line:gsub("^%s+", "")))
      else
        in_list = false
        if line:match("^%s") then
          out[#out + 1] = ".br"
          out[#out + 1] = esc((line:gsub("^%s+", "")))
        else
          out[#out + 1] = esc(line)
        end
      end
    end
  end
  -- Paragraph macros in a row say nothing more than one.
  local clean = {}
  for _, l in ipairs(out) do
    if not (l == ".PP" and (clean[#clean] == ".PP" or #clean == 0)) then clean[#clean + 1] = l end
  end
  if clean[#clean] == ".PP" then clean[#clean] = nil end
  return table.concat(clean, "\n"), usage
end

local function header(name, section, version, what)
  return (".TH %s %d \"\" \"nethost %s\" \"%s\"\n.\\\" Generated from --help by "
          .. "lua/nethost/manpage.lua: edit the help text, not this file.\n"):format(
    name:upper(), section, version, what)
end

--- manpage.nethost(commands, version, extra) -> nethost(1). commands as cli.commands();
--- extra = {environment = {{name, text}...}, files = {{name, text}...}, exit = text}.
function M.nethost(commands, version, extra)
  local out = { header("nethost", 1, version, "nethost manual") }
  out[#out + 1] = ".SH NAME\nnethost \\- run Lua playbooks against fleets of network devices"
  out[#out + 1] = ".SH SYNOPSIS"
  for _, c in ipairs(commands) do
    out[#out + 1] = ".B nethost\n" .. esc(c.usage) .. "\n.br"
  end
  out[#out + 1] = ".SH DESCRIPTION\n" .. esc(extra.description)
  out[#out + 1] = ".SH COMMANDS"
  for _, c in ipairs(commands) do
    local body, usage = M.from_help(c.help)
    out[#out + 1] = ".SS " .. esc(c.name) .. " \\(em " .. esc(c.summary)
    for _, u in ipairs(usage) do out[#out + 1] = ".B " .. esc(u) .. "\n.br" end
    out[#out + 1] = ".PP\n" .. body
  end
  out[#out + 1] = ".SH EXIT STATUS\n" .. esc(extra.exit)
  out[#out + 1] = ".SH ENVIRONMENT"
  for _, e in ipairs(extra.environment) do
    out[#out + 1] = ".TP\n.B " .. esc(e[1]) .. "\n" .. esc(e[2])
  end
  out[#out + 1] = ".SH FILES"
  for _, f in ipairs(extra.files) do
    out[#out + 1] = ".TP\n.I " .. esc(f[1]) .. "\n" .. esc(f[2])
  end
  out[#out + 1] = ".SH SEE ALSO\n.BR nethost\\-sim (1),\n.BR nethost\\-playbook (7)"
  return table.concat(out, "\n") .. "\n"
end

--- manpage.sim(help, version) -> nethost-sim(1) from `nethost-sim --help`.
function M.sim(help, version)
  -- nethost-sim lists its options right under the usage line: give them a heading.
  local usage_line, rest = help:match("^(usage:[^\n]*\n)(.*)$")
  local body, usage = M.from_help((usage_line or "") .. "\noptions:\n" .. (rest or help))
  local out = { header("nethost-sim", 1, version, "nethost manual") }
  out[#out + 1] = ".SH NAME\nnethost\\-sim \\- a simulated lab of network devices (SSH, HTTP) on loopback"
  out[#out + 1] = ".SH SYNOPSIS"
  for _, u in ipairs(usage) do out[#out + 1] = ".B " .. esc(u) .. "\n.br" end
  out[#out + 1] = ".SH DESCRIPTION\nnethost\\-sim simulates Cisco IOS, Arista EOS and Juniper "
                  .. "Junos devices on loopback addresses for tests, demos and benchmarks. "
                  .. "`nethost lab' starts and stops it for you."
  out[#out + 1] = ".SH OPTIONS\n" .. body
  out[#out + 1] = ".SH SEE ALSO\n.BR nethost (1)"
  return table.concat(out, "\n") .. "\n"
end

--- manpage.markdown(md, name, section, version, summary) -> a page from a Markdown file
--- (headings, paragraphs, lists, code blocks, tables as preformatted text).
function M.markdown(md, name, section, version, summary)
  local out = { header(name, section, version, "nethost manual") }
  out[#out + 1] = ".SH NAME\n" .. esc(name) .. " \\- " .. esc(summary)
  local in_code, in_table = false, false
  local function inline(s)
    s = esc(s)
    s = s:gsub("`([^`]+)`", "\\fB%1\\fR"):gsub("%*%*([^*]+)%*%*", "\\fB%1\\fR")
    s = s:gsub("%[([^%]]+)%]%(([^)]+)%)", "%1")
    return s
  end
  for line in (md .. "\n"):gmatch("([^\n]*)\n") do
    if line:match("^```") then
      in_code = not in_code
      out[#out + 1] = in_code and ".PP\n.nf\n.RS 4" or ".RE\n.fi"
    elseif in_code then
      out[#out + 1] = esc(line) == "" and "" or ("\\&" .. esc(line))
    elseif line:match("^|") then
      if not in_table then out[#out + 1] = ".PP\n.nf" end
      in_table = true
      if not line:match("^|%s*%-%-%-") then out[#out + 1] = "\\&" .. esc(line) end
    else
      if in_table then out[#out + 1] = ".fi" end
      in_table = false
      local level, title = line:match("^(#+)%s+(.*)$")
      if level then
        if #level <= 1 then
          out[#out + 1] = ".SH DESCRIPTION"
        else
          out[#out + 1] = (#level == 2 and ".SH " or ".SS ") .. inline(title):upper()
        end
      elseif line == "" then
        out[#out + 1] = ".PP"
      elseif line:match("^%s*[-*] ") then
        out[#out + 1] = ".IP \\(bu 2\n" .. inline(line:gsub("^%s*[-*] ", ""))
      else
        out[#out + 1] = inline(line)
      end
    end
  end
  if in_table then out[#out + 1] = ".fi" end
  out[#out + 1] = ".SH SEE ALSO\n.BR nethost (1)"
  return table.concat(out, "\n") .. "\n"
end

return M
