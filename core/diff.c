/* nethost core: line diffs. See diff.h. */
#include "diff.h"
#include "hash.h"
#include "error.h"
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_COST 3000

int nh_lines_split(const char *text, size_t len, nh_line_t **lines, size_t *nlines) {
  size_t n = 0, cap = 0, start = 0, i;
  nh_line_t *v = NULL;
  for (i = 0; i <= len; i++) {
    if (i < len && text[i] != '\n') continue;
    if (i == len && start == len) break; /* no empty line after a final newline */
    if (nh_grow((void **)&v, &cap, n + 1, sizeof(*v), 64) < 0) {
      free(v);
      return NH_ENOMEM;
    }
    v[n].text = text + start;
    v[n].len = i - start;
    if (v[n].len && v[n].text[v[n].len - 1] == '\r') v[n].len--;
    n++;
    start = i + 1;
  }
  *lines = v;
  *nlines = n;
  return 0;
}

/* Interning: every distinct line gets a small integer, so the search compares integers. */
typedef struct {
  const nh_line_t *line;
  uint64_t hash;
  uint32_t id;
} slot_t;

static int intern(const nh_line_t *a, size_t na, const nh_line_t *b, size_t nb, uint32_t *ia,
                  uint32_t *ib) {
  size_t total = na + nb, cap = 16, i;
  slot_t *table;
  uint32_t next_id = 0;
  while (cap < total * 2) cap *= 2;
  if (!(table = calloc(cap, sizeof(*table)))) return NH_ENOMEM;
  for (i = 0; i < total; i++) {
    const nh_line_t *l = i < na ? &a[i] : &b[i - na];
    uint64_t h = nh_hash_bytes(l->text, l->len);
    size_t pos = (size_t)h & (cap - 1);
    uint32_t id;
    for (;;) {
      slot_t *s = &table[pos];
      if (!s->line) {
        s->line = l;
        s->hash = h;
        s->id = id = next_id++;
        break;
      }
      if (s->hash == h && s->line->len == l->len && !memcmp(s->line->text, l->text, l->len)) {
        id = s->id;
        break;
      }
      pos = (pos + 1) & (cap - 1);
    }
    if (i < na)
      ia[i] = id;
    else
      ib[i - na] = id;
  }
  free(table);
  return 0;
}

/* The edit script is built backwards, one line at a time, then reversed into runs. */
typedef struct {
  nh_diff_run_t *runs;
  size_t n, cap;
} builder_t;

static int add(builder_t *bld, nh_diff_op_t op, size_t a, size_t b, size_t count) {
  nh_diff_run_t *last = bld->n ? &bld->runs[bld->n - 1] : NULL;
  if (!count) return 0;
  /* Runs are added back to front: extend the previous run towards the start. */
  if (last && last->op == op && (op == NH_DIFF_INSERT || last->a_start == a + count) &&
      (op == NH_DIFF_DELETE || last->b_start == b + count)) {
    last->a_start = a;
    last->b_start = b;
    last->count += count;
    return 0;
  }
  if (nh_grow((void **)&bld->runs, &bld->cap, bld->n + 1, sizeof(*bld->runs), 16) < 0)
    return NH_ENOMEM;
  bld->runs[bld->n].op = op;
  bld->runs[bld->n].a_start = a;
  bld->runs[bld->n].b_start = b;
  bld->runs[bld->n].count = count;
  bld->n++;
  return 0;
}

/* Myers' greedy search over a[0..n) and b[0..m) (ids), with offsets ao/bo for the runs.
 * trace[d] holds V for k in [-d, d]. Returns 1 if found within max_cost, 0 if not, or
 * NH_ENOMEM. */
static int myers(const uint32_t *a, size_t n, const uint32_t *b, size_t m, size_t ao, size_t bo,
                 size_t max_cost, builder_t *bld) {
  long N = (long)n, M = (long)m, d, k, D = -1;
  int32_t **trace = calloc((size_t)max_cost + 1, sizeof(*trace));
  int rc = 0;
  if (!trace) return NH_ENOMEM;
  for (d = 0; d <= (long)max_cost && D < 0; d++) {
    int32_t *v = malloc((size_t)(2 * d + 1) * sizeof(*v)), *prev = d ? trace[d - 1] : NULL;
    if (!v) {
      rc = NH_ENOMEM;
      goto out;
    }
    trace[d] = v;
    for (k = -d; k <= d; k += 2) {
      long x, y;
      if (d == 0)
        x = 0;
      else if (k == -d || (k != d && prev[k - 1 + (d - 1)] < prev[k + 1 + (d - 1)]))
        x = prev[k + 1 + (d - 1)]; /* down: an insertion */
      else
        x = prev[k - 1 + (d - 1)] + 1; /* right: a deletion */
      y = x - k;
      while (x < N && y < M && a[x] == b[y]) x++, y++;
      v[k + d] = (int32_t)x;
      if (x >= N && y >= M) {
        D = d;
        break;
      }
    }
  }
  if (D < 0) goto out; /* over the limit: the caller falls back */
  {
    long x = N, y = M;
    for (d = D; d > 0; d--) {
      int32_t *prev = trace[d - 1];
      long px, py, pk;
      k = x - y;
      int down = k == -d || (k != d && prev[k - 1 + (d - 1)] < prev[k + 1 + (d - 1)]);
      pk = down ? k + 1 : k - 1;
      px = prev[pk + (d - 1)];
      py = px - pk;
      /* The snake after the move is equal lines. */
      long sx = down ? px : px + 1, sy = down ? py + 1 : py;
      if ((rc = add(bld, NH_DIFF_EQUAL, ao + (size_t)sx, bo + (size_t)sy, (size_t)(x - sx))) < 0)
        goto out;
      if (down)
        rc = add(bld, NH_DIFF_INSERT, ao + (size_t)px, bo + (size_t)py, 1);
      else
        rc = add(bld, NH_DIFF_DELETE, ao + (size_t)px, bo + (size_t)py, 1);
      if (rc < 0) goto out;
      x = px;
      y = py;
    }
    if ((rc = add(bld, NH_DIFF_EQUAL, ao, bo, (size_t)x)) < 0) goto out;
    rc = 1;
  }
out:
  for (d = 0; d <= (long)max_cost && trace[d]; d++) free(trace[d]);
  free(trace);
  return rc;
}

int nh_diff_lines(const nh_line_t *a, size_t na, const nh_line_t *b, size_t nb, size_t max_cost,
                  nh_diff_t *out) {
  uint32_t *ia = NULL, *ib = NULL;
  size_t head = 0, tail = 0, i;
  builder_t bld = {NULL, 0, 0};
  int rc = NH_ENOMEM;
  memset(out, 0, sizeof(*out));
  out->minimal = 1;
  if (!max_cost) max_cost = DEFAULT_MAX_COST;
  ia = malloc((na ? na : 1) * sizeof(*ia));
  ib = malloc((nb ? nb : 1) * sizeof(*ib));
  if (!ia || !ib || intern(a, na, b, nb, ia, ib) < 0) goto fail;
  while (head < na && head < nb && ia[head] == ib[head]) head++;
  while (tail < na - head && tail < nb - head && ia[na - 1 - tail] == ib[nb - 1 - tail]) tail++;
  /* Back to front: tail, middle, head. */
  if (add(&bld, NH_DIFF_EQUAL, na - tail, nb - tail, tail) < 0) goto fail;
  rc = myers(ia + head, na - head - tail, ib + head, nb - head - tail, head, head, max_cost, &bld);
  if (rc < 0) goto fail;
  if (rc == 0) {
    out->minimal = 0;
    if (add(&bld, NH_DIFF_INSERT, na - tail, head, nb - head - tail) < 0 ||
        add(&bld, NH_DIFF_DELETE, head, head, na - head - tail) < 0) {
      rc = NH_ENOMEM;
      goto fail;
    }
  }
  if (add(&bld, NH_DIFF_EQUAL, 0, 0, head) < 0) {
    rc = NH_ENOMEM;
    goto fail;
  }
  for (i = 0; i < bld.n / 2; i++) {
    nh_diff_run_t t = bld.runs[i];
    bld.runs[i] = bld.runs[bld.n - 1 - i];
    bld.runs[bld.n - 1 - i] = t;
  }
  out->runs = bld.runs;
  out->nruns = bld.n;
  free(ia);
  free(ib);
  return 0;
fail:
  free(bld.runs);
  free(ia);
  free(ib);
  return NH_ENOMEM;
}

void nh_diff_free(nh_diff_t *d) {
  free(d->runs);
  d->runs = NULL;
  d->nruns = 0;
}
