/* The cisco_ios personality: a Catalyst access/distribution switch running classic IOS. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ioslike.h"

static void show_version(sim_cli_t *cli, sbuf_t *out) {
  sim_device_t *dev = cli->dev;
  const char *host = ioslike_hostname(dev);
  char image[64];
  int a = 0, b = 0, c = 0;
  char train[16] = "";
  sscanf(dev->version, "%d.%d(%d)%15s", &a, &b, &c, train);
  snprintf(image, sizeof image, "c2960x-universalk9-mz.%d%d-%d.%s.bin", a, b, c, train);
  sb_printf(out,
            "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version %s, "
            "RELEASE SOFTWARE (fc3)\n",
            dev->version);
  sb_puts(out, "Technical Support: http://www.cisco.com/techsupport\n"
               "Copyright (c) 1986-2019 by Cisco Systems, Inc.\n"
               "Compiled Wed 14-Aug-19 09:05 by prod_rel_team\n\n"
               "ROM: Bootstrap program is C2960X boot loader\n"
               "BOOTLDR: C2960X Boot Loader (C2960X-HBOOT-M) Version 15.2(3r)E1, RELEASE SOFTWARE "
               "(fc1)\n\n");
  sb_printf(out, "%s uptime is ", host);
  sim_uptime(dev, out, 0);
  sb_puts(out, "\nSystem returned to ROM by power-on\n");
  char when[64];
  strftime(when, sizeof when, "%H:%M:%S UTC %a %b %d %Y", gmtime(&dev->boot_time));
  sb_printf(out, "System restarted at %s\nSystem image file is \"flash:%s\"\n\n", when, image);
  sb_puts(out, "\nThis product contains cryptographic features and is subject to United\n"
               "States and local country laws governing import, export, transfer and\n"
               "use. Delivery of Cisco cryptographic products does not imply\n"
               "third-party authority to import, export, distribute or use encryption.\n\n");
  sb_printf(out,
            "cisco %s (APM86XXX) processor (revision B0) with 524288K bytes of memory.\n"
            "Processor board ID %s\nLast reset from power-on\n2 Virtual Ethernet interfaces\n"
            "1 FastEthernet interface\n52 Gigabit Ethernet interfaces\n"
            "The password-recovery mechanism is enabled.\n\n"
            "512K bytes of flash-simulated non-volatile configuration memory.\n"
            "Base ethernet MAC Address       : %s\n"
            "Model number                    : %s\n"
            "System serial number            : %s\n\n",
            dev->model, dev->serial, dev->mac, dev->model, dev->serial);
  sb_printf(out,
            "Switch Ports Model                     SW Version            SW Image\n"
            "------ ----- -----                     ----------            ----------\n"
            "*    1 52    %-25s %-21s C2960X-UNIVERSALK9-M\n\n\n"
            "Configuration register is 0xF\n\n",
            dev->model, dev->version);
}

static void initial_config(sim_device_t *dev, sbuf_t *o) {
  uint64_t s = dev->seed;
  int major = 15, minor = 2; /* the "version" line is the release train: 15.0, 15.2 */
  sscanf(dev->version, "%d.%d", &major, &minor);
  sb_printf(o,
            "version %d.%d\nno service pad\nservice timestamps debug datetime msec\n"
            "service timestamps log datetime msec\nservice password-encryption\n!\n"
            "hostname %s\n!\nboot-start-marker\nboot-end-marker\n!\n"
            "enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n!\n"
            "username admin privilege 15 secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n"
            "aaa new-model\n!\naaa authentication login default local\n"
            "aaa authorization exec default local\n!\nclock timezone UTC 0 0\n"
            "system mtu routing 1500\n!\nip domain-name lab.example\n"
            "ip name-server 10.0.0.53\n!\nvtp mode transparent\n!\n"
            "spanning-tree mode rapid-pvst\nspanning-tree extend system-id\n!\n",
            major, minor, dev->name);
  int vlans[] = {10, 20, 30, 99};
  const char *names[] = {"USERS", "VOICE", "PRINTERS", "MGMT"};
  for (int v = 0; v < 4; v++) sb_printf(o, "vlan %d\n name %s\n!\n", vlans[v], names[v]);
  /* A stream of its own, so the size of the configuration varies by seed without moving
   * the draws above and below (portfast, shutdown, communities). */
  uint64_t x = dev->seed ^ 0x5123;
  int extra = (int)(sim_rand(&x) % 40);
  for (int v = 0; v < extra; v++) sb_printf(o, "vlan %d\n name SEG-%03d\n!\n", 100 + v, v);
  for (int p = 1; p <= 48; p++) {
    sb_printf(o, "interface GigabitEthernet1/0/%d\n", p);
    if (p >= 47) {
      sb_printf(o, " description uplink to %s\n switchport mode trunk\n", dev->pair);
    } else {
      sb_printf(o,
                " description user port %d\n switchport access vlan %d\n"
                " switchport mode access\n",
                p, vlans[(p - 1) % 3]);
      /* A few ports miss portfast: compliance rules find them. */
      if (sim_rand(&s) % 10) sb_puts(o, " spanning-tree portfast\n");
      if (sim_rand(&s) % 8 == 0) sb_puts(o, " shutdown\n");
    }
    sb_puts(o, "!\n");
  }
  sb_printf(o,
            "interface Vlan1\n no ip address\n shutdown\n!\n"
            "interface Vlan99\n description management\n ip address 10.%d.%d.%d 255.255.255.0\n!\n",
            99, (dev->index >> 8) & 255, dev->index & 255);
  sb_puts(o, "ip default-gateway 10.99.0.1\n");
  if (sim_rand(&s) % 3 == 0) sb_puts(o, "ip http server\n");
  sb_puts(o, "ip http secure-server\n!\nip access-list extended MGMT-IN\n"
             " permit tcp 10.0.0.0 0.255.255.255 any eq 22\n deny   ip any any log\n!\n");
  int aces = 10 + (int)(sim_rand(&x) % 700);
  sb_puts(o, "ip access-list extended USER-IN\n");
  for (int k = 0; k < aces; k++)
    sb_printf(o, " permit %s 10.%d.%d.0 0.0.0.255 host 10.0.%d.%d eq %d\n", k % 3 ? "tcp" : "udp",
              10 + k % 3, k / 3 % 250, k % 7, 10 + k % 200, k % 3 ? 443 : 53);
  sb_puts(o, " deny   ip any any log\n!\n");
  /* Some devices carry a long ACL: "much larger" configurations. */
  if (sim_rand(&s) % 20 == 0) {
    sb_puts(o, "ip access-list extended BIG-FILTER\n");
    for (int k = 1; k <= 3000; k++)
      sb_printf(o, " permit tcp host 10.%d.%d.%d any eq %d\n", k >> 8 & 255, k & 255,
                (int)(sim_rand(&s) % 254 + 1), 1024 + k);
    sb_puts(o, "!\n");
  }
  sb_printf(o,
            "logging buffered 64000\nlogging host 10.0.0.5\n!\n"
            "snmp-server community %s RO\nsnmp-server location %s\n"
            "snmp-server contact noc@lab.example\n!\n",
            sim_rand(&s) % 4 == 0 ? "public" : "n3th0st-ro", dev->site);
  sb_puts(o, "ntp server 10.0.0.1\nntp server 10.0.0.2\n!\n"
             "line con 0\n exec-timeout 15 0\nline vty 0 4\n access-class MGMT-IN in\n"
             " transport input ssh\nline vty 5 15\n transport input ssh\n!\n");
}

/* Versions drawn by --seed; 15.2(4)E1 and 15.2(2)E9 are in published advisories. */
static const char *const versions[] = {"15.2(4)E1",  "15.2(7)E3",  "15.2(7)E8",  "15.2(2)E9",
                                       "15.2(7)E10", "15.0(2)EX5", "15.2(4)E10", NULL};
/* Catalyst 2960-X models with 48 copper ports and 4 SFP uplinks, the ports the profile
 * serves; all of them run the C2960X image show_version names. */
static const char *const models[] = {"WS-C2960X-48FPS-L", "WS-C2960X-48LPS-L", "WS-C2960X-48TS-L",
                                     NULL};

static const ioslike_profile_t profile = {
    0, "GigabitEthernet1/0/", "Gi1/0/", 48, models, versions, 0, show_version, initial_config};

static void banner(sim_cli_t *cli, sbuf_t *out) {
  sb_printf(out,
            "\n*******************************************************\n"
            "*  %-49s  *\n*  Authorized access only. Activity is logged.        *\n"
            "*******************************************************\n\n",
            cli->dev->name);
}

const sim_personality_t sim_cisco_ios = IOSLIKE_PERSONALITY("cisco_ios", banner, &profile);
