/* The Arista EOS plugin: the platform driver and its parsers. */
#include "ioslike.h"

#include <nethost/plugin.h>

#include <stdio.h>
#include <string.h>

#define PATTERNS(X)                                                                    \
  X(RE_MODEL, "^Arista (\\S+)")                                                        \
  X(RE_HWVER, "^Hardware version:\\s*(.*?)\\s*$")                                      \
  X(RE_SERIAL, "^Serial number:\\s*(.*?)\\s*$")                                        \
  X(RE_MAC, "^System MAC address:\\s*(\\S+)")                                          \
  X(RE_IMAGE, "^Software image version:\\s*(\\S+)")                                    \
  X(RE_UPTIME, "^Uptime:\\s*(.+?)\\s*$")                                               \
  X(RE_MEM, "^Total memory:\\s*(\\d+)")                                                \
  X(RE_SECTION, "^System (information|has \\d+ (power supply|fan|port|transceiver)?)") \
  X(RE_PSU, "^\\s*(\\d+)\\s+(\\S+)\\s+(\\S+)\\s*$")                                    \
  X(RE_FAN, "^\\s*(\\d+)\\s+\\d+\\s+(\\S+)\\s+(\\S+)\\s*$")                            \
  X(RE_XCVR, "^\\s*(\\d\\S*|Et\\S*)\\s+(.+?)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s*$")      \
  X(RE_WORDS2, "^\\s*(\\S+)\\s+(.*?)\\s*$")
TS_PATTERNS(PATTERNS);

/* show version: {model, version, serial, uptime, hardware_version, mac_address,
 * total_memory_kb} */
static const ts_fact_t version_facts[] = {
    {RE_MODEL, 0, {{"model", 0, TS_STR}}},
    {RE_IMAGE, 0, {{"version", 0, TS_STR}}},
    {RE_SERIAL, 0, {{"serial", 0, TS_STR0}}},
    {RE_UPTIME, 0, {{"uptime", 0, TS_STR}}},
    {RE_HWVER, 0, {{"hardware_version", 0, TS_STR0}}},
    {RE_MAC, 0, {{"mac_address", 0, TS_STR}}},
    {RE_MEM, 0, {{"total_memory_kb", 0, TS_INT}}},
};
static const ts_facts_t show_version = {
    "show version", &patterns,
    version_facts,  TS_COUNT(version_facts),
    "version",      "no 'Software image version:' line: not show version output"};

static int header_or_rule(const ts_line_t *l) {
  return memmem(l->p, l->len, "Model", 5) || memmem(l->p, l->len, "Serial", 6) ||
         memmem(l->p, l->len, "----", 4) || memmem(l->p, l->len, "HW Version", 10);
}

static nh_plugin_value_t *item(ts_b_t *b, nh_plugin_value_t *list, const char *kind,
                               ts_cap_t slot) {
  char name[96];
  nh_plugin_value_t *m = ts_push_map(b, list);
  int n = snprintf(name, sizeof(name), "%s%s%.*s", kind, slot.p ? " " : "", (int)slot.len,
                   slot.p ? slot.p : "");
  ts_set_str(b, m, "name", name,
             n < 0                       ? 0
             : (size_t)n >= sizeof(name) ? sizeof(name) - 1
                                         : (size_t)n);
  return m;
}

/* list of {name, description, part, version, serial} */
static int show_inventory(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                          size_t len, nh_plugin_value_t **out, void *ud) {
  enum { NONE, SYSTEM, PSU, FAN, PORTS, XCVR, OTHER } section = NONE;
  ts_scan_t sc;
  ts_cap_t c[5], none = {NULL, 0};
  nh_plugin_value_t *list, *sys = NULL, *m;
  int rc, sys_lines = 0;
  if (!ts_scan_list(&sc, h, p, text, len, out, &rc)) return rc;
  list = sc.root;
  while (ts_scan_next(&sc)) {
    if (ts_blank(&sc.l)) continue;
    if (ts_match_line(re[RE_SECTION], &sc.l, c, 2)) {
      if (ts_cap_eq(c[0], "information"))
        section = SYSTEM;
      else if (ts_cap_eq(c[1], "power supply"))
        section = PSU;
      else if (ts_cap_eq(c[1], "fan"))
        section = FAN;
      else if (ts_cap_eq(c[1], "port"))
        section = PORTS;
      else if (ts_cap_eq(c[1], "transceiver"))
        section = XCVR;
      else
        section = OTHER;
      continue;
    }
    if (section == NONE) return ts_fail(&sc.b, list, sc.l.no, "expected 'System information'");
    switch (section) {
    case SYSTEM:
      if (header_or_rule(&sc.l) || !ts_match_line(re[RE_WORDS2], &sc.l, c, 2)) break;
      if (sys_lines == 0) {
        sys = item(&sc.b, list, "System", none);
        ts_set_cap0(&sc.b, sys, "description", c[1]);
        ts_set_cap(&sc.b, sys, "part", c[0]);
      } else if (sys_lines == 1 && sys) {
        ts_cap_t serial = c[1];
        size_t i;
        for (i = 0; i < serial.len && serial.p[i] != ' '; i++) continue;
        serial.len = i;
        ts_set_cap(&sc.b, sys, "version", c[0]);
        ts_set_cap(&sc.b, sys, "serial", serial);
      }
      sys_lines++;
      break;
    case PSU:
    case FAN:
      /* Both tables give a slot, a model and a serial number (the fan table also counts the
       * fans of each module, which is not kept). */
      if (ts_match_line(re[section == PSU ? RE_PSU : RE_FAN], &sc.l, c, 3)) {
        m = item(&sc.b, list, section == PSU ? "PSU" : "Fan", c[0]);
        ts_set_str(&sc.b, m, "description", "", 0);
        ts_set_cap(&sc.b, m, "part", c[1]);
        ts_set_str(&sc.b, m, "version", "", 0);
        ts_set_cap(&sc.b, m, "serial", c[2]);
      }
      break;
    case XCVR:
      if (!header_or_rule(&sc.l) && ts_match_line(re[RE_XCVR], &sc.l, c, 5)) {
        m = item(&sc.b, list, "Transceiver", c[0]);
        ts_set_cap(&sc.b, m, "description", c[1]);
        ts_set_cap(&sc.b, m, "part", c[2]);
        ts_set_cap(&sc.b, m, "version", c[4]);
        ts_set_cap(&sc.b, m, "serial", c[3]);
      }
      break;
    default:
      break;
    }
  }
  return ts_finish(&sc.b, list, out);
}

static const char *const aliases[] = {"eos", "arista.eos.eos", NULL};
static const char *const errors[] = {"^\\s*% ?Invalid input",
                                     "^\\s*% ?Incomplete command",
                                     "^\\s*% ?Ambiguous command",
                                     "^\\s*% ?Unavailable command",
                                     "^\\s*% ?Error",
                                     "^\\s*% ?Unknown command",
                                     NULL};
static const char *const confirm[] = {"\\[confirm\\]\\s*$", "\\[y/n\\]\\s*$", NULL};

/* The shell configures in `configure terminal`, where changes apply at once: no commit
 * command. (`commit` and `commit timer` exist only inside `configure session NAME`.) */
static const nh_plugin_platform_t eos = {
    .size = sizeof(nh_plugin_platform_t),
    .name = "arista_eos",
    .aliases = aliases,
    .description = "Arista EOS",
    .error_patterns = errors,
    .confirm_patterns = confirm,
    .rollback_method = NH_PLUGIN_ROLLBACK_SESSION,
    .rollback_command = "configure replace flash:%s",
    IOSLIKE_PLATFORM_FIELDS,
};

/* The parsers of EOS alone; ioslike_start() adds the shared ones. */
static const ts_parser_t parsers[] = {
    {"show inventory", show_inventory},
};

TS_PLUGIN_ENTRY("arista_eos", "1.0.0", ioslike_start, &patterns, &eos, &show_version, parsers)
