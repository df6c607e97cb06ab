/* Command-line options of nethost-sim. */
#include "options.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: nethost-sim --devices N [options]\n"
    "  --devices N            number of simulated devices\n"
    "  --base ADDR            address of device 1 (default 127.1.0.1, or NETHOST_LAB_BASE);\n"
    "                         device i listens on ADDR + i - 1, counting across octets\n"
    "  --port P               SSH port of every device (default 2222, or NETHOST_LAB_PORT)\n"
    "  --mix P=W,...          platform weights (default cisco_ios=70,arista_eos=20,\n"
    "                         juniper_junos=10)\n"
    "  --seed S               seed for versions, models and configs (default 1)\n"
    "  --inventory-out FILE   write a nethost inventory (and FILE's stem + .known_hosts)\n"
    "  --ready-file FILE      created once every listener is up\n"
    "  --state-dir DIR        host keys and saved configs live here across runs\n"
    "  --stats FILE           write statistics as JSON on exit\n"
    "  --latency-ms N         delay before each command's output and each handshake\n"
    "  --jitter-ms N          random extra delay, 0..N ms\n"
    "  --fault KIND:rate=R|devices=A,B   KIND: refuse auth hang hang-output drop slow\n"
    "                         garbage huge (repeatable)\n"
    "  --http                 HTTP API (eAPI for arista_eos, RESTCONF for cisco_ios)\n"
    "  --https                the HTTP API over TLS (self-signed; lab.crt beside the inventory)\n"
    "  --http-port P          HTTP API port (default 8080)\n"
    "  --netconf-port P|same|auto  cisco_ios and juniper_junos devices also serve NETCONF on\n"
    "                         ADDR:P (830 as real devices do); same: only the netconf\n"
    "                         subsystem on the SSH port; auto (default, or\n"
    "                         NETHOST_LAB_NETCONF_PORT): 830 when it can be bound and the\n"
    "                         listeners take at most half the open-file limit, else same\n"
    "  --netconf-base 1.0|1.1 NETCONF servers advertise base:1.0 only, or both (default)\n"
    "  --max-sessions N       concurrent SSH sessions per device (vty limit)\n"
    "  --conn-rate N          new connections per second per device (MaxStartups-like)\n"
    "  --host-keys lab|device one ed25519 host key for the lab (default) or one per device\n"
    "  --host-key-change A,B  these devices present a different host key\n"
    "  --bastions all|none|A,B  devices that forward direct-tcpip channels (ssh -J) to\n"
    "                         other lab devices (default all)\n"
    "  --inventory-jump A,B   the inventory written reaches every device through these\n"
    "                         devices (ssh.jump, A nearest)\n"
    "  --confirm-unit-ms N    length of a Junos commit-confirmed minute (default 60000)\n"
    "  --login-grace-s N      hang up on clients not logged in after N s (default 60; 0: never)\n"
    "  --exit-with PID        stop (as on SIGTERM) once process PID has ended\n"
    "  --flash-mb N           each device's flash (SFTP/SCP files) holds N MB (default 64)\n"
    "  --quiet                no per-event messages\n";

static const char *fault_names[FAULT_COUNT] = {"refuse", "auth",    "hang", "hang-output",
                                               "drop",   "garbage", "slow", "huge"};
static const int fault_ids[FAULT_COUNT] = {FAULT_REFUSE,      FAULT_AUTH, FAULT_HANG,
                                           FAULT_HANG_OUTPUT, FAULT_DROP, FAULT_GARBAGE,
                                           FAULT_SLOW,        FAULT_HUGE};

const char *sim_fault_name(int f) {
  for (int i = 0; i < FAULT_COUNT; i++)
    if (fault_ids[i] == f) return fault_names[i];
  return "?";
}

static void free_list(char **v) {
  if (!v) return;
  for (char **p = v; *p; p++) free(*p);
  free(v);
}

static char **split_list(const char *s) {
  size_t n = 1;
  for (const char *p = s; *p; p++) n += *p == ',';
  char **v = sim_calloc(n + 1, sizeof *v);
  char *copy = sim_strdup(s);
  size_t k = 0;
  char *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
    v[k++] = sim_strdup(t);
  free(copy);
  return v;
}

static int parse_fault(sim_options_t *o, const char *arg) {
  const char *colon = strchr(arg, ':');
  size_t kl = colon ? (size_t)(colon - arg) : strlen(arg);
  int f = -1;
  for (int i = 0; i < FAULT_COUNT; i++)
    if (strlen(fault_names[i]) == kl && strncmp(arg, fault_names[i], kl) == 0) f = fault_ids[i];
  if (f < 0) {
    fprintf(stderr,
            "nethost-sim: --fault %s: unknown kind (refuse auth hang hang-output drop "
            "slow garbage huge)\n",
            arg);
    return -1;
  }
  if (!colon) {
    o->faults[f].rate = 1.0;
    return 0;
  }
  const char *v = colon + 1;
  if (strncmp(v, "rate=", 5) == 0) {
    char *end;
    double r = strtod(v + 5, &end);
    if (*end || r < 0 || r > 1) {
      fprintf(stderr, "nethost-sim: --fault %s: rate must be between 0 and 1\n", arg);
      return -1;
    }
    o->faults[f].rate = r;
    return 0;
  }
  if (strncmp(v, "devices=", 8) == 0) {
    o->faults[f].devices = split_list(v + 8);
    return 0;
  }
  fprintf(stderr, "nethost-sim: --fault %s: expected rate=R or devices=A,B\n", arg);
  return -1;
}

static int parse_mix(sim_options_t *o, const char *arg) {
  static const char *names[3] = {"cisco_ios", "arista_eos", "juniper_junos"};
  memset(o->mix, 0, sizeof o->mix);
  char **items = split_list(arg);
  int rc = 0, total = 0;
  for (char **it = items; *it; it++) {
    char *eq = strchr(*it, '=');
    int found = 0;
    for (int i = 0; i < 3 && eq; i++) {
      if ((size_t)(eq - *it) == strlen(names[i]) && strncmp(*it, names[i], strlen(names[i])) == 0) {
        o->mix[i] = atoi(eq + 1);
        total += o->mix[i];
        found = 1;
      }
    }
    if (!found) {
      fprintf(stderr,
              "nethost-sim: --mix: '%s' is not PLATFORM=WEIGHT with PLATFORM one of "
              "cisco_ios, arista_eos, juniper_junos\n",
              *it);
      rc = -1;
    }
    free(*it);
  }
  free(items);
  if (rc == 0 && total <= 0) {
    fprintf(stderr, "nethost-sim: --mix: the weights add up to 0\n");
    rc = -1;
  }
  return rc;
}

static int number(const char *opt, const char *arg, long lo, long hi, long *out) {
  char *end;
  long v = strtol(arg, &end, 10);
  if (*arg == '\0' || *end || v < lo || v > hi) {
    fprintf(stderr, "nethost-sim: %s %s: expected a number from %ld to %ld\n", opt, arg, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

/* number() for an int option: the limits keep the value in an int. */
static int int_option(const char *opt, const char *arg, long lo, long hi, int *out) {
  long v;
  if (number(opt, arg, lo, hi, &v)) return -1;
  *out = (int)v;
  return 0;
}

/* --netconf-port: a port number, "same" (or 0) or "auto". */
static int netconf_port(const char *opt, const char *arg, int *out) {
  long v;
  if (strcmp(arg, "same") == 0) {
    *out = NC_PORT_SAME;
    return 0;
  }
  if (strcmp(arg, "auto") == 0) {
    *out = NC_PORT_AUTO;
    return 0;
  }
  char *end;
  v = strtol(arg, &end, 10);
  if (*arg == '\0' || *end || v < 0 || v > 65535) {
    fprintf(stderr, "nethost-sim: %s %s: expected a port number, 'same' or 'auto'\n", opt, arg);
    return -1;
  }
  *out = (int)v; /* 0 is NC_PORT_SAME */
  return 0;
}

/* getopt_long ids of the long options. */
enum {
  O_BASE = 256,
  O_INV,
  O_READY,
  O_STATE,
  O_STATS,
  O_LAT,
  O_JIT,
  O_FAULT,
  O_HTTP,
  O_HTTPS,
  O_HTTPPORT,
  O_MAXS,
  O_NCPORT,
  O_NCBASE,
  O_RATE,
  O_HKC,
  O_BASTIONS,
  O_INVJUMP,
  O_HOSTKEYS,
  O_CONFIRM,
  O_GRACE,
  O_QUIET,
  O_EXITWITH,
  O_FLASH,
  O_MIX,
  O_SEED,
  O_PORT,
  O_DEV
};

/* The options that set one field: the text as given (no name), or an int in a range. */
static const struct field_opt {
  int id;
  const char *name;
  long lo, hi;
  size_t field;
} field_opts[] = {
    {O_INV, NULL, 0, 0, offsetof(sim_options_t, inventory_out)},
    {O_READY, NULL, 0, 0, offsetof(sim_options_t, ready_file)},
    {O_STATE, NULL, 0, 0, offsetof(sim_options_t, state_dir)},
    {O_STATS, NULL, 0, 0, offsetof(sim_options_t, stats_file)},
    {O_DEV, "--devices", 1, 1000000, offsetof(sim_options_t, devices)},
    {O_PORT, "--port", 1, 65535, offsetof(sim_options_t, port)},
    {O_LAT, "--latency-ms", 0, 600000, offsetof(sim_options_t, latency_ms)},
    {O_JIT, "--jitter-ms", 0, 600000, offsetof(sim_options_t, jitter_ms)},
    {O_HTTPPORT, "--http-port", 1, 65535, offsetof(sim_options_t, http_port)},
    {O_MAXS, "--max-sessions", 0, 100000, offsetof(sim_options_t, max_sessions)},
    {O_RATE, "--conn-rate", 0, 1000000, offsetof(sim_options_t, conn_rate)},
    {O_CONFIRM, "--confirm-unit-ms", 1, 3600000, offsetof(sim_options_t, confirm_unit_ms)},
    {O_GRACE, "--login-grace-s", 0, 86400, offsetof(sim_options_t, login_grace_s)},
    {O_EXITWITH, "--exit-with", 1, 0x7fffffff, offsetof(sim_options_t, exit_with)},
};

/* Sets the field of option id from arg. Returns 1 if id is not a field option, 0 when it
 * was set, -1 (said on stderr) when arg is out of range. */
static int set_field(sim_options_t *o, int id, const char *arg) {
  for (size_t i = 0; i < sizeof field_opts / sizeof *field_opts; i++) {
    const struct field_opt *f = &field_opts[i];
    if (f->id != id) continue;
    char *field = (char *)o + f->field;
    if (!f->name) {
      *(const char **)field = arg;
      return 0;
    }
    return int_option(f->name, arg, f->lo, f->hi, (int *)field);
  }
  return 1;
}

/* An option that is one of two words: sets *is_second to whether it is the second. */
static int either(const char *opt, const char *arg, const char *first, const char *second,
                  int *is_second) {
  if (strcmp(arg, first) != 0 && strcmp(arg, second) != 0) {
    fprintf(stderr, "nethost-sim: %s %s: expected '%s' or '%s'\n", opt, arg, first, second);
    return -1;
  }
  *is_second = strcmp(arg, second) == 0;
  return 0;
}

/* A list option given again replaces the list. */
static void set_list(char ***list, const char *arg) {
  free_list(*list);
  *list = arg ? split_list(arg) : NULL;
}

/* NETHOST_LAB_BASE, NETHOST_LAB_PORT and NETHOST_LAB_NETCONF_PORT replace the default
 * --base, --port and --netconf-port, so a test (or a second user on the machine) can run
 * the documented commands on a lab of its own. */
static int env_defaults(sim_options_t *o) {
  const char *base = getenv("NETHOST_LAB_BASE"), *port = getenv("NETHOST_LAB_PORT");
  if (base && *base &&
      (inet_pton(AF_INET, base, &o->base) != 1 || (ntohl(o->base.s_addr) >> 24) != 127)) {
    fprintf(stderr,
            "nethost-sim: NETHOST_LAB_BASE=%s: expected an IPv4 loopback address (127.x.y.z)\n",
            base);
    return -1;
  }
  if (port && *port) {
    if (int_option("NETHOST_LAB_PORT", port, 1, 65535, &o->port)) return -1;
  }
  const char *nc = getenv("NETHOST_LAB_NETCONF_PORT");
  if (nc && *nc && netconf_port("NETHOST_LAB_NETCONF_PORT", nc, &o->netconf_port)) return -1;
  return 0;
}

int sim_parse_options(sim_options_t *o, int argc, char **argv) {
  memset(o, 0, sizeof *o);
  inet_pton(AF_INET, "127.1.0.1", &o->base);
  o->port = 2222;
  o->netconf_port = NC_PORT_AUTO;
  if (env_defaults(o)) return -1;
  o->mix[0] = 70;
  o->mix[1] = 20;
  o->mix[2] = 10;
  o->seed = 1;
  o->http_port = 8080;
  o->bastions_all = 1;
  o->confirm_unit_ms = 60000;
  o->login_grace_s = 60;
  o->flash_bytes = 64ull << 20;
  static const struct option lo[] = {{"devices", required_argument, 0, O_DEV},
                                     {"base", required_argument, 0, O_BASE},
                                     {"port", required_argument, 0, O_PORT},
                                     {"mix", required_argument, 0, O_MIX},
                                     {"seed", required_argument, 0, O_SEED},
                                     {"inventory-out", required_argument, 0, O_INV},
                                     {"ready-file", required_argument, 0, O_READY},
                                     {"state-dir", required_argument, 0, O_STATE},
                                     {"stats", required_argument, 0, O_STATS},
                                     {"latency-ms", required_argument, 0, O_LAT},
                                     {"jitter-ms", required_argument, 0, O_JIT},
                                     {"fault", required_argument, 0, O_FAULT},
                                     {"http", no_argument, 0, O_HTTP},
                                     {"https", no_argument, 0, O_HTTPS},
                                     {"http-port", required_argument, 0, O_HTTPPORT},
                                     {"max-sessions", required_argument, 0, O_MAXS},
                                     {"netconf-port", required_argument, 0, O_NCPORT},
                                     {"netconf-base", required_argument, 0, O_NCBASE},
                                     {"conn-rate", required_argument, 0, O_RATE},
                                     {"host-key-change", required_argument, 0, O_HKC},
                                     {"bastions", required_argument, 0, O_BASTIONS},
                                     {"inventory-jump", required_argument, 0, O_INVJUMP},
                                     {"host-keys", required_argument, 0, O_HOSTKEYS},
                                     {"confirm-unit-ms", required_argument, 0, O_CONFIRM},
                                     {"login-grace-s", required_argument, 0, O_GRACE},
                                     {"quiet", no_argument, 0, O_QUIET},
                                     {"exit-with", required_argument, 0, O_EXITWITH},
                                     {"flash-mb", required_argument, 0, O_FLASH},
                                     {"help", no_argument, 0, 'h'},
                                     {0, 0, 0, 0}};
  int c;
  long v;
  while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
    int rc = set_field(o, c, optarg);
    if (rc < 0) return -1;
    if (rc == 0) continue;
    switch (c) {
    case O_BASE:
      if (inet_pton(AF_INET, optarg, &o->base) != 1 || (ntohl(o->base.s_addr) >> 24) != 127) {
        fprintf(stderr, "nethost-sim: --base %s: expected an IPv4 loopback address (127.x.y.z)\n",
                optarg);
        return -1;
      }
      break;
    case O_MIX:
      if (parse_mix(o, optarg)) return -1;
      break;
    case O_SEED:
      o->seed = strtoull(optarg, NULL, 10);
      break;
    case O_FAULT:
      if (parse_fault(o, optarg)) return -1;
      break;
    case O_HTTP:
      o->http = 1;
      break;
    case O_HTTPS:
      o->https = o->http = 1;
      break;
    case O_NCPORT:
      if (netconf_port("--netconf-port", optarg, &o->netconf_port)) return -1;
      break;
    case O_NCBASE:
      if (either("--netconf-base", optarg, "1.1", "1.0", &o->netconf_base10)) return -1;
      break;
    case O_HKC:
      set_list(&o->host_key_change, optarg);
      break;
    case O_BASTIONS:
      o->bastions_all = strcmp(optarg, "all") == 0;
      set_list(&o->bastions, o->bastions_all || strcmp(optarg, "none") == 0 ? NULL : optarg);
      break;
    case O_INVJUMP:
      set_list(&o->inventory_jump, optarg);
      break;
    case O_HOSTKEYS:
      if (either("--host-keys", optarg, "lab", "device", &o->host_key_per_device)) return -1;
      break;
    case O_QUIET:
      o->quiet = 1;
      break;
    case O_FLASH:
      if (number("--flash-mb", optarg, 1, 1 << 20, &v)) return -1;
      o->flash_bytes = (uint64_t)v << 20;
      break;
    case 'h':
      fputs(usage, stdout);
      exit(0);
    default:
      fputs(usage, stderr);
      return -1;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "nethost-sim: unexpected argument '%s'\n%s", argv[optind], usage);
    return -1;
  }
  if (o->devices <= 0) {
    fprintf(stderr, "nethost-sim: --devices N is required\n%s", usage);
    return -1;
  }
  uint32_t first = ntohl(o->base.s_addr);
  if ((uint64_t)first + (uint64_t)o->devices - 1 > 0x7fffffffULL) {
    fprintf(stderr, "nethost-sim: %d devices from --base do not fit in 127.0.0.0/8\n", o->devices);
    return -1;
  }
  return 0;
}

void sim_free_options(sim_options_t *o) {
  for (int i = 0; i < FAULT_COUNT; i++) free_list(o->faults[i].devices);
  free_list(o->host_key_change);
  free_list(o->bastions);
  free_list(o->inventory_jump);
}
