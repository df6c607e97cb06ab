/* The Juniper Junos plugin: the platform driver and its parsers. */
#include "textscan.h"

#include <nethost/plugin.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PATTERNS(X)                                                                              \
  X(RE_HOSTNAME, "^Hostname:\\s*(\\S+)")                                                         \
  X(RE_MODEL, "^Model:\\s*(\\S+)")                                                               \
  X(RE_JUNOS, "^Junos:\\s*(\\S+)")                                                               \
  X(RE_JUNOS_PKG, "^JUNOS .*?\\[([^\\]]+)\\]")                                                   \
  X(RE_SERIAL, "^(?:Chassis )?Serial [Nn]umber:\\s*(\\S+)")                                      \
  X(RE_TERSE_HEADER, "^Interface\\s+Admin\\s+Link")                                              \
  X(RE_TERSE_ROW, "^(\\S+)\\s+(up|down)\\s+(up|down)(?:\\s+(\\S+))?(?:\\s+(\\S+))?(?:\\s+(?:-->" \
                  "\\s*)?(\\S+))?\\s*$")                                                         \
  X(RE_TERSE_MORE, "^\\s+(?:(inet6?|iso|mpls|eth-switch|aenet|tnp|vpls|bridge|ccc|multiservice)" \
                   "(?:\\s+|$))?(\\S+)?(?:\\s+(?:-->\\s*)?(\\S+))?\\s*$")                        \
  X(RE_PHYS,                                                                                     \
    "^Physical interface: ([^,\\s]+),\\s*(\\w+(?: \\w+)?)(?:,\\s*Physical link is (\\w+))?")     \
  X(RE_LOGICAL, "^\\s+Logical interface (\\S+)")                                                 \
  X(RE_DESCR, "^\\s+Description:\\s*(.*?)\\s*$")                                                 \
  X(RE_LINKTYPE, "^\\s+Link-level type:\\s*([^,]+)")                                             \
  X(RE_MTU, "^\\s+(?:Link-level type:.*?|Protocol inet, )MTU:\\s*(\\d+)")                        \
  X(RE_SPEED, "Speed:\\s*([^,\\s]+)")                                                            \
  X(RE_CURADDR, "^\\s+(?:Current address|MAC):\\s*([0-9a-fA-F:.]+)")                             \
  X(RE_IN_PKTS, "^\\s+Input\\s+packets\\s*:\\s*(\\d+)")                                          \
  X(RE_OUT_PKTS, "^\\s+Output\\s+packets\\s*:\\s*(\\d+)")                                        \
  X(RE_ERRORS, "^\\s+(Input|Output) errors:\\s*$|^\\s+Errors:\\s*(\\d+)")                        \
  X(RE_FLAGS, "^\\s+Flags:\\s*(Up|Down)\\b")                                                     \
  X(RE_LOCAL, "^\\s+Destination:\\s*[^,]*?(/\\d+)?,\\s*Local:\\s*([^,\\s]+)")
TS_PATTERNS(PATTERNS);

/* show version: {hostname, model, version, serial}, the first member's for a virtual
 * chassis. "Junos:" is authoritative; older releases name the version only in their
 * package lines ("JUNOS Base OS boot [12.3R6.6]"). */
static const ts_fact_t version_facts[] = {
    {RE_HOSTNAME, 1, {{"hostname", 0, TS_STR}}}, {RE_MODEL, 1, {{"model", 0, TS_STR}}},
    {RE_JUNOS, 2, {{"version", 0, TS_STR}}},     {RE_JUNOS_PKG, 1, {{"version", 0, TS_STR}}},
    {RE_SERIAL, 1, {{"serial", 0, TS_STR}}},
};
static const ts_facts_t show_version = {
    "show version", &patterns,
    version_facts,  TS_COUNT(version_facts),
    "version",      "no 'Junos:' or 'JUNOS ... [version]' line: not show version output"};

static void terse_row(ts_b_t *b, nh_plugin_value_t *list, ts_cap_t ifname, ts_cap_t admin,
                      ts_cap_t link, ts_cap_t family, ts_cap_t local, ts_cap_t remote) {
  nh_plugin_value_t *m = ts_push_map(b, list);
  ts_set_cap(b, m, "interface", ifname);
  ts_set_cap(b, m, "status", admin);
  ts_set_cap(b, m, "protocol", link);
  ts_set_cap(b, m, "family", family);
  ts_set_cap(b, m, "ip_address", local);
  ts_set_cap(b, m, "remote", remote);
}

/* list of {interface, status, protocol, family, ip_address, remote}: one entry per
 * address (an interface without addresses has one entry without them). */
static int show_interfaces_terse(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                                 size_t len, nh_plugin_value_t **out, void *ud) {
  ts_scan_t sc;
  ts_cap_t c[6], cur[4], none = {NULL, 0};
  nh_plugin_value_t *list;
  int rc, header = 0, have = 0;
  if (!ts_scan_list(&sc, h, p, text, len, out, &rc)) return rc;
  list = sc.root;
  while (ts_scan_next(&sc)) {
    if (ts_blank(&sc.l)) continue;
    if (ts_match_line(re[RE_TERSE_HEADER], &sc.l, NULL, 0)) {
      header = 1;
      continue;
    }
    if (!header) {
      if (sc.l.p[0] == '{') continue; /* {master:0} */
      return ts_fail(&sc.b, list, sc.l.no, "expected the 'Interface Admin Link Proto' header");
    }
    if (ts_match_line(re[RE_TERSE_ROW], &sc.l, c, 6)) {
      /* "Proto Local": with one word it is a family only if no address follows. */
      ts_cap_t family = c[3], local = c[4], remote = c[5];
      if (family.p && !local.p &&
          (memchr(family.p, '.', family.len) || memchr(family.p, ':', family.len))) {
        local = family;
        family = none;
      }
      terse_row(&sc.b, list, c[0], c[1], c[2], family, local, remote);
      cur[0] = c[0], cur[1] = c[1], cur[2] = c[2], cur[3] = family;
      have = 1;
    } else if (have && ts_match_line(re[RE_TERSE_MORE], &sc.l, c, 3)) {
      if (c[0].p) cur[3] = c[0];
      terse_row(&sc.b, list, cur[0], cur[1], cur[2], cur[3], c[1], c[2]);
    } else {
      return ts_fail(&sc.b, list, sc.l.no, "cannot read this interface line");
    }
  }
  if (!header) return ts_fail(&sc.b, list, 0, "no 'Interface Admin Link' header");
  return ts_finish(&sc.b, list, out);
}

static void set_lower(ts_b_t *b, nh_plugin_value_t *m, const char *key, ts_cap_t c) {
  char buf[64];
  size_t i;
  if (!c.p) return;
  if (c.len >= sizeof(buf)) c.len = sizeof(buf) - 1;
  for (i = 0; i < c.len; i++) buf[i] = (char)tolower((unsigned char)c.p[i]);
  ts_set_str(b, m, key, buf, c.len);
}

/* list of {interface, admin_status, link_status, description, hardware_type, mtu, speed,
 * mac_address, ip_address, input_packets, output_packets, input_errors, output_errors};
 * logical interfaces are entries of their own. */
static int show_interfaces(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                           size_t len, nh_plugin_value_t **out, void *ud) {
  ts_scan_t sc;
  ts_cap_t c[3];
  nh_plugin_value_t *list, *cur = NULL;
  const char *errors_key = NULL;
  int parent_admin_up = 1;
  int rc;
  if (!ts_scan_list(&sc, h, p, text, len, out, &rc)) return rc;
  list = sc.root;
  while (ts_scan_next(&sc)) {
    if (ts_match_line(re[RE_PHYS], &sc.l, c, 3)) {
      cur = ts_push_map(&sc.b, list);
      ts_set_cap(&sc.b, cur, "interface", c[0]);
      set_lower(&sc.b, cur, "admin_status", c[1]);
      set_lower(&sc.b, cur, "link_status", c[2]);
      /* A physical interface's protocol is its link; its units inherit its admin state. */
      ts_iface_states(&sc.b, cur, c[1], c[2], c[2]);
      parent_admin_up = !(c[1].len && (c[1].p[0] == 'A' || c[1].p[0] == 'D'));
      errors_key = NULL;
      continue;
    }
    if (ts_match_line(re[RE_LOGICAL], &sc.l, c, 1)) {
      cur = ts_push_map(&sc.b, list);
      ts_set_cap(&sc.b, cur, "interface", c[0]);
      errors_key = NULL;
      continue;
    }
    if (!cur) {
      if (ts_blank(&sc.l) || sc.l.p[0] == '{') continue;
      return ts_fail(&sc.b, list, sc.l.no, "expected 'Physical interface: NAME, ...'");
    }
    if (ts_match_line(re[RE_DESCR], &sc.l, c, 1))
      ts_set_cap(&sc.b, cur, "description", c[0]);
    else if (ts_match_line(re[RE_FLAGS], &sc.l, c, 1)) {
      /* A unit's flags (Up/Down) are its link and its protocol. */
      ts_cap_t admin = {parent_admin_up ? "Enabled" : "Disabled", parent_admin_up ? 7u : 8u};
      set_lower(&sc.b, cur, "link_status", c[0]);
      ts_iface_states(&sc.b, cur, admin, c[0], c[0]);
    } else if (ts_match_line(re[RE_CURADDR], &sc.l, c, 1))
      ts_set_cap(&sc.b, cur, "mac_address", c[0]);
    else if (ts_match_line(re[RE_IN_PKTS], &sc.l, c, 1))
      ts_set_cap_int(&sc.b, cur, "input_packets", c[0]);
    else if (ts_match_line(re[RE_OUT_PKTS], &sc.l, c, 1))
      ts_set_cap_int(&sc.b, cur, "output_packets", c[0]);
    else if (ts_match_line(re[RE_LOCAL], &sc.l, c, 2)) {
      char addr[80];
      int n = snprintf(addr, sizeof(addr), "%.*s%.*s", (int)c[1].len, c[1].p, (int)c[0].len,
                       c[0].p ? c[0].p : "");
      if (n > 0 && (size_t)n < sizeof(addr)) ts_set_str(&sc.b, cur, "ip_address", addr, (size_t)n);
    } else if (ts_match_line(re[RE_ERRORS], &sc.l, c, 2)) {
      if (c[0].p)
        errors_key = ts_cap_eq(c[0], "Input") ? "input_errors" : "output_errors";
      else if (errors_key)
        ts_set_cap_int(&sc.b, cur, errors_key, c[1]);
    } else {
      if (ts_match_line(re[RE_LINKTYPE], &sc.l, c, 1))
        ts_set_cap(&sc.b, cur, "hardware_type", c[0]);
      if (ts_match_line(re[RE_MTU], &sc.l, c, 1)) ts_set_cap_int(&sc.b, cur, "mtu", c[0]);
      if (ts_match_line(re[RE_SPEED], &sc.l, c, 1)) {
        ts_set_cap(&sc.b, cur, "speed", c[0]);
        ts_iface_speed(&sc.b, cur, c[0]);
      }
    }
  }
  return ts_finish(&sc.b, list, out);
}

/* Parses a table whose header holds the given column titles (the first is at 0, at most 8):
 * each row becomes a map with the given keys. Blank output is an empty list. */
static int column_table(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                        size_t len, const char *const *titles, const char *const *keys, int ncols,
                        nh_plugin_value_t **out) {
  size_t col[8];
  ts_scan_t sc;
  nh_plugin_value_t *list;
  int i, rc, header = 0;
  if (!ts_scan_list(&sc, h, p, text, len, out, &rc)) return rc;
  list = sc.root;
  while (ts_scan_next(&sc)) {
    if (ts_blank(&sc.l)) continue;
    if (!header) {
      header = 1;
      for (i = 0; i < ncols; i++) {
        if ((col[i] = ts_column(&sc.l, titles[i])) == (size_t)-1 || (i && col[i] <= col[i - 1]))
          header = 0;
      }
      if (!header && sc.it.no > 3)
        return ts_fail(&sc.b, list, sc.l.no, "expected a '%s ... %s' table header", titles[0],
                       titles[ncols - 1]);
      continue;
    }
    if (sc.l.p[0] == '{') continue; /* {master:0} */
    {
      nh_plugin_value_t *m = ts_push_map(&sc.b, list);
      for (i = 0; i < ncols; i++) {
        ts_set_cap0(&sc.b, m, keys[i],
                    ts_slice(&sc.l, col[i], i + 1 < ncols ? col[i + 1] : sc.l.len));
      }
    }
  }
  if (!header)
    return ts_fail(&sc.b, list, 0, "no '%s ... %s' table header", titles[0], titles[ncols - 1]);
  return ts_finish(&sc.b, list, out);
}

/* list of {name, version, part, serial, description} */
static int show_chassis_hardware(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                                 size_t len, nh_plugin_value_t **out, void *ud) {
  static const char *const titles[] = {"Item", "Version", "Part number", "Serial number",
                                       "Description"};
  static const char *const keys[] = {"name", "version", "part", "serial", "description"};
  return column_table(h, p, text, len, titles, keys, (int)TS_COUNT(titles), out);
}

/* list of {local_interface, parent_interface, chassis_id, neighbor_interface, neighbor} */
static int show_lldp_neighbors(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                               size_t len, nh_plugin_value_t **out, void *ud) {
  static const char *const titles[] = {"Local Interface", "Parent Interface", "Chassis Id",
                                       "Port info", "System Name"};
  static const char *const keys[] = {"local_interface", "parent_interface", "chassis_id",
                                     "neighbor_interface", "neighbor"};
  return column_table(h, p, text, len, titles, keys, (int)TS_COUNT(titles), out);
}

/* list of {vlan_id, name, interfaces = {...}[, instance]} (ELS and older EX layouts) */
static int show_vlans(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text, size_t len,
                      nh_plugin_value_t **out, void *ud) {
  ts_scan_t sc;
  nh_plugin_value_t *list, *ports = NULL;
  size_t name_col = 0, tag_col = 0, if_col = 0;
  int rc, header = 0, els = 0;
  if (!ts_scan_list(&sc, h, p, text, len, out, &rc)) return rc;
  list = sc.root;
  while (ts_scan_next(&sc)) {
    if (ts_blank(&sc.l) || sc.l.p[0] == '{') continue;
    if (!header) {
      size_t n = ts_column(&sc.l, "VLAN name"), t = ts_column(&sc.l, "Tag"),
             f = ts_column(&sc.l, "Interfaces");
      els = n != (size_t)-1;
      if (!els) n = ts_column(&sc.l, "Name");
      if (n == (size_t)-1 || t == (size_t)-1 || f == (size_t)-1 || !(n < t && t < f)) {
        if (sc.it.no > 3)
          return ts_fail(&sc.b, list, sc.l.no, "expected the 'Name Tag Interfaces' header");
        continue;
      }
      header = 1;
      name_col = n, tag_col = t, if_col = f;
      continue;
    }
    if (!ts_blank(&(ts_line_t){sc.l.p, sc.l.len < if_col ? sc.l.len : if_col, sc.l.no})) {
      nh_plugin_value_t *m = ts_push_map(&sc.b, list);
      ts_cap_t tag = ts_slice(&sc.l, tag_col, if_col);
      ts_set_cap_int(&sc.b, m, "vlan_id", tag);
      ts_set_cap(&sc.b, m, "name", ts_slice(&sc.l, name_col, tag_col));
      if (els) ts_set_cap(&sc.b, m, "instance", ts_slice(&sc.l, 0, name_col));
      ports = ts_list(&sc.b);
      ts_set(&sc.b, m, "interfaces", ports);
    } else if (!ports) {
      return ts_fail(&sc.b, list, sc.l.no, "interfaces before any VLAN");
    }
    ts_push_items(&sc.b, ports, ts_slice(&sc.l, if_col, sc.l.len), '*');
  }
  if (!header) return ts_fail(&sc.b, list, 0, "no 'Name Tag Interfaces' header");
  return ts_finish(&sc.b, list, out);
}

/* list of {line, children}: braces form, or `display set` form when the lines are `set`s */
static int show_configuration(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                              size_t len, nh_plugin_value_t **out, void *ud) {
  ts_b_t b = {h, p, 0};
  ts_lines_t it;
  ts_line_t l;
  nh_plugin_config_dialect_t dialect = NH_PLUGIN_DIALECT_BRACES;
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l)) {
    size_t i = ts_indent(&l);
    if (ts_blank(&l) || l.p[i] == '#') continue;
    if (l.len - i > 4 && memcmp(l.p + i, "set ", 4) == 0) dialect = NH_PLUGIN_DIALECT_SET;
    break;
  }
  return ts_config_sections(&b, text, len, dialect, NULL, out);
}

/* Junos prints sizes as df -h does: "16G", "1.3G", "598M", "8.0K" (powers of 1024, a
 * plain number is bytes). Returns 0 and the bytes, or -1. */
static int human_size(const char *s, size_t n, uint64_t *out) {
  double v = 0, scale = 1, frac = 0.1;
  size_t i = 0;
  int digits = 0;
  for (; i < n && isdigit((unsigned char)s[i]); i++, digits++) v = v * 10 + (s[i] - '0');
  if (i < n && s[i] == '.') {
    for (i++; i < n && isdigit((unsigned char)s[i]); i++, digits++, frac /= 10)
      v += (s[i] - '0') * frac;
  }
  if (!digits) return -1;
  if (i < n) {
    const char *units = "BKMGTP", *u = strchr(units, toupper((unsigned char)s[i]));
    if (!u || !*u || i + 1 != n) return -1;
    for (; u > units; u--) scale *= 1024;
  }
  *out = (uint64_t)(v * scale);
  return 0;
}

/* Whether the file system mounted on mount holds path: path is under it, or under it once
 * "/.mount" is put before path (Junos 15.1 and later mount /var on /.mount/var). Returns the
 * mount's length as a score, or -1. */
static int mount_holds(const char *mount, size_t mlen, const char *path) {
  static const char prefix[] = "/.mount";
  size_t plen = strlen(path), k = sizeof prefix - 1;
  if (mlen == 1 && mount[0] == '/') return 1;
  if (plen >= mlen && !memcmp(path, mount, mlen) && (path[mlen] == '/' || path[mlen] == 0))
    return (int)mlen;
  if (mlen >= k && !memcmp(mount, prefix, k) && plen >= mlen - k &&
      !memcmp(path, mount + k, mlen - k) && (path[mlen - k] == '/' || path[mlen - k] == 0))
    return (int)mlen;
  return -1;
}

/* `show system storage`: "Filesystem Size Used Avail Capacity Mounted on" rows; the free
 * bytes of path are the Avail of the longest mount point that holds it. Only the first
 * routing engine's table is read (a dual-RE system prints one per RE, the one we are logged
 * in to first). */
static int free_space(const char *text, size_t len, const char *path, uint64_t *free_bytes) {
  ts_lines_t it;
  ts_line_t l;
  int tables = 0, best = -1;
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l)) {
    const char *w[6];
    size_t wl[6], i = 0, k = 0;
    int score;
    if (l.len >= 10 && !memcmp(l.p, "Filesystem", 10)) {
      if (++tables > 1) break;
      continue;
    }
    while (k < 6) {
      while (i < l.len && isspace((unsigned char)l.p[i])) i++;
      if (i == l.len) break;
      w[k] = l.p + i;
      while (i < l.len && !isspace((unsigned char)l.p[i])) i++;
      wl[k] = (size_t)(l.p + i - w[k]);
      k++;
    }
    if (!tables || k != 6 || w[5][0] != '/') continue;
    if ((score = mount_holds(w[5], wl[5], path)) > best && human_size(w[3], wl[3], free_bytes) == 0)
      best = score;
  }
  return best >= 0 ? NH_PLUGIN_OK : NH_PLUGIN_EPARSE;
}

static const char *const aliases[] = {"junos", "juniper.junos.junos", NULL};
static const char *const on_open[] = {"set cli screen-length 0", "set cli screen-width 1024", NULL};
static const char *const paging[] = {"---\\(more( \\d+%)?\\)---", NULL};
/* Commit stamps and the routing-engine banner change without a configuration change. */
static const char *const volatile_lines[] = {"^## Last commit", "^## Last changed",
                                             "^\\{master:\\d+\\}", "^\\{primary:", NULL};
static const char *const errors[] = {"^\\s*syntax error",
                                     "^\\s*error:",
                                     "^\\s*unknown command",
                                     "^\\s*missing argument",
                                     "^\\s*invalid (value|command)",
                                     NULL};
static const char *const confirm[] = {"\\[yes,no\\] \\((yes|no)\\)\\s*$", NULL};

static const nh_plugin_platform_t junos = {
    .size = sizeof(nh_plugin_platform_t),
    .name = "juniper_junos",
    .aliases = aliases,
    .description = "Juniper Junos",
    .prompt_pattern = "^(?:\\{[\\w:]+\\}\\s*)?[\\w.\\-]+@[\\w.\\-]+[>#%]\\s*$",
    .on_open = on_open,
    .paging_patterns = paging,
    .config_enter = "configure",
    .config_exit = "exit configuration-mode",
    .config_prompt_pattern = "#\\s*$",
    .commit_command = "commit",
    .commit_confirmed_command = "commit confirmed %d",
    .error_patterns = errors,
    .confirm_patterns = confirm,
    .confirm_response = "yes",
    .rollback_method = NH_PLUGIN_ROLLBACK_COMMIT,
    .rollback_command = "rollback %d",
    .config_dialect = NH_PLUGIN_DIALECT_BRACES,
    .show_config_command = "show configuration",
    .volatile_patterns = volatile_lines,
    .file_default_dir = "/var/tmp/",
    .file_free_command = "show system storage",
    .file_free_parse = free_space,
    .file_checksum_command = "file checksum sha-256 %s",
    .file_checksum_algorithm = "sha256",
};

static const ts_parser_t parsers[] = {
    {"show interfaces terse", show_interfaces_terse},
    {"show interfaces", show_interfaces},
    {"show interfaces *", show_interfaces},
    {"show chassis hardware", show_chassis_hardware},
    {"show vlans", show_vlans},
    {"show lldp neighbors", show_lldp_neighbors},
    {"show configuration", show_configuration},
    {"show configuration *", show_configuration},
};

TS_PLUGIN_ENTRY("juniper_junos", "1.0.0", ts_plugin_start, &patterns, &junos, &show_version,
                parsers)
