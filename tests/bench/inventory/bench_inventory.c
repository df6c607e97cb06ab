/* Benchmark: generate an inventory of N hosts in G groups (nethost format), load it, select
 * with a pattern, and print the time and memory each step takes.
 *
 *   bench_inventory [HOSTS [GROUPS [KEEP_PATH]]]   (default 10000 hosts, 500 groups)
 *
 * With KEEP_PATH the generated inventory is written there and kept, for
 * `nethost run bench_inventory.lua -- KEEP_PATH` (the Lua side).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inventory.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: on a busy machine wall time says little. */
static double cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident memory in MB (from /proc/self/statm). */
static double rss_mb(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return (double)resident * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

int main(int argc, char **argv) {
  long hosts = argc > 1 ? atol(argv[1]) : 10000, groups = argc > 2 ? atol(argv[2]) : 500, i;
  char path[4096] = "/tmp/nethost-bench-inventory-XXXXXX", err[1024];
  nh_inventory_t *inv;
  size_t *idx, n;
  double t0, t1, m0, c0;
  FILE *f;
  const char *keep = argc > 3 ? argv[3] : NULL;
  int fd = keep ? -1 : mkstemp(path);
  if (keep) snprintf(path, sizeof(path), "%s", keep);
  f = keep ? fopen(keep, "w") : fd >= 0 ? fdopen(fd, "w") : NULL;
  if (keep && strlen(keep) >= sizeof(path)) f = NULL;
  if (!f || hosts < 1 || groups < 1) {
    perror("bench_inventory");
    return 1;
  }
  fprintf(f,
          "defaults:\n  username: admin\n  password_env: LAB_PASSWORD\n"
          "  ssh: {host_key_policy: accept-new, connect_timeout: 10}\n  data: {owner: netops}\n");
  fprintf(f, "groups:\n");
  for (i = 0; i < groups; i++)
    fprintf(f, "  g%04ld: {platform: %s, groups: [site-%ld], data: {role: r%ld}}\n", i,
            i % 3 == 0   ? "cisco_ios"
            : i % 3 == 1 ? "arista_eos"
                         : "juniper_junos",
            i % 10, i);
  for (i = 0; i < 10; i++) fprintf(f, "  site-%ld: {data: {site: s%ld}}\n", i, i);
  fprintf(f, "hosts:\n");
  for (i = 0; i < hosts; i++)
    fprintf(f, "  sw-%06ld: {address: 127.%ld.%ld.%ld, groups: [g%04ld], data: {pair: p-%06ld}}\n",
            i, 1 + i / 65536, (i / 256) % 256, i % 256, i % groups, i / 2);
  fclose(f);

  m0 = rss_mb();
  c0 = cpu();
  t0 = now();
  if (nh_inventory_load(path, &inv, err, sizeof(err)) < 0) {
    fprintf(stderr, "%s\n", err);
    unlink(path);
    return 1;
  }
  t1 = now();
  printf("load      %7ld hosts %4ld groups  %8.1f ms (%.1f ms CPU)  %7.1f MB  (%.0f hosts/s)\n",
         hosts, groups, (t1 - t0) * 1e3, (cpu() - c0) * 1e3, rss_mb() - m0,
         (double)hosts / (t1 - t0));
  t0 = now();
  if (nh_inventory_select(inv, "g00*:&platform=cisco_ios:!sw-0000*", &idx, &n, err, sizeof(err)) <
      0) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  t1 = now();
  printf("select    %7zu hosts match 'g00*:&platform=cisco_ios:!sw-0000*'  %8.1f ms\n", n,
         (t1 - t0) * 1e3);
  free(idx);
  t0 = now();
  if (nh_inventory_select(inv, "data.site=s3", &idx, &n, err, sizeof(err)) < 0) return 1;
  t1 = now();
  printf("select    %7zu hosts match 'data.site=s3'  %8.1f ms\n", n, (t1 - t0) * 1e3);
  free(idx);
  t0 = now();
  nh_inventory_free(inv);
  printf("free      %8.1f ms\n", (now() - t0) * 1e3);
  if (!keep) unlink(path);
  return 0;
}
