/* Parsers for the IOS-style CLI output that Cisco IOS and Arista EOS share. */
#include "ioslike.h"

#include <string.h>

#define STATUS_WORDS                                                                      \
  "connected|notconnect|notconnec|disabled|err-disabled|errdisabled|monitoring|inactive|" \
  "sfpAbsent|xcvrAbsent|noOperMem|suspended|suspnd|faulty|notPresent|adminDown|down|up"

#define PATTERNS(X)                                                                         \
  X(RE_IF_HEAD, "^(\\S+) is (.+?),\\s+line protocol is (\\S+)")                             \
  X(RE_IF_HW, "^\\s+Hardware is (.+?)(?:, address is (\\S+)(?: \\(bia (\\S+)\\))?)?\\s*$")  \
  X(RE_IF_DESCR, "^\\s+Description: (.*)$")                                                 \
  X(RE_IF_INET, "^\\s+Internet address is (\\S+)")                                          \
  X(RE_IF_MTU, "^\\s+(?:IP |Ethernet )?MTU (\\d+) bytes(?:.*?BW (\\d+) [Kk]bit)?")          \
  X(RE_IF_DUPLEX,                                                                           \
    "^\\s+((?:Full|Half|Auto|Unknown)[- ][Dd]uplex|\\S+-duplex),\\s*([^,]+?)\\s*(?:,|$)")   \
  X(RE_IF_IN_PKTS, "^\\s+(\\d+) packets input")                                             \
  X(RE_IF_IN_ERR, "^\\s+(\\d+) input errors(?:, (\\d+) CRC)?")                              \
  X(RE_IF_OUT_PKTS, "^\\s+(\\d+) packets output")                                           \
  X(RE_IF_OUT_ERR, "^\\s+(\\d+) output errors")                                             \
  X(RE_ST_HEADER, "^Port\\s+Name\\s+Status\\s+Vlan\\s+Duplex\\s+Speed")                     \
  X(RE_ST_REST, "^(" STATUS_WORDS ")\\s+(in \\S+|pvlan \\S+|\\S+)\\s+(\\S+)\\s+(\\S+)"      \
                "(?:\\s+(.*?))?\\s*$")                                                      \
  X(RE_ST_ROW, "^(\\S+)\\s+(.*?)\\s*\\b(" STATUS_WORDS ")\\s+(in \\S+|pvlan \\S+|\\S+)\\s+" \
               "(\\S+)\\s+(\\S+)(?:\\s+(.*?))?\\s*$")                                       \
  X(RE_ST_NOTE, "^(\\S+) is (\\S+)(?:\\s+\\((.*)\\))?")                                     \
  X(RE_BR_HEADER, "^Interface\\s+IP[- ]Address\\s+(OK\\?)?")                                \
  X(RE_BR_IOS, "^(\\S+)\\s+(\\S+)\\s+(YES|NO)\\s+(\\S+)\\s+(.+?)\\s+(\\S+)\\s*$")           \
  X(RE_BR_EOS, "^(\\S+)\\s+(\\S+)\\s+(.+?)\\s+(\\S+)\\s+(\\d+)(?:\\s+(.*?))?\\s*$")         \
  X(RE_VLAN_HEADER, "^VLAN\\s+Name\\s+Status\\s+Ports")                                     \
  X(RE_VLAN_ROW, "^(\\d+)\\s+(\\S+)\\s+(\\S+)(?:\\s+(.*?))?\\s*$")                          \
  X(RE_VLAN_MORE, "^\\s+(\\S.*?)\\s*$")                                                     \
  X(RE_VLAN_END, "^(VLAN\\s+Type|Primary\\s+Secondary|Remote SPAN)")                        \
  X(RE_LLDP_IOS_HEADER, "^Device ID\\s+Local Intf\\s+Hold-time\\s+Capability\\s+Port ID")   \
  X(RE_LLDP_EOS_HEADER, "^Port\\s+Neighbor Device ID\\s+Neighbor Port ID\\s+TTL")           \
  X(RE_LLDP_EOS_ROW, "^(\\S+)\\s+(\\S+)\\s+(.+?)\\s+(\\d+)\\s*$")                           \
  X(RE_DASHES, "^[\\s-]*-[\\s-]*$")
TS_PATTERNS(PATTERNS);

/* One parse of a table-like output into a list of rows (ts_scan_t, root the list). Every
 * parser below starts (ts_scan_list), reads lines and ends the same way through these. */
typedef ts_scan_t scan_t;

/* The next line into s->l; with skip, blank lines and rules of dashes are passed over.
 * 0 at the end, or once the builder ran out of memory (scan_end reports it). */
static int scan_next(scan_t *s, int skip) {
  while (ts_scan_next(s)) {
    if (skip && (ts_blank(&s->l) || ts_match_line(re[RE_DASHES], &s->l, NULL, 0))) continue;
    return 1;
  }
  return 0;
}

/* A new row (a map) appended to the list. */
static nh_plugin_value_t *scan_row(scan_t *s) {
  return ts_push_map(&s->b, s->root);
}

/* Fails the parse at the current line. */
static int scan_fail(scan_t *s, const char *why) {
  return ts_fail(&s->b, s->root, s->l.no, "%s", why);
}

/* Ends the parse: the list in *out, or an error when the table's header (named by
 * header_name) never came. */
static int scan_end(scan_t *s, int header_seen, const char *header_name, nh_plugin_value_t **out) {
  if (!header_seen) return ts_fail(&s->b, s->root, 0, "no %s header", header_name);
  return ts_finish(&s->b, s->root, out);
}

int ioslike_show_interfaces(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                            size_t len, nh_plugin_value_t **out, void *ud) {
  /* The lines under an interface that are only values to store. */
  static const ts_fact_t facts[] = {
      {RE_IF_HW, 0, {{"hardware_type", 0, TS_STR}, {"mac_address", 1, TS_STR}}},
      {RE_IF_INET, 0, {{"ip_address", 0, TS_STR}}},
      {RE_IF_MTU, 0, {{"mtu", 0, TS_INT}, {"bandwidth_kbps", 1, TS_INT}}},
      {RE_IF_IN_PKTS, 0, {{"input_packets", 0, TS_INT}}},
      {RE_IF_IN_ERR, 0, {{"input_errors", 0, TS_INT}, {"crc", 1, TS_INT}}},
      {RE_IF_OUT_PKTS, 0, {{"output_packets", 0, TS_INT}}},
      {RE_IF_OUT_ERR, 0, {{"output_errors", 0, TS_INT}}},
  };
  scan_t s;
  ts_cap_t c[4];
  nh_plugin_value_t *cur = NULL;
  size_t i;
  int rc;
  if (!ts_scan_list(&s, h, p, text, len, out, &rc)) return rc;
  while (scan_next(&s, 0)) {
    if (ts_match_line(re[RE_IF_HEAD], &s.l, c, 3)) {
      size_t sp;
      cur = scan_row(&s);
      ts_set_cap(&s.b, cur, "interface", c[0]);
      ts_set_cap(&s.b, cur, "link_status", c[1]);
      /* "down (notconnect)": the state is the first word, the reason is kept apart. */
      for (sp = 0; sp < c[2].len && c[2].p[sp] != ' '; sp++) continue;
      ts_set_str(&s.b, cur, "protocol_status", c[2].p, sp);
      {
        ts_cap_t none = {NULL, 0};
        ts_iface_states(&s.b, cur, none, c[1], c[2]);
      }
      continue;
    }
    if (!cur) {
      if (ts_blank(&s.l)) continue;
      return scan_fail(&s, "expected 'INTERFACE is STATE, line protocol is STATE'");
    }
    if (ts_match_line(re[RE_IF_DESCR], &s.l, c, 1)) {
      c[0] = ts_trim(c[0]);
      if (c[0].len >= 2 && c[0].p[0] == '"' && c[0].p[c[0].len - 1] == '"') {
        c[0].p++; /* EOS quotes descriptions */
        c[0].len -= 2;
      }
      ts_set_cap(&s.b, cur, "description", c[0]);
    } else if (ts_match_line(re[RE_IF_DUPLEX], &s.l, c, 2)) {
      ts_set_cap(&s.b, cur, "duplex", c[0]);
      ts_set_cap(&s.b, cur, "speed", c[1]);
      ts_iface_duplex(&s.b, cur, c[0]);
      ts_iface_speed(&s.b, cur, c[1]);
    } else {
      /* A counter line: the first fact whose pattern matches stores it. */
      for (i = 0; i < TS_COUNT(facts); i++)
        if (ts_store_fact(&s.b, cur, &s.l, re, &facts[i])) break;
    }
  }
  return scan_end(&s, 1, NULL, out);
}

int ioslike_interfaces_status(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                              size_t len, nh_plugin_value_t **out, void *ud) {
  /* A port line; a port without the usual columns ("fc2/1 is down (SFP not present)"). */
  static const ts_field_t port[] = {{"interface", 0, TS_STR}, {"description", 1, TS_STR0},
                                    {"status", 2, TS_STR},    {"vlan", 3, TS_STR},
                                    {"duplex", 4, TS_STR},    {"speed", 5, TS_STR},
                                    {"type", 6, TS_STR0}};
  static const ts_field_t note[] = {
      {"interface", 0, TS_STR}, {"status", 1, TS_STR}, {"type", 2, TS_STR}};
  scan_t s;
  ts_cap_t c[7];
  size_t status_col = (size_t)-1;
  int rc, header = 0;
  if (!ts_scan_list(&s, h, p, text, len, out, &rc)) return rc;
  while (scan_next(&s, 1)) {
    ts_cap_t name;
    size_t pe;
    if (ts_match_line(re[RE_ST_HEADER], &s.l, NULL, 0)) {
      header = 1;
      status_col = ts_column(&s.l, "Status");
      continue;
    }
    if (!header) return scan_fail(&s, "expected the 'Port Name Status Vlan' header");
    for (pe = 0; pe < s.l.len && s.l.p[pe] != ' ' && s.l.p[pe] != '\t'; pe++) continue;
    /* Trust the header's Status column when the row lines up with it: names may contain
     * status words ("*** connected to U"). Otherwise find the status by its words. */
    if (status_col != (size_t)-1 && status_col > pe && status_col < s.l.len &&
        s.l.p[status_col - 1] == ' ' &&
        ts_match(re[RE_ST_REST], s.l.p + status_col, s.l.len - status_col, c + 2, 5)) {
      name = ts_slice(&s.l, pe, status_col);
    } else if (ts_match_line(re[RE_ST_NOTE], &s.l, c, 3)) {
      ts_set_fields(&s.b, scan_row(&s), c, note, TS_COUNT(note));
      continue;
    } else if (ts_match_line(re[RE_ST_ROW], &s.l, c, 7)) {
      name = c[1];
    } else {
      return scan_fail(&s, "cannot read this port line");
    }
    c[0] = ts_slice(&s.l, 0, pe);
    c[1] = name;
    ts_set_fields(&s.b, scan_row(&s), c, port, TS_COUNT(port));
  }
  return scan_end(&s, header, "'Port Name Status Vlan'", out);
}

int ioslike_ip_interface_brief(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                               size_t len, nh_plugin_value_t **out, void *ud) {
  /* The two layouts, told apart by the header's "OK?" column. EOS: Interface, IP
   * Address, Status, Protocol, MTU[, Owner]. IOS: Interface, IP-Address, OK?, Method,
   * Status, Protocol. */
  static const struct {
    int re;
    ts_field_t row[5];
  } layouts[2] = {
      {RE_BR_EOS,
       {{"interface", 0, TS_STR},
        {"ip_address", 1, TS_STR},
        {"status", 2, TS_STR},
        {"protocol", 3, TS_STR},
        {"mtu", 4, TS_INT}}},
      {RE_BR_IOS,
       {{"interface", 0, TS_STR},
        {"ip_address", 1, TS_STR},
        {"status", 4, TS_STR},
        {"protocol", 5, TS_STR},
        {"method", 3, TS_STR}}},
  };
  scan_t s;
  ts_cap_t c[6];
  int rc, header = 0, layout = 0;
  if (!ts_scan_list(&s, h, p, text, len, out, &rc)) return rc;
  while (scan_next(&s, 1)) {
    if (!header) {
      if (!ts_match_line(re[RE_BR_HEADER], &s.l, c, 1)) {
        /* EOS prints the address-family banner first, e.g. "Address" on its own line. */
        if (s.it.no <= 3) continue;
        return scan_fail(&s, "expected the 'Interface IP-Address' header");
      }
      header = 1;
      layout = c[0].p != NULL; /* IOS */
      continue;
    }
    if (!ts_match_line(re[layouts[layout].re], &s.l, c, 6))
      return scan_fail(&s, "cannot read this interface line");
    ts_set_fields(&s.b, scan_row(&s), c, layouts[layout].row, TS_COUNT(layouts[layout].row));
  }
  return scan_end(&s, header, "'Interface IP-Address'", out);
}

int ioslike_vlan(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text, size_t len,
                 nh_plugin_value_t **out, void *ud) {
  static const ts_field_t vlan[] = {
      {"vlan_id", 0, TS_INT}, {"name", 1, TS_STR}, {"status", 2, TS_STR}};
  scan_t s;
  ts_cap_t c[4];
  nh_plugin_value_t *ports = NULL;
  int rc, header = 0;
  if (!ts_scan_list(&s, h, p, text, len, out, &rc)) return rc;
  while (scan_next(&s, 1)) {
    if (ts_match_line(re[RE_VLAN_HEADER], &s.l, NULL, 0)) {
      header = 1;
      continue;
    }
    if (!header) return scan_fail(&s, "expected the 'VLAN Name Status Ports' header");
    if (ts_match_line(re[RE_VLAN_END], &s.l, NULL, 0)) break;
    if (ts_match_line(re[RE_VLAN_ROW], &s.l, c, 4)) {
      nh_plugin_value_t *row = scan_row(&s);
      ts_set_fields(&s.b, row, c, vlan, TS_COUNT(vlan));
      ports = ts_list(&s.b);
      ts_set(&s.b, row, "interfaces", ports);
      ts_push_items(&s.b, ports, c[3], 0);
    } else if (ports && ts_match_line(re[RE_VLAN_MORE], &s.l, c, 1)) {
      ts_push_items(&s.b, ports, c[0], 0);
    } else {
      return scan_fail(&s, "cannot read this VLAN line");
    }
  }
  return scan_end(&s, header, "'VLAN Name Status Ports'", out);
}

int ioslike_lldp_neighbors(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                           size_t len, nh_plugin_value_t **out, void *ud) {
  /* EOS: Port Neighbor-Device-ID Neighbor-Port-ID TTL. */
  static const ts_field_t eos_row[] = {{"local_interface", 0, TS_STR},
                                       {"neighbor", 1, TS_STR},
                                       {"neighbor_interface", 2, TS_STR},
                                       {"hold_time", 3, TS_INT}};
  scan_t s;
  ts_cap_t c[4];
  nh_plugin_value_t *row;
  size_t local = 0, hold = 0, capab = 0, port = 0;
  int rc, header = 0; /* 1: IOS columns, 2: EOS */
  if (!ts_scan_list(&s, h, p, text, len, out, &rc)) return rc;
  while (scan_next(&s, 1)) {
    if (ts_match_line(re[RE_LLDP_IOS_HEADER], &s.l, NULL, 0)) {
      header = 1;
      local = ts_column(&s.l, "Local Intf");
      hold = ts_column(&s.l, "Hold-time");
      capab = ts_column(&s.l, "Capability");
      port = ts_column(&s.l, "Port ID");
      continue;
    }
    if (ts_match_line(re[RE_LLDP_EOS_HEADER], &s.l, NULL, 0)) {
      header = 2;
      continue;
    }
    if (!header) continue; /* capability legend, table counters */
    if (s.l.len >= 5 && memcmp(s.l.p, "Total", 5) == 0) break;
    if (header == 1) {
      ts_cap_t holdtime = ts_slice(&s.l, hold, capab);
      int64_t ht;
      if (s.l.len <= port || !ts_cap_int(holdtime, &ht))
        return scan_fail(&s, "cannot read this neighbor line");
      row = scan_row(&s);
      ts_set_cap(&s.b, row, "local_interface", ts_slice(&s.l, local, hold));
      ts_set_cap(&s.b, row, "neighbor", ts_slice(&s.l, 0, local));
      ts_set_cap(&s.b, row, "neighbor_interface", ts_slice(&s.l, port, s.l.len));
      ts_set_cap0(&s.b, row, "capabilities", ts_slice(&s.l, capab, port));
      ts_set_int(&s.b, row, "hold_time", ht);
    } else if (ts_match_line(re[RE_LLDP_EOS_ROW], &s.l, c, 4)) {
      ts_set_fields(&s.b, scan_row(&s), c, eos_row, TS_COUNT(eos_row));
    } else {
      return scan_fail(&s, "cannot read this neighbor line");
    }
  }
  return scan_end(&s, header, "LLDP neighbor table", out);
}

int ioslike_running_config(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                           size_t len, nh_plugin_value_t **out, void *ud) {
  ts_b_t b = {h, p, 0};
  return ts_config_sections(&b, text, len, NH_PLUGIN_DIALECT_INDENT, "!", out);
}

const char *const ioslike_on_open[] = {"terminal length 0",
                                       "terminal width " NH_PLUGIN_SHELL_WIDTH_STR, NULL};
const char *const ioslike_paging[] = {"-+ ?[Mm]ore ?-+", NULL};
/* The header lines IOS and EOS print with a running configuration that change on their
 * own: byte counts, timestamps, the NTP clock's drift correction. */
const char *const ioslike_volatile[] = {"^Building configuration",
                                        "^Current configuration ?:",
                                        "^! Last configuration change",
                                        "^! NVRAM config last updated",
                                        "^! No configuration change since last restart",
                                        "^ntp clock-period ",
                                        "^! Command: show running-config",
                                        "^! device: ",
                                        "^! Time: ",
                                        "^! boot system flash",
                                        NULL};

/* `dir FS:` ends with "N bytes total (M bytes free)" on IOS and EOS ("M bytes free" alone on
 * NX-OS); the file system the path is on is the one dir listed, so the path is not needed. */
int ioslike_free_space(const char *text, size_t len, const char *path, uint64_t *free_bytes) {
  static const char marker[] = " bytes free";
  const size_t mlen = sizeof marker - 1;
  size_t i, end = 0, start;
  uint64_t v = 0;
  (void)path;
  for (i = 0; i + mlen <= len; i++) {
    if (memcmp(text + i, marker, mlen) == 0) end = i;
  }
  if (end == 0) return NH_PLUGIN_EPARSE;
  for (start = end; start > 0 && text[start - 1] >= '0' && text[start - 1] <= '9';) start--;
  if (start == end || end - start > 19) return NH_PLUGIN_EPARSE;
  for (i = start; i < end; i++) v = v * 10 + (uint64_t)(text[i] - '0');
  *free_bytes = v;
  return NH_PLUGIN_OK;
}

int ioslike_start(const nh_plugin_host_t *host, nh_plugin_t *self, ts_patterns_t *own,
                  const nh_plugin_platform_t *platform, const ts_facts_t *facts,
                  const ts_parser_t *parsers, size_t n) {
  static const ts_parser_t shared[] = {
      {"show ip interface brief", ioslike_ip_interface_brief},
      {"show interfaces status", ioslike_interfaces_status},
      {"show interfaces", ioslike_show_interfaces},
      {"show interfaces *", ioslike_show_interfaces},
      {"show vlan", ioslike_vlan},
      {"show lldp neighbors", ioslike_lldp_neighbors},
      {"show running-config", ioslike_running_config},
      {"show startup-config", ioslike_running_config},
  };
  int rc;
  if ((rc = ts_patterns_load(host, self, &patterns)) < 0) return rc;
  if ((rc = ts_plugin_start(host, self, own, platform, facts, parsers, n)) < 0) return rc;
  return ts_register_parsers(host, self, platform->name, shared, sizeof shared / sizeof *shared);
}
