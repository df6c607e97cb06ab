-- Shell completion for nethost, generated from the same help texts as --help and the
-- manual (cli.commands()): commands, each command's options, playbook files, and -l
-- completing group and host names from the inventory given with -i (or
-- $NETHOST_INVENTORY), asked from `nethost inventory` itself.

local manpage = require("nethost.manpage")

local M = {}

-- The options a help text lists: {"-i", "--inventory"}, and which of them take a value.
local function options_of(help)
  local opts, takes = {}, {}
  for line in (help .. "\n"):gmatch("([^\n]*)\n") do
    local spec = manpage.option_line(line)
    if spec then
      local value = spec:match("[%s=]([A-Z][A-Z0-9_:/'.%-]*)$") or spec:match("%s'")
      for o in spec:gmatch("(%-%-?[%w][%w-]*)") do
        opts[#opts + 1] = o
        if value then takes[#takes + 1] = o end
      end
    end
  end
  return opts, takes
end

--- completion.bash(commands) -> a bash completion script (for
--- /usr/share/bash-completion/completions/nethost).
function M.bash(commands)
  local names, cases, takes_all, seen = {}, {}, {}, {}
  for _, c in ipairs(commands) do
    names[#names + 1] = c.name
    local opts, takes = options_of(c.help)
    cases[#cases + 1] = ("    %s) opts=%q ;;"):format(c.name, table.concat(opts, " "))
    for _, t in ipairs(takes) do
      if not seen[t] then
        seen[t] = true
        takes_all[#takes_all + 1] = t
      end
    end
  end
  table.sort(takes_all)
  return ([=[
# bash completion for nethost. Generated from nethost's --help texts by
# lua/nethost/completion.lua: edit the help text, not this file.

# The groups and hosts of the inventory named by -i on the command line (or
# $NETHOST_INVENTORY), and the platforms as platform=NAME.
_nethost_inventory_names() {
  local inv="${NETHOST_INVENTORY:-}" i
  for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
    case "${COMP_WORDS[i]}" in
      -i|--inventory) inv="${COMP_WORDS[i+1]}" ;;
      --inventory=*) inv="${COMP_WORDS[i]#--inventory=}" ;;
    esac
  done
  [ -n "$inv" ] || return 0
  inv="${inv/#\~/$HOME}"
  nethost inventory -i "$inv" --groups 2>/dev/null | awk '{print $1}'
  nethost inventory -i "$inv" 2>/dev/null | awk '{print $1; if ($3 != "-") print "platform=" $3}' | sort -u
}

_nethost() {
  local cur prev cmd opts words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  cmd="${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "%s --help --version" -- "$cur"))
    return 0
  fi
  case "$prev" in
    -l|--limit)
      local IFS=$'\n'
      COMPREPLY=($(compgen -W "$(_nethost_inventory_names)" -- "$cur"))
      return 0 ;;
    --plugins|--dir|--state-dir)
      COMPREPLY=($(compgen -d -- "$cur"))
      return 0 ;;
    %s)
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0 ;;
  esac
  case "$cmd" in
%s
    *) opts="" ;;
  esac
  if [ "$cmd" = help ]; then
    COMPREPLY=($(compgen -W "%s" -- "$cur"))
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ "$cmd" = run ] || [ "$cmd" = lab ]; then
    # Playbooks: Lua files and the folders that may hold them.
    if [ "$cmd" = lab ] && [ "$COMP_CWORD" -eq 2 ]; then
      COMPREPLY=($(compgen -W "start stop run" -- "$cur"))
    else
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.lua' -- "$cur"))
    fi
  else
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
  return 0
}
complete -F _nethost nethost
]=]):format(table.concat(names, " "), table.concat(takes_all, "|"), table.concat(cases, "\n"),
            table.concat(names, " "))
end

return M
