/* Parsers for the IOS-style CLI output that Cisco IOS and Arista EOS share. */
#include "ioslike.h"

#include <string.h>

#define STATUS_WORDS                                                                      \
  "connected|notconnect|notconnec|disabled|err-disabled|errdisabled|monitoring|inactive|" \
  "sfpAbsent|xcvrAbsent|noOperMem|suspended|suspnd|faulty|notPresent|adminDown|down|up"

enum {
  RE_IF_HEAD,
  RE_IF_HW,
  RE_IF_DESCR,
  RE_IF_INET,
  RE_IF_MTU,
  RE_IF_DUPLEX,
  RE_IF_IN_PKTS,
  RE_IF_IN_ERR,
  RE_IF_OUT_PKTS,
  RE_IF_OUT_ERR,
  RE_ST_HEADER,
  RE_ST_REST,
  RE_ST_ROW,
  RE_ST_NOTE,
  RE_BR_HEADER,
  RE_BR_IOS,
  RE_BR_EOS,
  RE_VLAN_HEADER,
  RE_VLAN_ROW,
  RE_VLAN_MORE,
  RE_VLAN_END,
  RE_LLDP_IOS_HEADER,
  RE_LLDP_EOS_HEADER,
  RE_LLDP_EOS_ROW,
  RE_DASHES,
  RE_COUNT
};

static const char *const patterns[RE_COUNT] = {
    [RE_IF_HEAD] = "^(\\S+) is (.+?),\\s+line protocol is (\\S+)",
    [RE_IF_HW] = "^\\s+Hardware is (.+?)(?:, address is (\\S+)(?: \\(bia (\\S+)\\))?)?\\s*$",
    [RE_IF_DESCR] = "^\\s+Description: (.*)$",
    [RE_IF_INET] = "^\\s+Internet address is (\\S+)",
    [RE_IF_MTU] = "^\\s+(?:IP |Ethernet )?MTU (\\d+) bytes(?:.*?BW (\\d+) [Kk]bit)?",
    [RE_IF_DUPLEX] =
        "^\\s+((?:Full|Half|Auto|Unknown)[- ][Dd]uplex|\\S+-duplex),\\s*([^,]+?)\\s*(?:,|$)",
    [RE_IF_IN_PKTS] = "^\\s+(\\d+) packets input",
    [RE_IF_IN_ERR] = "^\\s+(\\d+) input errors(?:, (\\d+) CRC)?",
    [RE_IF_OUT_PKTS] = "^\\s+(\\d+) packets output",
    [RE_IF_OUT_ERR] = "^\\s+(\\d+) output errors",
    [RE_ST_HEADER] = "^Port\\s+Name\\s+Status\\s+Vlan\\s+Duplex\\s+Speed",
    [RE_ST_REST] = "^(" STATUS_WORDS ")\\s+(in \\S+|pvlan \\S+|\\S+)\\s+(\\S+)\\s+(\\S+)"
                   "(?:\\s+(.*?))?\\s*$",
    [RE_ST_ROW] = "^(\\S+)\\s+(.*?)\\s*\\b(" STATUS_WORDS ")\\s+(in \\S+|pvlan \\S+|\\S+)\\s+"
                  "(\\S+)\\s+(\\S+)(?:\\s+(.*?))?\\s*$",
    [RE_ST_NOTE] = "^(\\S+) is (\\S+)(?:\\s+\\((.*)\\))?",
    [RE_BR_HEADER] = "^Interface\\s+IP[- ]Address\\s+(OK\\?)?",
    [RE_BR_IOS] = "^(\\S+)\\s+(\\S+)\\s+(YES|NO)\\s+(\\S+)\\s+(.+?)\\s+(\\S+)\\s*$",
    [RE_BR_EOS] = "^(\\S+)\\s+(\\S+)\\s+(.+?)\\s+(\\S+)\\s+(\\d+)(?:\\s+(.*?))?\\s*$",
    [RE_VLAN_HEADER] = "^VLAN\\s+Name\\s+Status\\s+Ports",
    [RE_VLAN_ROW] = "^(\\d+)\\s+(\\S+)\\s+(\\S+)(?:\\s+(.*?))?\\s*$",
    [RE_VLAN_MORE] = "^\\s+(\\S.*?)\\s*$",
    [RE_VLAN_END] = "^(VLAN\\s+Type|Primary\\s+Secondary|Remote SPAN)",
    [RE_LLDP_IOS_HEADER] = "^Device ID\\s+Local Intf\\s+Hold-time\\s+Capability\\s+Port ID",
    [RE_LLDP_EOS_HEADER] = "^Port\\s+Neighbor Device ID\\s+Neighbor Port ID\\s+TTL",
    [RE_LLDP_EOS_ROW] = "^(\\S+)\\s+(\\S+)\\s+(.+?)\\s+(\\d+)\\s*$",
    [RE_DASHES] = "^[\\s-]*-[\\s-]*$",
};

static ts_re_t *re[RE_COUNT];

static void release(void *ud) {
  int i;
  for (i = 0; i < RE_COUNT; i++) {
    ts_re_free(re[i]);
    re[i] = NULL;
  }
}

int ioslike_init(const nh_plugin_host_t *host, nh_plugin_t *self) {
  int i;
  if (re[0]) return 0;
  for (i = 0; i < RE_COUNT; i++) {
    if (!(re[i] = ts_re(patterns[i]))) {
      host->log(self, NH_PLUGIN_LOG_ERROR, "bad pattern %d: %s", i, patterns[i]);
      release(NULL);
      return NH_PLUGIN_EINVAL;
    }
  }
  return host->on_unload(self, release, NULL);
}

int ioslike_empty(const char *text, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n') return 0;
  }
  return 1;
}

static ts_cap_t cap_of(const char *p, size_t len) {
  ts_cap_t c = {p, len};
  return c;
}

/* Slice [from, to) of a line (clamped), trimmed. */
static ts_cap_t slice(const ts_line_t *l, size_t from, size_t to) {
  if (from > l->len) from = l->len;
  if (to > l->len) to = l->len;
  if (to < from) to = from;
  return ts_trim(cap_of(l->p + from, to - from));
}

/* Offset of word in the header line, or (size_t)-1. */
static size_t column(const ts_line_t *header, const char *word) {
  const char *at = memmem(header->p, header->len, word, strlen(word));
  return at ? (size_t)(at - header->p) : (size_t)-1;
}

static int begin(ts_b_t *b, const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                 size_t len) {
  b->h = h;
  b->p = p;
  b->oom = 0;
  return ts_check_text(b, text, len);
}

static int empty_list(ts_b_t *b, nh_plugin_value_t **out) {
  return ts_finish(b, ts_list(b), out);
}

int ioslike_show_interfaces(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                            size_t len, nh_plugin_value_t **out, void *ud) {
  ts_b_t b;
  ts_lines_t it;
  ts_line_t l;
  ts_cap_t c[4];
  nh_plugin_value_t *list, *cur = NULL;
  int rc;
  if ((rc = begin(&b, h, p, text, len)) < 0) return rc;
  if (ioslike_empty(text, len)) return empty_list(&b, out);
  list = ts_list(&b);
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l) && !b.oom) {
    if (ts_match_line(re[RE_IF_HEAD], &l, c, 3)) {
      size_t sp;
      cur = ts_map(&b);
      ts_push(&b, list, cur);
      ts_set_cap(&b, cur, "interface", c[0]);
      ts_set_cap(&b, cur, "link_status", c[1]);
      /* "down (notconnect)": the state is the first word, the reason is kept apart. */
      for (sp = 0; sp < c[2].len && c[2].p[sp] != ' '; sp++) continue;
      ts_set_str(&b, cur, "protocol_status", c[2].p, sp);
      continue;
    }
    if (!cur) {
      if (ts_blank(&l)) continue;
      return ts_fail(&b, list, l.no, "expected 'INTERFACE is STATE, line protocol is STATE'");
    }
    if (ts_match_line(re[RE_IF_HW], &l, c, 3)) {
      ts_set_cap(&b, cur, "hardware_type", c[0]);
      ts_set_cap(&b, cur, "mac_address", c[1]);
    } else if (ts_match_line(re[RE_IF_DESCR], &l, c, 1)) {
      c[0] = ts_trim(c[0]);
      if (c[0].len >= 2 && c[0].p[0] == '"' && c[0].p[c[0].len - 1] == '"') {
        c[0].p++; /* EOS quotes descriptions */
        c[0].len -= 2;
      }
      ts_set_cap(&b, cur, "description", c[0]);
    } else if (ts_match_line(re[RE_IF_INET], &l, c, 1)) {
      ts_set_cap(&b, cur, "ip_address", c[0]);
    } else if (ts_match_line(re[RE_IF_MTU], &l, c, 2)) {
      ts_set_cap_int(&b, cur, "mtu", c[0]);
      ts_set_cap_int(&b, cur, "bandwidth_kbps", c[1]);
    } else if (ts_match_line(re[RE_IF_DUPLEX], &l, c, 2)) {
      ts_set_cap(&b, cur, "duplex", c[0]);
      ts_set_cap(&b, cur, "speed", c[1]);
    } else if (ts_match_line(re[RE_IF_IN_PKTS], &l, c, 1)) {
      ts_set_cap_int(&b, cur, "input_packets", c[0]);
    } else if (ts_match_line(re[RE_IF_IN_ERR], &l, c, 2)) {
      ts_set_cap_int(&b, cur, "input_errors", c[0]);
      ts_set_cap_int(&b, cur, "crc", c[1]);
    } else if (ts_match_line(re[RE_IF_OUT_PKTS], &l, c, 1)) {
      ts_set_cap_int(&b, cur, "output_packets", c[0]);
    } else if (ts_match_line(re[RE_IF_OUT_ERR], &l, c, 1)) {
      ts_set_cap_int(&b, cur, "output_errors", c[0]);
    }
  }
  return ts_finish(&b, list, out);
}

int ioslike_interfaces_status(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                              size_t len, nh_plugin_value_t **out, void *ud) {
  ts_b_t b;
  ts_lines_t it;
  ts_line_t l;
  ts_cap_t c[7];
  nh_plugin_value_t *list, *row;
  size_t status_col = (size_t)-1;
  int rc, header = 0;
  if ((rc = begin(&b, h, p, text, len)) < 0) return rc;
  if (ioslike_empty(text, len)) return empty_list(&b, out);
  list = ts_list(&b);
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l) && !b.oom) {
    ts_cap_t port, name;
    size_t pe;
    if (ts_blank(&l) || ts_match_line(re[RE_DASHES], &l, NULL, 0)) continue;
    if (ts_match_line(re[RE_ST_HEADER], &l, NULL, 0)) {
      header = 1;
      status_col = column(&l, "Status");
      continue;
    }
    if (!header) return ts_fail(&b, list, l.no, "expected the 'Port Name Status Vlan' header");
    for (pe = 0; pe < l.len && l.p[pe] != ' ' && l.p[pe] != '\t'; pe++) continue;
    port = cap_of(l.p, pe);
    /* Trust the header's Status column when the row lines up with it: names may contain
     * status words ("*** connected to U"). Otherwise find the status by its words. */
    if (status_col != (size_t)-1 && status_col > pe && status_col < l.len &&
        l.p[status_col - 1] == ' ' &&
        ts_match(re[RE_ST_REST], l.p + status_col, l.len - status_col, c + 2, 5)) {
      name = slice(&l, pe, status_col);
    } else if (ts_match_line(re[RE_ST_NOTE], &l, c, 3)) {
      /* "fc2/1 is down (SFP not present)": a port without the usual columns. */
      row = ts_map(&b);
      ts_push(&b, list, row);
      ts_set_cap(&b, row, "interface", c[0]);
      ts_set_cap(&b, row, "status", c[1]);
      ts_set_cap(&b, row, "type", c[2]);
      continue;
    } else if (ts_match_line(re[RE_ST_ROW], &l, c, 7)) {
      name = c[1];
    } else {
      return ts_fail(&b, list, l.no, "cannot read this port line");
    }
    row = ts_map(&b);
    ts_push(&b, list, row);
    ts_set_cap(&b, row, "interface", port);
    ts_set_cap0(&b, row, "description", name);
    ts_set_cap(&b, row, "status", c[2]);
    ts_set_cap(&b, row, "vlan", c[3]);
    ts_set_cap(&b, row, "duplex", c[4]);
    ts_set_cap(&b, row, "speed", c[5]);
    ts_set_cap0(&b, row, "type", c[6]);
  }
  if (!header) return ts_fail(&b, list, 0, "no 'Port Name Status Vlan' header");
  return ts_finish(&b, list, out);
}

int ioslike_ip_interface_brief(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                               size_t len, nh_plugin_value_t **out, void *ud) {
  ts_b_t b;
  ts_lines_t it;
  ts_line_t l;
  ts_cap_t c[6];
  nh_plugin_value_t *list, *row;
  int rc, header = 0, ios = 0;
  if ((rc = begin(&b, h, p, text, len)) < 0) return rc;
  if (ioslike_empty(text, len)) return empty_list(&b, out);
  list = ts_list(&b);
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l) && !b.oom) {
    if (ts_blank(&l) || ts_match_line(re[RE_DASHES], &l, NULL, 0)) continue;
    if (!header) {
      if (!ts_match_line(re[RE_BR_HEADER], &l, c, 1)) {
        /* EOS prints the address-family banner first, e.g. "Address" on its own line. */
        if (it.no <= 3) continue;
        return ts_fail(&b, list, l.no, "expected the 'Interface IP-Address' header");
      }
      header = 1;
      ios = c[0].p != NULL;
      continue;
    }
    row = NULL;
    if (ios && ts_match_line(re[RE_BR_IOS], &l, c, 6)) {
      row = ts_map(&b);
      ts_set_cap(&b, row, "interface", c[0]);
      ts_set_cap(&b, row, "ip_address", c[1]);
      ts_set_cap(&b, row, "status", c[4]);
      ts_set_cap(&b, row, "protocol", c[5]);
      ts_set_cap(&b, row, "method", c[3]);
    } else if (!ios && ts_match_line(re[RE_BR_EOS], &l, c, 6)) {
      row = ts_map(&b);
      ts_set_cap(&b, row, "interface", c[0]);
      ts_set_cap(&b, row, "ip_address", c[1]);
      ts_set_cap(&b, row, "status", c[2]);
      ts_set_cap(&b, row, "protocol", c[3]);
      ts_set_cap_int(&b, row, "mtu", c[4]);
    } else {
      return ts_fail(&b, list, l.no, "cannot read this interface line");
    }
    ts_push(&b, list, row);
  }
  if (!header) return ts_fail(&b, list, 0, "no 'Interface IP-Address' header");
  return ts_finish(&b, list, out);
}

/* Appends the comma/space separated ports in c to the list. */
static void push_ports(ts_b_t *b, nh_plugin_value_t *ports, ts_cap_t c) {
  size_t i = 0;
  while (c.p && i < c.len) {
    size_t s;
    while (i < c.len && (c.p[i] == ',' || c.p[i] == ' ')) i++;
    s = i;
    while (i < c.len && c.p[i] != ',' && c.p[i] != ' ') i++;
    if (i > s) ts_push(b, ports, b->h->value_string(c.p + s, i - s));
  }
}

int ioslike_vlan(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text, size_t len,
                 nh_plugin_value_t **out, void *ud) {
  ts_b_t b;
  ts_lines_t it;
  ts_line_t l;
  ts_cap_t c[4];
  nh_plugin_value_t *list, *ports = NULL;
  int rc, header = 0;
  if ((rc = begin(&b, h, p, text, len)) < 0) return rc;
  if (ioslike_empty(text, len)) return empty_list(&b, out);
  list = ts_list(&b);
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l) && !b.oom) {
    if (ts_blank(&l) || ts_match_line(re[RE_DASHES], &l, NULL, 0)) continue;
    if (ts_match_line(re[RE_VLAN_HEADER], &l, NULL, 0)) {
      header = 1;
      continue;
    }
    if (!header) return ts_fail(&b, list, l.no, "expected the 'VLAN Name Status Ports' header");
    if (ts_match_line(re[RE_VLAN_END], &l, NULL, 0)) break;
    if (ts_match_line(re[RE_VLAN_ROW], &l, c, 4)) {
      nh_plugin_value_t *row = ts_map(&b);
      ts_push(&b, list, row);
      ts_set_cap_int(&b, row, "vlan_id", c[0]);
      ts_set_cap(&b, row, "name", c[1]);
      ts_set_cap(&b, row, "status", c[2]);
      ports = ts_list(&b);
      ts_set(&b, row, "interfaces", ports);
      push_ports(&b, ports, c[3]);
    } else if (ports && ts_match_line(re[RE_VLAN_MORE], &l, c, 1)) {
      push_ports(&b, ports, c[0]);
    } else {
      return ts_fail(&b, list, l.no, "cannot read this VLAN line");
    }
  }
  if (!header) return ts_fail(&b, list, 0, "no 'VLAN Name Status Ports' header");
  return ts_finish(&b, list, out);
}

int ioslike_lldp_neighbors(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                           size_t len, nh_plugin_value_t **out, void *ud) {
  ts_b_t b;
  ts_lines_t it;
  ts_line_t l;
  ts_cap_t c[4];
  nh_plugin_value_t *list, *row;
  size_t local = 0, hold = 0, capab = 0, port = 0;
  int rc, header = 0; /* 1: IOS columns, 2: EOS */
  if ((rc = begin(&b, h, p, text, len)) < 0) return rc;
  if (ioslike_empty(text, len)) return empty_list(&b, out);
  list = ts_list(&b);
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l) && !b.oom) {
    if (ts_blank(&l) || ts_match_line(re[RE_DASHES], &l, NULL, 0)) continue;
    if (ts_match_line(re[RE_LLDP_IOS_HEADER], &l, NULL, 0)) {
      header = 1;
      local = column(&l, "Local Intf");
      hold = column(&l, "Hold-time");
      capab = column(&l, "Capability");
      port = column(&l, "Port ID");
      continue;
    }
    if (ts_match_line(re[RE_LLDP_EOS_HEADER], &l, NULL, 0)) {
      header = 2;
      continue;
    }
    if (!header) continue; /* capability legend, table counters */
    if (l.len >= 5 && memcmp(l.p, "Total", 5) == 0) break;
    if (header == 1) {
      ts_cap_t holdtime = slice(&l, hold, capab);
      int64_t ht;
      if (l.len <= port || !ts_cap_int(holdtime, &ht))
        return ts_fail(&b, list, l.no, "cannot read this neighbor line");
      row = ts_map(&b);
      ts_push(&b, list, row);
      ts_set_cap(&b, row, "local_interface", slice(&l, local, hold));
      ts_set_cap(&b, row, "neighbor", slice(&l, 0, local));
      ts_set_cap(&b, row, "neighbor_interface", slice(&l, port, l.len));
      ts_set_cap0(&b, row, "capabilities", slice(&l, capab, port));
      ts_set_int(&b, row, "hold_time", ht);
    } else if (ts_match_line(re[RE_LLDP_EOS_ROW], &l, c, 4)) {
      row = ts_map(&b);
      ts_push(&b, list, row);
      ts_set_cap(&b, row, "local_interface", c[0]);
      ts_set_cap(&b, row, "neighbor", c[1]);
      ts_set_cap(&b, row, "neighbor_interface", c[2]);
      ts_set_cap_int(&b, row, "hold_time", c[3]);
    } else {
      return ts_fail(&b, list, l.no, "cannot read this neighbor line");
    }
  }
  if (!header) return ts_fail(&b, list, 0, "no LLDP neighbor table header");
  return ts_finish(&b, list, out);
}

int ioslike_running_config(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                           size_t len, nh_plugin_value_t **out, void *ud) {
  ts_b_t b = {h, p, 0};
  return ts_config_sections(&b, text, len, NH_PLUGIN_DIALECT_INDENT, "!", out);
}

void ioslike_platform(nh_plugin_platform_t *p) {
  p->prompt_pattern = "^[\\w.\\-/:@]+(?:\\([\\w.\\-/:]+\\))?[>#]\\s*$";
  p->enable_command = "enable";
  p->enable_password_pattern = "[Pp]assword:\\s*$";
  p->privileged_pattern = "#\\s*$";
  p->config_enter = "configure terminal";
  p->config_exit = "end";
  p->config_prompt_pattern = "\\(config[^)]*\\)#\\s*$";
  p->save_command = "copy running-config startup-config";
  p->confirm_response = "";
  p->checkpoint_command = "copy running-config flash:%s";
  p->config_dialect = NH_PLUGIN_DIALECT_INDENT;
  p->show_config_command = "show running-config";
}
