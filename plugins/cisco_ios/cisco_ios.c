/* The Cisco IOS / IOS-XE plugin: the platform driver and its parsers. */
#include "ioslike.h"

#include <nethost/plugin.h>

enum {
  RE_VER,
  RE_VER_XE,
  RE_UPTIME,
  RE_IMAGE,
  RE_MODEL,
  RE_SERIAL,
  RE_SERIAL2,
  RE_CONFREG,
  RE_INV_NAME,
  RE_INV_PID,
  RE_COUNT
};

static const char *const patterns[RE_COUNT] = {
    [RE_VER] =
        "^(?:Cisco IOS Software|IOS \\(tm\\)|Cisco IOS-XE Software).*?,\\s*Version ([^,\\s]+)",
    [RE_VER_XE] = "^Cisco IOS XE Software, Version ([^,\\s]+)",
    [RE_UPTIME] = "^(\\S+) uptime is (.+?)\\s*$",
    [RE_IMAGE] = "^System image file is \"(?:([^:\"]*):/?)?([^\"]*)\"",
    [RE_MODEL] = "^[Cc]isco (\\S+) .*(?:processor|with \\d+K)",
    [RE_SERIAL] = "^Processor board ID ([^,\\s]+)",
    [RE_SERIAL2] = "^System [Ss]erial [Nn]umber\\s*:\\s*(\\S+)",
    [RE_CONFREG] = "^Configuration register is (\\S+)",
    [RE_INV_NAME] = "^NAME:\\s*\"([^\"]*)\"\\s*,\\s*DESCR:\\s*\"([^\"]*)\"",
    [RE_INV_PID] = "^PID:\\s*(.*?)\\s*,\\s*VID:\\s*(.*?)\\s*,\\s*SN:\\s*(\\S*)",
};

static ts_re_t *re[RE_COUNT];
static ts_patterns_t compiled = {patterns, re, RE_COUNT};

/* {hostname, version, model, serial, uptime, image, config_register} */
static int show_version(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                        size_t len, nh_plugin_value_t **out, void *ud) {
  ts_scan_t sc;
  ts_cap_t c[2];
  nh_plugin_value_t *m;
  int rc, have_version = 0, have_model = 0, have_serial = 0;
  if ((rc = ts_scan_begin(&sc, h, p, text, len)) < 0) return rc;
  m = ts_map(&sc.b);
  while (ts_scan_next(&sc)) {
    if (have_version < 2 && ts_match_line(re[RE_VER], &sc.l, c, 1)) {
      ts_set_cap(&sc.b, m, "version", c[0]);
      have_version = 2;
    } else if (!have_version && ts_match_line(re[RE_VER_XE], &sc.l, c, 1)) {
      /* IOS-XE prints its own release first; the IOS line after it wins (16.9.3, not
       * 16.09.03 or a special build's tag). */
      ts_set_cap(&sc.b, m, "version", c[0]);
      have_version = 1;
    } else if (ts_match_line(re[RE_UPTIME], &sc.l, c, 2)) {
      ts_set_cap(&sc.b, m, "hostname", c[0]);
      ts_set_cap(&sc.b, m, "uptime", c[1]);
    } else if (ts_match_line(re[RE_IMAGE], &sc.l, c, 2)) {
      ts_set_cap(&sc.b, m, "image", c[1]);
    } else if (!have_model && ts_match_line(re[RE_MODEL], &sc.l, c, 1)) {
      ts_set_cap(&sc.b, m, "model", c[0]);
      have_model = 1;
    } else if (!have_serial && (ts_match_line(re[RE_SERIAL], &sc.l, c, 1) ||
                                ts_match_line(re[RE_SERIAL2], &sc.l, c, 1))) {
      ts_set_cap(&sc.b, m, "serial", c[0]);
      have_serial = 1;
    } else if (ts_match_line(re[RE_CONFREG], &sc.l, c, 1)) {
      ts_set_cap(&sc.b, m, "config_register", c[0]);
    }
  }
  if (!sc.b.oom && !have_version)
    return ts_fail(&sc.b, m, 0,
                   "no 'Cisco IOS Software ... Version' line: not show version output");
  return ts_finish(&sc.b, m, out);
}

/* list of {name, description, part, version, serial} */
static int show_inventory(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                          size_t len, nh_plugin_value_t **out, void *ud) {
  ts_scan_t sc;
  ts_cap_t c[3];
  nh_plugin_value_t *list, *cur = NULL;
  int rc;
  if ((rc = ts_scan_begin(&sc, h, p, text, len)) < 0) return rc;
  list = ts_list(&sc.b);
  while (ts_scan_next(&sc)) {
    if (ts_blank(&sc.l)) continue;
    if (ts_match_line(re[RE_INV_NAME], &sc.l, c, 2)) {
      cur = ts_map(&sc.b);
      ts_push(&sc.b, list, cur);
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
    {"show version", show_version},
    {"show inventory", show_inventory},
    {"show vlan brief", ioslike_vlan},
};

NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self) {
  NH_PLUGIN_DECLARE(host, self, "cisco_ios", "1.0.0");
  return ioslike_start(host, self, &compiled, &ios, parsers, sizeof parsers / sizeof *parsers);
}
