/* TextFSM benchmark: the whole ntc-templates corpus parsed by nethost and by the reference
 * (python3-textfsm via clitable, run by /usr/bin/python3), in the same run.
 *
 * usage: bench-textfsm [CORPUS_DIR] [--no-python] [--quiet]
 * Prints per case: nethost first parse (template compiled on first use, as in real use),
 * nethost repeated parse (template cached), and the reference; then totals and the speedup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "corpus.h"
#include "textfsm.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of this process, or of its waited-for children. */
static double cpu(int who) {
  struct rusage ru;
  getrusage(who, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
  const char *corpus = NH_TFSM_CORPUS_DEFAULT;
  int python = 1, quiet = 0;
  for (int k = 1; k < argc; k++) {
    if (strcmp(argv[k], "--no-python") == 0)
      python = 0;
    else if (strcmp(argv[k], "--quiet") == 0)
      quiet = 1;
    else
      corpus = argv[k];
  }
  corpus_case_t *cases;
  long n = corpus_cases(corpus, &cases);
  if (n <= 0) {
    fprintf(stderr, "no corpus at %s\n", corpus);
    return 1;
  }
  char **raws = calloc((size_t)n, sizeof *raws);
  size_t *lens = calloc((size_t)n, sizeof *lens);
  double *cold = calloc((size_t)n, sizeof *cold), *warm = calloc((size_t)n, sizeof *warm);
  double *ref = calloc((size_t)n, sizeof *ref);
  for (long k = 0; k < n; k++) raws[k] = corpus_read(cases[k].raw_path, &lens[k]);

  char tdir[4096], err[2048];
  snprintf(tdir, sizeof tdir, "%s/templates", corpus);
  double c0 = cpu(RUSAGE_SELF);
  double t0 = now();
  nh_tfsm_index_t *idx;
  if (nh_tfsm_index_open(tdir, &idx, err, sizeof err) < 0) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  double t_index = now() - t0;
  long failed = 0, used = 0;
  double c_pass[2];
  for (int pass = 0; pass < 2; pass++) {
    double cp = pass ? cpu(RUSAGE_SELF) : c0;
    for (long k = 0; k < n; k++) {
      if (!cases[k].yml_path) continue;
      nh_tfsm_table_t *tab = NULL;
      double a = now();
      int rc = nh_tfsm_index_parse(idx, cases[k].platform, cases[k].command, raws[k], lens[k], &tab,
                                   err, sizeof err);
      double b = now();
      nh_tfsm_table_free(tab);
      (pass ? warm : cold)[k] = b - a;
      if (pass == 0) {
        used++;
        failed += rc < 0;
      }
    }
    c_pass[pass] = cpu(RUSAGE_SELF) - cp;
  }
  double t_nh_cold = t_index, t_nh_warm = 0;
  for (long k = 0; k < n; k++) t_nh_cold += cold[k], t_nh_warm += warm[k];

  double t_ref = 0, t_ref_wall = 0, c_ref = 0;
  if (python) {
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/bench_ref.py %s", NH_TFSM_BENCH_DIR, corpus);
    double a = now();
    double ca = cpu(RUSAGE_CHILDREN);
    FILE *p = popen(cmd, "r");
    char line[8192];
    while (p && fgets(line, sizeof line, p)) {
      char *tab = strchr(line, '\t');
      if (!tab) continue;
      *tab = '\0';
      double secs = atof(tab + 1);
      if (strcmp(line, "TOTAL") == 0) {
        t_ref = secs;
        continue;
      }
      for (long k = 0; k < n; k++)
        if (strcmp(cases[k].raw_path, line) == 0) ref[k] = secs;
    }
    if (p) pclose(p);
    t_ref_wall = now() - a;
    c_ref = cpu(RUSAGE_CHILDREN) - ca;
  }
  if (!quiet) {
    printf("%-80s %10s %10s %10s\n", "case", "nh_first", "nh_cached", "python");
    for (long k = 0; k < n; k++) {
      if (!cases[k].yml_path) continue;
      const char *rel = strstr(cases[k].raw_path, "/tests/");
      printf("%-80s %8.3fms %8.3fms %8.2fms\n", rel ? rel + 7 : cases[k].raw_path, cold[k] * 1e3,
             warm[k] * 1e3, ref[k] * 1e3);
    }
  }
  printf("cases: %ld (%ld failed to parse)\n", used, failed);
  printf("nethost: index load %.1f ms; first pass (compiles %s templates on first use) "
         "%.3f s; cached pass %.3f s\n",
         t_index * 1e3, "the", t_nh_cold, t_nh_warm);
  printf("nethost CPU: %.3f s first pass (index load included), %.3f s cached pass\n", c_pass[0],
         c_pass[1]);
  if (python) {
    printf("python3-textfsm (clitable): %.3f s (%.3f s with interpreter start)\n", t_ref,
           t_ref_wall);
    printf("speedup: %.1fx (first pass), %.1fx (cached templates)\n", t_ref / t_nh_cold,
           t_ref / t_nh_warm);
    /* CPU time is steadier than wall time on a shared machine. */
    printf("CPU time: nethost %.3f s first pass (index load included), %.3f s cached; "
           "python %.3f s (interpreter start included): %.1fx, %.1fx\n",
           c_pass[0], c_pass[1], c_ref, c_ref / c_pass[0], c_ref / c_pass[1]);
  }
  for (long k = 0; k < n; k++) free(raws[k]);
  free(raws);
  free(lens);
  free(cold);
  free(warm);
  free(ref);
  corpus_cases_free(cases, n);
  nh_tfsm_index_free(idx);
  return 0;
}
