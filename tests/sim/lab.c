/* Building the lab: device names, addresses, platforms by --mix, sites, roles, pairs, and
 * the host keys. Everything is a function of the options and --seed, so two runs with the
 * same options describe the same lab. */
#include "lab.h"

#include <arpa/inet.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "flash.h"
#include "options.h"

static const sim_personality_t *const platforms[3] = {&sim_cisco_ios, &sim_arista_eos,
                                                      &sim_juniper_junos};

static int in_list(char **list, const char *name) {
  for (char **p = list; p && *p; p++)
    if (strcmp(*p, name) == 0) return 1;
  return 0;
}

/* site-a .. site-z, site-aa .., site-zz, site-aaa ..: a distinct name for every site. */
static const char *site_name(int site) {
  static char names[4096][16];
  static int made;
  if (!made) {
    for (int i = 0; i < 4096; i++) {
      char letters[8];
      int n = i, k = 0;
      do {
        letters[k++] = (char)('a' + n % 26);
        n = n / 26 - 1;
      } while (n >= 0 && k < 7);
      snprintf(names[i], sizeof names[i], "site-");
      for (int j = k - 1; j >= 0; j--) {
        size_t l = strlen(names[i]);
        names[i][l] = letters[j];
        names[i][l + 1] = '\0';
      }
    }
    made = 1;
  }
  return names[site % 4096];
}

/* Sites of 100 devices: 2 core, 4 distribution, the rest access. */
#define SITE_SIZE 100

static void place(sim_device_t *d) {
  int k = d->index - 1;
  d->site = site_name(k / SITE_SIZE);
  int pos = k % SITE_SIZE;
  d->role = pos < 2 ? "core" : pos < 6 ? "dist" : "access";
  snprintf(d->pair, sizeof d->pair, "p-%04d", (d->index + 1) / 2);
}

const sim_device_t *sim_pair_partner(const sim_device_t *dev) {
  int partner = dev->index % 2 ? dev->index + 1 : dev->index - 1;
  if (partner > dev->lab->ndevs) partner = dev->index > 1 ? dev->index - 1 : dev->index;
  return &dev->lab->devs[partner - 1];
}

int lab_build(sim_lab_t *lab) {
  sim_options_t *o = &lab->opt;
  lab->ndevs = o->devices;
  lab->devs = sim_calloc((size_t)lab->ndevs, sizeof *lab->devs);
  lab->rng = o->seed ^ 0x5eed5eedULL;
  int total = o->mix[0] + o->mix[1] + o->mix[2];
  long count[3] = {0, 0, 0};
  uint32_t base = ntohl(o->base.s_addr);
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *d = &lab->devs[i];
    d->lab = lab;
    d->index = i + 1;
    d->listen_fd = d->http_fd = d->nc_fd = -1;
    /* The platform furthest behind its share goes next: exact proportions, interleaved. */
    int best = -1;
    double best_deficit = -1e18;
    for (int p = 0; p < 3; p++) {
      if (o->mix[p] <= 0) continue;
      double deficit = (double)o->mix[p] * (i + 1) / total - (double)count[p];
      if (deficit > best_deficit) {
        best_deficit = deficit;
        best = p;
      }
    }
    count[best]++;
    d->pers = platforms[best];
    snprintf(d->name, sizeof d->name, "%s-%04d", d->pers->name_prefix, d->index);
    d->in.s_addr = htonl(base + (uint32_t)i);
    inet_ntop(AF_INET, &d->in, d->addr, sizeof d->addr);
    d->seed = sim_hash(o->seed, (uint64_t)d->index);
    place(d);
    for (int f = 0; f < FAULT_COUNT; f++)
      if (in_list(o->faults[f].devices, d->name)) d->faults |= 1 << f;
    d->alt_hostkey = in_list(o->host_key_change, d->name);
    d->bastion = o->bastions_all || in_list(o->bastions, d->name);
    uint64_t s = d->seed;
    /* Serial numbers in each vendor's shape: Cisco's factory, year and week (FOC2234X0A1B),
     * Arista's JPE + year, week and number, Juniper's two letters and ten characters. */
    unsigned year = (unsigned)(18 + sim_rand(&s) % 8), week = (unsigned)(1 + sim_rand(&s) % 52);
    unsigned unit = (unsigned)(sim_rand(&s) & 0xffff);
    if (d->pers == &sim_arista_eos)
      snprintf(d->serial, sizeof d->serial, "JPE%02u%02u%04u", year, week, unit % 10000);
    else if (d->pers == &sim_juniper_junos)
      snprintf(d->serial, sizeof d->serial, "JN%02u%02u%04XAFA", year, week, unit);
    else
      snprintf(d->serial, sizeof d->serial, "FOC%02u%02uX%04X", year, week, unit);
    uint64_t m = sim_rand(&s);
    snprintf(d->mac, sizeof d->mac, "%04x.%04x.%04x", (unsigned)(0x0011 + (m & 0x00ff)),
             (unsigned)((m >> 16) & 0xffff), (unsigned)((unsigned)d->index & 0xffff));
    d->boot_time = time(NULL) - (time_t)(3600 + sim_rand(&s) % (86400ULL * 700));
    d->pers->init(d);
  }
  for (char **p = o->bastions; p && *p; p++) {
    int found = 0;
    for (int i = 0; i < lab->ndevs && !found; i++) found = strcmp(lab->devs[i].name, *p) == 0;
    if (!found) fprintf(stderr, "nethost-sim: warning: --bastions: no device named %s\n", *p);
  }
  for (int f = 0; f < FAULT_COUNT; f++) {
    for (char **p = o->faults[f].devices; p && *p; p++) {
      int found = 0;
      for (int i = 0; i < lab->ndevs && !found; i++) found = strcmp(lab->devs[i].name, *p) == 0;
      if (!found)
        fprintf(stderr, "nethost-sim: warning: --fault %s: no device named %s\n", sim_fault_name(f),
                *p);
    }
  }
  return 0;
}

void lab_destroy(sim_lab_t *lab) {
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *d = &lab->devs[i];
    if (d->pers && d->pers->destroy) d->pers->destroy(d);
    flash_free(d);
    free(d->log);
    if (d->own_bind) ssh_bind_free(d->own_bind);
    free(d->own_hostkey_pub);
  }
  free(lab->devs);
  if (lab->bind) ssh_bind_free(lab->bind);
  if (lab->alt_bind) ssh_bind_free(lab->alt_bind);
}

/* Loads DIR/name, or generates an ed25519 key (and saves it there when DIR is set). */
static ssh_key host_key(const char *dir, const char *name) {
  ssh_key key = NULL;
  char path[4096];
  if (dir) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) == SSH_OK) return key;
  }
  if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
    fprintf(stderr, "nethost-sim: cannot generate an ed25519 host key\n");
    return NULL;
  }
  if (dir && ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path) != SSH_OK)
    fprintf(stderr, "nethost-sim: warning: cannot save the host key to %s\n", path);
  return key;
}

static int public_key(ssh_key key, char *out, size_t outsz) {
  char *b64 = NULL;
  if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) return -1;
  snprintf(out, outsz, "ssh-ed25519 %s", b64);
  ssh_string_free_char(b64);
  return 0;
}

/* A bind presenting the key DIR/name (loaded or made), and that key's public half in pub.
 * The bind owns the key; ssh_bind_accept_fd hands each session a copy. */
static ssh_bind make_bind(const char *dir, const char *name, char *pub, size_t pubsz) {
  ssh_key key = host_key(dir, name);
  if (!key) return NULL;
  ssh_bind b = NULL;
  if (public_key(key, pub, pubsz) == 0 && (b = ssh_bind_new()) != NULL &&
      ssh_bind_options_set(b, SSH_BIND_OPTIONS_IMPORT_KEY, key) == SSH_OK)
    return b;
  fprintf(stderr, "nethost-sim: cannot use the host key %s%s%s\n", dir ? dir : "", dir ? "/" : "",
          name);
  if (b) ssh_bind_free(b); /* a bind that refused the key did not take it */
  ssh_key_free(key);
  return NULL;
}

/* --host-keys device: every device its own key, kept in DIR/hostkeys/NAME with a state dir
 * (so a restarted lab matches its known_hosts), made afresh at start without one. */
static int device_keys(sim_lab_t *lab, const char *dir) {
  char sub[4096];
  if (dir) {
    snprintf(sub, sizeof sub, "%s/hostkeys", dir);
    mkdir(sub, 0700);
  }
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *d = &lab->devs[i];
    char pub[128];
    d->own_bind = make_bind(dir ? sub : NULL, d->name, pub, sizeof pub);
    if (!d->own_bind) return -1;
    d->bind = d->own_bind;
    d->own_hostkey_pub = sim_strdup(pub);
    d->hostkey_pub = d->own_hostkey_pub;
  }
  return 0;
}

int lab_keys(sim_lab_t *lab) {
  const char *dir = lab->opt.state_dir;
  if (dir) mkdir(dir, 0700);
  lab->bind = make_bind(dir, "ssh_host_ed25519_key", lab->hostkey_pub, sizeof lab->hostkey_pub);
  lab->alt_bind = make_bind(dir, "ssh_host_ed25519_key.changed", lab->alt_hostkey_pub,
                            sizeof lab->alt_hostkey_pub);
  if (!lab->bind || !lab->alt_bind) return -1;
  for (int i = 0; i < lab->ndevs; i++) {
    lab->devs[i].bind = lab->bind;
    lab->devs[i].hostkey_pub = lab->hostkey_pub;
  }
  if (lab->opt.host_key_per_device && device_keys(lab, dir)) return -1;
  /* A --host-key-change device presents a key its known_hosts line does not list. */
  for (int i = 0; i < lab->ndevs; i++)
    if (lab->devs[i].alt_hostkey) lab->devs[i].bind = lab->alt_bind;
  return 0;
}
