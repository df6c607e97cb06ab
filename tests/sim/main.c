/* nethost-sim: a simulated network lab of thousands of devices on loopback addresses, in
 * one process and one thread. See docs/lab.md. */
#include <errno.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "http.h"
#include "lab.h"
#include "options.h"
#include "server.h"
#include "stats.h"

static sim_lab_t lab;

static void raise_fd_limit(int devices) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  rlim_t need = (rlim_t)devices * (lab.opt.http ? 2 : 1) + 64;
  if (rl.rlim_cur < need)
    fprintf(stderr,
            "nethost-sim: warning: the open-file limit (%llu) is below the %llu listeners need\n",
            (unsigned long long)rl.rlim_cur, (unsigned long long)need);
}

static void close_rest(uv_handle_t *h, void *arg) {
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

/* Stops accepting, reports the statistics and closes every session; the loop then ends
 * once the last handle is closed, and main saves the state. */
static void lab_stop(void) {
  if (lab.stopping) return;
  lab.stopping = 1;
  server_stop(&lab);
  http_stop(&lab);
  stats_report(&lab, stdout, lab.opt.stats_file);
  fflush(stdout);
  server_close_all(&lab);
  http_close_all(&lab);
  uv_close((uv_handle_t *)&lab.sigint, NULL);
  uv_close((uv_handle_t *)&lab.sigterm, NULL);
  if (lab.opt.exit_with) uv_close((uv_handle_t *)&lab.watchdog, NULL);
}

static void on_signal(uv_signal_t *s, int signum) {
  lab_stop();
}

/* --exit-with: a lab started for one run (nethost lab run) never outlives it, however the
 * run ends (os.exit in a playbook, a second Ctrl-C, a crash). */
static void on_watchdog(uv_timer_t *t) {
  if (kill(lab.opt.exit_with, 0) != 0 && errno == ESRCH) lab_stop();
}

static int write_ready(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "nethost-sim: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  fprintf(f, "%d\n", (int)getpid());
  return fclose(f);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (sim_parse_options(&lab.opt, argc, argv)) return 2;
  raise_fd_limit(lab.opt.devices);
  ssh_init();
  lab.loop = uv_default_loop();
  lab.start_time = sim_now();
  int rc = 1;
  if (lab_build(&lab) || lab_keys(&lab)) goto out;
  state_load(&lab);
  if (server_start(&lab) || http_start(&lab)) goto out;
  if (lab.opt.inventory_out && inventory_write(&lab, lab.opt.inventory_out)) goto out;
  uv_signal_init(lab.loop, &lab.sigint);
  uv_signal_init(lab.loop, &lab.sigterm);
  uv_signal_start(&lab.sigint, on_signal, SIGINT);
  uv_signal_start(&lab.sigterm, on_signal, SIGTERM);
  if (lab.opt.exit_with) {
    uv_timer_init(lab.loop, &lab.watchdog);
    uv_timer_start(&lab.watchdog, on_watchdog, 200, 200);
  }
  if (lab.opt.ready_file && write_ready(lab.opt.ready_file)) goto out;
  int counts[3] = {0, 0, 0};
  char nc_note[48] = "";
  if (lab.nc_port) snprintf(nc_note, sizeof nc_note, ", NETCONF port %d", lab.nc_port);
  for (int i = 0; i < lab.ndevs; i++)
    counts[lab.devs[i].pers == &sim_cisco_ios ? 0 : lab.devs[i].pers == &sim_arista_eos ? 1 : 2]++;
  printf("nethost-sim: ready: %d devices (cisco_ios %d, arista_eos %d, juniper_junos %d) on "
         "%s..%s port %d%s%s%s\n",
         lab.ndevs, counts[0], counts[1], counts[2], lab.devs[0].addr, lab.devs[lab.ndevs - 1].addr,
         lab.opt.port, nc_note, lab.opt.inventory_out ? ", inventory " : "",
         lab.opt.inventory_out ? lab.opt.inventory_out : "");
  fflush(stdout);
  uv_run(lab.loop, UV_RUN_DEFAULT);
  rc = 0;
out:
  if (!lab.stopping) {
    server_stop(&lab);
    http_stop(&lab);
    server_close_all(&lab);
    http_close_all(&lab);
  }
  state_save(&lab);
  uv_walk(lab.loop, close_rest, NULL);
  uv_run(lab.loop, UV_RUN_DEFAULT);
  uv_loop_close(lab.loop);
  lab_destroy(&lab);
  sim_free_options(&lab.opt);
  ssh_finalize();
  return rc;
}
