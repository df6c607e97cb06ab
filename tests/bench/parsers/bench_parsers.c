/* Parser throughput on large synthetic device outputs: show interfaces of a 1,000-port
 * chassis, a running configuration with 100,000 interface sections, an LLDP table and a
 * Junos configuration. Prints MB/s and records/s per parser, and the time per parse of a
 * typical show version (the fleet-audit case: thousands of small parses). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "plugin_loader.h"
#include "registry.h"
#include "value.h"

typedef struct {
  char *p;
  size_t len, cap;
} buf_t;

static void add(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(buf_t *b, const char *fmt, ...) {
  va_list ap;
  int n;
  for (;;) {
    va_start(ap, fmt);
    n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if ((size_t)n < b->cap - b->len) break;
    b->cap = b->cap ? b->cap * 2 : 1 << 16;
    if (!(b->p = realloc(b->p, b->cap))) abort();
  }
  b->len += (size_t)n;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench(const char *platform, const char *command, const buf_t *b, int reps) {
  double t0 = now(), dt;
  size_t records = 0;
  int i;
  for (i = 0; i < reps; i++) {
    nh_value_t *v = NULL;
    char *msg = NULL;
    int rc = nh_registry_parse(platform, command, b->p, b->len, &v, &msg);
    if (rc < 0) {
      fprintf(stderr, "%s '%s': %s\n", platform, command, msg ? msg : nh_strerror(rc));
      exit(1);
    }
    records = v->type == NH_VALUE_LIST ? v->u.list.len : 1;
    nh_value_free(v);
    free(msg);
  }
  dt = (now() - t0) / reps;
  printf("%-14s %-24s %8.1f MB  %8.3f s  %7.1f MB/s  %10.0f records/s\n", platform, command,
         (double)b->len / 1e6, dt, (double)b->len / 1e6 / dt, (double)records / dt);
}

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1, i;
  buf_t b = {0};
  if (nh_plugin_load_dir(NH_PLUGIN_BUILD_DIR) < 3) {
    fprintf(stderr, "cannot load the plugins from %s\n", NH_PLUGIN_BUILD_DIR);
    return 1;
  }
  for (i = 0; i < 1000 * scale; i++) {
    add(&b,
        "GigabitEthernet1/0/%d is up, line protocol is up (connected)\n"
        "  Hardware is Gigabit Ethernet, address is 0011.2233.%04x (bia 0011.2233.%04x)\n"
        "  Description: access port %d\n"
        "  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,\n"
        "     reliability 255/255, txload 1/255, rxload 1/255\n"
        "  Encapsulation ARPA, loopback not set\n"
        "  Full-duplex, 1000Mb/s, media type is 10/100/1000BaseTX\n"
        "  5 minute input rate 1000 bits/sec, 1 packets/sec\n"
        "     %d packets input, %d bytes, 0 no buffer\n"
        "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored\n"
        "     %d packets output, %d bytes, 0 underruns\n"
        "     0 output errors, 0 collisions, 1 interface resets\n",
        i, i & 0xffff, i & 0xffff, i, i * 7, i * 700, i * 5, i * 500);
  }
  bench("cisco_ios", "show interfaces", &b, 5);
  b.len = 0;
  add(&b, "Building configuration...\n\nhostname big\n!\n");
  for (i = 0; i < 100000 * scale; i++) {
    add(&b,
        "interface GigabitEthernet%d/0/%d\n description port %d\n switchport access vlan %d\n"
        " spanning-tree portfast\n!\n",
        i / 48, i % 48, i, i % 4094 + 1);
  }
  add(&b, "end\n");
  bench("cisco_ios", "show running-config", &b, 3);
  b.len = 0;
  add(&b, "Capability codes:\n    (R) Router, (B) Bridge\n\n"
          "Device ID           Local Intf     Hold-time  Capability      Port ID\n");
  for (i = 0; i < 50000 * scale; i++)
    add(&b, "sw-%05d            Gi%d/0/%-8d  120        B,R             Gi0/%d\n", i, i / 48,
        i % 48, i % 48);
  bench("cisco_ios", "show lldp neighbors", &b, 3);
  b.len = 0;
  add(&b, "interfaces {\n");
  for (i = 0; i < 50000 * scale; i++)
    add(&b,
        "    ge-%d/0/%d {\n        description \"port %d\";\n        unit 0 {\n"
        "            family inet {\n                address 10.%d.%d.1/30;\n"
        "            }\n        }\n    }\n",
        i / 48, i % 48, i, (i >> 8) & 255, i & 255);
  add(&b, "}\n");
  bench("juniper_junos", "show configuration", &b, 3);
  b.len = 0;
  add(&b, "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(4)E1, "
          "RELEASE SOFTWARE (fc2)\nTechnical Support: http://www.cisco.com/techsupport\n"
          "sw-0042 uptime is 1 week, 2 days, 3 hours, 4 minutes\n"
          "System image file is \"flash:/c2960x-universalk9-mz.152-4.E1.bin\"\n"
          "cisco WS-C2960X-48FPD-L (APM86XXX) processor (revision B0) with 524288K bytes.\n"
          "Processor board ID FOC1234X0YZ\nConfiguration register is 0xF\n");
  {
    double t0 = now();
    int n = 20000;
    for (i = 0; i < n; i++) {
      nh_value_t *v = NULL;
      if (nh_registry_parse("ios", "sh ver", b.p, b.len, &v, NULL) < 0) return 1;
      nh_value_free(v);
    }
    printf("%-14s %-24s %.1f us per parse (lookup by abbreviation included)\n", "cisco_ios",
           "show version", (now() - t0) / n * 1e6);
  }
  free(b.p);
  nh_plugin_unload_all();
  return 0;
}
