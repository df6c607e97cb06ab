/* Facts parsers: one map from the "Key: value" lines of outputs such as show version. Each
 * vendor describes its lines as a table of ts_fact_t; the scan, the precedence between
 * lines that set the same key and the check that the output is the right one live here. */
#include "textscan.h"

#include <string.h>

/* The index of the first fact whose first key is facts[i]'s: facts sharing a key share a
 * rank (IOS reads its serial number from either of two lines, whichever comes first). */
static size_t rank_slot(const ts_facts_t *f, size_t i) {
  size_t j;
  for (j = 0; j < i; j++) {
    if (strcmp(f->facts[j].set[0].key, f->facts[i].set[0].key) == 0) return j;
  }
  return i;
}

/* The fields a fact stores: its set up to the first NULL key. */
static size_t fields(const ts_fact_t *fact) {
  size_t k = 0;
  while (k < TS_COUNT(fact->set) && fact->set[k].key) k++;
  return k;
}

/* Whether a fact stores the key. */
static int stores(const ts_fact_t *fact, const char *key) {
  size_t k;
  for (k = 0; k < fields(fact); k++) {
    if (strcmp(fact->set[k].key, key) == 0) return 1;
  }
  return 0;
}

/* The captures a fact reads: one past its highest group. */
static int groups(const ts_fact_t *fact) {
  size_t k;
  int n = 0;
  for (k = 0; k < fields(fact); k++) {
    if (fact->set[k].cap + 1 > n) n = fact->set[k].cap + 1;
  }
  return n;
}

int ts_store_fact(ts_b_t *b, nh_plugin_value_t *map, const ts_line_t *line, ts_re_t *const *re,
                  const ts_fact_t *fact) {
  ts_cap_t c[TS_MAX_CAPS];
  if (!ts_match_line(re[fact->re], line, c, groups(fact))) return 0;
  ts_set_fields(b, map, c, fact->set, fields(fact));
  return 1;
}

/* The parser ts_register_facts registers; ud is the ts_facts_t. */
static int parse_facts(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                       size_t len, nh_plugin_value_t **out, void *ud) {
  const ts_facts_t *f = ud;
  size_t n = f->n, i;
  int taken[TS_MAX_FACTS]; /* by rank slot: the rank of what the key holds, -1: nothing */
  size_t slot[TS_MAX_FACTS];
  ts_scan_t sc;
  nh_plugin_value_t *m;
  int rc, have_required = 0;
  for (i = 0; i < n; i++) {
    taken[i] = -1;
    slot[i] = rank_slot(f, i);
  }
  if ((rc = ts_scan_begin(&sc, h, p, text, len)) < 0) return rc;
  m = ts_map(&sc.b);
  while (ts_scan_next(&sc)) {
    for (i = 0; i < n; i++) {
      const ts_fact_t *fact = &f->facts[i];
      if (fact->rank > 0 && taken[slot[i]] >= fact->rank) continue;
      if (!ts_store_fact(&sc.b, m, &sc.l, f->patterns->re, fact)) continue;
      if (stores(fact, f->required)) have_required = 1;
      if (fact->rank > taken[slot[i]]) taken[slot[i]] = fact->rank;
      break;
    }
  }
  if (!sc.b.oom && !have_required) return ts_fail(&sc.b, m, 0, "%s", f->missing);
  return ts_finish(&sc.b, m, out);
}

int ts_register_facts(const nh_plugin_host_t *host, nh_plugin_t *self, const char *platform,
                      const ts_facts_t *facts) {
  if (facts->n > TS_MAX_FACTS) {
    host->log(self, NH_PLUGIN_LOG_ERROR, "'%s' has %zu facts, at most %d are allowed",
              facts->command, facts->n, TS_MAX_FACTS);
    return NH_PLUGIN_EINVAL;
  }
  /* The parser only reads its ts_facts_t; the ABI's user data is just not const. */
  return host->register_parser(self, platform, facts->command, parse_facts, (void *)facts);
}
