/* The normalized interface model the `show interfaces` parsers of every platform add to
 * their entries, so monitor, health and users read one set of fields whatever the vendor
 * calls them (docs/plugins.md, "The interface model"):
 *
 *   admin_state     "up" | "down"   configured state (`shutdown` / `disable` make it down)
 *   oper_state      "up" | "down"   link / physical state
 *   protocol_state  "up" | "down"   line protocol (IOS, EOS); Junos: the link or unit flags
 *   speed_mbps      integer         when the device reports a speed
 *   duplex_mode     "full" | "half" | "auto"   when the device reports a duplex
 *
 * The vendor's own words stay in their own fields (link_status, protocol_status, speed,
 * duplex, admin_status). */
#include <ctype.h>
#include <string.h>

#include "textscan.h"

static int starts_with_ci(ts_cap_t c, const char *word) {
  size_t n = strlen(word), i;
  if (c.len < n) return 0;
  for (i = 0; i < n; i++)
    if (tolower((unsigned char)c.p[i]) != word[i]) return 0;
  return 1;
}

static void set_state(ts_b_t *b, nh_plugin_value_t *map, const char *key, int up) {
  ts_set_str(b, map, key, up ? "up" : "down", up ? 2 : 4);
}

void ts_iface_states(ts_b_t *b, nh_plugin_value_t *map, ts_cap_t admin, ts_cap_t oper,
                     ts_cap_t proto) {
  /* IOS/EOS put "administratively down" where the link state goes; Junos says
   * "Administratively down" or "Enabled"/"Disabled" in a field of its own. */
  int admin_down =
      starts_with_ci(oper, "admin") || starts_with_ci(oper, "deleted") ||
      (admin.p && (starts_with_ci(admin, "admin") || starts_with_ci(admin, "disabled") ||
                   starts_with_ci(admin, "down")));
  set_state(b, map, "admin_state", !admin_down);
  /* A shut interface is down whatever else the device prints about it. */
  if (oper.p || admin_down)
    set_state(b, map, "oper_state", !admin_down && starts_with_ci(oper, "up"));
  if (proto.p || admin_down)
    set_state(b, map, "protocol_state", !admin_down && starts_with_ci(proto, "up"));
}

void ts_iface_speed(ts_b_t *b, nh_plugin_value_t *map, ts_cap_t c) {
  int64_t n = 0;
  size_t i = 0;
  int digits = 0;
  c = ts_trim(c);
  /* "1000Mb/s", "10Gb/s", "a-1000", "1000mbps", "10Gbps", "100M": digits, then the unit. */
  while (i < c.len && !isdigit((unsigned char)c.p[i])) i++;
  for (; i < c.len && isdigit((unsigned char)c.p[i]) && n < 100000000; i++, digits++)
    n = n * 10 + (c.p[i] - '0');
  if (!digits) return;
  if (i < c.len && (c.p[i] == 'G' || c.p[i] == 'g'))
    n *= 1000;
  else if (i < c.len && (c.p[i] == 'K' || c.p[i] == 'k'))
    n /= 1000;
  ts_set_int(b, map, "speed_mbps", n);
}

void ts_iface_duplex(ts_b_t *b, nh_plugin_value_t *map, ts_cap_t c) {
  c = ts_trim(c);
  if (starts_with_ci(c, "full") || starts_with_ci(c, "a-full"))
    ts_set_str(b, map, "duplex_mode", "full", 4);
  else if (starts_with_ci(c, "half") || starts_with_ci(c, "a-half"))
    ts_set_str(b, map, "duplex_mode", "half", 4);
  else if (starts_with_ci(c, "auto"))
    ts_set_str(b, map, "duplex_mode", "auto", 4);
}
