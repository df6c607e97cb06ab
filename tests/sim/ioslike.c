/* The IOS-like CLI shared by cisco_ios and arista_eos. See ioslike.h. */
#include "ioslike.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf.h"
#include "flash.h"
#include "netconf.h"

static ioslike_dev_t *state(sim_device_t *dev) {
  return dev->pstate;
}

/* Keywords that take one value: a new line replaces the old one. */
static const char *const single_top[] = {"hostname",
                                         "ip domain-name",
                                         "ip domain name",
                                         "clock timezone",
                                         "logging buffered",
                                         "snmp-server location",
                                         "snmp-server contact",
                                         "banner motd",
                                         "enable secret",
                                         "ip default-gateway",
                                         "spanning-tree mode",
                                         "vtp mode",
                                         NULL};
static const char *const single_sub[] = {"description",
                                         "ip address",
                                         "switchport mode",
                                         "switchport access vlan",
                                         "speed",
                                         "duplex",
                                         "mtu",
                                         "name",
                                         "switchport trunk allowed vlan",
                                         "channel-group",
                                         "load-interval",
                                         NULL};

/* What config mode accepts, by first word. */
static const char *const top_words[] = {
    "hostname",      "ntp",          "logging",  "snmp-server",   "ip",
    "ipv6",          "banner",       "username", "service",       "vlan",
    "spanning-tree", "aaa",          "clock",    "line",          "router",
    "interface",     "access-list",  "enable",   "vtp",           "boot",
    "errdisable",    "lldp",         "cdp",      "archive",       "crypto",
    "management",    "daemon",       "alias",    "tacacs-server", "radius-server",
    "tacacs",        "radius",       "event",    "sflow",         "transceiver",
    "mac",           "port-channel", "monitor",  "udld",          "system",
    "policy-map",    "class-map",    NULL};
static const char *const sub_words[] = {"description",
                                        "shutdown",
                                        "switchport",
                                        "ip",
                                        "ipv6",
                                        "speed",
                                        "duplex",
                                        "mtu",
                                        "spanning-tree",
                                        "channel-group",
                                        "storm-control",
                                        "power",
                                        "lldp",
                                        "cdp",
                                        "service-policy",
                                        "load-interval",
                                        "logging",
                                        "udld",
                                        "name",
                                        "transport",
                                        "login",
                                        "password",
                                        "exec-timeout",
                                        "access-class",
                                        "network",
                                        "router-id",
                                        "neighbor",
                                        "permit",
                                        "deny",
                                        "remark",
                                        "passive-interface",
                                        "redistribute",
                                        "state",
                                        "protocol",
                                        "no",
                                        "bandwidth",
                                        "vrf",
                                        "standby",
                                        "vrrp",
                                        "encapsulation",
                                        "flowcontrol",
                                        "errdisable",
                                        "authentication",
                                        "dot1x",
                                        "mab",
                                        "seq",
                                        NULL};

static int known_word(const char *line, const char *const *words) {
  size_t n = strcspn(line, " ");
  for (const char *const *w = words; *w; w++)
    if (strlen(*w) == n && strncmp(*w, line, n) == 0) return 1;
  return 0;
}

const char *ioslike_hostname(sim_device_t *dev) {
  ioslike_dev_t *st = state(dev);
  for (size_t i = 0; i < st->s.running->nkids; i++) {
    const char *l = st->s.running->kids[i]->line;
    if (strncmp(l, "hostname ", 9) == 0) return l + 9;
  }
  return dev->name;
}

/* ---- interfaces ---- */

static const char *const ios_kinds[] = {"GigabitEthernet", "TenGigabitEthernet", "Vlan",
                                        "Loopback",        "Port-channel",       NULL};
static const char *const eos_kinds[] = {"Ethernet", "Management",   "Vlan",
                                        "Loopback", "Port-Channel", NULL};

/* "gi1/0/3" or "GigabitEthernet 1/0/3" -> "GigabitEthernet1/0/3"; NULL when no such kind. */
static int canonical_if(const ioslike_profile_t *p, const char *a, const char *b, char *out,
                        size_t outsz) {
  char word[64];
  size_t n = 0;
  while (a[n] && isalpha((unsigned char)a[n]) && n < sizeof word - 1) word[n] = a[n], n++;
  word[n] = '\0';
  const char *num = a[n] ? a + n : (b ? b : "");
  if (!*num || !isdigit((unsigned char)num[0]) || n == 0) return -1;
  const char *const *kinds = p->eos ? eos_kinds : ios_kinds;
  const char *found = NULL;
  for (const char *const *k = kinds; *k; k++) {
    if (strncasecmp(*k, word, n) == 0) {
      if (found) return -1; /* ambiguous */
      found = *k;
    }
  }
  if (!found) return -1;
  snprintf(out, outsz, "%s%s", found, num);
  return 0;
}

/* Whether name is a front-panel port of this device (they cannot be deleted). */
static int physical_port(const ioslike_profile_t *p, const char *name, int *port) {
  size_t l = strlen(p->if_long);
  if (strncmp(name, p->if_long, l) != 0) return 0;
  char *end;
  long n = strtol(name + l, &end, 10);
  if (*end || n < 1 || n > p->ports) return 0;
  if (port) *port = (int)n;
  return 1;
}

typedef struct {
  const char *name;
  const conf_node_t *sec;
  int port; /* 0 for virtual interfaces */
  int admin_up, link_up;
  const char *description;
  char ip[40];
  int prefix;
  unsigned long in_pkts, out_pkts, in_err, crc, out_err;
  int mtu;
} iface_t;

static const char *sec_value(const conf_node_t *sec, const char *key) {
  size_t n = strlen(key);
  for (size_t i = 0; sec && i < sec->nkids; i++)
    if (strncmp(sec->kids[i]->line, key, n) == 0 && sec->kids[i]->line[n] == ' ')
      return sec->kids[i]->line + n + 1;
  return NULL;
}

static int sec_has(const conf_node_t *sec, const char *line) {
  return sec && conf_find(sec, line) != NULL;
}

/* The VLAN an access port carries (its access vlan, else 1), or 0 for a trunk. */
static int port_vlan(const conf_node_t *sec) {
  const char *mode = sec_value(sec, "switchport mode");
  if (mode && strcmp(mode, "trunk") == 0) return 0;
  const char *vlan = sec_value(sec, "switchport access vlan");
  return vlan ? atoi(vlan) : 1;
}

static int mask_len(const char *mask) {
  unsigned a, b, c, d;
  if (sscanf(mask, "%u.%u.%u.%u", &a, &b, &c, &d) != 4) return 24;
  unsigned long m = ((unsigned long)a << 24) | (b << 16) | (c << 8) | d;
  int n = 0;
  while (m & 0x80000000UL) n++, m = (m << 1) & 0xffffffffUL;
  return n;
}

static void describe(sim_device_t *dev, const conf_node_t *sec, const char *name, int port,
                     iface_t *i) {
  memset(i, 0, sizeof *i);
  i->name = name;
  i->sec = sec;
  i->port = port;
  i->admin_up = !sec_has(sec, "shutdown");
  uint64_t h = sim_hash(dev->seed, port ? (uint64_t)port : 1000 + (uint64_t)strlen(name));
  i->link_up = i->admin_up && (port == 0 || h % 5 != 0);
  i->description = sec_value(sec, "description");
  const char *ip = sec_value(sec, "ip address");
  if (ip) {
    char mask[32] = "";
    sscanf(ip, "%39s %31s", i->ip, mask);
    char *slash = strchr(i->ip, '/'); /* EOS writes 10.0.0.1/24 */
    if (slash) {
      *slash = '\0';
      i->prefix = atoi(slash + 1);
    } else {
      i->prefix = mask_len(mask);
    }
  }
  const char *mtu = sec_value(sec, "mtu");
  i->mtu = mtu ? atoi(mtu) : 1500;
  if (i->link_up) {
    i->in_pkts = 100000 + h % 90000000;
    i->out_pkts = 100000 + (h >> 20) % 90000000;
    if (h % 11 == 0) i->in_err = 150 + (h >> 8) % 900, i->crc = i->in_err / 2;
  }
}

/* Calls fn for every interface: front-panel ports in order, then virtual ones. */
static void each_iface(sim_device_t *dev, void (*fn)(sim_cli_t *, iface_t *, sbuf_t *),
                       sim_cli_t *cli, sbuf_t *out) {
  ioslike_dev_t *st = state(dev);
  conf_node_t *root = st->s.running;
  char name[64];
  iface_t i;
  for (int port = 1; port <= st->p->ports; port++) {
    snprintf(name, sizeof name, "%s%d", st->p->if_long, port);
    char header[80];
    snprintf(header, sizeof header, "interface %s", name);
    describe(dev, conf_find(root, header), name, port, &i);
    fn(cli, &i, out);
  }
  for (size_t k = 0; k < root->nkids; k++) {
    const char *l = root->kids[k]->line;
    if (strncmp(l, "interface ", 10) != 0 || physical_port(st->p, l + 10, NULL)) continue;
    describe(dev, root->kids[k], l + 10, 0, &i);
    fn(cli, &i, out);
  }
}

/* The abbreviated interface name of the table outputs (GigabitEthernet1/0/1 -> Gi1/0/1), cut to
 * the n bytes of out on purpose: the callers' buffers are column widths. Copied by length
 * rather than with snprintf, whose truncation a Release build warns about. */
static void short_name(const ioslike_profile_t *p, const char *name, char *out, size_t n) {
  const char *prefix = "";
  size_t l = strlen(p->if_long);
  if (strncmp(name, p->if_long, l) == 0) {
    prefix = p->if_short;
    name += l;
  }
  size_t a = strnlen(prefix, n - 1);
  size_t b = strnlen(name, n - 1 - a);
  memcpy(out, prefix, a);
  memcpy(out + a, name, b);
  out[a + b] = '\0';
}

static void row_ip_brief(sim_cli_t *cli, iface_t *i, sbuf_t *out) {
  const ioslike_profile_t *p = state(cli->dev)->p;
  const char *status = !i->admin_up ? "administratively down" : i->link_up ? "up" : "down";
  if (p->eos) {
    if (!i->ip[0]) return;
    char ipm[48];
    snprintf(ipm, sizeof ipm, "%s/%d", i->ip, i->prefix);
    sb_printf(out, "%-22s %-18s %-21s %-12s %s\n", i->name, ipm,
              i->admin_up ? (i->link_up ? "up" : "down") : "adminDown", i->link_up ? "up" : "down",
              "1500");
    return;
  }
  sb_printf(out, "%-22s %-15s YES %-6s %-21s %s\n", i->name, i->ip[0] ? i->ip : "unassigned",
            i->ip[0] ? "NVRAM" : "unset", status, i->link_up ? "up" : "down");
}

static void row_status(sim_cli_t *cli, iface_t *i, sbuf_t *out) {
  const ioslike_profile_t *p = state(cli->dev)->p;
  if (!i->port) return;
  char sn[32], desc[20];
  short_name(p, i->name, sn, sizeof sn);
  snprintf(desc, sizeof desc, "%.18s", i->description ? i->description : "");
  const char *vlan = sec_value(i->sec, "switchport access vlan");
  const char *mode = sec_value(i->sec, "switchport mode");
  const char *v = mode && strcmp(mode, "trunk") == 0 ? "trunk" : vlan ? vlan : "1";
  const char *st = !i->admin_up ? "disabled" : i->link_up ? "connected" : "notconnect";
  if (p->eos)
    sb_printf(out, "%-9s %-18s %-12s %-8s %-7s %-7s %s\n", sn, desc, st, v,
              i->link_up ? "full" : "auto", i->link_up ? "10G" : "auto", "10GBASE-SR");
  else
    sb_printf(out, "%-10s %-18s %-12s %-10s %-6s %-6s %s\n", sn, desc, st, v,
              i->link_up ? "a-full" : "auto", i->link_up ? "a-1000" : "auto", "10/100/1000BaseTX");
}

static void block_interface(sim_cli_t *cli, iface_t *i, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  const ioslike_profile_t *p = state(dev)->p;
  const char *admin = !i->admin_up ? "administratively down" : i->link_up ? "up" : "down";
  const char *proto = i->link_up ? "up" : "down";
  if (p->eos) {
    sb_printf(out, "%s is %s, line protocol is %s (%s)\n", i->name, admin, proto,
              i->link_up    ? "connected"
              : i->admin_up ? "notconnect"
                            : "disabled");
    sb_printf(out, "  Hardware is Ethernet, address is %s (bia %s)\n", dev->mac, dev->mac);
    if (i->description) sb_printf(out, "  Description: %s\n", i->description);
    if (i->ip[0]) sb_printf(out, "  Internet address is %s/%d\n", i->ip, i->prefix);
    sb_printf(out, "  Ethernet MTU 9214 bytes, BW 10000000 kbit\n");
    sb_printf(out, "  Full-duplex, 10Gb/s, auto negotiation: off, uni-link: n/a\n");
    sb_printf(out, "  Up 3 days, 4 hours, 5 minutes, 6 seconds\n");
    sb_printf(out, "  Loopback Mode : None\n  2 link status changes since last clear\n");
    sb_printf(out, "  Last clearing of \"show interface\" counters never\n");
    sb_printf(out,
              "  5 minutes input rate 1.23 kbps (0.0%% with framing overhead), 1 packets/sec\n");
    sb_printf(out,
              "  5 minutes output rate 2.34 kbps (0.0%% with framing overhead), 2 packets/sec\n");
    sb_printf(out, "     %lu packets input, %lu bytes\n", i->in_pkts, i->in_pkts * 120);
    sb_printf(out, "     Received 0 broadcasts, 1234 multicast\n");
    sb_printf(out, "     0 runts, 0 giants\n");
    sb_printf(out, "     %lu input errors, %lu CRC, 0 alignment, 0 symbol, 0 input discards\n",
              i->in_err, i->crc);
    sb_printf(out, "     0 PAUSE input\n");
    sb_printf(out, "     %lu packets output, %lu bytes\n", i->out_pkts, i->out_pkts * 140);
    sb_printf(out, "     Sent 0 broadcasts, 2345 multicast\n");
    sb_printf(out, "     %lu output errors, 0 collisions\n", i->out_err);
    sb_printf(out, "     0 late collision, 0 deferred, 0 output discards\n     0 PAUSE output\n");
    return;
  }
  sb_printf(out, "%s is %s, line protocol is %s %s\n", i->name, admin, proto,
            i->port ? (i->link_up    ? "(connected)"
                       : i->admin_up ? "(notconnect)"
                                     : "(disabled)")
                    : "");
  sb_printf(out, "  Hardware is %s, address is %s (bia %s)\n",
            i->port ? "Gigabit Ethernet" : "EtherSVI", dev->mac, dev->mac);
  if (i->description) sb_printf(out, "  Description: %s\n", i->description);
  if (i->ip[0]) sb_printf(out, "  Internet address is %s/%d\n", i->ip, i->prefix);
  sb_printf(out, "  MTU %d bytes, BW 1000000 Kbit/sec, DLY 10 usec,\n", i->mtu);
  sb_printf(out, "     reliability 255/255, txload 1/255, rxload 1/255\n");
  sb_printf(out, "  Encapsulation ARPA, loopback not set\n  Keepalive set (10 sec)\n");
  if (i->port)
    sb_printf(out, "  %s, %s, media type is 10/100/1000BaseTX\n",
              i->link_up ? "Full-duplex" : "Auto-duplex", i->link_up ? "1000Mb/s" : "Auto-speed");
  sb_printf(out, "  input flow-control is off, output flow-control is unsupported\n");
  sb_printf(out, "  ARP type: ARPA, ARP Timeout 04:00:00\n");
  sb_printf(out, "  Last input 00:00:01, output 00:00:00, output hang never\n");
  sb_printf(out, "  Last clearing of \"show interface\" counters never\n");
  sb_printf(out, "  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0\n");
  sb_printf(out, "  Queueing strategy: fifo\n  Output queue: 0/40 (size/max)\n");
  sb_printf(out, "  5 minute input rate 1000 bits/sec, 1 packets/sec\n");
  sb_printf(out, "  5 minute output rate 2000 bits/sec, 2 packets/sec\n");
  sb_printf(out, "     %lu packets input, %lu bytes, 0 no buffer\n", i->in_pkts, i->in_pkts * 120);
  sb_printf(out, "     Received 1234 broadcasts (567 multicasts)\n");
  sb_printf(out, "     0 runts, 0 giants, 0 throttles\n");
  sb_printf(out, "     %lu input errors, %lu CRC, 0 frame, 0 overrun, 0 ignored\n", i->in_err,
            i->crc);
  sb_printf(out, "     0 watchdog, 567 multicast, 0 pause input\n");
  sb_printf(out, "     0 input packets with dribble condition detected\n");
  sb_printf(out, "     %lu packets output, %lu bytes, 0 underruns\n", i->out_pkts,
            i->out_pkts * 140);
  sb_printf(out, "     %lu output errors, 0 collisions, 1 interface resets\n", i->out_err);
  sb_printf(out, "     0 unknown protocol drops\n");
  sb_printf(out, "     0 babbles, 0 late collision, 0 deferred\n");
  sb_printf(out, "     0 lost carrier, 0 no carrier, 0 pause output\n");
  sb_printf(out, "     0 output buffer failures, 0 output buffers swapped out\n");
}

/* ---- show commands ---- */

static void show_running(sim_cli_t *cli, sbuf_t *out, const conf_node_t *root, int startup) {
  ioslike_dev_t *st = state(cli->dev);
  sbuf_t body;
  sb_init(&body);
  conf_render(root, &body, st->p->eos ? 3 : 1);
  if (st->p->eos) {
    sb_printf(out, "! Command: show %s\n", startup ? "startup-config" : "running-config");
    sb_printf(out, "! device: %s (%s, EOS-%s)\n!\n", ioslike_hostname(cli->dev), cli->dev->model,
              cli->dev->version);
    sb_add(out, body.data ? body.data : "", body.len);
    sb_puts(out, "end\n");
  } else {
    if (!startup) sb_puts(out, "Building configuration...\n\n");
    sb_printf(out, "Current configuration : %zu bytes\n!\n", body.len + 200);
    char when[64];
    time_t t = st->s.last_change;
    strftime(when, sizeof when, "%H:%M:%S UTC %a %b %d %Y", gmtime(&t));
    sb_printf(out, "! Last configuration change at %s by admin\n", when);
    if (startup) sb_printf(out, "! NVRAM config last updated at %s by admin\n", when);
    sb_puts(out, "!\n");
    sb_add(out, body.data ? body.data : "", body.len);
    sb_puts(out, "end\n");
  }
  sb_free(&body);
}

/* One row of "show vlan": the VLAN, its name, and the short names of the access ports in it
 * (from the running configuration root), in the column widths of the profile's vendor. */
static void vlan_row(const ioslike_profile_t *p, conf_node_t *root, int id, const char *name,
                     sbuf_t *out) {
  sbuf_t ports;
  sb_init(&ports);
  for (int port = 1; port <= p->ports; port++) {
    char header[80], sn[32], ifname[64];
    snprintf(ifname, sizeof ifname, "%s%d", p->if_long, port);
    snprintf(header, sizeof header, "interface %s", ifname);
    if (port_vlan(conf_find(root, header)) != id) continue;
    short_name(p, ifname, sn, sizeof sn);
    sb_printf(&ports, "%s%s", ports.len ? ", " : "", sn);
  }
  sb_printf(out, p->eos ? "%-5d %-32s %-9s %s\n" : "%-4d %-32s %-9s %s\n", id, name, "active",
            ports.len ? sb_str(&ports) : "");
  sb_free(&ports);
}

static void show_vlan(sim_cli_t *cli, sbuf_t *out) {
  ioslike_dev_t *st = state(cli->dev);
  conf_node_t *root = st->s.running;
  if (st->p->eos)
    sb_puts(out,
            "VLAN  Name                             Status    Ports\n"
            "----- -------------------------------- --------- -------------------------------\n");
  else
    sb_puts(out,
            "\nVLAN Name                             Status    Ports\n"
            "---- -------------------------------- --------- -------------------------------\n");
  /* VLAN 1 holds the access ports not assigned elsewhere. */
  vlan_row(st->p, root, 1, "default", out);
  for (size_t k = 0; k < root->nkids; k++) {
    const char *l = root->kids[k]->line;
    int id;
    if (sscanf(l, "vlan %d", &id) != 1 || id == 1 || strchr(l + 5, ',') || strchr(l + 5, '-'))
      continue; /* VLAN 1 is listed above */
    const char *name = sec_value(root->kids[k], "name");
    char def[32];
    snprintf(def, sizeof def, "VLAN%04d", id);
    vlan_row(st->p, root, id, name ? name : def, out);
  }
  /* Catalyst switches always list the legacy FDDI / Token Ring VLANs. */
  if (!st->p->eos)
    sb_puts(out, "1002 fddi-default                     act/unsup \n"
                 "1003 token-ring-default               act/unsup \n"
                 "1004 fddinet-default                  act/unsup \n"
                 "1005 trnet-default                    act/unsup \n");
}

static void show_inventory(sim_cli_t *cli, sbuf_t *out) {
  ioslike_dev_t *st = state(cli->dev);
  if (st->p->eos) {
    sb_printf(out,
              "System information\n  Model                    Description\n"
              "  ------------------------ ----------------------------------------------\n"
              "  %-24s 48x10GbE SFP+ & 6x100GbE QSFP100 switch\n\n"
              "  HW Version  Serial Number  Mfg Date\n  ----------- -------------- ----------\n"
              "  11.01       %-14s 2021-03-04\n\n",
              cli->dev->model, cli->dev->serial);
    sb_printf(out, "System has 2 power supply slots\n  Slot Model            Serial Number\n"
                   "  ---- ---------------- ----------------\n"
                   "  1    PWR-511-AC-RED   EEWT2101234\n  2    PWR-511-AC-RED   EEWT2101235\n");
    return;
  }
  sb_printf(out, "NAME: \"1\", DESCR: \"%s\"\nPID: %s  , VID: V05  , SN: %s\n\n", cli->dev->model,
            cli->dev->model, cli->dev->serial);
  sb_printf(out, "NAME: \"Switch 1 - Power Supply 0\", DESCR: \"FRU Power Supply\"\n"
                 "PID: PWR-C2-640WAC       , VID: V02  , SN: LIT2133ABCD\n\n");
}

static void show_clock(sim_cli_t *cli, sbuf_t *out) {
  time_t now = time(NULL);
  char buf[64];
  if (state(cli->dev)->p->eos) {
    strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Y", gmtime(&now));
    sb_printf(out, "%s\nTimezone: UTC\nClock source: NTP server (10.0.0.1)\n", buf);
    return;
  }
  strftime(buf, sizeof buf, "%H:%M:%S.123 UTC %a %b %d %Y", gmtime(&now));
  sb_printf(out, "*%s\n", buf);
}

/* LLDP: the redundancy partner on the first two uplinks. */
static void show_lldp(sim_cli_t *cli, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  ioslike_dev_t *st = state(dev);
  const char *peer = sim_pair_partner(dev)->name;
  char a[32], b[32];
  snprintf(a, sizeof a, "%s%d", st->p->if_short, st->p->ports - 1);
  snprintf(b, sizeof b, "%s%d", st->p->if_short, st->p->ports);
  if (st->p->eos) {
    sb_puts(out, "Last table change time   : 0:12:34 ago\nNumber of table inserts  : 2\n"
                 "Number of table deletes  : 0\nNumber of table drops    : 0\n"
                 "Number of table age-outs : 0\n\n"
                 "Port          Neighbor Device ID       Neighbor Port ID    TTL\n"
                 "------------- ------------------------ ------------------- ---\n");
    sb_printf(out, "%-13s %-24s %-19s 120\n%-13s %-24s %-19s 120\n", a, peer, a, b, peer, b);
    return;
  }
  sb_puts(out,
          "Capability codes:\n    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n"
          "    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\n\n"
          "Device ID           Local Intf     Hold-time  Capability      Port ID\n");
  sb_printf(out, "%-19s %-14s %-10s %-15s %s\n%-19s %-14s %-10s %-15s %s\n\n", peer, a, "120",
            "B,R", a, peer, b, "120", "B,R", b);
  sb_puts(out, "Total entries displayed: 2\n\n");
}

/* ---- eAPI JSON models (EOS "format": "json") ---- */

/* A comma before every member but the first of the object or list being written. */
static void json_sep(sbuf_t *out) {
  if (out->len && out->data[out->len - 1] != '{' && out->data[out->len - 1] != '[')
    sb_putc(out, ',');
}

static const char *json_status(const iface_t *i) {
  return !i->admin_up ? "disabled" : i->link_up ? "connected" : "notconnect";
}

static void json_status_row(sim_cli_t *cli, iface_t *i, sbuf_t *out) {
  if (!i->port) return;
  const char *vlan = sec_value(i->sec, "switchport access vlan");
  const char *mode = sec_value(i->sec, "switchport mode");
  int trunk = mode && strcmp(mode, "trunk") == 0;
  json_sep(out);
  sb_json_string(out, i->name);
  sb_puts(out, ": {\"description\": ");
  sb_json_string(out, i->description ? i->description : "");
  sb_printf(out,
            ", \"linkStatus\": \"%s\", \"lineProtocolStatus\": \"%s\", "
            "\"vlanInformation\": {\"interfaceMode\": \"%s\"",
            json_status(i), i->link_up ? "up" : "down", trunk ? "trunk" : "bridged");
  if (!trunk) sb_printf(out, ", \"vlanId\": %s", vlan ? vlan : "1");
  sb_printf(out,
            ", \"interfaceForwardingModel\": \"bridged\"}, \"bandwidth\": %s, "
            "\"duplex\": \"%s\", \"autoNegotiateActive\": false, "
            "\"interfaceType\": \"10GBASE-SR\"}",
            i->link_up ? "10000000000" : "0", i->link_up ? "duplexFull" : "duplexUnknown");
}

static void json_ip_row(sim_cli_t *cli, iface_t *i, sbuf_t *out) {
  if (!i->ip[0]) return;
  json_sep(out);
  sb_json_string(out, i->name);
  sb_printf(out,
            ": {\"name\": \"%s\", \"interfaceStatus\": \"%s\", \"lineProtocolStatus\": "
            "\"%s\", \"mtu\": %d, \"interfaceAddress\": {\"ipAddr\": {\"address\": \"%s\", "
            "\"maskLen\": %d}}}",
            i->name, i->admin_up ? (i->link_up ? "connected" : "notconnect") : "disabled",
            i->link_up ? "up" : "down", i->mtu, i->ip, i->prefix);
}

static void json_interface(sim_cli_t *cli, iface_t *i, sbuf_t *out) {
  json_sep(out);
  sb_json_string(out, i->name);
  sb_printf(out, ": {\"name\": \"%s\", \"description\": ", i->name);
  sb_json_string(out, i->description ? i->description : "");
  sb_printf(out,
            ", \"interfaceStatus\": \"%s\", \"lineProtocolStatus\": \"%s\", \"mtu\": %d, "
            "\"bandwidth\": %s, \"physicalAddress\": \"%s\", \"interfaceAddress\": [",
            json_status(i), i->link_up ? "up" : "down", i->mtu,
            i->port ? (i->link_up ? "10000000000" : "0") : "0", cli->dev->mac);
  if (i->ip[0])
    sb_printf(out, "{\"primaryIp\": {\"address\": \"%s\", \"maskLen\": %d}}", i->ip, i->prefix);
  sb_printf(out,
            "], \"interfaceCounters\": {\"inUcastPkts\": %lu, \"outUcastPkts\": %lu, "
            "\"totalInErrors\": %lu, \"totalOutErrors\": %lu, "
            "\"inputErrorsDetail\": {\"fcsErrors\": %lu}}}",
            i->in_pkts, i->out_pkts, i->in_err, i->out_err, i->crc);
}

/* VLAN ids with their names and access ports, as show vlan lists them. */
static void json_vlans(sim_cli_t *cli, sbuf_t *out) {
  ioslike_dev_t *st = state(cli->dev);
  conf_node_t *root = st->s.running;
  sb_puts(out, "{\"vlans\": {");
  /* VLAN 1 first, then the configured ones; a port's VLAN is its access vlan or 1. */
  int ids[4096], n = 0;
  ids[n++] = 1;
  for (size_t k = 0; k < root->nkids && n < 4096; k++) {
    int id;
    const char *l = root->kids[k]->line;
    if (sscanf(l, "vlan %d", &id) == 1 && !strchr(l + 5, ',') && !strchr(l + 5, '-') && id != 1)
      ids[n++] = id;
  }
  for (int v = 0; v < n; v++) {
    char header[32], def[32];
    snprintf(header, sizeof header, "vlan %d", ids[v]);
    const char *name = ids[v] == 1 ? "default" : sec_value(conf_find(root, header), "name");
    snprintf(def, sizeof def, "VLAN%04d", ids[v]);
    json_sep(out);
    sb_printf(out, "\"%d\": {\"name\": ", ids[v]);
    sb_json_string(out, name ? name : def);
    sb_puts(out, ", \"status\": \"active\", \"dynamic\": false, \"interfaces\": {");
    for (int port = 1; port <= st->p->ports; port++) {
      char ifname[64], h[80];
      snprintf(ifname, sizeof ifname, "%s%d", st->p->if_long, port);
      snprintf(h, sizeof h, "interface %s", ifname);
      if (port_vlan(conf_find(root, h)) != ids[v]) continue;
      json_sep(out);
      sb_json_string(out, ifname);
      sb_puts(out, ": {\"privatePromoted\": false}");
    }
    sb_puts(out, "}}");
  }
  sb_puts(out, "}}");
}

static void json_lldp(sim_cli_t *cli, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  ioslike_dev_t *st = state(dev);
  const char *peer = sim_pair_partner(dev)->name;
  sb_puts(out, "{\"tablesLastChangeTime\": 1700000000.0, \"tablesAgeOuts\": 0, "
               "\"tablesInserts\": 2, \"tablesDeletes\": 0, \"tablesDrops\": 0, "
               "\"lldpNeighbors\": [");
  for (int port = st->p->ports - 1; port <= st->p->ports; port++) {
    json_sep(out);
    sb_printf(out,
              "{\"port\": \"%s%d\", \"neighborDevice\": \"%s\", \"neighborPort\": "
              "\"%s%d\", \"ttl\": 120}",
              st->p->if_long, port, peer, st->p->if_long, port);
  }
  sb_puts(out, "]}");
}

int ioslike_json(sim_cli_t *cli, const char *command, sbuf_t *out) {
  if (cli_match(command, "show interfaces status")) {
    sb_puts(out, "{\"interfaceStatuses\": {");
    each_iface(cli->dev, json_status_row, cli, out);
    sb_puts(out, "}}");
  } else if (cli_match(command, "show ip interface brief")) {
    sb_puts(out, "{\"interfaces\": {");
    each_iface(cli->dev, json_ip_row, cli, out);
    sb_puts(out, "}}");
  } else if (cli_match(command, "show interfaces")) {
    sb_puts(out, "{\"interfaces\": {");
    each_iface(cli->dev, json_interface, cli, out);
    sb_puts(out, "}}");
  } else if (cli_match(command, "show vlan")) {
    json_vlans(cli, out);
  } else if (cli_match(command, "show lldp neighbors")) {
    json_lldp(cli, out);
  } else {
    return 0;
  }
  return 1;
}

static void show_cpu(sim_cli_t *cli, sbuf_t *out) {
  uint64_t h = sim_hash(cli->dev->seed, (uint64_t)(time(NULL) / 60));
  int five = (int)(h % 100 < 5 ? 85 + h % 10 : 2 + h % 18);
  sb_printf(out,
            "CPU utilization for five seconds: %d%%/0%%; one minute: %d%%; five minutes: %d%%\n",
            five + 1, five, five);
  sb_puts(out, " PID Runtime(ms)     Invoked      uSecs   5Sec   1Min   5Min TTY Process\n"
               "   1          10         312         32  0.00%  0.00%  0.00%   0 Chunk Manager\n"
               "   2        4721      214354         22  0.07%  0.01%  0.00%   0 Load Meter\n");
}

/* ---- the command interpreter ---- */

typedef struct {
  const char *pattern;
  int priv; /* needs enable */
  void (*fn)(sim_cli_t *cli, sbuf_t *out);
} show_cmd_t;

static void sh_version(sim_cli_t *cli, sbuf_t *out) {
  state(cli->dev)->p->show_version(cli, out);
}
static void sh_running(sim_cli_t *cli, sbuf_t *out) {
  show_running(cli, out, state(cli->dev)->s.running, 0);
}
/* show running-config interface X: the one section, with the IOS or EOS frame. */
static void sh_running_if(sim_cli_t *cli, const char *name, const char *more, sbuf_t *out) {
  ioslike_dev_t *st = state(cli->dev);
  char canon[96], header[112];
  if (canonical_if(st->p, name, more, canon, sizeof canon)) {
    cli_invalid(cli, 27, out);
    return;
  }
  snprintf(header, sizeof header, "interface %s", canon);
  const conf_node_t *sec = conf_find(st->s.running, header);
  sbuf_t body;
  sb_init(&body);
  if (sec) conf_render_node(sec, &body, st->p->eos ? 3 : 1, 0);
  if (st->p->eos) {
    sb_add(out, body.data ? body.data : "", body.len);
  } else if (!sec) {
    sb_puts(out, "                              ^\n% Invalid input detected at '^' marker.\n\n");
    cli->error = 1;
  } else {
    sb_printf(out, "Building configuration...\n\nCurrent configuration : %zu bytes\n!\n", body.len);
    sb_add(out, body.data, body.len);
    sb_puts(out, "end\n\n");
  }
  sb_free(&body);
}

static void sh_startup(sim_cli_t *cli, sbuf_t *out) {
  show_running(cli, out, state(cli->dev)->s.startup, 1);
}
static void sh_ip_brief(sim_cli_t *cli, sbuf_t *out) {
  if (state(cli->dev)->p->eos)
    sb_puts(
        out,
        "                                                                    Address\n"
        "Interface              IP Address         Status     Protocol         MTU    Owner\n"
        "---------------------- ------------------ ---------- ---------------- ------ -------\n");
  else
    sb_puts(out,
            "Interface              IP-Address      OK? Method Status                Protocol\n");
  each_iface(cli->dev, row_ip_brief, cli, out);
}
static void sh_status(sim_cli_t *cli, sbuf_t *out) {
  if (state(cli->dev)->p->eos)
    sb_puts(out, "Port      Name               Status       Vlan     Duplex  Speed   Type\n");
  else
    sb_puts(out, "\nPort       Name               Status       Vlan       Duplex Speed  Type\n");
  each_iface(cli->dev, row_status, cli, out);
}
static void sh_interfaces(sim_cli_t *cli, sbuf_t *out) {
  each_iface(cli->dev, block_interface, cli, out);
}

static const show_cmd_t shows[] = {
    {"show version", 0, sh_version},
    {"show running-config", 1, sh_running},
    {"show startup-config", 1, sh_startup},
    {"show ip interface brief", 0, sh_ip_brief},
    {"show interfaces status", 0, sh_status},
    {"show interfaces", 0, sh_interfaces},
    {"show inventory", 0, show_inventory},
    {"show vlan", 0, show_vlan},
    {"show vlan brief", 0, show_vlan},
    {"show clock", 0, show_clock},
    {"show lldp neighbors", 0, show_lldp},
    {"show processes cpu", 0, show_cpu},
    {NULL, 0, NULL},
};

static const char *const exec_patterns[] = {"show version",
                                            "show running-config interface *",
                                            "show running-config",
                                            "show startup-config",
                                            "show session-config",
                                            "show ip interface brief",
                                            "show interfaces status",
                                            "show interfaces",
                                            "show inventory",
                                            "show vlan",
                                            "show clock",
                                            "show lldp neighbors",
                                            "show processes cpu",
                                            "enable",
                                            "disable",
                                            "exit",
                                            "logout",
                                            "quit",
                                            "terminal length *",
                                            "terminal width *",
                                            "terminal pager *",
                                            "terminal monitor",
                                            "configure terminal",
                                            "configure replace *",
                                            "configure session *",
                                            "configure checkpoint save *",
                                            "configure",
                                            "copy running-config *",
                                            "write memory",
                                            "write",
                                            "ping *",
                                            "dir ...",
                                            "verify ...",
                                            "delete ...",
                                            NULL};

static void touch(ioslike_dev_t *st) {
  st->s.last_change = time(NULL);
}

/* Stores a copy of the running configuration under name (flash file or checkpoint).
 * Returns 0, or -1 (error already in out) when the 16 slots are full. */
static int save_file(sim_cli_t *cli, const char *name, sbuf_t *out) {
  ioslike_dev_t *st = state(cli->dev);
  int slot = -1;
  for (int k = 0; k < st->s.nfiles; k++)
    if (strcmp(st->s.files[k].name, name) == 0) slot = k;
  if (slot < 0) {
    if (st->s.nfiles == 16) {
      sb_puts(out, "%Error opening flash: (No space left on device)\n");
      cli->error = 1;
      return -1;
    }
    slot = st->s.nfiles++;
    st->s.files[slot].name = sim_strdup(name);
  } else {
    conf_free(st->s.files[slot].conf);
  }
  st->s.files[slot].conf = conf_clone(st->s.running);
  return 0;
}

static void copy_running(sim_cli_t *cli, const char *dest, sbuf_t *out) {
  ioslike_dev_t *st = state(cli->dev);
  if (cli_match(dest, "startup-config")) {
    conf_free(st->s.startup);
    st->s.startup = conf_clone(st->s.running);
    sb_puts(out,
            st->p->eos ? "Copy completed successfully.\n" : "Building configuration...\n[OK]\n");
    return;
  }
  const char *name = strncmp(dest, "flash:", 6) == 0 ? dest + 6 : NULL;
  if (!name || !*name) {
    cli_invalid(cli, 19, out);
    return;
  }
  if (save_file(cli, name, out)) return;
  sb_printf(out, "Destination filename [%s]? \n%zu bytes copied in 0.123 secs\n", name,
            conf_count(st->s.running) * 30);
}

static void configure_replace(sim_cli_t *cli, const char *src, sbuf_t *out) {
  ioslike_dev_t *st = state(cli->dev);
  const conf_node_t *from = NULL;
  if (strncmp(src, "nvram:startup-config", 20) == 0 || strcmp(src, "startup-config") == 0)
    from = st->s.startup;
  else if (strncmp(src, "flash:", 6) == 0 || strncmp(src, "checkpoint:", 11) == 0) {
    char name[128];
    if (src[0] == 'c')
      sscanf(src, "%127s", name); /* checkpoints are stored with their prefix */
    else
      sscanf(src + 6, "%127s", name);
    for (int k = 0; k < st->s.nfiles; k++)
      if (strcmp(st->s.files[k].name, name) == 0) from = st->s.files[k].conf;
  }
  if (!from) {
    sb_printf(out, "%%Error opening %s (No such file or directory)\n", src);
    cli->error = 1;
    return;
  }
  conf_free(st->s.running);
  st->s.running = conf_clone(from);
  touch(st);
  sb_puts(out, st->p->eos ? "" : "Total number of passes: 1\nRollback Done\n\n");
}

/* `dir [flash:]`: the files SFTP and SCP put on the device (flash.c), in the platform's
 * layout, ending with the "N bytes total (M bytes free)" line scripts read. */
static void dir_flash(sim_cli_t *cli, const char *fs, sbuf_t *out) {
  int eos = state(cli->dev)->p->eos;
  char name[256];
  if (fs && (strncmp(fs, "flash:", 6) != 0 || flash_name(fs, name, sizeof name) || *name)) {
    sb_printf(out, "%%Error opening %s (No such file or directory)\n", fs);
    cli->error = 1;
    return;
  }
  sb_puts(out, "Directory of flash:/\n\n");
  size_t n = flash_count(cli->dev);
  sim_file_t **files = sim_calloc(n + 1, sizeof *files);
  n = flash_list(cli->dev, files, n);
  for (size_t i = 0; i < n; i++) {
    const sim_file_t *f = files[i];
    struct tm tm;
    char when[64];
    gmtime_r(&f->mtime, &tm);
    if (eos) {
      strftime(when, sizeof when, "%b %e %H:%M", &tm);
      sb_printf(out, "       -rw%c %12zu %18s  %s\n", f->mode & 0100 ? 'x' : '-', f->blob->len,
                when, f->name);
    } else {
      strftime(when, sizeof when, "%b %e %Y %H:%M:%S +00:00", &tm);
      sb_printf(out, "%5zu  -rw-  %12zu  %s  %s\n", i + 1, f->blob->len, when, f->name);
    }
  }
  if (n == 0 && !eos) sb_puts(out, "No files in directory\n");
  free(files);
  unsigned long long cap = flash_capacity(cli->dev), used = flash_used(cli->dev);
  sb_printf(out, "\n%llu bytes total (%llu bytes free)\n", cap, cap - used);
}

/* `verify /md5 flash:FILE` and `verify /sha512 flash:FILE` (IOS and EOS spell it alike). */
static void verify_file(sim_cli_t *cli, const char *alg, const char *path, sbuf_t *out) {
  char name[256], hex[2 * 64 + 1];
  const sim_file_t *f = NULL;
  if (strncmp(path, "flash:", 6) == 0 && !flash_name(path, name, sizeof name))
    f = flash_find(cli->dev, name);
  if (!f) {
    sb_printf(out, "%%Error opening %s (No such file or directory)\n", path);
    cli->error = 1;
    return;
  }
  flash_digest(f->blob, alg, hex, sizeof hex);
  if (!state(cli->dev)->p->eos) sb_puts(out, "..........Done!\n");
  sb_printf(out, "verify /%s (%s) = %s\n", alg, path, hex);
}

/* `delete [/force] flash:FILE`. */
static void delete_file(sim_cli_t *cli, const char *path, sbuf_t *out) {
  char name[256];
  if (strncmp(path, "flash:", 6) != 0 || flash_name(path, name, sizeof name) ||
      flash_remove(cli->dev, name)) {
    sb_printf(out, "%%Error deleting %s (No such file or directory)\n", path);
    cli->error = 1;
  }
}

static void exec_command(sim_cli_t *cli, const char *line, sbuf_t *out) {
  ioslike_dev_t *st = state(cli->dev);
  char b[1024];
  char *tok[32];
  int n = cli_tokens(line, tok, 32, b, sizeof b);
  if (n == 0) return;
  if (cli_match(line, "enable")) {
    if (cli->mode == MODE_USER) {
      cli->want_secret = 1;
      cli->secret_tries = 0;
    }
    return;
  }
  if (cli_match(line, "disable")) {
    cli->mode = MODE_USER;
    return;
  }
  if (cli_match(line, "exit") || cli_match(line, "logout") || cli_match(line, "quit")) {
    cli->exit = 1;
    return;
  }
  if (n == 3 && cli_match(line, "terminal length *")) {
    int len = atoi(tok[2]);
    cli->paging = len != 0;
    if (len > 0) cli->page_len = len;
    return;
  }
  if (cli_match(line, "terminal width *") || cli_match(line, "terminal monitor") ||
      cli_match(line, "terminal pager *"))
    return;
  if ((n == 4 || n == 5) && cli_match(line, "show running-config interface *") &&
      cli->mode != MODE_USER) {
    sh_running_if(cli, tok[3], n == 5 ? tok[4] : NULL, out);
    return;
  }
  if (st->p->eos && cli_match(line, "show session-config ...") && n >= 2 && strlen(tok[1]) >= 9 &&
      cli->mode != MODE_USER) {
    if (!st->session) {
      sb_puts(out, "% No configuration session in progress\n");
      cli->error = 1;
      return;
    }
    show_running(cli, out, st->session, 0);
    return;
  }
  for (const show_cmd_t *s = shows; s->pattern; s++) {
    if (!cli_match(line, s->pattern)) continue;
    /* "show interfaces" must not swallow "show interfaces status". */
    if (strcmp(s->pattern, "show interfaces") == 0 && n > 2) continue;
    if (strcmp(s->pattern, "show vlan") == 0 && n > 2) continue;
    if (s->priv && cli->mode == MODE_USER) break;
    s->fn(cli, out);
    return;
  }
  if (cli->mode != MODE_USER) {
    if (st->p->eos && n == 3 && cli_match(line, "configure session *") && strlen(tok[1]) >= 2) {
      /* One session per device; a new name replaces an abandoned session. */
      if (st->session && strcmp(st->session_name, tok[2]) != 0) {
        conf_free(st->session);
        st->session = NULL;
      }
      if (!st->session) {
        st->session = conf_clone(st->s.running);
        snprintf(st->session_name, sizeof st->session_name, "%.39s", tok[2]);
      }
      cli->in_session = 1;
      cli->mode = MODE_CONFIG;
      return;
    }
    if (st->p->eos && n == 4 && cli_match(line, "configure checkpoint save *")) {
      char name[96];
      snprintf(name, sizeof name, "checkpoint:%.80s", tok[3]);
      save_file(cli, name, out);
      return;
    }
    if (cli_match(line, "configure terminal") || (n == 1 && cli_match(line, "configure"))) {
      cli->in_session = 0;
      cli->mode = MODE_CONFIG;
      if (!st->p->eos)
        sb_puts(out, "Enter configuration commands, one per line.  End with CNTL/Z.\n");
      return;
    }
    if (n >= 3 && cli_match(line, "configure replace *")) {
      configure_replace(cli, line + (tok[2] - b), out);
      return;
    }
    if (cli_match(line, "write memory") || (n == 1 && cli_match(line, "write"))) {
      copy_running(cli, "startup-config", out);
      return;
    }
    if (n == 3 && cli_match(line, "copy running-config *")) {
      copy_running(cli, tok[2], out);
      return;
    }
  }
  if (cli->mode != MODE_USER && n <= 2 && cli_match(line, "dir ...") && strlen(tok[0]) >= 2) {
    dir_flash(cli, n == 2 ? tok[1] : NULL, out);
    return;
  }
  if (cli->mode != MODE_USER && n == 3 && cli_match(tok[0], "verify") &&
      (strcmp(tok[1], "/md5") == 0 || strcmp(tok[1], "/sha512") == 0)) {
    verify_file(cli, tok[1] + 1, tok[2], out);
    return;
  }
  if (cli->mode != MODE_USER && cli_match(tok[0], "delete") && strlen(tok[0]) >= 3 &&
      (n == 2 || (n == 3 && strcmp(tok[1], "/force") == 0))) {
    delete_file(cli, tok[n - 1], out);
    return;
  }
  if (n >= 2 && cli_match(line, "ping *")) {
    sb_printf(out,
              "Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to %s, "
              "timeout is 2 seconds:\n!!!!!\nSuccess rate is 100 percent (5/5)\n",
              tok[1]);
    return;
  }
  cli_invalid(cli, cli_bad_column(line, exec_patterns), out);
}

/* Section headers: the sub-mode prompt they lead to, or NULL when the line is not one. */
static const char *section_prompt(sim_cli_t *cli, const char *header, char *buf, size_t n) {
  int eos = state(cli->dev)->p->eos;
  if (strncmp(header, "interface ", 10) == 0) {
    if (!eos) return "config-if";
    char sn[32];
    short_name(state(cli->dev)->p, header + 10, sn, sizeof sn);
    snprintf(buf, n, "config-if-%s", sn);
    return buf;
  }
  if (strncmp(header, "vlan ", 5) == 0) {
    if (!eos) return "config-vlan";
    snprintf(buf, n, "config-vlan-%.24s", header + 5);
    return buf;
  }
  if (strncmp(header, "line ", 5) == 0) return "config-line";
  if (strncmp(header, "router ", 7) == 0) return "config-router";
  if (strncmp(header, "ip access-list standard ", 24) == 0) return "config-std-nacl";
  if (strncmp(header, "ip access-list extended ", 24) == 0) return "config-ext-nacl";
  if (strncmp(header, "ip access-list ", 15) == 0) return eos ? "config-acl" : "config-ext-nacl";
  if (strncmp(header, "management ", 11) == 0) return "config-mgmt";
  /* EOS: "ip prefix-list NAME" alone opens the list ("seq N permit ..." inside). */
  if (eos && strncmp(header, "ip prefix-list ", 15) == 0 && !strchr(header + 15, ' '))
    return "config-ip-pfx";
  return NULL;
}

/* "interface gi1/0/3" -> "interface GigabitEthernet1/0/3" (0), or -1 for a bad name. */
static int normalize_header(sim_cli_t *cli, const char *line, char *out, size_t n) {
  const ioslike_profile_t *p = state(cli->dev)->p;
  char b[256];
  char *tok[8];
  int nt = cli_tokens(line, tok, 8, b, sizeof b);
  if (nt >= 2 && cli_match(tok[0], "interface")) {
    char name[96];
    if (canonical_if(p, tok[1], nt > 2 ? tok[2] : NULL, name, sizeof name)) return -1;
    size_t l = strlen(p->if_long);
    if (strncmp(name, p->if_long, l) == 0 && !physical_port(p, name, NULL)) return -1;
    if ((!p->eos && strncmp(name, "TenGigabitEthernet", 18) == 0) ||
        (p->eos && strncmp(name, "Management", 10) == 0 && strcmp(name, "Management1") != 0))
      return -1;
    snprintf(out, n, "interface %s", name);
    return 0;
  }
  snprintf(out, n, "%.255s", line);
  return 0;
}

static void config_line(sim_cli_t *cli, const char *line, sbuf_t *out) {
  ioslike_dev_t *st = state(cli->dev);
  if (cli->in_session && !st->session) cli->in_session = 0; /* committed elsewhere */
  conf_node_t *root = cli->in_session ? st->session : st->s.running;
  char b[1024];
  char *tok[32];
  int n = cli_tokens(line, tok, 32, b, sizeof b);
  if (n == 0) return;
  if (cli_match(tok[0], "end") && n == 1) {
    /* A session stays pending: "configure session NAME" goes back to it. */
    cli->mode = MODE_PRIV;
    cli->in_session = 0;
    return;
  }
  if (cli->in_session && n == 1 && cli_match(tok[0], "commit")) {
    conf_free(st->s.running);
    st->s.running = st->session;
    st->session = NULL;
    cli->in_session = 0;
    cli->mode = MODE_PRIV;
    touch(st);
    return;
  }
  if (cli->in_session && n == 1 && cli_match(tok[0], "abort")) {
    conf_free(st->session);
    st->session = NULL;
    cli->in_session = 0;
    cli->mode = MODE_PRIV;
    return;
  }
  if (cli->in_session && n == 2 && cli_match(line, "rollback clean-config")) {
    /* The factory default: nothing configured. */
    conf_free(st->session);
    st->session = conf_parse("");
    return;
  }
  if (n >= 3 && cli_match(tok[0], "default") && cli_match(tok[1], "interface")) {
    char header[256];
    if (normalize_header(cli, line + (tok[1] - b), header, sizeof header) < 0) {
      cli_invalid(cli, (size_t)(tok[2] - b), out);
      return;
    }
    conf_node_t *sec = conf_section(root, header, 0);
    while (sec && sec->nkids) conf_unset(sec, sec->kids[0]->line);
    if (!st->p->eos) sb_printf(out, "Interface %s set to default configuration\n", header + 10);
    touch(st);
    return;
  }
  if (cli_match(tok[0], "exit") && n == 1) {
    cli->mode = cli->mode == MODE_SUB ? MODE_CONFIG : MODE_PRIV;
    return;
  }
  if (n >= 2 && strcmp(tok[0], "do") == 0) {
    int mode = cli->mode;
    cli->mode = MODE_PRIV;
    exec_command(cli, line + (tok[1] - b), out);
    if (cli->mode == MODE_PRIV) cli->mode = mode;
    return;
  }
  /* The line, with single spaces, as the running configuration shows it. */
  char canon[1024] = "";
  for (int k = 0; k < n; k++) {
    if (k) strncat(canon, " ", sizeof canon - strlen(canon) - 1);
    strncat(canon, tok[k], sizeof canon - strlen(canon) - 1);
  }
  int negate = strcmp(tok[0], "no") == 0;
  const char *body = negate ? canon + 3 : canon;
  if (negate && n == 1) {
    cli_invalid(cli, (size_t)-1, out);
    return;
  }
  /* A section header (from config mode, or from another section: IOS moves over). */
  char header[256], pbuf[48];
  if (normalize_header(cli, body, header, sizeof header) < 0) {
    cli_invalid(cli, (size_t)(tok[negate ? 2 : 1] - b), out);
    return;
  }
  const char *sub = section_prompt(cli, header, pbuf, sizeof pbuf);
  if (sub && (cli->mode == MODE_CONFIG || !known_word(body, sub_words))) {
    if (negate) {
      int port;
      if (strncmp(header, "interface ", 10) == 0 && physical_port(st->p, header + 10, &port)) {
        /* Physical ports return to their defaults. */
        conf_node_t *sec = conf_section(root, header, 0);
        if (sec) {
          while (sec->nkids) conf_unset(sec, sec->kids[0]->line);
        }
      } else {
        conf_remove(root, header);
      }
      touch(st);
      return;
    }
    conf_section(root, header, 1);
    snprintf(cli->sub_header, sizeof cli->sub_header, "%.127s", header);
    snprintf(cli->sub_prompt, sizeof cli->sub_prompt, "%s", sub);
    cli->mode = MODE_SUB;
    touch(st);
    return;
  }
  if (cli->mode == MODE_SUB) {
    if (!known_word(body, sub_words)) {
      cli_invalid(cli, (size_t)(tok[negate ? 1 : 0] - b), out);
      return;
    }
    conf_node_t *sec = conf_section(root, cli->sub_header, 1);
    if (negate) {
      conf_unset(sec, body);
    } else if (strcmp(body, "no shutdown") != 0) {
      conf_set(sec, body, single_sub);
    }
    touch(st);
    return;
  }
  if (!known_word(body, top_words)) {
    cli_invalid(cli, (size_t)(tok[negate ? 1 : 0] - b), out);
    return;
  }
  if (negate) {
    if (!conf_unset(root, body) && !st->p->eos) {
      /* IOS is quiet about removing what is not there; so is EOS. */
    }
  } else {
    conf_set(root, body, single_top);
  }
  touch(st);
}

void ioslike_command(sim_cli_t *cli, const char *line, sbuf_t *out) {
  if (cli->want_secret) {
    if (strcmp(line, "enable") == 0) {
      cli->want_secret = 0;
      cli->mode = MODE_PRIV;
    } else if (state(cli->dev)->p->eos) {
      /* EOS authenticates enable through AAA: one try. */
      cli->want_secret = 0;
      sb_puts(out, "% Access denied\n");
      cli->error = 1;
    } else if (++cli->secret_tries >= 3) {
      cli->want_secret = 0;
      sb_puts(out, "% Bad secrets\n\n");
      cli->error = 1;
    }
    return;
  }
  if (cli->mode >= MODE_CONFIG)
    config_line(cli, line, out);
  else
    exec_command(cli, line, out);
}

void ioslike_prompt(sim_cli_t *cli, sbuf_t *out) {
  const char *host = ioslike_hostname(cli->dev);
  if (cli->want_secret) {
    sb_puts(out, "Password: ");
    return;
  }
  switch (cli->mode) {
  case MODE_USER:
    sb_printf(out, "%s>", host);
    break;
  case MODE_PRIV:
    sb_printf(out, "%s#", host);
    break;
  case MODE_CONFIG:
    if (cli->in_session)
      sb_printf(out, "%s(config-s-%.20s)#", host, state(cli->dev)->session_name);
    else
      sb_printf(out, "%s(config)#", host);
    break;
  default:
    /* EOS in a session: "(config-s-NAME-if-Et1)#". */
    if (cli->in_session)
      sb_printf(out, "%s(config-s-%.20s-%s)#", host, state(cli->dev)->session_name,
                strncmp(cli->sub_prompt, "config-", 7) == 0 ? cli->sub_prompt + 7
                                                            : cli->sub_prompt);
    else
      sb_printf(out, "%s(%s)#", host, cli->sub_prompt);
    break;
  }
}

void ioslike_running_config(sim_device_t *dev, sbuf_t *out) {
  conf_render(state(dev)->s.running, out, state(dev)->p->eos ? 3 : 1);
}

void ioslike_load_config(sim_device_t *dev, const char *text) {
  ioslike_dev_t *st = state(dev);
  conf_free(st->s.running);
  st->s.running = conf_parse(text);
  conf_free(st->s.startup);
  st->s.startup = conf_clone(st->s.running);
}

void ioslike_init(sim_device_t *dev) {
  const ioslike_profile_t *p = dev->pers->profile;
  uint64_t s = dev->seed ^ p->seed_salt;
  dev->version = sim_pick(p->versions, &s);
  dev->model = sim_pick(p->models, &s);
  ioslike_dev_t *st = sim_calloc(1, sizeof *st);
  dev->pstate = st;
  st->p = p;
  sbuf_t text;
  sb_init(&text);
  p->initial_config(dev, &text);
  st->s.running = conf_parse(sb_str(&text));
  st->s.startup = conf_clone(st->s.running);
  st->s.last_change = dev->boot_time + 3600;
  sb_free(&text);
}

void ioslike_destroy(sim_device_t *dev) {
  ioslike_dev_t *st = state(dev);
  if (!st) return;
  conf_free(st->s.running);
  conf_free(st->s.startup);
  conf_free(st->session);
  for (int k = 0; k < st->s.nfiles; k++) {
    free(st->s.files[k].name);
    conf_free(st->s.files[k].conf);
  }
  free(st);
  dev->pstate = NULL;
}

/* ---- NETCONF (netconf.c): hostname and interfaces (description, shutdown) ---- */

void ioslike_nc_get(sim_device_t *dev, nc_model_t *m) {
  conf_node_t *root = state(dev)->s.running;
  size_t i, k;
  for (i = 0; i < root->nkids; i++) {
    conf_node_t *n = root->kids[i];
    if (words_prefix(n->line, "hostname")) {
      snprintf(m->hostname, sizeof m->hostname, "%s", n->line + 9);
    } else if (words_prefix(n->line, "interface") && m->nif < NC_MAX_IFS) {
      int j = m->nif++;
      snprintf(m->ifs[j].name, sizeof m->ifs[j].name, "%s", n->line + 10);
      m->ifs[j].enabled = 1;
      for (k = 0; k < n->nkids; k++) {
        const char *l = n->kids[k]->line;
        while (*l == ' ') l++;
        if (words_prefix(l, "description"))
          snprintf(m->ifs[j].description, sizeof m->ifs[j].description, "%s", l + 12);
        else if (!strcmp(l, "shutdown"))
          m->ifs[j].enabled = 0;
      }
    }
  }
}

void ioslike_nc_apply(sim_device_t *dev, const nc_model_t *m) {
  ioslike_dev_t *st = state(dev);
  conf_node_t *root = st->s.running;
  char line[320];
  int i;
  snprintf(line, sizeof line, "hostname %s", m->hostname);
  conf_set(root, line, single_top);
  for (i = 0; i < m->nif; i++) {
    char header[96];
    conf_node_t *sec;
    snprintf(header, sizeof header, "interface %s", m->ifs[i].name);
    if (!(sec = conf_section(root, header, 1))) continue;
    if (m->ifs[i].description[0]) {
      snprintf(line, sizeof line, "description %s", m->ifs[i].description);
      conf_set(sec, line, single_sub);
    } else {
      conf_unset(sec, "description");
    }
    if (m->ifs[i].enabled)
      conf_unset(sec, "shutdown");
    else
      conf_set(sec, "shutdown", single_sub);
  }
  st->s.last_change = time(NULL);
}
