/* --state-dir: device configurations survive a restart of the lab (state.c). Each device's
 * running configuration is saved as DIR/NAME.cfg when the lab stops and loaded when it
 * starts, so tests can assert on it and a lab can be resumed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  sbuf_t b;
  sb_init(&b);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sb_add(&b, buf, n);
  fclose(f);
  char *s = sim_strdup(sb_str(&b));
  sb_free(&b);
  return s;
}

void state_load(sim_lab_t *lab) {
  const char *dir = lab->opt.state_dir;
  if (!dir) return;
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *d = &lab->devs[i];
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.cfg", dir, d->name);
    char *text = read_file(path);
    if (!text) continue;
    d->pers->load_config(d, text);
    free(text);
  }
}

void state_save(sim_lab_t *lab) {
  const char *dir = lab->opt.state_dir;
  if (!dir || !lab->devs) return;
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *d = &lab->devs[i];
    if (!d->pstate) continue;
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s.cfg", dir, d->name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    sbuf_t b;
    sb_init(&b);
    d->pers->running_config(d, &b);
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(b.data ? b.data : "", 1, b.len, f) != b.len || fclose(f) != 0 ||
        rename(tmp, path) != 0)
      fprintf(stderr, "nethost-sim: cannot save %s: %s\n", path, strerror(errno));
    sb_free(&b);
  }
}
