/* The juniper_junos personality: an MX/EX running Junos. The configuration is kept in set
 * form (one line per statement, as `| display set` shows it); `show configuration` renders
 * the curly-brace form from it. Configure mode edits a candidate; commit makes it the
 * running configuration and keeps the previous ones for `rollback N`; `commit confirmed N`
 * rolls back by itself unless confirmed by another commit within N minutes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

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
  time_t last_commit;
} junos_t;

static const char *const versions[] = {"20.4R3-S2", "21.2R3-S4", "21.4R3-S3", "22.2R3",
                                       "22.4R2-S1", "23.2R1",    "21.4R3-S5"};
static const char *const models[] = {"mx204", "ex4300-48t", "qfx5120-48y"};

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

static void sc_set(setconf_t *c, const char *line) {
  if (sc_has(c, line)) return;
  for (const char *const *s = single; *s; s++)
    if (strncmp(line, *s, strlen(*s)) == 0 && line[strlen(*s)] == ' ') sc_delete(c, *s);
  /* "description" of an interface or unit is single-valued too. */
  const char *d = strstr(line, " description ");
  if (d && strncmp(line, "set interfaces ", 15) == 0) {
    char path[512];
    snprintf(path, sizeof path, "%.*s description", (int)(d - line), line);
    sc_delete(c, path);
  }
  sc_add(c, line);
}

/* ---- rendering the brace form ---- */

static const char *const named[] = {
    "unit", "family",    "group",     "neighbor", "term", "filter", "policy-statement",
    "user", "community", "interface", "route",    "vlan", NULL};
static const char *const valued[] = {
    "host-name",   "description", "server",   "address", "location",
    "contact",     "time-zone",   "vlan-id",  "members", "authorization",
    "domain-name", "name-server", "next-hop", "class",   "local-address",
    "peer-as",     "type",        "mtu",      NULL};

static int in_list(const char *w, const char *const *list) {
  for (const char *const *p = list; *p; p++)
    if (strcmp(*p, w) == 0) return 1;
  return 0;
}

/* Splits a set line (without "set ") into its nodes: containers, then one statement. */
static int nodes_of(const char *line, char nodes[][160], int max) {
  char b[1024];
  char *w[64];
  int n = 0, k = 0;
  snprintf(b, sizeof b, "%s", line);
  for (char *save = NULL, *t = strtok_r(b, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
    w[n++] = t;
  /* Quoted values ("uplink to core") stay one word. */
  for (int i = 0; i < n && k < max;) {
    if (i == n - 2 && in_list(w[i], valued)) {
      snprintf(nodes[k++], 160, "%s %s", w[i], w[i + 1]);
      for (int j = i + 2; j < n; j++)
        strncat(nodes[k - 1], " ", 159), strncat(nodes[k - 1], w[j], 159);
      break;
    }
    if (in_list(w[i], named) && i + 1 < n - 1) {
      snprintf(nodes[k++], 160, "%s %s", w[i], w[i + 1]);
      i += 2;
      continue;
    }
    snprintf(nodes[k++], 160, "%s", w[i]);
    i++;
  }
  return k;
}

static void render_braces(const setconf_t *c, sbuf_t *out) {
  char prev[16][160];
  int nprev = 0;
  for (size_t i = 0; i < c->n; i++) {
    const char *l = c->lines[i];
    if (strncmp(l, "set ", 4) != 0) continue;
    char nodes[16][160];
    int n = nodes_of(l + 4, nodes, 16);
    int common = 0;
    while (common < nprev && common < n - 1 && strcmp(prev[common], nodes[common]) == 0) common++;
    for (int d = nprev - 1; d >= common; d--) sb_printf(out, "%*s}\n", d * 4, "");
    for (int d = common; d < n - 1; d++) sb_printf(out, "%*s%s {\n", d * 4, "", nodes[d]);
    sb_printf(out, "%*s%s;\n", (n - 1) * 4, "", nodes[n - 1]);
    for (int d = 0; d < n - 1; d++) snprintf(prev[d], 160, "%s", nodes[d]);
    nprev = n - 1;
  }
  for (int d = nprev - 1; d >= 0; d--) sb_printf(out, "%*s}\n", d * 4, "");
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
      snprintf(buf, n, "%s", c->lines[i] + strlen(path));
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
    if (port_value(dev, p, "unit 0 family inet address", addr, sizeof addr))
      sb_printf(out, "%s.0%-17s %-5s %-4s inet     %s\n", name, "", admin, link, addr);
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
    if (port_value(dev, p, "unit 0 family inet address", addr, sizeof addr))
      sb_printf(out,
                "  Logical interface ge-0/0/%d.0 (Index 70%d) (SNMP ifIndex 60%d)\n"
                "    Flags: Up SNMP-Traps 0x4000 Encapsulation: ENET2\n"
                "    Input packets : %lu\n    Output packets: %lu\n"
                "    Protocol inet, MTU: 1500\n      Addresses, Flags: Is-Preferred Is-Primary\n"
                "        Destination: %s, Local: %s\n",
                p, p, p, (unsigned long)(h % 100000), (unsigned long)(h >> 20) % 100000, addr,
                addr);
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
  int partner = dev->index % 2 ? dev->index + 1 : dev->index - 1;
  if (partner > dev->lab->ndevs) partner = dev->index;
  sb_puts(out, "Local Interface    Parent Interface    Chassis Id          Port info          "
               "System Name\n");
  sb_printf(
      out,
      "ge-0/0/22          -                   2c:6b:f5:00:%02x:16   ge-0/0/22          %s-%04d\n"
      "ge-0/0/23          -                   2c:6b:f5:00:%02x:17   ge-0/0/23          %s-%04d\n",
      partner & 255, dev->lab->devs[partner - 1].pers->name_prefix, partner, partner & 255,
      dev->lab->devs[partner - 1].pers->name_prefix, partner);
}

static void show_vlans(sim_cli_t *cli, sbuf_t *out) {
  sb_puts(out, "Routing instance        VLAN name             Tag          Interfaces\n"
               "default-switch          default               1\n"
               "                                                             ge-0/0/1.0*\n");
  setconf_t *c = &state(cli->dev)->history[0];
  for (size_t i = 0; i < c->n; i++) {
    char name[64];
    int tag;
    if (sscanf(c->lines[i], "set vlans %63s vlan-id %d", name, &tag) == 2)
      sb_printf(out, "default-switch          %-21s %-12d\n", name, tag);
  }
}

/* ---- commands ---- */

static void syntax_error(sim_cli_t *cli, size_t col, sbuf_t *out) {
  cli->error = 1;
  for (size_t i = 0; i < col + (size_t)cli->prompt_len; i++) sb_putc(out, ' ');
  sb_puts(out, "^\nsyntax error.\n");
}

static void commit(sim_cli_t *cli, sbuf_t *out, int confirm_minutes);

static void on_confirm_timeout(uv_timer_t *t) {
  sim_device_t *dev = t->data;
  junos_t *st = state(dev);
  if (!st->confirm_pending || st->nhistory < 2) return;
  /* Not confirmed: back to the configuration before the confirmed commit. */
  setconf_t prev = {0};
  sc_copy(&prev, &st->history[1]);
  sc_free(&st->history[HISTORY - 1]);
  memmove(&st->history[1], &st->history[0], (HISTORY - 1) * sizeof st->history[0]);
  memset(&st->history[0], 0, sizeof st->history[0]);
  st->history[0] = prev;
  if (st->nhistory < HISTORY) st->nhistory++;
  st->confirm_pending = 0;
  st->last_commit = time(NULL);
}

static void commit(sim_cli_t *cli, sbuf_t *out, int confirm_minutes) {
  sim_device_t *dev = cli->dev;
  junos_t *st = state(dev);
  if (st->confirm_pending && st->timer_init) uv_timer_stop(&st->confirm_timer);
  st->confirm_pending = 0;
  if (!sc_equal(&st->candidate, &st->history[0])) {
    sc_free(&st->history[HISTORY - 1]);
    memmove(&st->history[1], &st->history[0], (HISTORY - 1) * sizeof st->history[0]);
    memset(&st->history[0], 0, sizeof st->history[0]);
    sc_copy(&st->history[0], &st->candidate);
    if (st->nhistory < HISTORY) st->nhistory++;
  }
  st->last_commit = time(NULL);
  if (confirm_minutes > 0) {
    if (!st->timer_init) {
      uv_timer_init(dev->lab->loop, &st->confirm_timer);
      st->confirm_timer.data = dev;
      st->timer_init = 1;
    }
    int unit = dev->lab->opt.confirm_unit_ms > 0 ? dev->lab->opt.confirm_unit_ms : 60000;
    uv_timer_start(&st->confirm_timer, on_confirm_timeout,
                   (uint64_t)confirm_minutes * (uint64_t)unit, 0);
    st->confirm_pending = 1;
    sb_printf(out,
              "commit confirmed will be automatically rolled back in %d minutes unless confirmed\n",
              confirm_minutes);
  }
  sb_puts(out, "commit complete\n");
}

static const char *const op_patterns[] = {"show version",
                                          "show configuration ...",
                                          "show interfaces terse",
                                          "show interfaces ...",
                                          "show system information",
                                          "show system uptime",
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

static void operational(sim_cli_t *cli, const char *line, sbuf_t *out) {
  junos_t *st = state(cli->dev);
  char b[1024];
  char *tok[32];
  int n = cli_tokens(line, tok, 32, b, sizeof b);
  if (n == 0) return;
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
    sc_copy(&st->candidate, &st->history[0]);
    sb_puts(out, "Entering configuration mode\n\n");
    return;
  }
  if (n >= 2 && cli_match(tok[0], "show")) {
    if (cli_match(line, "show version")) return show_version(cli, out);
    if (cli_match(line, "show interfaces terse")) return show_terse(cli, out);
    if (n == 2 && cli_match(line, "show interfaces")) return show_interfaces(cli, out);
    if (cli_match(line, "show system information")) {
      sb_printf(out, "Model: %s\nFamily: junos\nJunos: %s\nHostname: %s\n", cli->dev->model,
                cli->dev->version, hostname(cli->dev));
      return;
    }
    if (cli_match(line, "show system uptime")) return show_uptime(cli, out);
    if (cli_match(line, "show chassis hardware")) return show_hardware(cli, out);
    if (cli_match(line, "show lldp neighbors")) return show_lldp(cli, out);
    if (cli_match(line, "show vlans")) return show_vlans(cli, out);
    if (n == 2 && cli_match(line, "show configuration")) {
      if (cli->display_set) {
        for (size_t i = 0; i < st->history[0].n; i++)
          sb_printf(out, "%s\n", st->history[0].lines[i]);
        return;
      }
      char when[64];
      time_t t = st->last_commit;
      strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
      sb_printf(out, "## Last commit: %s by admin\n", when);
      render_braces(&st->history[0], out);
      return;
    }
  }
  if (n >= 2 && cli_match(tok[0], "ping")) {
    sb_printf(out, "PING %s: 56 data bytes\n64 bytes from %s: icmp_seq=0 ttl=64 time=0.321 ms\n",
              tok[1], tok[1]);
    return;
  }
  size_t col = cli_bad_column(line, op_patterns);
  syntax_error(cli, col == (size_t)-1 ? strlen(line) : col, out);
}

static int valid_set(const char *rest) {
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
  char first[64];
  if (sscanf(rest, "%63s", first) != 1) return 0;
  return in_list(first, tops) && strchr(rest, ' ') != NULL;
}

static void configuration(sim_cli_t *cli, const char *line, sbuf_t *out) {
  junos_t *st = state(cli->dev);
  char b[1024];
  char *tok[32];
  int n = cli_tokens(line, tok, 32, b, sizeof b);
  if (n == 0) return;
  /* One space between words, as the configuration stores statements. */
  char canon[1024] = "";
  for (int k = 0; k < n; k++) {
    if (k) strncat(canon, " ", sizeof canon - strlen(canon) - 1);
    strncat(canon, tok[k], sizeof canon - strlen(canon) - 1);
  }
  if (strcmp(tok[0], "set") == 0) {
    if (n < 3 || !valid_set(canon + 4))
      return syntax_error(cli, (size_t)(tok[n > 1 ? 1 : 0] - b), out);
    sc_set(&st->candidate, canon);
    return;
  }
  if (strcmp(tok[0], "delete") == 0 && n >= 2) {
    char path[1024];
    snprintf(path, sizeof path, "set %s", canon + 7);
    if (!sc_delete(&st->candidate, path)) sb_puts(out, "warning: statement not found\n");
    return;
  }
  if (cli_match(tok[0], "commit")) {
    if (n >= 2 && cli_match(tok[1], "check")) {
      sb_puts(out, "configuration check succeeds\n");
      return;
    }
    int minutes = 0;
    if (n >= 2 && cli_match(tok[1], "confirmed")) minutes = n >= 3 ? atoi(tok[2]) : 10;
    if (n >= 2 && minutes == 0 && !cli_match(tok[1], "and-quit") && !cli_match(tok[1], "comment"))
      return syntax_error(cli, (size_t)(tok[1] - b), out);
    commit(cli, out, minutes);
    if (n >= 2 && cli_match(tok[1], "and-quit")) cli->mode = MODE_PRIV;
    return;
  }
  if (cli_match(tok[0], "rollback")) {
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
    if (n >= 1 && cli->display_set == 2) {
      /* show | compare */
      for (size_t i = 0; i < st->history[0].n; i++)
        if (!sc_has(&st->candidate, st->history[0].lines[i]))
          sb_printf(out, "- %s\n", st->history[0].lines[i]);
      for (size_t i = 0; i < st->candidate.n; i++)
        if (!sc_has(&st->history[0], st->candidate.lines[i]))
          sb_printf(out, "+ %s\n", st->candidate.lines[i]);
      return;
    }
    if (cli->display_set) {
      for (size_t i = 0; i < st->candidate.n; i++) sb_printf(out, "%s\n", st->candidate.lines[i]);
      return;
    }
    render_braces(&st->candidate, out);
    return;
  }
  if (strcmp(tok[0], "run") == 0 && n >= 2) {
    operational(cli, line + (tok[1] - b), out);
    return;
  }
  if (cli_match(tok[0], "exit") || cli_match(tok[0], "quit") || cli_match(tok[0], "top")) {
    if (cli_match(tok[0], "top")) return;
    if (!sc_equal(&st->candidate, &st->history[0]))
      sb_puts(out, "warning: uncommitted changes discarded\n");
    sc_copy(&st->candidate, &st->history[0]);
    cli->mode = MODE_PRIV;
    sb_puts(out, "Exiting configuration mode\n");
    return;
  }
  syntax_error(cli, 0, out);
}

static void command(sim_cli_t *cli, const char *line, sbuf_t *out) {
  if (cli->mode >= MODE_CONFIG)
    configuration(cli, line, out);
  else
    operational(cli, line, out);
}

static void prompt(sim_cli_t *cli, sbuf_t *out) {
  if (cli->mode >= MODE_CONFIG)
    sb_printf(out, "\n[edit]\nadmin@%s# ", hostname(cli->dev));
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

static void init(sim_device_t *dev) {
  junos_t *st = sim_calloc(1, sizeof *st);
  dev->pstate = st;
  uint64_t s = dev->seed ^ 0x1a05;
  dev->version = versions[sim_rand(&s) % (sizeof versions / sizeof *versions)];
  dev->model = models[sim_rand(&s) % (sizeof models / sizeof *models)];
  setconf_t *c = &st->history[0];
  char line[256];
  snprintf(line, sizeof line, "set system host-name %s", dev->name);
  sc_add(c, line);
  sc_add(c, "set system time-zone UTC");
  sc_add(c, "set system root-authentication encrypted-password \"$6$abc$def\"");
  sc_add(c, "set system login user admin class super-user");
  sc_add(c, "set system services ssh protocol-version v2");
  sc_add(c, "set system services netconf ssh");
  sc_add(c, "set system syslog host 10.0.0.5 any notice");
  sc_add(c, "set system ntp server 10.0.0.1");
  sc_add(c, "set system ntp server 10.0.0.2");
  for (int p = 0; p < PORTS; p++) {
    snprintf(line, sizeof line, "set interfaces ge-0/0/%d description \"port %d\"", p, p);
    sc_add(c, line);
    if (p >= 22) {
      snprintf(line, sizeof line,
               "set interfaces ge-0/0/%d unit 0 family inet address 10.%d.%d.%d/31", p,
               200 + p - 22, (dev->index >> 8) & 255, (dev->index * 2) & 255);
      sc_add(c, line);
    } else if (sim_rand(&s) % 9 == 0) {
      snprintf(line, sizeof line, "set interfaces ge-0/0/%d disable", p);
      sc_add(c, line);
    }
  }
  snprintf(line, sizeof line, "set snmp location %s", dev->site);
  sc_add(c, line);
  sc_add(c, "set snmp community n3th0st-ro authorization read-only");
  sc_add(c, "set routing-options static route 0.0.0.0/0 next-hop 10.200.0.1");
  sc_add(c, "set protocols lldp interface all");
  sc_add(c, "set vlans MGMT vlan-id 99");
  st->nhistory = 1;
  st->last_commit = dev->boot_time + 3600;
}

static void destroy(sim_device_t *dev) {
  junos_t *st = state(dev);
  if (!st) return;
  for (int i = 0; i < HISTORY; i++) sc_free(&st->history[i]);
  sc_free(&st->candidate);
  free(st);
  dev->pstate = NULL;
}

const sim_personality_t sim_juniper_junos = {
    "juniper_junos", "r",    "---(more)---", init,           destroy,
    banner,          prompt, command,        running_config, load_config,
};
