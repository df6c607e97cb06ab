#!/bin/sh
# nethost(1) and nethost-sim(1) say what --help says: every command, and every option line
# of every command's help (option and text), is in the page; every option the page lists
# is in some --help. The bash completion completes commands, options, playbooks and -l
# names from the inventory given with -i.
# usage: test_man.sh BUILD_DIR
set -u
B=$1
N="$B/bin/nethost"
GEN="$B/share/nethost/generated"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }

"$N" help >"$tmp/help.top" || fail "nethost help"
cmds=$(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' "$tmp/help.top")
[ -n "$cmds" ] || fail "no commands in nethost help"
for c in $cmds; do "$N" help "$c" >"$tmp/help.$c" || fail "nethost help $c"; done
"$B/bin/nethost-sim" --help >"$tmp/help.sim" 2>&1
"$PY" - "$GEN" "$tmp" $cmds <<'PYEOF' || exit 1
import re, sys
gen, tmp, cmds = sys.argv[1], sys.argv[2], sys.argv[3:]

def unroff(path):
    out = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith(".TH") or line.startswith('.\\"'):
            continue
        if line.startswith("."):
            m = re.match(r"^\.(SH|SS|B|I|BR)\s+(.*)$", line)
            if not m:
                out.append("\n")
                continue
            line = m.group(2)
        line = re.sub(r"\\f[BIR]", "", line)
        line = line.replace("\\-", "-").replace("\\&", "").replace("\\(em", "--").replace("\\(bu", "*")
        line = line.replace("\\e", "\\")
        out.append(line)
    return re.sub(r"\s+", " ", " ".join(out))

def options(help_text):
    """(option spec, its text with continuation lines) of a help text."""
    opts, cur = [], None
    for line in help_text.split("\n"):
        m = re.match(r"^( {2,8})(-\S.*?)(?:\s{2,}(\S.*))?$", line)
        if m and not (m.group(3) is None and "  " in m.group(2)):
            cur = [m.group(2).strip(), m.group(3) or ""]
            opts.append(cur)
        elif cur and re.match(r"^\s{4,}\S", line):
            cur[1] += " " + line.strip()
        else:
            cur = None
    return opts

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

man = unroff(gen + "/nethost.1")
listed = set()
for c in cmds:
    text = open("%s/help.%s" % (tmp, c), encoding="utf-8").read()
    if (" %s -- " % c) not in man:
        fail("nethost.1 has no section for command %s" % c)
    for spec, desc in options(text):
        listed.add(spec)
        want = re.sub(r"\s+", " ", (spec + " " + desc).strip())
        if want not in man:
            fail("nethost.1 lacks, for '%s': %r" % (c, want))
# Every option the page shows comes from some --help.
page_opts = re.findall(r"^\.TP\n\\fB(.*?)\\fR$", open(gen + "/nethost.1").read(), re.M)
for o in page_opts:
    o = o.replace("\\-", "-").replace("\\e", "\\")
    if o not in listed:
        fail("nethost.1 lists %r, which no --help has" % o)
if len(page_opts) < 20:
    fail("nethost.1 lists only %d options" % len(page_opts))
for section in ("EXIT STATUS", "ENVIRONMENT", "FILES", "NETHOST_INVENTORY"):
    if section not in man:
        fail("nethost.1 lacks %s" % section)
sim = unroff(gen + "/nethost-sim.1")
sim_opts = options("\n".join("  " + l if l.startswith("--") else l for l in open(tmp + "/help.sim").read().split("\n")))
if len(sim_opts) < 10:
    fail("nethost-sim --help: only %d options read" % len(sim_opts))
for spec, desc in sim_opts:
    want = re.sub(r"\s+", " ", (spec + " " + desc).strip())
    if want not in sim:
        fail("nethost-sim.1 lacks %r" % want)
api = unroff(gen + "/nethost-playbook.7")
for word in ("nethost.run", "async.sleep", "NAME"):
    if word not in api:
        fail("nethost-playbook.7 lacks %s" % word)
print("man pages agree with --help: %d commands, %d options, %d nethost-sim options" % (len(cmds), len(listed), len(sim_opts)))
PYEOF

# The completion, driven the way bash drives it.
command -v bash >/dev/null || { echo "no bash: completion not checked"; exit 0; }
mkdir -p "$tmp/bin" "$tmp/pb"
ln -s "$(cd "$B/bin" && pwd)/nethost" "$tmp/bin/nethost"
touch "$tmp/pb/audit.lua" "$tmp/pb/notes.txt"
cat >"$tmp/inv.yaml" <<'YAML'
groups:
  core: {}
  access: {}
hosts:
  core-1: {address: 127.0.0.1, platform: cisco_ios, groups: [core]}
  acc-1: {address: 127.0.0.2, platform: arista_eos, groups: [access]}
YAML
"$N" inventory -i "$tmp/inv.yaml" >/dev/null 2>&1 || fail "test inventory does not load"
complete_words() { # WORDS... -> the completions, one per line
  PATH="$tmp/bin:$PATH" bash -c '
    complete() { :; }; compopt() { :; }
    . "$0"
    shift 0
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _nethost
    printf "%s\n" "${COMPREPLY[@]}"' "$GEN/nethost.bash" "$@"
}
bash -n "$GEN/nethost.bash" || fail "nethost.bash: syntax"
complete_words nethost ru | grep -qx run || fail "command completion"
complete_words nethost run --inv | grep -qx -- --inventory || fail "option completion"
complete_words nethost lab --p | grep -qx -- --port || fail "lab --port completion"
(cd "$tmp/pb" && complete_words nethost run "") >"$tmp/c" 
grep -qx audit.lua "$tmp/c" && ! grep -q notes.txt "$tmp/c" || fail "playbook completion: $(cat "$tmp/c")"
complete_words nethost run x.lua -i "$tmp/inv.yaml" -l co >"$tmp/c"
grep -qx core "$tmp/c" && grep -qx core-1 "$tmp/c" || fail "-l completion: $(cat "$tmp/c")"
complete_words nethost run x.lua -i "$tmp/inv.yaml" -l platform= >"$tmp/c"
grep -qx platform=cisco_ios "$tmp/c" || fail "-l platform= completion: $(cat "$tmp/c")"
echo "docs.man: ok"
