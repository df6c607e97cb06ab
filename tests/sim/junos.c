/* The juniper_junos personality: an MX/EX running Junos. The configuration is kept in set
 * form (one line per statement, as `| display set` shows it); `show configuration` renders
 * the curly-brace form from it. Configure mode edits a candidate; commit makes it the
 * running configuration and keeps the previous ones for `rollback N`; `commit confirmed N`
 * rolls back by itself unless confirmed by another commit within N minutes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "junos_file.h"
#include "netconf.h"

#define HISTORY 50

typedef struct {
  char **lines;
  size_t n, cap;
} setconf_t;

typedef struct {
  setconf_t history[HISTORY]; /* [0] is the running configuration */
  int nhistory;
  setconf_t candidate;
  int editing; /* the candidate differs from [0] */
  uv_timer_t confirm_timer;
  int timer_init, confirm_pending;
  uint64_t confirm_due_ms; /* when an unconfirmed commit rolls back */
  time_t last_commit;
  /* show system commit: when each history entry was made and how */
  time_t when[HISTORY];
  char how[HISTORY][80];
} junos_t;

static const char *const versions[] = {"20.4R3-S2", "21.2R3-S4", "21.4R3-S3", "22.2R3",
                                       "22.4R2-S1", "23.2R1",    "21.4R3-S5", NULL};
static const char *const models[] = {"mx204", "ex4300-48t", "qfx5120-48y", NULL};

static junos_t *state(sim_device_t *dev) {
  return dev->pstate;
}

/* ---- set-form configurations ---- */

static void sc_add(setconf_t *c, const char *line) {
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 64;
    c->lines = sim_realloc(c->lines, c->cap * sizeof *c->lines);
  }
  c->lines[c->n++] = sim_strdup(line);
}

static void sc_free(setconf_t *c) {
  for (size_t i = 0; i < c->n; i++) free(c->lines[i]);
  free(c->lines);
  memset(c, 0, sizeof *c);
}

static void sc_copy(setconf_t *dst, const setconf_t *src) {
  sc_free(dst);
  for (size_t i = 0; i < src->n; i++) sc_add(dst, src->lines[i]);
}

static int sc_has(const setconf_t *c, const char *line) {
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->lines[i], line) == 0) return 1;
  return 0;
}

static int sc_equal(const setconf_t *a, const setconf_t *b) {
  if (a->n != b->n) return 0;
  for (size_t i = 0; i < a->n; i++)
    if (strcmp(a->lines[i], b->lines[i]) != 0) return 0;
  return 1;
}

/* Removes every line under path ("set system ntp"): word boundary respected. */
static int sc_delete(setconf_t *c, const char *path) {
  size_t l = strlen(path), k = 0;
  int removed = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (strncmp(c->lines[i], path, l) == 0 && (c->lines[i][l] == '\0' || c->lines[i][l] == ' ')) {
      free(c->lines[i]);
      removed++;
    } else {
      c->lines[k++] = c->lines[i];
    }
  }
  c->n = k;
  return removed;
}

/* Statements that take one value: setting them replaces the old value. */
static const char *const single[] = {"set system host-name",   "set system time-zone",
                                     "set snmp location",      "set snmp contact",
                                     "set system domain-name", NULL};

/* Replaces the statements under path with line, keeping the place of the first one (Junos
 * shows statements in a fixed order, so a new description stays where the old one was).
 * Returns 0 when there was nothing to replace. */
static int sc_replace(setconf_t *c, const char *path, const char *line) {
  size_t l = strlen(path);
  for (size_t i = 0; i < c->n; i++) {
    if (strncmp(c->lines[i], path, l) != 0 || (c->lines[i][l] != ' ' && c->lines[i][l])) continue;
    free(c->lines[i]);
    c->lines[i] = sim_strdup(line);
    /* Drop the other values under path, if any. */
    size_t k = i + 1;
    for (size_t j = i + 1; j < c->n; j++) {
      if (strncmp(c->lines[j], path, l) == 0 && (c->lines[j][l] == ' ' || !c->lines[j][l]))
        free(c->lines[j]);
      else
        c->lines[k++] = c->lines[j];
    }
    c->n = k;
    return 1;
  }
  return 0;
}

static void sc_set(setconf_t *c, const char *line) {
  if (sc_has(c, line)) return;
  for (const char *const *s = single; *s; s++)
    if (strncmp(line, *s, strlen(*s)) == 0 && line[strlen(*s)] == ' ' && sc_replace(c, *s, line))
      return;
  /* "description" of an interface or unit is single-valued too. */
  const char *d = strstr(line, " description ");
  if (d && strncmp(line, "set interfaces ", 15) == 0) {
    char path[512];
    snprintf(path, sizeof path, "%.*s description", (int)(d - line), line);
    if (sc_replace(c, path, line)) return;
  }
  sc_add(c, line);
}

/* ---- the hierarchy of a set statement ---- */

/* Splits a statement into words; a quoted string ("uplink to core") stays one word. */
static int jwords(const char *s, char *buf, size_t bufsz, char **w, int max) {
  snprintf(buf, bufsz, "%s", s);
  int n = 0;
  char *p = buf;
  while (*p && n < max) {
    while (*p == ' ') *p++ = '\0';
    if (!*p) break;
    w[n++] = p;
    if (*p == '"') {
      char *q = strchr(p + 1, '"');
      p = q ? q + 1 : p + strlen(p);
    }
    while (*p && *p != ' ') p++;
  }
  return n;
}

/* Keywords that name an object: the keyword and the name make one level ("unit 0"). */
static const char *const named[] = {
    "unit",    "family",    "user",  "host",        "community",
    "group",   "neighbor",  "term",  "file",        "policy-statement",
    "area",    "interface", "class", "prefix-list", "trap-group",
    "policer", "filter",    NULL};
/* Plain containers: one word, one level, when something follows them. */
static const char *const containers[] = {"system",
                                         "services",
                                         "ssh",
                                         "netconf",
                                         "login",
                                         "syslog",
                                         "ntp",
                                         "root-authentication",
                                         "authentication",
                                         "protocols",
                                         "lldp",
                                         "ospf",
                                         "bgp",
                                         "rstp",
                                         "routing-options",
                                         "static",
                                         "snmp",
                                         "chassis",
                                         "aggregated-devices",
                                         "ethernet",
                                         "policy-options",
                                         "firewall",
                                         "from",
                                         "then",
                                         "vlan",
                                         "source-address",
                                         "destination-address",
                                         "forwarding-options",
                                         "name-server",
                                         "targets",
                                         "web-management",
                                         "interfaces",
                                         "vlans",
                                         "filter",
                                         "if-exceeding",
                                         "source-prefix-list",
                                         NULL};

static int in_list(const char *w, const char *const *list) {
  for (const char *const *p = list; *p; p++)
    if (strcmp(*p, w) == 0) return 1;
  return 0;
}

/* Where a statement sits: up to maxc levels, level k made of clen[k] words from cstart[k],
 * then the leaf statement from word *leaf on (n when `all` asks for levels only, as an edit
 * path is). Returns the number of levels. */
static int levels_of(char **w, int n, int all, int *cstart, int *clen, int maxc, int *leaf) {
  int k = 0, i = 0;
  while (i < n && k < maxc) {
    int rest = n - i - 1;
    if (!all && rest == 0) break;
    int width = 0;
    /* The children of "interfaces" and "vlans" are names. */
    if (k == 1 && clen[0] == 1 && (strcmp(w[0], "interfaces") == 0 || strcmp(w[0], "vlans") == 0))
      width = 1;
    else if (in_list(w[i], named) && (all ? rest >= 1 : rest >= 2) &&
             !(strcmp(w[i], "filter") == 0 && strcmp(w[0], "firewall") != 0))
      width = 2;
    else if (in_list(w[i], containers) || all)
      width = 1;
    if (!width) break;
    cstart[k] = i;
    clen[k] = width;
    k++;
    i += width;
  }
  *leaf = i;
  return k;
}

/* "interfaces ge-0/0/1" for the first `upto` levels. */
static void join_words(char **w, int from, int to, char *out, size_t n) {
  out[0] = '\0';
  for (int i = from; i < to; i++) {
    if (i > from) strncat(out, " ", n - strlen(out) - 1);
    strncat(out, w[i], n - strlen(out) - 1);
  }
}

/* ---- rendering the brace form ---- */

typedef struct jnode {
  char *label; /* "system", "unit 0", or a leaf statement */
  int leaf;
  struct jnode **kids;
  size_t n, cap;
} jnode_t;

static jnode_t *jn_child(jnode_t *parent, const char *label, int leaf, int create) {
  for (size_t i = 0; i < parent->n; i++)
    if (parent->kids[i]->leaf == leaf && strcmp(parent->kids[i]->label, label) == 0)
      return parent->kids[i];
  if (!create) return NULL;
  if (parent->n == parent->cap) {
    parent->cap = parent->cap ? parent->cap * 2 : 8;
    parent->kids = sim_realloc(parent->kids, parent->cap * sizeof *parent->kids);
  }
  jnode_t *c = sim_calloc(1, sizeof *c);
  c->label = sim_strdup(label);
  c->leaf = leaf;
  parent->kids[parent->n++] = c;
  return c;
}

static void jn_free(jnode_t *n) {
  for (size_t i = 0; i < n->n; i++) jn_free(n->kids[i]);
  free(n->kids);
  free(n->label);
  free(n);
}

/* The tree of a set-form configuration: statements merge under their common levels, in
 * the order they were first configured, the way Junos shows one `system { }` block however
 * the set lines were typed. */
static jnode_t *jn_build(const setconf_t *c) {
  jnode_t *root = sim_calloc(1, sizeof *root);
  root->label = sim_strdup("");
  for (size_t i = 0; i < c->n; i++) {
    if (strncmp(c->lines[i], "set ", 4) != 0) continue;
    char buf[1024], *w[64], label[512];
    int cs[32], cl[32], leaf;
    int n = jwords(c->lines[i] + 4, buf, sizeof buf, w, 64);
    int k = levels_of(w, n, 0, cs, cl, 32, &leaf);
    jnode_t *at = root;
    for (int j = 0; j < k; j++) {
      join_words(w, cs[j], cs[j] + cl[j], label, sizeof label);
      at = jn_child(at, label, 0, 1);
    }
    join_words(w, leaf, n, label, sizeof label);
    if (label[0]) jn_child(at, label, 1, 1);
  }
  return root;
}

/* The node at an edit path ("interfaces ge-0/0/1"), or NULL. */
static jnode_t *jn_find(jnode_t *root, const char *path) {
  char buf[1024], *w[64], label[512];
  int cs[32], cl[32], leaf;
  int n = jwords(path, buf, sizeof buf, w, 64);
  int k = levels_of(w, n, 1, cs, cl, 32, &leaf);
  jnode_t *at = root;
  for (int j = 0; j < k && at; j++) {
    join_words(w, cs[j], cs[j] + cl[j], label, sizeof label);
    at = jn_child(at, label, 0, 0);
  }
  return at;
}

static int secret(const char *leaf) {
  return strncmp(leaf, "encrypted-password ", 19) == 0 || strncmp(leaf, "secret ", 7) == 0 ||
         strncmp(leaf, "authentication-key ", 19) == 0;
}

static void jn_render(const jnode_t *n, sbuf_t *out, int depth) {
  for (size_t i = 0; i < n->n; i++) {
    const jnode_t *k = n->kids[i];
    if (k->leaf) {
      sb_printf(out, "%*s%s;%s\n", depth * 4, "", k->label,
                secret(k->label) ? " ## SECRET-DATA" : "");
    } else if ((strcmp(k->label, "from") == 0 || strcmp(k->label, "then") == 0) && k->n == 1 &&
               k->kids[0]->leaf) {
      /* A match or an action with one statement stays on one line ("then accept;"). */
      sb_printf(out, "%*s%s %s;\n", depth * 4, "", k->label, k->kids[0]->label);
    } else {
      sb_printf(out, "%*s%s {\n", depth * 4, "", k->label);
      jn_render(k, out, depth + 1);
      sb_printf(out, "%*s}\n", depth * 4, "");
    }
  }
}

/* The brace form of c, or of the part of it under path (NULL: all of it). */
static void render_braces(const setconf_t *c, const char *path, sbuf_t *out) {
  jnode_t *root = jn_build(c);
  const jnode_t *at = path && *path ? jn_find(root, path) : root;
  if (at) jn_render(at, out, 0);
  jn_free(root);
}

/* set lines of c under path (NULL: all). */
static void render_set(const setconf_t *c, const char *path, sbuf_t *out) {
  char prefix[300];
  snprintf(prefix, sizeof prefix, "set %s", path ? path : "");
  size_t l = strlen(prefix);
  for (size_t i = 0; i < c->n; i++)
    if (!path || !*path ||
        (strncmp(c->lines[i], prefix, l) == 0 && (c->lines[i][l] == ' ' || !c->lines[i][l])))
      sb_printf(out, "%s\n", c->lines[i]);
}

/* "show | compare": the changes grouped under the level they sit at, "-" for what the
 * candidate removes and "+" for what it adds, as Junos prints them. */
static void render_compare(const setconf_t *from, const setconf_t *to, sbuf_t *out) {
  /* Each change as (level, sign, statement); printed grouped by level in the order the
   * levels first changed, removals before additions. */
  typedef struct {
    char hdr[300], stmt[300];
    char sign;
  } change_t;
  change_t *ch = NULL;
  size_t n = 0, cap = 0;
  for (int pass = 0; pass < 2; pass++) {
    const setconf_t *a = pass ? to : from, *b = pass ? from : to;
    for (size_t i = 0; i < a->n; i++) {
      if (sc_has(b, a->lines[i]) || strncmp(a->lines[i], "set ", 4) != 0) continue;
      char buf[1024], *w[64], lv[600];
      int cs[32], cl[32], leaf;
      int nw = jwords(a->lines[i] + 4, buf, sizeof buf, w, 64);
      int k = levels_of(w, nw, 0, cs, cl, 32, &leaf);
      if (n == cap) ch = sim_realloc(ch, (cap = cap ? cap * 2 : 16) * sizeof *ch);
      join_words(w, 0, k ? cs[k - 1] + cl[k - 1] : 0, lv, sizeof lv);
      snprintf(ch[n].hdr, sizeof ch[n].hdr, "[edit%s%.290s]", k ? " " : "", lv);
      join_words(w, leaf, nw, lv, sizeof lv);
      snprintf(ch[n].stmt, sizeof ch[n].stmt, "%.299s", lv);
      ch[n++].sign = pass ? '+' : '-';
    }
  }
  for (size_t i = 0; i < n; i++) {
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++) seen = strcmp(ch[j].hdr, ch[i].hdr) == 0;
    if (seen) continue;
    sb_printf(out, "%s\n", ch[i].hdr);
    for (size_t j = i; j < n; j++)
      if (strcmp(ch[j].hdr, ch[i].hdr) == 0) sb_printf(out, "%c   %s;\n", ch[j].sign, ch[j].stmt);
  }
  free(ch);
}

/* ---- interfaces ---- */

static const char *hostname(sim_device_t *dev) {
  setconf_t *c = &state(dev)->history[0];
  for (size_t i = 0; i < c->n; i++)
    if (strncmp(c->lines[i], "set system host-name ", 21) == 0) return c->lines[i] + 21;
  return dev->name;
}

static int port_disabled(sim_device_t *dev, int port) {
  char line[64];
  snprintf(line, sizeof line, "set interfaces ge-0/0/%d disable", port);
  return sc_has(&state(dev)->history[0], line);
}

static const char *port_value(sim_device_t *dev, int port, const char *what, char *buf, size_t n) {
  char path[96];
  snprintf(path, sizeof path, "set interfaces ge-0/0/%d %s ", port, what);
  setconf_t *c = &state(dev)->history[0];
  for (size_t i = 0; i < c->n; i++)
    if (strncmp(c->lines[i], path, strlen(path)) == 0) {
      /* Values are stored as typed; the operational commands show them unquoted. */
      const char *v = c->lines[i] + strlen(path);
      size_t l = strlen(v);
      if (l >= 2 && v[0] == '"' && v[l - 1] == '"')
        snprintf(buf, n, "%.*s", (int)(l - 2), v + 1);
      else
        snprintf(buf, n, "%s", v);
      return buf;
    }
  return NULL;
}

#define PORTS 24

static int link_up(sim_device_t *dev, int port) {
  return !port_disabled(dev, port) && sim_hash(dev->seed, (uint64_t)port + 7) % 5 != 0;
}

static void show_terse(sim_cli_t *cli, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  sb_puts(out, "Interface               Admin Link Proto    Local                 Remote\n");
  for (int p = 0; p < PORTS; p++) {
    char name[32], addr[64];
    snprintf(name, sizeof name, "ge-0/0/%d", p);
    const char *admin = port_disabled(dev, p) ? "down" : "up";
    const char *link = link_up(dev, p) ? "up" : "down";
    sb_printf(out, "%-23s %-5s %s\n", name, admin, link);
    if (port_value(dev, p, "unit 0 family inet address", addr, sizeof addr)) {
      char unit[40];
      snprintf(unit, sizeof unit, "%s.0", name);
      sb_printf(out, "%-23s %-5s %-4s inet     %s\n", unit, admin, link, addr);
    } else if (port_value(dev, p, "unit 0 family ethernet-switching vlan members", addr,
                          sizeof addr)) {
      char unit[40];
      snprintf(unit, sizeof unit, "%s.0", name);
      sb_printf(out, "%-23s %-5s %-4s eth-switch\n", unit, admin, link);
    }
  }
  sb_puts(out, "lo0                     up    up\n"
               "lo0.0                   up    up   inet     127.0.0.1           --> 0/0\n"
               "em0                     up    up\n");
}

static void show_interfaces(sim_cli_t *cli, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  for (int p = 0; p < PORTS; p++) {
    char desc[128], addr[64];
    int up = link_up(dev, p);
    uint64_t h = sim_hash(dev->seed, (uint64_t)p + 99);
    unsigned long in_err = h % 11 == 0 ? 150 + (h >> 8) % 900 : 0;
    sb_printf(out, "Physical interface: ge-0/0/%d, %s, Physical link is %s\n", p,
              port_disabled(dev, p) ? "Administratively down" : "Enabled", up ? "Up" : "Down");
    sb_printf(out, "  Interface index: %d, SNMP ifIndex: %d\n", 148 + p, 500 + p);
    if (port_value(dev, p, "description", desc, sizeof desc))
      sb_printf(out, "  Description: %s\n", desc);
    sb_printf(out, "  Link-level type: Ethernet, MTU: 1514, LAN-PHY mode, Speed: 1000mbps, "
                   "BPDU Error: None, Loopback: Disabled, Source filtering: Disabled, "
                   "Flow control: Enabled\n");
    sb_printf(
        out,
        "  Device flags   : Present Running\n  Interface flags: SNMP-Traps Internal: 0x4000\n");
    sb_printf(out,
              "  Current address: 2c:6b:f5:%02x:%02x:%02x, Hardware address: "
              "2c:6b:f5:%02x:%02x:%02x\n",
              dev->index >> 8 & 255, dev->index & 255, p, dev->index >> 8 & 255, dev->index & 255,
              p);
    sb_printf(out, "  Last flapped   : 2026-10-01 08:00:00 UTC (7w2d 02:00 ago)\n"
                   "  Input rate     : 1200 bps (2 pps)\n  Output rate    : 3400 bps (3 pps)\n");
    sb_printf(out,
              "  Input errors:\n    Errors: %lu, Drops: 0, Framing errors: %lu, Runts: 0\n"
              "  Output errors:\n    Carrier transitions: 1, Errors: 0, Drops: 0\n",
              in_err, in_err / 2);
    char local[64] = "", bcast[64] = "";
    if (port_value(dev, p, "unit 0 family inet address", addr, sizeof addr)) {
      /* Junos: the subnet, the address itself, and the subnet's broadcast. */
      unsigned a, b, c, d, len = 32;
      if (sscanf(addr, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &len) == 5 && len >= 24) {
        unsigned host = len >= 32 ? 0 : (1u << (32 - len)) - 1;
        snprintf(local, sizeof local, "%u.%u.%u.%u", a, b, c, d);
        snprintf(bcast, sizeof bcast, "%u.%u.%u.%u", a, b, c, (d & ~host) | host);
        snprintf(addr, sizeof addr, "%u.%u.%u.%u/%u", a, b, c, d & ~host, len);
      } else {
        snprintf(local, sizeof local, "%s", addr);
        snprintf(bcast, sizeof bcast, "%s", addr);
      }
    }
    if (local[0])
      sb_printf(out,
                "  Logical interface ge-0/0/%d.0 (Index 70%d) (SNMP ifIndex 60%d)\n"
                "    Flags: Up SNMP-Traps 0x4000 Encapsulation: ENET2\n"
                "    Input packets : %lu\n    Output packets: %lu\n"
                "    Protocol inet, MTU: 1500\n      Addresses, Flags: Is-Preferred Is-Primary\n"
                "        Destination: %s, Local: %s, Broadcast: %s\n",
                p, p, p, (unsigned long)(h % 100000), (unsigned long)(h >> 20) % 100000, addr,
                local, bcast);
    sb_puts(out, "\n");
  }
}

static void show_version(sim_cli_t *cli, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  sb_printf(out, "Hostname: %s\nModel: %s\nJunos: %s\n", hostname(dev), dev->model, dev->version);
  sb_printf(out,
            "JUNOS OS Kernel 64-bit  [20211027.33cbd81_builder_stable_12]\n"
            "JUNOS OS libs [20211027.33cbd81_builder_stable_12]\n"
            "JUNOS OS runtime [20211027.33cbd81_builder_stable_12]\n"
            "JUNOS Packet Forwarding Engine Support (MX/EX Common) [%s]\n"
            "JUNOS Routing Software Suite [%s]\n",
            dev->version, dev->version);
}

static void show_uptime(sim_cli_t *cli, sbuf_t *out) {
  char now[64], boot[64];
  time_t t = time(NULL);
  strftime(now, sizeof now, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
  strftime(boot, sizeof boot, "%Y-%m-%d %H:%M:%S UTC", gmtime(&cli->dev->boot_time));
  long up = (long)(t - cli->dev->boot_time);
  sb_printf(
      out,
      "Current time: %s\nTime Source:  NTP CLOCK\nSystem booted: %s (%ldw%ldd %02ld:%02ld ago)\n",
      now, boot, up / 604800, up % 604800 / 86400, up % 86400 / 3600, up % 3600 / 60);
}

static void show_hardware(sim_cli_t *cli, sbuf_t *out) {
  sb_printf(
      out,
      "Hardware inventory:\nItem             Version  Part number  Serial number     Description\n"
      "Chassis                                    %-17s %s\n"
      "Routing Engine 0 REV 09   750-055976   %-17s RE-S-1600x8\n"
      "FPC 0            REV 05   750-064317   %-17s FPC\n",
      cli->dev->serial, cli->dev->model, "CAEA4721", "CAEB8802");
}

static void show_lldp(sim_cli_t *cli, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  const sim_device_t *peer = sim_pair_partner(dev);
  int partner = peer->index;
  sb_puts(out, "Local Interface    Parent Interface    Chassis Id          Port info          "
               "System Name\n");
  sb_printf(out,
            "ge-0/0/22          -                   2c:6b:f5:00:%02x:16   ge-0/0/22          %s\n"
            "ge-0/0/23          -                   2c:6b:f5:00:%02x:17   ge-0/0/23          %s\n",
            partner & 255, peer->name, partner & 255, peer->name);
}

static void show_vlans(sim_cli_t *cli, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  setconf_t *c = &state(dev)->history[0];
  sb_puts(out, "Routing instance        VLAN name             Tag          Interfaces\n");
  for (size_t i = 0; i < c->n; i++) {
    char name[64];
    int tag;
    if (sscanf(c->lines[i], "set vlans %63s vlan-id %d", name, &tag) != 2) continue;
    sb_printf(out, "default-switch          %-21s %-12d\n", name, tag);
    /* Members: access ports of this VLAN, "*" when their link is up. */
    for (int p = 0; p < PORTS; p++) {
      char v[64];
      if (!port_value(dev, p, "unit 0 family ethernet-switching vlan members", v, sizeof v) ||
          strcmp(v, name) != 0)
        continue;
      sb_printf(out, "%59sge-0/0/%d.0%s\n", "", p, link_up(dev, p) ? "*" : "");
    }
  }
}

/* ---- commands ---- */

static void syntax_error(sim_cli_t *cli, size_t col, sbuf_t *out) {
  cli->error = 1;
  for (size_t i = 0; i < col + (size_t)cli->prompt_len; i++) sb_putc(out, ' ');
  sb_puts(out, "^\nsyntax error.\n");
}

/* Makes cfg the running configuration, the old ones moving down the rollback history. */
static void push_history(junos_t *st, const setconf_t *cfg, const char *how) {
  sc_free(&st->history[HISTORY - 1]);
  memmove(&st->history[1], &st->history[0], (HISTORY - 1) * sizeof st->history[0]);
  memmove(&st->when[1], &st->when[0], (HISTORY - 1) * sizeof st->when[0]);
  memmove(&st->how[1], &st->how[0], (HISTORY - 1) * sizeof st->how[0]);
  memset(&st->history[0], 0, sizeof st->history[0]);
  sc_copy(&st->history[0], cfg);
  st->when[0] = time(NULL);
  snprintf(st->how[0], sizeof st->how[0], "%s", how);
  if (st->nhistory < HISTORY) st->nhistory++;
  st->last_commit = st->when[0];
}

static void on_confirm_timeout(uv_timer_t *t) {
  sim_device_t *dev = t->data;
  junos_t *st = state(dev);
  if (!st->confirm_pending || st->nhistory < 2) return;
  /* Not confirmed: back to the configuration before the confirmed commit, which Junos
   * records as a commit of its own. */
  setconf_t prev = {0};
  sc_copy(&prev, &st->history[1]);
  push_history(st, &prev, "by root via other");
  sc_free(&prev);
  st->confirm_pending = 0;
}

static void commit(sim_cli_t *cli, sbuf_t *out, int confirm_minutes, const char *comment) {
  sim_device_t *dev = cli->dev;
  junos_t *st = state(dev);
  int confirming = st->confirm_pending;
  if (st->confirm_pending && st->timer_init) uv_timer_stop(&st->confirm_timer);
  st->confirm_pending = 0;
  char how[80];
  if (confirm_minutes > 0)
    snprintf(how, sizeof how, "by admin via cli commit confirmed, rollback in %dmins",
             confirm_minutes);
  else if (comment && *comment)
    snprintf(how, sizeof how, "by admin via cli\n    %.56s", comment);
  else
    snprintf(how, sizeof how, "by admin via cli");
  /* A commit that only confirms an earlier "commit confirmed" is still a commit. */
  if (!sc_equal(&st->candidate, &st->history[0]) || confirming || confirm_minutes > 0)
    push_history(st, &st->candidate, how);
  st->last_commit = time(NULL);
  if (confirm_minutes > 0) {
    if (!st->timer_init) {
      uv_timer_init(dev->lab->loop, &st->confirm_timer);
      st->confirm_timer.data = dev;
      st->timer_init = 1;
    }
    int unit = dev->lab->opt.confirm_unit_ms > 0 ? dev->lab->opt.confirm_unit_ms : 60000;
    uint64_t ms = (uint64_t)confirm_minutes * (uint64_t)unit;
    uv_timer_start(&st->confirm_timer, on_confirm_timeout, ms, 0);
    st->confirm_pending = 1;
    st->confirm_due_ms = sim_now_ms() + ms;
    sb_printf(out,
              "commit confirmed will be automatically rolled back in %d minutes unless confirmed\n",
              confirm_minutes);
  }
  sb_puts(out, "commit complete\n");
}

static void show_commits(sim_cli_t *cli, sbuf_t *out) {
  junos_t *st = state(cli->dev);
  for (int i = 0; i < st->nhistory; i++) {
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&st->when[i]));
    sb_printf(out, "%-3d %s %s\n", i, when, st->how[i]);
  }
}

static const char *const op_patterns[] = {"show version",
                                          "show configuration ...",
                                          "show interfaces terse",
                                          "show interfaces ...",
                                          "show system information",
                                          "show system uptime",
                                          "show system commit",
                                          "show chassis hardware",
                                          "show lldp neighbors",
                                          "show vlans",
                                          "set cli screen-length *",
                                          "set cli screen-width *",
                                          "configure ...",
                                          "exit",
                                          "quit",
                                          "ping ...",
                                          NULL};

/* "show configuration system ntp" -> "system ntp" (the words after the command). */
static const char *after_words(const char *line, char **tok, char *b, int n, int k) {
  return n > k ? line + (tok[k] - b) : "";
}

/* An operational-mode command: line split into n words tok[] in b (command() does it). */
static void operational(sim_cli_t *cli, const char *line, char **tok, int n, char *b, sbuf_t *out) {
  junos_t *st = state(cli->dev);
  if (n == 4 && cli_match(line, "set cli screen-length *")) {
    cli->paging = atoi(tok[3]) != 0;
    if (cli->paging) cli->page_len = atoi(tok[3]);
    sb_printf(out, "Screen length set to %s\n", tok[3]);
    return;
  }
  if (n == 4 && cli_match(line, "set cli screen-width *")) {
    sb_printf(out, "Screen width set to %s\n", tok[3]);
    return;
  }
  if (cli_match(line, "exit") || cli_match(line, "quit")) {
    cli->exit = 1;
    return;
  }
  if (cli_match(line, "configure ...") && cli_match(tok[0], "configure")) {
    cli->mode = MODE_CONFIG;
    cli->sub_header[0] = '\0';
    sc_copy(&st->candidate, &st->history[0]);
    sb_puts(out, "Entering configuration mode\n");
    return;
  }
  if (n >= 2 && cli_match(tok[0], "show")) {
    if (cli_match(line, "show version")) return show_version(cli, out);
    if (n >= 3 && cli_match(line, "show interfaces terse")) return show_terse(cli, out);
    if (n == 2 && cli_match(line, "show interfaces")) return show_interfaces(cli, out);
    if (cli_match(line, "show system information")) {
      sb_printf(out, "Model: %s\nFamily: junos\nJunos: %s\nHostname: %s\n", cli->dev->model,
                cli->dev->version, hostname(cli->dev));
      return;
    }
    if (cli_match(line, "show system uptime")) return show_uptime(cli, out);
    if (n == 3 && cli_match(line, "show system commit")) return show_commits(cli, out);
    if (cli_match(line, "show chassis hardware")) return show_hardware(cli, out);
    if (cli_match(line, "show lldp neighbors")) return show_lldp(cli, out);
    if (cli_match(line, "show vlans")) return show_vlans(cli, out);
    if (cli_match(tok[1], "configuration") && strlen(tok[1]) >= 4) {
      const char *path = after_words(line, tok, b, n, 2);
      if (cli->display_set) return render_set(&st->history[0], path, out);
      if (!*path) {
        char when[64];
        time_t t = st->last_commit;
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
        sb_printf(out, "## Last commit: %s by admin\nversion %s;\n", when, cli->dev->version);
      }
      render_braces(&st->history[0], path, out);
      return;
    }
  }
  if (junos_file_command(cli, line, tok, n, out)) return;
  if (n >= 2 && cli_match(tok[0], "ping")) {
    sb_printf(out, "PING %s: 56 data bytes\n64 bytes from %s: icmp_seq=0 ttl=64 time=0.321 ms\n",
              tok[1], tok[1]);
    return;
  }
  size_t col = cli_bad_column(line, op_patterns), fcol = cli_bad_column(line, junos_file_patterns);
  if (fcol == (size_t)-1 || (col != (size_t)-1 && fcol > col)) col = fcol;
  cli->error = 1;
  col = col == (size_t)-1 ? strlen(line) : col;
  for (size_t i = 0; i < col + (size_t)cli->prompt_len; i++) sb_putc(out, ' ');
  sb_puts(out, "^\nsyntax error, expecting <command>.\n");
}

static int valid_top(const char *first) {
  static const char *const tops[] = {"system",
                                     "interfaces",
                                     "protocols",
                                     "routing-options",
                                     "snmp",
                                     "vlans",
                                     "policy-options",
                                     "firewall",
                                     "security",
                                     "chassis",
                                     "forwarding-options",
                                     "class-of-service",
                                     "routing-instances",
                                     "groups",
                                     "apply-groups",
                                     NULL};
  return in_list(first, tops);
}

/* "set" and "delete" take a path relative to the edit level (cli->sub_header). */
static void absolute(sim_cli_t *cli, const char *rest, char *out, size_t n) {
  if (cli->sub_header[0])
    snprintf(out, n, "%s %s", cli->sub_header, rest);
  else
    snprintf(out, n, "%s", rest);
}

/* The edit level one up: "interfaces ge-0/0/1 unit 0" -> "interfaces ge-0/0/1". */
static void edit_up(sim_cli_t *cli) {
  char buf[256], *w[32];
  int cs[32], cl[32], leaf;
  int n = jwords(cli->sub_header, buf, sizeof buf, w, 32);
  int k = levels_of(w, n, 1, cs, cl, 32, &leaf);
  char up[256];
  join_words(w, 0, k > 1 ? cs[k - 1] : 0, up, sizeof up);
  snprintf(cli->sub_header, sizeof cli->sub_header, "%.127s", up);
  cli->mode = up[0] ? MODE_SUB : MODE_CONFIG;
}

/* A configuration-mode command, split as operational()'s. */
static void configuration(sim_cli_t *cli, const char *line, char **tok, int n, char *b,
                          sbuf_t *out) {
  junos_t *st = state(cli->dev);
  /* One space between words, as the configuration stores statements. */
  char canon[1024] = "";
  for (int k = 0; k < n; k++) {
    if (k) strncat(canon, " ", sizeof canon - strlen(canon) - 1);
    strncat(canon, tok[k], sizeof canon - strlen(canon) - 1);
  }
  const char *rest = n > 1 ? canon + strlen(tok[0]) + 1 : "";
  char path[1024], first[64] = "";
  absolute(cli, rest, path, sizeof path);
  sscanf(path, "%63s", first);
  if (strcmp(tok[0], "set") == 0) {
    if (n < 2 || !valid_top(first) || !strchr(path, ' '))
      return syntax_error(cli, (size_t)(tok[n > 1 ? 1 : 0] - b), out);
    char full[1100];
    snprintf(full, sizeof full, "set %s", path);
    sc_set(&st->candidate, full);
    return;
  }
  if (strcmp(tok[0], "delete") == 0 && n >= 2) {
    char full[1100];
    snprintf(full, sizeof full, "set %s", path);
    if (!sc_delete(&st->candidate, full)) sb_puts(out, "warning: statement not found\n");
    return;
  }
  if (strcmp(tok[0], "edit") == 0 && n >= 2) {
    if (!valid_top(first)) return syntax_error(cli, (size_t)(tok[1] - b), out);
    snprintf(cli->sub_header, sizeof cli->sub_header, "%.127s", path);
    cli->mode = MODE_SUB;
    return;
  }
  if (n == 1 && cli_match(tok[0], "up")) {
    if (cli->mode == MODE_SUB)
      edit_up(cli);
    else
      sb_puts(out, "warning: already at the top of the configuration\n");
    return;
  }
  if (n == 1 && cli_match(tok[0], "top")) {
    cli->sub_header[0] = '\0';
    cli->mode = MODE_CONFIG;
    return;
  }
  if (cli_match(tok[0], "commit") && strlen(tok[0]) >= 3) {
    if (n >= 2 && cli_match(tok[1], "check")) {
      sb_puts(out, "configuration check succeeds\n");
      return;
    }
    int minutes = 0;
    const char *comment = NULL;
    if (n >= 2 && cli_match(tok[1], "confirmed")) minutes = n >= 3 ? atoi(tok[2]) : 10;
    if (n >= 3 && cli_match(tok[1], "comment")) comment = line + (tok[2] - b);
    if (n >= 2 && minutes <= 0 && !cli_match(tok[1], "and-quit") && !comment)
      return syntax_error(cli, (size_t)(tok[1] - b), out);
    commit(cli, out, minutes, comment);
    if (n >= 2 && cli_match(tok[1], "and-quit")) {
      cli->mode = MODE_PRIV;
      sb_puts(out, "Exiting configuration mode\n");
    }
    return;
  }
  if (cli_match(tok[0], "rollback") && strlen(tok[0]) >= 3) {
    int k = n >= 2 ? atoi(tok[1]) : 0;
    if (k < 0 || k >= st->nhistory) {
      sb_puts(out, "error: Rollback point does not exist\n");
      cli->error = 1;
      return;
    }
    sc_copy(&st->candidate, &st->history[k]);
    sb_puts(out, "load complete\n");
    return;
  }
  if (cli_match(tok[0], "show")) {
    char at[1024];
    absolute(cli, rest, at, sizeof at);
    if (cli->display_set == 2) {
      /* show | compare: the candidate against the running configuration. */
      render_compare(&st->history[0], &st->candidate, out);
      return;
    }
    if (cli->display_set) return render_set(&st->candidate, at, out);
    render_braces(&st->candidate, at, out);
    return;
  }
  if (strcmp(tok[0], "run") == 0 && n >= 2) {
    /* The words after "run", with offsets counted from the second word's place in b. */
    operational(cli, line + (tok[1] - b), tok + 1, n - 1, tok[1], out);
    return;
  }
  if (cli_match(tok[0], "exit") || cli_match(tok[0], "quit")) {
    /* exit from a sub-level goes back to the top; from the top it leaves the mode. */
    if (cli->mode == MODE_SUB && !(n >= 2 && cli_match(tok[1], "configuration-mode"))) {
      cli->sub_header[0] = '\0';
      cli->mode = MODE_CONFIG;
      return;
    }
    if (!sc_equal(&st->candidate, &st->history[0]))
      sb_puts(out, "warning: uncommitted changes discarded\n");
    sc_copy(&st->candidate, &st->history[0]);
    cli->sub_header[0] = '\0';
    cli->mode = MODE_PRIV;
    sb_puts(out, "Exiting configuration mode\n");
    return;
  }
  syntax_error(cli, 0, out);
}

/* Splits line into words (the word at tok[i] is at line + (tok[i] - b)) for either mode. */
static void command(sim_cli_t *cli, const char *line, sbuf_t *out) {
  char b[1024];
  char *tok[32];
  int n = cli_tokens(line, tok, 32, b, sizeof b);
  if (n == 0) return;
  if (cli->mode >= MODE_CONFIG)
    configuration(cli, line, tok, n, b, out);
  else
    operational(cli, line, tok, n, b, out);
}

static void prompt(sim_cli_t *cli, sbuf_t *out) {
  junos_t *st = state(cli->dev);
  if (cli->mode >= MODE_CONFIG && st->confirm_pending) {
    uint64_t now = sim_now_ms();
    uint64_t left = st->confirm_due_ms > now ? st->confirm_due_ms - now : 0;
    int unit = cli->dev->lab->opt.confirm_unit_ms > 0 ? cli->dev->lab->opt.confirm_unit_ms : 60000;
    sb_printf(out, "\n# commit confirmed will be rolled back in %d minutes",
              (int)((left + (uint64_t)unit - 1) / (uint64_t)unit));
  }
  if (cli->mode >= MODE_CONFIG)
    sb_printf(out, "\n[edit%s%s]\nadmin@%s# ", cli->sub_header[0] ? " " : "", cli->sub_header,
              hostname(cli->dev));
  else
    sb_printf(out, "admin@%s> ", hostname(cli->dev));
}

static void banner(sim_cli_t *cli, sbuf_t *out) {
  sb_printf(out, "--- JUNOS %s Kernel 64-bit  JNPR-12.1-20211027.33cbd81_buil\n",
            cli->dev->version);
}

static void running_config(sim_device_t *dev, sbuf_t *out) {
  setconf_t *c = &state(dev)->history[0];
  for (size_t i = 0; i < c->n; i++) sb_printf(out, "%s\n", c->lines[i]);
}

static void load_config(sim_device_t *dev, const char *text) {
  junos_t *st = state(dev);
  sc_free(&st->history[0]);
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)(len < 1023 ? len : 1023), p);
    if (strncmp(line, "set ", 4) == 0) sc_add(&st->history[0], line);
    p += len + (nl ? 1 : 0);
  }
}

/* sc_add with printf formatting. */
static void sc_addf(setconf_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sc_addf(setconf_t *c, const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  sc_add(c, line);
}

/* The factory configuration: what an MX/EX in a managed network carries (users, services,
 * syslog, SNMP, access ports in VLANs, routed uplinks, OSPF/BGP, prefix lists and a filter
 * protecting the routing engine). Its size varies by seed from a few hundred lines to over
 * a thousand; one device in twenty carries a 3,000-entry prefix list. */
static void initial_config(sim_device_t *dev, setconf_t *c) {
  uint64_t s = dev->seed ^ 0x1a06;
  int idx = dev->index;
  sc_addf(c, "set system host-name %s", dev->name);
  sc_add(c, "set system domain-name lab.example");
  sc_add(c, "set system time-zone UTC");
  sc_add(c,
         "set system root-authentication encrypted-password "
         "\"$6$kQ1f$Hx7Sd2Lr0yC9q3mN5vB8tW1eR4uI6oP9aZ2xC5vB7nM0lK3jH6gF9dS2aQ5wE8rT1yU4iO7pL0\"");
  sc_add(c, "set system name-server 10.0.0.53");
  sc_add(c, "set system name-server 10.0.1.53");
  sc_add(c, "set system authentication-order password");
  sc_add(c, "set system login class NOC permissions view");
  sc_add(c, "set system login class NOC permissions view-configuration");
  sc_add(c, "set system login user admin uid 2000");
  sc_add(c, "set system login user admin class super-user");
  sc_add(c,
         "set system login user admin authentication encrypted-password "
         "\"$6$Zt9c$0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3aB4cD5eF6gH7iJ8kL9mN0oP1qR2sT3uV4w\"");
  const char *ops[] = {"noc", "netops", "backup", "monitor"};
  int nops = 1 + (int)(sim_rand(&s) % 4);
  for (int u = 0; u < nops; u++) {
    sc_addf(c, "set system login user %s uid %d", ops[u], 2001 + u);
    sc_addf(c, "set system login user %s class %s", ops[u], u ? "NOC" : "super-user");
    sc_addf(c,
            "set system login user %s authentication ssh-ed25519 \"ssh-ed25519 "
            "AAAAC3NzaC1lZDI1NTE5AAAAI%08llx%08llxq %s@lab\"",
            ops[u], (unsigned long long)(sim_rand(&s) & 0xffffffffu),
            (unsigned long long)(sim_rand(&s) & 0xffffffffu), ops[u]);
  }
  sc_add(c, "set system services ssh root-login deny");
  sc_add(c, "set system services ssh protocol-version v2");
  sc_add(c, "set system services netconf ssh");
  /* Some devices still run the plain-HTTP web UI: an audit finding. */
  if (sim_rand(&s) % 3 == 0) sc_add(c, "set system services web-management http");
  sc_add(c, "set system syslog user * any emergency");
  sc_add(c, "set system syslog host 10.0.0.5 any notice");
  sc_add(c, "set system syslog host 10.0.0.5 authorization info");
  sc_add(c, "set system syslog file messages any notice");
  sc_add(c, "set system syslog file messages authorization info");
  sc_add(c, "set system syslog file interactive-commands interactive-commands any");
  sc_add(c, "set system ntp server 10.0.0.1");
  sc_add(c, "set system ntp server 10.0.0.2");
  sc_add(c, "set chassis aggregated-devices ethernet device-count 4");
  const char *vlans[] = {"USERS", "VOICE", "PRINTERS", "CAMERAS", "GUEST"};
  int nvl = 2 + (int)(sim_rand(&s) % 4);
  for (int p = 0; p < PORTS; p++) {
    if (p >= 22) {
      sc_addf(c, "set interfaces ge-0/0/%d description \"uplink to %s\"", p, dev->pair);
      sc_addf(c, "set interfaces ge-0/0/%d mtu 9192", p);
      sc_addf(c, "set interfaces ge-0/0/%d unit 0 family inet address 10.%d.%d.%d/31", p,
              200 + p - 22, (idx >> 8) & 255, (idx * 2) & 255);
      continue;
    }
    sc_addf(c, "set interfaces ge-0/0/%d description \"access port %d\"", p, p);
    if (sim_rand(&s) % 9 == 0) sc_addf(c, "set interfaces ge-0/0/%d disable", p);
    sc_addf(c, "set interfaces ge-0/0/%d unit 0 family ethernet-switching interface-mode access",
            p);
    sc_addf(c, "set interfaces ge-0/0/%d unit 0 family ethernet-switching vlan members %s", p,
            vlans[p % nvl]);
  }
  sc_addf(c, "set interfaces lo0 unit 0 family inet filter input PROTECT-RE");
  sc_addf(c, "set interfaces lo0 unit 0 family inet address 10.255.%d.%d/32", (idx >> 8) & 255,
          idx & 255);
  sc_addf(c, "set interfaces irb unit 99 family inet address 10.99.%d.%d/24", (idx >> 8) & 255,
          idx & 255);
  sc_addf(c, "set snmp location %s", dev->site);
  sc_add(c, "set snmp contact noc@lab.example");
  sc_addf(c, "set snmp community %s authorization read-only",
          sim_rand(&s) % 4 == 0 ? "public" : "n3th0st-ro");
  sc_add(c, "set snmp trap-group NMS targets 10.0.0.5");
  sc_addf(c, "set routing-options router-id 10.255.%d.%d", (idx >> 8) & 255, idx & 255);
  sc_add(c, "set routing-options autonomous-system 65000");
  sc_add(c, "set routing-options static route 0.0.0.0/0 next-hop 10.200.0.1");
  int nstatic = 2 + (int)(sim_rand(&s) % 30);
  for (int r = 0; r < nstatic; r++)
    sc_addf(c, "set routing-options static route 172.%d.%d.0/24 next-hop 10.201.0.1", 16 + r / 250,
            r % 250);
  sc_add(c, "set protocols ospf area 0.0.0.0 interface lo0.0 passive");
  sc_add(c, "set protocols ospf area 0.0.0.0 interface ge-0/0/22.0 interface-type p2p");
  sc_add(c, "set protocols ospf area 0.0.0.0 interface ge-0/0/23.0 interface-type p2p");
  sc_add(c, "set protocols bgp group IBGP type internal");
  sc_addf(c, "set protocols bgp group IBGP local-address 10.255.%d.%d", (idx >> 8) & 255,
          idx & 255);
  sc_add(c, "set protocols bgp group IBGP export EXPORT-LOOPBACK");
  sc_add(c, "set protocols bgp group IBGP neighbor 10.255.0.1");
  sc_add(c, "set protocols bgp group IBGP neighbor 10.255.0.2");
  sc_add(c, "set protocols lldp interface all");
  sc_add(c, "set protocols rstp interface all");
  sc_add(c, "set policy-options prefix-list MGMT-NETS 10.0.0.0/16");
  sc_add(c, "set policy-options prefix-list MGMT-NETS 10.99.0.0/16");
  sc_add(c, "set policy-options prefix-list NTP-SERVERS 10.0.0.1/32");
  sc_add(c, "set policy-options prefix-list NTP-SERVERS 10.0.0.2/32");
  int big = sim_rand(&s) % 20 == 0;
  int npfx = big ? 3000 : 20 + (int)(sim_rand(&s) % 400);
  for (int k = 1; k <= npfx; k++)
    sc_addf(c, "set policy-options prefix-list CUSTOMER-ROUTES 100.%d.%d.0/24", 64 + k / 256,
            k % 256);
  sc_add(c, "set policy-options policy-statement EXPORT-LOOPBACK term 1 from protocol direct");
  sc_add(c, "set policy-options policy-statement EXPORT-LOOPBACK term 1 from route-filter "
            "10.255.0.0/16 prefix-length-range /32-/32");
  sc_add(c, "set policy-options policy-statement EXPORT-LOOPBACK term 1 then accept");
  sc_add(c, "set policy-options policy-statement EXPORT-LOOPBACK term 2 then reject");
  const char *terms[][3] = {{"SSH", "tcp", "ssh"},   {"NETCONF", "tcp", "830"},
                            {"SNMP", "udp", "snmp"}, {"NTP", "udp", "ntp"},
                            {"BGP", "tcp", "bgp"},   {"DNS", "udp", "domain"}};
  for (int t = 0; t < 6; t++) {
    const char *f = "set firewall family inet filter PROTECT-RE term";
    sc_addf(c, "%s %s from source-prefix-list %s", f, terms[t][0],
            t == 3 ? "NTP-SERVERS" : "MGMT-NETS");
    sc_addf(c, "%s %s from protocol %s", f, terms[t][0], terms[t][1]);
    sc_addf(c, "%s %s from destination-port %s", f, terms[t][0], terms[t][2]);
    sc_addf(c, "%s %s then accept", f, terms[t][0]);
  }
  sc_add(c, "set firewall family inet filter PROTECT-RE term OSPF from protocol ospf");
  sc_add(c, "set firewall family inet filter PROTECT-RE term OSPF then accept");
  sc_add(c, "set firewall family inet filter PROTECT-RE term ICMP from protocol icmp");
  sc_add(c, "set firewall family inet filter PROTECT-RE term ICMP then policer ICMP-1M");
  sc_add(c, "set firewall family inet filter PROTECT-RE term ICMP then accept");
  sc_add(c, "set firewall family inet filter PROTECT-RE term DENY then count DENIED");
  sc_add(c, "set firewall family inet filter PROTECT-RE term DENY then syslog");
  sc_add(c, "set firewall family inet filter PROTECT-RE term DENY then discard");
  sc_add(c, "set firewall policer ICMP-1M if-exceeding bandwidth-limit 1m");
  sc_add(c, "set firewall policer ICMP-1M if-exceeding burst-size-limit 15k");
  sc_add(c, "set firewall policer ICMP-1M then discard");
  int tags[] = {10, 20, 30, 40, 50};
  for (int v = 0; v < nvl; v++) sc_addf(c, "set vlans %s vlan-id %d", vlans[v], tags[v]);
  sc_add(c, "set vlans MGMT vlan-id 99");
  sc_add(c, "set vlans MGMT l3-interface irb.99");
}

static void init(sim_device_t *dev) {
  junos_t *st = sim_calloc(1, sizeof *st);
  dev->pstate = st;
  uint64_t s = dev->seed ^ 0x1a05;
  dev->version = sim_pick(versions, &s);
  dev->model = sim_pick(models, &s);
  initial_config(dev, &st->history[0]);
  st->nhistory = 1;
  st->last_commit = dev->boot_time + 3600;
  st->when[0] = st->last_commit;
  snprintf(st->how[0], sizeof st->how[0], "by admin via cli");
}

static void destroy(sim_device_t *dev) {
  junos_t *st = state(dev);
  if (!st) return;
  for (int i = 0; i < HISTORY; i++) sc_free(&st->history[i]);
  sc_free(&st->candidate);
  free(st);
  dev->pstate = NULL;
}

/* No profile: the Junos CLI is its own (ioslike.c serves IOS and EOS). */
const sim_personality_t sim_juniper_junos = {
    "juniper_junos", "r",     "---(more)---", init,        destroy, banner,
    prompt,          command, running_config, load_config, NULL,
};

/* ---- NETCONF (netconf.c): host-name and interfaces (description, disable) ---- */

void junos_nc_get(sim_device_t *dev, nc_model_t *m) {
  const setconf_t *c = &state(dev)->history[0];
  size_t i;
  for (i = 0; i < c->n; i++) {
    const char *l = c->lines[i];
    char name[64];
    int j, len;
    if (!strncmp(l, "set system host-name ", 21)) {
      snprintf(m->hostname, sizeof m->hostname, "%s", l + 21);
      continue;
    }
    if (strncmp(l, "set interfaces ", 15) != 0) continue;
    if (sscanf(l + 15, "%63s%n", name, &len) != 1) continue;
    for (j = 0; j < m->nif && strcmp(m->ifs[j].name, name); j++) {
    }
    if (j == m->nif) {
      if (m->nif >= NC_MAX_IFS) continue;
      m->nif++;
      snprintf(m->ifs[j].name, sizeof m->ifs[j].name, "%s", name);
      m->ifs[j].enabled = 1;
    }
    l += 15 + len;
    if (!strncmp(l, " description ", 13)) {
      const char *d = l + 13;
      size_t dl = strlen(d);
      if (dl >= 2 && d[0] == '"' && d[dl - 1] == '"') {
        d++;
        dl -= 2;
      }
      snprintf(m->ifs[j].description, sizeof m->ifs[j].description, "%.*s", (int)dl, d);
    } else if (!strcmp(l, " disable")) {
      m->ifs[j].enabled = 0;
    }
  }
}

/* Writes m into a copy of the running configuration and commits it (a commit in show
 * system commit, as NETCONF commits are on Junos). */
void junos_nc_apply(sim_device_t *dev, const nc_model_t *m, const char *how) {
  junos_t *st = state(dev);
  setconf_t next = {0};
  char line[400], path[128];
  int i;
  sc_copy(&next, &st->history[0]);
  snprintf(line, sizeof line, "set system host-name %s", m->hostname);
  sc_set(&next, line);
  for (i = 0; i < m->nif; i++) {
    snprintf(path, sizeof path, "set interfaces %s description", m->ifs[i].name);
    if (m->ifs[i].description[0]) {
      snprintf(line, sizeof line, "%s \"%s\"", path, m->ifs[i].description);
      sc_set(&next, line);
    } else {
      sc_delete(&next, path);
    }
    snprintf(line, sizeof line, "set interfaces %s disable", m->ifs[i].name);
    if (m->ifs[i].enabled)
      sc_delete(&next, line);
    else
      sc_set(&next, line);
  }
  if (!sc_equal(&next, &st->history[0])) push_history(st, &next, how);
  if (!st->editing) sc_copy(&st->candidate, &st->history[0]);
  sc_free(&next);
}
