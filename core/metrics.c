/* nethost core: the metrics registry and its Prometheus text rendering (see metrics.h).
 *
 * Why not a client library: Debian has none for C that fits a single-threaded libuv
 * program (prometheus-client-c brings its own threads and locks and is not packaged for
 * Debian 12); the exposition format is small and fully specified. */
#include "metrics.h"
#include "hash.h"
#include "error.h"
#include "grow.h"
#include "strbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double default_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                         1,     2.5,  5,     10,   30,  60};
#define NBUCKETS (sizeof(default_buckets) / sizeof(default_buckets[0]))

typedef struct series_s {
  struct series_s *next_hash; /* the chain of its hash slot */
  char *labels;               /* rendered: a="x",b="y" (may be "") */
  double value;               /* counter, gauge; the sum of a histogram */
  uint64_t count;             /* histogram */
  uint64_t *buckets;          /* histogram: observations <= bound, per bucket */
} series_t;

typedef struct family_s {
  char *name, *help, *label_names; /* label_names: "a,b" (their order) */
  nh_metric_kind_t kind;
  series_t **order; /* series in creation order */
  size_t n, cap;
  series_t **hash; /* hash slots by labels */
  size_t nslots;
} family_t;

struct nh_metrics_s {
  family_t **families; /* in creation order, as they are rendered */
  size_t n, cap;
};

nh_metrics_t *nh_metrics_new(void) {
  return calloc(1, sizeof(nh_metrics_t));
}

static void family_clear(family_t *f) {
  size_t i;
  for (i = 0; i < f->n; i++) {
    free(f->order[i]->labels);
    free(f->order[i]->buckets);
    free(f->order[i]);
  }
  free(f->order);
  free(f->hash);
  f->order = NULL;
  f->hash = NULL;
  f->n = f->cap = f->nslots = 0;
}

static void family_free(family_t *f) {
  family_clear(f);
  free(f->name);
  free(f->help);
  free(f->label_names);
  free(f);
}

void nh_metrics_free(nh_metrics_t *m) {
  size_t i;
  if (!m) return;
  for (i = 0; i < m->n; i++) family_free(m->families[i]);
  free(m->families);
  free(m);
}

static int valid_name(const char *s, int colon) {
  size_t i;
  if (!s || !*s) return 0;
  for (i = 0; s[i]; i++) {
    char c = s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
             (i > 0 && c >= '0' && c <= '9');
    if (!ok) return 0;
  }
  return 1;
}

/* Label values escape backslash, double quote and newline; help texts backslash and
 * newline (the format's two escaping rules). */
static void escaped(nh_strbuf_t *b, const char *s, int quote) {
  for (; *s; s++) {
    if (*s == '\\')
      nh_strbuf_add(b, "\\\\", 2);
    else if (*s == '\n')
      nh_strbuf_add(b, "\\n", 2);
    else if (quote && *s == '"')
      nh_strbuf_add(b, "\\\"", 2);
    else
      nh_strbuf_add(b, s, 1);
  }
}

static void put_value(nh_strbuf_t *b, double v) {
  if (isnan(v))
    nh_strbuf_puts(b, "NaN");
  else if (isinf(v))
    nh_strbuf_puts(b, v > 0 ? "+Inf" : "-Inf");
  else if (v == floor(v) && fabs(v) < 1e15)
    nh_strbuf_printf(b, "%.0f", v);
  else
    nh_strbuf_printf(b, "%.17g", v);
}

/* Renders labels and their names in the given order; checks the names. */
static int render_labels(const nh_metric_label_t *labels, size_t n, nh_metric_kind_t kind,
                         nh_strbuf_t *out, nh_strbuf_t *names) {
  size_t i;
  for (i = 0; i < n; i++) {
    const char *k = labels[i].name, *v = labels[i].value ? labels[i].value : "";
    if (!valid_name(k, 0) || strncmp(k, "__", 2) == 0) return NH_EINVAL;
    if (kind == NH_METRIC_HISTOGRAM && strcmp(k, "le") == 0) return NH_EINVAL;
    if (i) {
      nh_strbuf_add(out, ",", 1);
      nh_strbuf_add(names, ",", 1);
    }
    nh_strbuf_puts(out, k);
    nh_strbuf_add(out, "=\"", 2);
    escaped(out, v, 1);
    nh_strbuf_add(out, "\"", 1);
    nh_strbuf_puts(names, k);
  }
  nh_strbuf_add(out, "", 0);
  nh_strbuf_add(names, "", 0);
  return out->failed || names->failed ? NH_ENOMEM : 0;
}

static int rehash(family_t *f) {
  size_t nslots = f->nslots ? f->nslots * 2 : 64, i;
  series_t **slots = calloc(nslots, sizeof(*slots));
  if (!slots) return NH_ENOMEM;
  for (i = 0; i < f->n; i++) {
    series_t *s = f->order[i];
    size_t h = nh_hash_str(s->labels) & (nslots - 1);
    s->next_hash = slots[h];
    slots[h] = s;
  }
  free(f->hash);
  f->hash = slots;
  f->nslots = nslots;
  return 0;
}

static family_t *find_family(const nh_metrics_t *m, const char *name) {
  size_t i;
  for (i = 0; i < m->n; i++)
    if (strcmp(m->families[i]->name, name) == 0) return m->families[i];
  return NULL;
}

/* Finds or creates the series; *out NULL on error (returned). */
static int lookup(nh_metrics_t *m, const char *name, const char *help, nh_metric_kind_t kind,
                  const nh_metric_label_t *labels, size_t nlabels, series_t **out) {
  nh_strbuf_t lb = {0}, nb = {0};
  family_t *f;
  series_t *s;
  size_t h;
  int rc;
  *out = NULL;
  if (!m || !valid_name(name, 1)) return NH_EINVAL;
  if ((rc = render_labels(labels, nlabels, kind, &lb, &nb)) < 0) goto fail;
  f = find_family(m, name);
  if (f && (f->kind != kind || strcmp(f->label_names, nb.data) != 0)) {
    rc = NH_EINVAL;
    goto fail;
  }
  if (!f) {
    if (!(f = calloc(1, sizeof(*f)))) goto nomem;
    f->kind = kind;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    f->label_names = nb.data;
    nb.data = NULL;
    if (!f->name || !f->help ||
        nh_grow((void **)&m->families, &m->cap, m->n + 1, sizeof(*m->families), 8) < 0) {
      family_free(f);
      goto nomem;
    }
    m->families[m->n++] = f;
  }
  if (f->nslots) {
    for (s = f->hash[nh_hash_str(lb.data) & (f->nslots - 1)]; s; s = s->next_hash) {
      if (strcmp(s->labels, lb.data) == 0) {
        *out = s;
        free(lb.data);
        free(nb.data);
        return 0;
      }
    }
  }
  if (f->n == f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 8;
    series_t **p = realloc(f->order, cap * sizeof(*p));
    if (!p) goto nomem;
    f->order = p;
    f->cap = cap;
  }
  if (!(s = calloc(1, sizeof(*s)))) goto nomem;
  s->labels = lb.data;
  lb.data = NULL;
  if (kind == NH_METRIC_HISTOGRAM && !(s->buckets = calloc(NBUCKETS, sizeof(uint64_t)))) {
    free(s->labels);
    free(s);
    goto nomem;
  }
  f->order[f->n++] = s;
  if (f->n * 2 > f->nslots) {
    /* rehash() links every series, the new one too. */
    if (rehash(f) < 0) {
      f->n--;
      free(s->labels);
      free(s->buckets);
      free(s);
      goto nomem;
    }
  } else {
    h = nh_hash_str(s->labels) & (f->nslots - 1);
    s->next_hash = f->hash[h];
    f->hash[h] = s;
  }
  free(nb.data);
  *out = s;
  return 0;
nomem:
  rc = NH_ENOMEM;
fail:
  free(lb.data);
  free(nb.data);
  return rc;
}

int nh_metrics_set(nh_metrics_t *m, const char *name, const char *help, nh_metric_kind_t kind,
                   const nh_metric_label_t *labels, size_t nlabels, double v) {
  series_t *s;
  int rc;
  if (kind == NH_METRIC_HISTOGRAM) return NH_EINVAL;
  if ((rc = lookup(m, name, help, kind, labels, nlabels, &s)) < 0) return rc;
  s->value = v;
  return 0;
}

int nh_metrics_add(nh_metrics_t *m, const char *name, const char *help, nh_metric_kind_t kind,
                   const nh_metric_label_t *labels, size_t nlabels, double delta) {
  series_t *s;
  int rc;
  if (kind == NH_METRIC_HISTOGRAM || (kind == NH_METRIC_COUNTER && !(delta >= 0))) return NH_EINVAL;
  if ((rc = lookup(m, name, help, kind, labels, nlabels, &s)) < 0) return rc;
  s->value += delta;
  return 0;
}

int nh_metrics_observe(nh_metrics_t *m, const char *name, const char *help,
                       const nh_metric_label_t *labels, size_t nlabels, double v) {
  series_t *s;
  size_t i;
  int rc;
  if (isnan(v)) return NH_EINVAL;
  if ((rc = lookup(m, name, help, NH_METRIC_HISTOGRAM, labels, nlabels, &s)) < 0) return rc;
  for (i = 0; i < NBUCKETS; i++)
    if (v <= default_buckets[i]) s->buckets[i]++;
  s->count++;
  s->value += v;
  return 0;
}

void nh_metrics_clear(nh_metrics_t *m, const char *name) {
  family_t *f = m ? find_family(m, name) : NULL;
  if (f) family_clear(f);
}

static void render_sample(nh_strbuf_t *b, const char *name, const char *suffix, const char *labels,
                          const char *extra, double v) {
  nh_strbuf_puts(b, name);
  nh_strbuf_puts(b, suffix);
  if (*labels || extra) {
    nh_strbuf_add(b, "{", 1);
    nh_strbuf_puts(b, labels);
    if (extra) {
      if (*labels) nh_strbuf_add(b, ",", 1);
      nh_strbuf_puts(b, extra);
    }
    nh_strbuf_add(b, "}", 1);
  }
  nh_strbuf_add(b, " ", 1);
  put_value(b, v);
  nh_strbuf_add(b, "\n", 1);
}

int nh_metrics_render(const nh_metrics_t *m, char **out, size_t *len) {
  static const char *const kinds[] = {"counter", "gauge", "histogram"};
  nh_strbuf_t b = {0};
  const family_t *f;
  size_t i, j, k;
  nh_strbuf_add(&b, "", 0);
  for (k = 0; m && k < m->n; k++) {
    f = m->families[k];
    if (f->n == 0) continue;
    nh_strbuf_puts(&b, "# HELP ");
    nh_strbuf_puts(&b, f->name);
    nh_strbuf_add(&b, " ", 1);
    escaped(&b, f->help, 0);
    nh_strbuf_puts(&b, "\n# TYPE ");
    nh_strbuf_puts(&b, f->name);
    nh_strbuf_add(&b, " ", 1);
    nh_strbuf_puts(&b, kinds[f->kind]);
    nh_strbuf_add(&b, "\n", 1);
    for (i = 0; i < f->n; i++) {
      const series_t *s = f->order[i];
      if (f->kind != NH_METRIC_HISTOGRAM) {
        render_sample(&b, f->name, "", s->labels, NULL, s->value);
        continue;
      }
      for (j = 0; j < NBUCKETS; j++) {
        char le[48];
        snprintf(le, sizeof le, "le=\"%g\"", default_buckets[j]);
        render_sample(&b, f->name, "_bucket", s->labels, le, (double)s->buckets[j]);
      }
      render_sample(&b, f->name, "_bucket", s->labels, "le=\"+Inf\"", (double)s->count);
      render_sample(&b, f->name, "_sum", s->labels, NULL, s->value);
      render_sample(&b, f->name, "_count", s->labels, NULL, (double)s->count);
    }
  }
  if (b.failed) {
    free(b.data);
    return NH_ENOMEM;
  }
  *out = b.data;
  *len = b.len;
  return 0;
}

void nh_metrics_op_done(nh_metrics_t *m, const char *kind, int status, double seconds) {
  nh_metric_label_t labels[2];
  labels[0].name = "kind";
  labels[0].value = kind;
  labels[1].name = "result";
  labels[1].value = status == 0              ? "ok"
                    : status == NH_ETIMEDOUT ? "timeout"
                    : status == NH_ECANCELED ? "cancelled"
                                             : "error";
  nh_metrics_observe(m, "nethost_operation_duration_seconds",
                     "Time from start to completion of the engine's operations, by kind and "
                     "result.",
                     labels, 2, seconds);
}

void nh_metrics_ssh_bytes(nh_metrics_t *m, int incoming, size_t n) {
  nh_metric_label_t label;
  label.name = "direction";
  label.value = incoming ? "in" : "out";
  nh_metrics_add(m, "nethost_ssh_bytes_total",
                 "Bytes the SSH transports read from (in) and wrote to (out) their sockets.",
                 NH_METRIC_COUNTER, &label, 1, (double)n);
}
