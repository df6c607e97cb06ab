/* TextFSM conformance: every case of the ntc-templates test corpus.
 *
 * For each tests/<platform>/<command>/<name>.raw with a .yml beside it, the index selects
 * the template(s) for (platform, command) exactly as ntc-templates' parse_output does
 * (command = the folder name with '_' -> ' '), nethost parses the .raw, and the result
 * must equal `parsed_sample` (keys lower-cased). Prints pass counts per platform and each
 * failure with its reason; exits 1 unless every case passes.
 *
 * usage: tfsm-conformance [CORPUS_DIR] [-v] [--case SUBSTRING] [--print] [--threads N]
 *
 * With --threads N, N threads share one index (and its template cache) and each parses
 * the whole corpus: the results must still all match (the engine is used on libuv's
 * thread pool for large outputs).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corpus.h"
#include "textfsm.h"

/* Parses case c and compares it with its .yml; why gets the reason for a mismatch. */
static int check_case(nh_tfsm_index_t *idx, const corpus_case_t *c, int print, char *why,
                      size_t wlen) {
  char err[2048];
  size_t len;
  char *raw = corpus_read(c->raw_path, &len);
  nh_tfsm_table_t *tab = NULL;
  int rc =
      raw ? nh_tfsm_index_parse(idx, c->platform, c->command, raw, len, &tab, err, sizeof err) : -1;
  if (!raw) snprintf(err, sizeof err, "cannot read");
  int ok = 0;
  why[0] = '\0';
  if (rc == 0) {
    ynode_t *y = yaml_load(c->yml_path, why, wlen);
    if (y) {
      ok = corpus_compare(tab, ynode_get(y, "parsed_sample"), why, wlen);
      ynode_free(y);
    }
  } else {
    snprintf(why, wlen, "error: %.2000s", err);
  }
  if (print && tab) corpus_print_table(tab);
  nh_tfsm_table_free(tab);
  free(raw);
  return ok;
}

typedef struct {
  nh_tfsm_index_t *idx;
  corpus_case_t *cases;
  long n, failed;
  int id;
} worker_t;

static void *worker(void *arg) {
  worker_t *w = arg;
  char why[4096];
  /* Each thread starts at a different place so they load templates concurrently. */
  for (long i = 0; i < w->n; i++) {
    const corpus_case_t *c = &w->cases[(i + w->id * w->n / 4) % w->n];
    if (c->yml_path && !check_case(w->idx, c, 0, why, sizeof why)) {
      w->failed++;
      fprintf(stderr, "thread %d: FAIL %s: %s\n", w->id, c->raw_path, why);
    }
  }
  return NULL;
}

static int run_threads(nh_tfsm_index_t *idx, corpus_case_t *cases, long n, int nthreads) {
  worker_t w[16];
  pthread_t th[16];
  long failed = 0;
  for (int k = 0; k < nthreads; k++) {
    w[k] = (worker_t){idx, cases, n, 0, k};
    pthread_create(&th[k], NULL, worker, &w[k]);
  }
  for (int k = 0; k < nthreads; k++) {
    pthread_join(th[k], NULL);
    failed += w[k].failed;
  }
  printf("%d threads x %ld cases on one index: %ld failures\n", nthreads, n, failed);
  return failed ? 1 : 0;
}

int main(int argc, char **argv) {
  const char *corpus = NH_TFSM_CORPUS_DEFAULT;
  const char *only = NULL;
  int verbose = 0, print = 0, threads = 0;
  for (int k = 1; k < argc; k++) {
    if (strcmp(argv[k], "-v") == 0)
      verbose = 1;
    else if (strcmp(argv[k], "--print") == 0)
      print = 1;
    else if (strcmp(argv[k], "--threads") == 0 && k + 1 < argc)
      threads = atoi(argv[++k]);
    else if (strcmp(argv[k], "--case") == 0 && k + 1 < argc)
      only = argv[++k];
    else
      corpus = argv[k];
  }
  char tdir[4096];
  snprintf(tdir, sizeof tdir, "%s/templates", corpus);
  struct stat st;
  if (stat(tdir, &st) != 0) {
    fprintf(stderr, "SKIP: the ntc-templates corpus is not at %s\n", corpus);
    return 77;
  }
  char err[2048];
  nh_tfsm_index_t *idx;
  if (nh_tfsm_index_open(tdir, &idx, err, sizeof err) < 0) {
    fprintf(stderr, "FAIL: %s\n", err);
    return 1;
  }
  corpus_case_t *cases;
  long n = corpus_cases(corpus, &cases);
  if (threads > 0) {
    int rc = run_threads(idx, cases, n, threads > 16 ? 16 : threads);
    corpus_cases_free(cases, n);
    nh_tfsm_index_free(idx);
    return rc;
  }
  long total = 0, passed = 0, no_yml = 0;
  char cur[256] = "";
  long p_total = 0, p_pass = 0;
  int nplat = 0;
  for (long k = 0; k <= n; k++) {
    if (k == n || strcmp(cur, cases[k].platform) != 0) {
      if (cur[0] && p_total) {
        printf("%-32s %4ld / %4ld%s\n", cur, p_pass, p_total, p_pass == p_total ? "" : "  FAIL");
        nplat++;
      }
      if (k == n) break;
      snprintf(cur, sizeof cur, "%s", cases[k].platform);
      p_total = p_pass = 0;
    }
    corpus_case_t *c = &cases[k];
    if (only && !strstr(c->raw_path, only)) continue;
    if (!c->yml_path) {
      no_yml++;
      continue;
    }
    total++;
    p_total++;
    char why[4096];
    int ok = check_case(idx, c, print, why, sizeof why);
    if (ok) {
      passed++;
      p_pass++;
      if (verbose) printf("ok   %s\n", c->raw_path);
    } else {
      printf("FAIL %s: %s\n", c->raw_path, why);
    }
  }
  printf("TOTAL: %ld / %ld cases pass on %d platforms (%ld .raw files without .yml skipped; "
         "tests/mocks inputs are compared by textfsm.differential)\n",
         passed, total, nplat, no_yml);
  corpus_cases_free(cases, n);
  nh_tfsm_index_free(idx);
  return passed == total && total > 0 ? 0 : 1;
}
