/* The Cisco IOS / IOS-XE plugin: the platform driver and its parsers. */
#include "ioslike.h"

#include <nethost/plugin.h>

#define PATTERNS(X)                                                                         \
  X(RE_VER,                                                                                 \
    "^(?:Cisco IOS Software|IOS \\(tm\\)|Cisco IOS-XE Software).*?,\\s*Version ([^,\\s]+)") \
  X(RE_VER_XE, "^Cisco IOS XE Software, Version ([^,\\s]+)")                                \
  X(RE_UPTIME, "^(\\S+) uptime is (.+?)\\s*$")                                              \
  X(RE_IMAGE, "^System image file is \"(?:([^:\"]*):/?)?([^\"]*)\"")                        \
  X(RE_MODEL, "^[Cc]isco (\\S+) .*(?:processor|with \\d+K)")                                \
  X(RE_SERIAL, "^Processor board ID ([^,\\s]+)")                                            \
  X(RE_SERIAL2, "^System [Ss]erial [Nn]umber\\s*:\\s*(\\S+)")                               \
  X(RE_CONFREG, "^Configuration register is (\\S+)")                                        \
  X(RE_INV_NAME, "^NAME:\\s*\"([^\"]*)\"\\s*,\\s*DESCR:\\s*\"([^\"]*)\"")                   \
  X(RE_INV_PID, "^PID:\\s*(.*?)\\s*,\\s*VID:\\s*(.*?)\\s*,\\s*SN:\\s*(\\S*)")
TS_PATTERNS(PATTERNS);

/* show version: {hostname, version, model, serial, uptime, image, config_register}. IOS-XE
 * prints its own release first; the IOS line after it wins (16.9.3, not 16.09.03 or a
 * special build's tag). */
static const ts_fact_t version_facts[] = {
    {RE_VER, 2, {{"version", 0, TS_STR}}},
    {RE_VER_XE, 1, {{"version", 0, TS_STR}}},
    {RE_UPTIME, 0, {{"hostname", 0, TS_STR}, {"uptime", 1, TS_STR}}},
    {RE_IMAGE, 0, {{"image", 1, TS_STR}}},
    {RE_MODEL, 1, {{"model", 0, TS_STR}}},
    {RE_SERIAL, 1, {{"serial", 0, TS_STR}}},
    {RE_SERIAL2, 1, {{"serial", 0, TS_STR}}},
    {RE_CONFREG, 0, {{"config_register", 0, TS_STR}}},
};
static const ts_facts_t show_version = {
    "show version", &patterns,
    version_facts,  TS_COUNT(version_facts),
    "version",      "no 'Cisco IOS Software ... Version' line: not show version output"};

/* list of {name, description, part, version, serial} */
static int show_inventory(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                          size_t len, nh_plugin_value_t **out, void *ud) {
  ts_scan_t sc;
  ts_cap_t c[3];
  nh_plugin_value_t *list, *cur = NULL;
  int rc;
  if (!ts_scan_list(&sc, h, p, text, len, out, &rc)) return rc;
  list = sc.root;
  while (ts_scan_next(&sc)) {
    if (ts_blank(&sc.l)) continue;
    if (ts_match_line(re[RE_INV_NAME], &sc.l, c, 2)) {
      cur = ts_push_map(&sc.b, list);
      ts_set_cap0(&sc.b, cur, "name", c[0]);
      ts_set_cap0(&sc.b, cur, "description", c[1]);
    } else if (cur && ts_match_line(re[RE_INV_PID], &sc.l, c, 3)) {
      ts_set_cap0(&sc.b, cur, "part", c[0]);
      ts_set_cap0(&sc.b, cur, "version", c[1]);
      ts_set_cap0(&sc.b, cur, "serial", c[2]);
      cur = NULL;
    } else {
      return ts_fail(&sc.b, list, sc.l.no,
                     "expected 'NAME: \"...\", DESCR: \"...\"' or 'PID: ...'");
    }
  }
  return ts_finish(&sc.b, list, out);
}

static const char *const aliases[] = {"ios", "cisco.ios.ios", "cisco_xe", "iosxe", NULL};
static const char *const errors[] = {"^\\s*% ?Invalid input",
                                     "^\\s*% ?Incomplete command",
                                     "^\\s*% ?Ambiguous command",
                                     "^\\s*% ?Unknown command",
                                     "^\\s*% ?Invalid command",
                                     "^\\s*%Error",
                                     NULL};
static const char *const confirm[] = {"\\[confirm\\]\\s*$", "Destination filename \\[.*\\]\\?\\s*$",
                                      "\\[yes/no\\]:?\\s*$", NULL};

static const nh_plugin_platform_t ios = {
    .size = sizeof(nh_plugin_platform_t),
    .name = "cisco_ios",
    .aliases = aliases,
    .description = "Cisco IOS and IOS-XE",
    .error_patterns = errors,
    .confirm_patterns = confirm,
    .rollback_method = NH_PLUGIN_ROLLBACK_REPLACE,
    .rollback_command = "configure replace flash:%s force",
    IOSLIKE_PLATFORM_FIELDS,
};

/* The parsers of IOS alone; ioslike_start() adds the shared ones. */
static const ts_parser_t parsers[] = {
    {"show inventory", show_inventory},
    {"show vlan brief", ioslike_vlan},
};

TS_PLUGIN_ENTRY("cisco_ios", "1.0.0", ioslike_start, &patterns, &ios, &show_version, parsers)
