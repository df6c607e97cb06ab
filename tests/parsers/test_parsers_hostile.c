/* Every registered vendor parser on hostile input: truncated real outputs, binary garbage,
 * long lines, and large junk. A parser may fail (NH_EPARSE) but never crash, never leak
 * (ASan/LSan), and must stay linear in time. */
#include "../unit/test_main.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "plugin_loader.h"
#include "registry.h"
#include "value.h"

typedef struct {
  char platform[64];
  char command[128];
} parser_ref_t;

static parser_ref_t parsers[64];
static size_t nparsers;

static void collect(void *arg, const char *platform, const char *command, const char *source,
                    const char *detail, const nh_plugin_t *owner) {
  if (source || nparsers >= sizeof(parsers) / sizeof(parsers[0])) return;
  snprintf(parsers[nparsers].platform, sizeof(parsers[0].platform), "%s", platform);
  /* "show interfaces *" is typed with an argument */
  snprintf(parsers[nparsers].command, sizeof(parsers[0].command), "%s", command);
  {
    size_t n = strlen(parsers[nparsers].command);
    if (n > 2 && strcmp(parsers[nparsers].command + n - 2, " *") == 0)
      parsers[nparsers].command[n - 1] = 'x';
  }
  nparsers++;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs one parser; returns its code after checking the contract. */
static int run(const parser_ref_t *p, const char *text, size_t len) {
  nh_value_t *v = NULL;
  char *msg = NULL;
  int rc = nh_registry_parse(p->platform, p->command, text, len, &v, &msg);
  if (rc == 0) {
    assert_non_null(v);
    assert_null(msg);
  } else {
    if (rc != NH_EPARSE) fprintf(stderr, "%s '%s': rc %d\n", p->platform, p->command, rc);
    assert_int_equal(rc, NH_EPARSE);
    assert_null(v);
    assert_non_null(msg); /* a failure always says why */
    assert_true(strlen(msg) > 0);
  }
  nh_value_free(v);
  free(msg);
  return rc;
}

static int setup(void **state) {
  nh_plugin_set_log(NULL, NULL);
  /* The three vendor plugins, and others built beside them (textfsm). */
  assert_true(nh_plugin_load_dir(NH_PLUGIN_BUILD_DIR) >= 3);
  nh_registry_each_parser(collect, NULL);
  assert_true(nparsers >= 20);
  return 0;
}

static int teardown(void **state) {
  nh_plugin_unload_all();
  return 0;
}

static void test_empty_and_blank(void **state) {
  size_t i;
  for (i = 0; i < nparsers; i++) {
    /* show version always prints something: empty is an error; tables may be empty */
    int expect = strstr(parsers[i].command, "version") ? NH_EPARSE : 0;
    assert_int_equal(run(&parsers[i], "", 0), expect);
    assert_int_equal(run(&parsers[i], "\n\n  \r\n", 6), expect);
  }
}

static void test_binary_garbage(void **state) {
  size_t i, j, n = 65536;
  char *junk = malloc(n + 1);
  unsigned seed = 7;
  for (j = 0; j < n; j++) {
    seed = seed * 1103515245u + 12345u;
    junk[j] = (char)(seed >> 16);
  }
  junk[n] = '\0';
  for (i = 0; i < nparsers; i++) {
    /* NUL bytes and control characters: not device output */
    assert_int_equal(run(&parsers[i], junk, n), NH_EPARSE);
  }
  free(junk);
}

/* Inputs the fuzzers found crashes with (tests/fuzz/parsers), through every parser. */
static void test_fuzz_regressions(void **state) {
  static const char *const inputs[] = {
      "banner \r\r\r!", /* a trimmed "banner" line read past its end */
      "banner",
      "banner ",
      "banner motd",
      "banner motd ^C",
      "banner motd #\n#",
      "}\n",
      "{\n",
      "a {\n}\n}",
      "Port Name Status Vlan Duplex Speed Type\nx",
      "Interface  IP-Address OK?\n",
      "Device ID    Local Intf     Hold-time  Capability      Port ID\nx\n",
  };
  size_t i, j;
  for (j = 0; j < sizeof(inputs) / sizeof(inputs[0]); j++) {
    for (i = 0; i < nparsers; i++) run(&parsers[i], inputs[j], strlen(inputs[j]));
  }
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  *len = fread(buf, 1, (size_t)n, f);
  buf[*len] = '\0';
  fclose(f);
  return buf;
}

/* Every corpus file of the three platforms, cut at many points, through every parser of
 * its platform (not only the matching command: wrong output must fail cleanly too). */
static void test_truncated_corpus(void **state) {
  static const char *const platforms[] = {"cisco_ios", "arista_eos", "juniper_junos"};
  size_t pi, runs = 0;
  if (!*NH_CORPUS_DIR) skip();
  for (pi = 0; pi < 3; pi++) {
    char dir[1024];
    DIR *d;
    struct dirent *e;
    snprintf(dir, sizeof(dir), "%s/%s", NH_CORPUS_DIR, platforms[pi]);
    if (!(d = opendir(dir))) continue;
    while ((e = readdir(d)) != NULL) {
      char sub[1400], path[1800];
      DIR *sd;
      struct dirent *f;
      if (e->d_name[0] == '.') continue;
      if (!strstr(e->d_name, "version") && !strstr(e->d_name, "interface") &&
          !strstr(e->d_name, "lldp") && !strstr(e->d_name, "vlan") &&
          !strstr(e->d_name, "inventory") && !strstr(e->d_name, "hardware"))
        continue;
      snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
      if (!(sd = opendir(sub))) continue;
      while ((f = readdir(sd)) != NULL) {
        size_t len, cut, i;
        char *text;
        if (!strstr(f->d_name, ".raw")) continue;
        snprintf(path, sizeof(path), "%s/%s", sub, f->d_name);
        if (!(text = read_file(path, &len))) continue;
        for (i = 0; i < nparsers; i++) {
          if (strcmp(parsers[i].platform, platforms[pi]) != 0) continue;
          for (cut = 0; cut <= len; cut += len / 7 + 1) {
            char saved = text[cut];
            text[cut] = '\0';
            run(&parsers[i], text, cut);
            text[cut] = saved;
            runs++;
          }
        }
        free(text);
      }
      closedir(sd);
    }
    closedir(d);
  }
  assert_true(runs > 100);
}

static char *junk_text(size_t n) {
  static const char *const words[] = {"Gi0/1", "is",       "up",    "line", "protocol",  "{",
                                      "}",     ";",        "Port",  "VLAN", "Interface", "  ",
                                      "((((",  "--More--", "%",     "1500", "bytes",     "set",
                                      "\t",    "Name",     "Status"};
  char *s = malloc(n + 1);
  size_t i = 0;
  unsigned seed = 99;
  while (i < n) {
    const char *w;
    size_t wl;
    seed = seed * 1103515245u + 12345u;
    if ((seed >> 16) % 11 == 0) {
      s[i++] = '\n';
      continue;
    }
    w = words[(seed >> 16) % (sizeof(words) / sizeof(words[0]))];
    wl = strlen(w);
    if (i + wl + 1 > n) break;
    memcpy(s + i, w, wl);
    i += wl;
    s[i++] = ' ';
  }
  while (i < n) s[i++] = 'x';
  s[n] = '\0';
  return s;
}

/* Printable junk that looks a little like device output, and one enormous line. */
static void test_large_junk(void **state) {
  size_t i, n = 8u << 20;
  char *junk = junk_text(n);
  /* No wall-clock bound here (a loaded machine under ASan fails it): a parser that went
   * quadratic on 8 MB would not finish within the test's ctest TIMEOUT, and the speed
   * figure is printed by tests/bench/parsers. */
  for (i = 0; i < nparsers; i++) run(&parsers[i], junk, n);
  memset(junk, 'A', n);
  for (i = 0; i < nparsers; i++) run(&parsers[i], junk, n);
  free(junk);
}

/* 100 MB of junk through the parsers that reject it early and the one that reads it all
 * (show interfaces): bounded time, bounded memory. */
static void test_100mb(void **state) {
  size_t n = 100u << 20, i;
  char *junk = junk_text(n);
  double t0 = now();
  for (i = 0; i < nparsers; i++) {
    if (strstr(parsers[i].command, "config")) continue; /* keeps every line: 8 MB test above */
    if (strcmp(parsers[i].platform, "cisco_ios") != 0) continue;
    run(&parsers[i], junk, n);
  }
  fprintf(stderr, "100 MB of junk through the cisco_ios parsers: %.2f s\n", now() - t0);
  free(junk);
}

NH_TEST_MAIN(setup, teardown, cmocka_unit_test(test_empty_and_blank),
             cmocka_unit_test(test_binary_garbage), cmocka_unit_test(test_fuzz_regressions),
             cmocka_unit_test(test_truncated_corpus), cmocka_unit_test(test_large_junk),
             cmocka_unit_test(test_100mb))
