/* The lab's nethost inventory and its known_hosts file. The inventory works as it is with
 * strict host-key checking: it names the known_hosts file written beside it, by a path
 * relative to the inventory. */
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* "dir/lab.yaml" -> "lab.known_hosts" (the name) and "dir/lab.known_hosts" (the path). */
static void known_hosts_names(const char *inv, char *name, size_t nsz, char *path, size_t psz) {
  const char *base = strrchr(inv, '/');
  base = base ? base + 1 : inv;
  const char *dot = strrchr(base, '.');
  size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
  snprintf(name, nsz, "%.*s.known_hosts", (int)stem, base);
  snprintf(path, psz, "%.*s%s", (int)(base - inv), inv, name);
}

static int write_known_hosts(sim_lab_t *lab, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "nethost-sim: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  for (int i = 0; i < lab->ndevs; i++) {
    const sim_device_t *d = &lab->devs[i];
    /* The key the device should present: a --host-key-change device then shows a mismatch. */
    if (lab->opt.port == 22)
      fprintf(f, "%s %s\n", d->addr, d->hostkey_pub);
    else
      fprintf(f, "[%s]:%d %s\n", d->addr, lab->opt.port, d->hostkey_pub);
    /* The NETCONF port presents the same key (OpenSSH keys known_hosts by host and port). */
    if (lab->nc_port && (d->pers == &sim_cisco_ios || d->pers == &sim_juniper_junos))
      fprintf(f, "[%s]:%d %s\n", d->addr, lab->nc_port, d->hostkey_pub);
  }
  return fclose(f) == 0 ? 0 : -1;
}

/* Creates the folders above path (mkdir -p of its dirname), so --inventory-out lab/lab.yaml
 * works in a fresh directory. Returns 0 or -1 with a message. */
static int make_parents(const char *path) {
  char dir[4096];
  size_t i, n = strlen(path);
  if (n >= sizeof dir) return 0; /* fopen will say what is wrong */
  memcpy(dir, path, n + 1);
  for (i = 1; i < n; i++) {
    if (dir[i] != '/') continue;
    dir[i] = '\0';
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
      fprintf(stderr, "nethost-sim: cannot create %s: %s\n", dir, strerror(errno));
      return -1;
    }
    dir[i] = '/';
  }
  return 0;
}

int inventory_write(sim_lab_t *lab, const char *path) {
  char kh_name[1024], kh_path[4096];
  if (make_parents(path)) return -1;
  known_hosts_names(path, kh_name, sizeof kh_name, kh_path, sizeof kh_path);
  if (write_known_hosts(lab, kh_path)) return -1;
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "nethost-sim: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  const sim_options_t *o = &lab->opt;
  for (char **j = o->inventory_jump; j && *j; j++) {
    int found = 0;
    for (int i = 0; i < lab->ndevs && !found; i++) found = strcmp(lab->devs[i].name, *j) == 0;
    if (!found) {
      fprintf(stderr, "nethost-sim: --inventory-jump: no device named %s\n", *j);
      fclose(f);
      return -1;
    }
  }
  fprintf(f, "# nethost inventory of a simulated lab: nethost-sim --devices %d --seed %llu\n",
          lab->ndevs, (unsigned long long)o->seed);
  fprintf(f,
          "defaults:\n  username: admin\n  password: admin\n  enable_secret: enable\n"
          "  port: %d\n  ssh:\n    host_key_policy: strict\n    known_hosts: %s\n",
          o->port, kh_name);
  /* Every device behind the listed ones; the hops skip themselves (a host named in its own
   * jump list is reached through the hops before it). */
  for (char **j = o->inventory_jump; j && *j; j++)
    fprintf(f, "%s%s%s", j == o->inventory_jump ? "    jump: [" : ", ", *j, j[1] ? "" : "]\n");
  fprintf(f, "  netconf: {port: %d} # %s\n", lab->nc_port ? lab->nc_port : o->port,
          lab->nc_port
              ? "cisco_ios and juniper_junos devices (also the netconf subsystem on the SSH port)"
              : "the netconf subsystem shares the SSH port in the lab");
  if (o->http)
    fprintf(f,
            "  http:\n    scheme: %s\n    port: %d\n    username: admin\n    password: admin\n"
            "    verify: false\n",
            o->https ? "https" : "http", o->http_port);
  fprintf(f, "groups:\n");
  static const char *plats[3] = {"cisco_ios", "arista_eos", "juniper_junos"};
  for (int p = 0; p < 3; p++)
    if (o->mix[p] > 0) fprintf(f, "  %s:\n    platform: %s\n", plats[p], plats[p]);
  const char *last_site = "";
  for (int i = 0; i < lab->ndevs; i++) {
    const char *s = lab->devs[i].site;
    if (strcmp(s, last_site) != 0) fprintf(f, "  %s:\n    data: {site: %s}\n", s, s);
    last_site = s;
  }
  static const char *roles[3] = {"core", "dist", "access"};
  for (int r = 0; r < 3; r++) {
    int used = 0;
    for (int i = 0; i < lab->ndevs && !used; i++) used = strcmp(lab->devs[i].role, roles[r]) == 0;
    if (used) fprintf(f, "  %s:\n    data: {role: %s}\n", roles[r], roles[r]);
  }
  fprintf(f, "hosts:\n");
  for (int i = 0; i < lab->ndevs; i++) {
    const sim_device_t *d = &lab->devs[i];
    fprintf(f, "  %s: {address: %s, groups: [%s, %s, %s], data: {site: %s, role: %s, pair: %s}}\n",
            d->name, d->addr, d->pers->platform, d->site, d->role, d->site, d->role, d->pair);
  }
  if (fclose(f) != 0) {
    fprintf(stderr, "nethost-sim: cannot write %s\n", path);
    return -1;
  }
  return 0;
}
