#include "stats.h"

#include <stdio.h>
#include <sys/resource.h>

size_t stats_session_start(sim_device_t *dev) {
  dev->sessions++;
  dev->cur_sessions++;
  if (dev->cur_sessions > dev->peak_sessions) dev->peak_sessions = dev->cur_sessions;
  if (dev->nlog == dev->caplog) {
    dev->caplog = dev->caplog ? dev->caplog * 2 : 4;
    dev->log = sim_realloc(dev->log, dev->caplog * sizeof *dev->log);
  }
  dev->log[dev->nlog].start = sim_now();
  dev->log[dev->nlog].end = 0;
  return dev->nlog++;
}

void stats_session_end(sim_device_t *dev, size_t index) {
  if (dev->cur_sessions > 0) dev->cur_sessions--;
  if (index < dev->nlog) dev->log[index].end = sim_now();
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

int stats_report(sim_lab_t *lab, FILE *f, const char *path) {
  double cpu = cpu_seconds();
  double wall = sim_now() - lab->start_time;
  unsigned long sessions = 0, peak = 0, rejected = 0, open = 0;
  for (int i = 0; i < lab->ndevs; i++) {
    sessions += lab->devs[i].sessions;
    open += lab->devs[i].cur_sessions;
    rejected += lab->devs[i].rejected;
    if (lab->devs[i].peak_sessions > peak) peak = lab->devs[i].peak_sessions;
  }
  fprintf(f,
          "nethost-sim: stats: devices=%d connections=%lu sessions=%lu rejected=%lu "
          "handshakes=%lu auth_failures=%lu peak_per_device=%lu open=%lu grace_timeouts=%lu "
          "accept_pauses=%lu forwards=%lu forwards_refused=%lu cpu=%.3fs wall=%.3fs\n",
          lab->ndevs, lab->connections, sessions, rejected, lab->handshakes, lab->auth_failures,
          peak, open, lab->grace_timeouts, lab->accept_pauses, lab->forwards, lab->forwards_refused,
          cpu, wall);
  if (!path) return 0;
  /* JSON by hand: flat numbers and strings the lab controls (device names, addresses). */
  sbuf_t j;
  sb_init(&j);
  sb_printf(&j,
            "{\n \"cpu_seconds\": %.3f,\n \"wall_seconds\": %.3f,\n \"devices\": %d,\n"
            " \"connections_accepted\": %lu,\n \"connections_rejected\": %lu,\n"
            " \"handshakes\": %lu,\n \"auth_failures\": %lu,\n \"sessions\": %lu,\n"
            " \"open_sessions\": %lu,\n \"login_grace_timeouts\": %lu,\n"
            " \"accept_pauses\": %lu,\n \"forwards\": %lu,\n \"forwards_refused\": %lu,\n"
            " \"per_device\": {",
            cpu, wall, lab->ndevs, lab->connections, rejected, lab->handshakes, lab->auth_failures,
            sessions, open, lab->grace_timeouts, lab->accept_pauses, lab->forwards,
            lab->forwards_refused);
  int first = 1;
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *d = &lab->devs[i];
    if (d->sessions == 0 && d->accepted == 0) continue;
    sb_printf(&j,
              "%s\n  \"%s\": {\"address\": \"%s\", \"sessions\": %lu, "
              "\"peak_concurrent\": %lu, \"rejected\": %lu, \"log\": [",
              first ? "" : ",", d->name, d->addr, d->sessions, d->peak_sessions, d->rejected);
    for (size_t k = 0; k < d->nlog; k++) {
      sb_printf(&j, "%s{\"start\": %.6f, \"end\": ", k ? ", " : "", d->log[k].start);
      if (d->log[k].end > 0)
        sb_printf(&j, "%.6f}", d->log[k].end);
      else
        sb_puts(&j, "null}");
    }
    sb_puts(&j, "]}");
    first = 0;
  }
  sb_puts(&j, "\n }\n}\n");
  FILE *out = fopen(path, "w");
  int rc = 0;
  if (!out || fwrite(j.data, 1, j.len, out) != j.len || fclose(out) != 0) {
    fprintf(stderr, "nethost-sim: cannot write %s\n", path);
    rc = -1;
  }
  sb_free(&j);
  return rc;
}
