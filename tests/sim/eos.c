/* The arista_eos personality: a data-centre switch running EOS. */
#include <stdio.h>
#include <string.h>

#include "ioslike.h"

static void show_version(sim_cli_t *cli, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  sb_printf(out,
            "Arista %s\nHardware version: 11.01\nSerial number: %s\n"
            "Hardware MAC address: %s\nSystem MAC address: %s\n\n"
            "Software image version: %s\nArchitecture: x86_64\n"
            "Internal build version: %s-28481162.%s\n"
            "Internal build ID: 5b6e8d5c-0c8b-4b1e-9c2a-6f1c1e3b9a77\n"
            "Image format version: 3.0\nImage optimization: Default\n\nUptime: ",
            dev->model, dev->serial, dev->mac, dev->mac, dev->version, dev->version, dev->version);
  sim_uptime(dev, out, 1);
  sb_puts(out, "\nTotal memory: 32890040 kB\nFree memory: 25430212 kB\n\n");
}

static void initial_config(sim_device_t *dev, sbuf_t *o) {
  uint64_t s = dev->seed;
  sb_printf(o,
            "no aaa root\n!\nusername admin privilege 15 role network-admin secret sha512 "
            "$6$kX0X$abcdefghijklmnop\n!\ntransceiver qsfp default-mode 4x10G\n!\n"
            "service routing protocols model multi-agent\n!\nhostname %s\n"
            "ip name-server vrf default 10.0.0.53\nip domain-name lab.example\n!\n"
            "spanning-tree mode mstp\n!\nclock timezone UTC\n!\n",
            dev->name);
  sb_puts(o,
          "vlan 10\n   name SERVERS\n!\nvlan 20\n   name STORAGE\n!\nvlan 99\n   name MGMT\n!\n");
  /* A stream of its own: the size varies by seed without moving the other draws. */
  uint64_t x = dev->seed ^ 0xe06;
  int extra = (int)(sim_rand(&x) % 40);
  for (int v = 0; v < extra; v++) sb_printf(o, "vlan %d\n   name TENANT-%03d\n!\n", 200 + v, v);
  for (int p = 1; p <= 48; p++) {
    sb_printf(o, "interface Ethernet%d\n", p);
    if (p >= 47)
      sb_printf(o, "   description peer link to %s\n   switchport mode trunk\n", dev->pair);
    else
      sb_printf(o, "   description server port %d\n   switchport access vlan %d\n", p,
                p % 2 ? 10 : 20);
    if (p < 47 && sim_rand(&s) % 9 == 0) sb_puts(o, "   shutdown\n");
    sb_puts(o, "!\n");
  }
  sb_printf(o,
            "interface Management1\n   ip address 10.98.%d.%d/16\n!\n"
            "interface Vlan99\n   ip address 10.99.%d.%d/24\n!\n",
            (dev->index >> 8) & 255, dev->index & 255, (dev->index >> 8) & 255, dev->index & 255);
  sb_printf(o,
            "ip routing\n!\nip route 0.0.0.0/0 10.99.0.1\n!\n"
            "logging buffered 10000\nlogging host 10.0.0.5\n!\n"
            "snmp-server community %s ro\nsnmp-server location %s\n!\n"
            "ntp server 10.0.0.1\nntp server 10.0.0.2\n!\n"
            "management api http-commands\n   no shutdown\n!\n",
            sim_rand(&s) % 4 == 0 ? "public" : "n3th0st-ro", dev->site);
  /* Prefix lists: one device in twenty carries a very long one. */
  int n = sim_rand(&x) % 20 == 0 ? 3000 : 20 + (int)(sim_rand(&x) % 600);
  sb_puts(o, "ip prefix-list CUSTOMER-ROUTES\n");
  for (int k = 1; k <= n; k++)
    sb_printf(o, "   seq %d permit 100.%d.%d.0/24\n", k * 10, 64 + k / 256, k % 256);
  sb_puts(o, "!\n");
}

static const char *const versions[] = {"4.26.4M", "4.27.3F", "4.28.3M", "4.29.2F",
                                       "4.30.1F", "4.31.2F", "4.26.8M", NULL};
static const char *const models[] = {"DCS-7050SX3-48YC8", "DCS-7280SR-48C6", "CCS-720XP-48ZC2",
                                     NULL};

static const ioslike_profile_t profile = {1,     "Ethernet",   "Et",          48, models, versions,
                                          0xe05, show_version, initial_config};

static void banner(sim_cli_t *cli, sbuf_t *out) {
  sb_printf(out,
            "Last login: Sun Nov 22 09:00:00 2026 from 10.0.0.10\n"
            "%s: nethost-sim lab device. Authorized access only.\n\n",
            cli->dev->name);
}

const sim_personality_t sim_arista_eos = IOSLIKE_PERSONALITY("arista_eos", banner, &profile);
