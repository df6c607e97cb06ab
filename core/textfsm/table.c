/* Parse results: tables of records, and the clitable operations on them (merging the
 * tables of several templates, making List items strings). */
#include <stdlib.h>
#include <string.h>

#include "tfsm_internal.h"

int tfsm_table_add_buf(nh_tfsm_table_t *tab, char *buf) {
  char **b = realloc(tab->bufs, (tab->nbufs + 1) * sizeof *b);
  if (!b) {
    free(buf);
    return NH_TFSM_ENOMEM;
  }
  tab->bufs = b;
  tab->bufs[tab->nbufs++] = buf;
  return 0;
}

char *tfsm_table_strdup(nh_tfsm_table_t *tab, const char *s, size_t n) {
  char *c = malloc(n + 1);
  if (!c) return NULL;
  memcpy(c, s, n);
  c[n] = '\0';
  return tfsm_table_add_buf(tab, c) < 0 ? NULL : c;
}

nh_tfsm_table_t *tfsm_table_new(const nh_tfsm_template_t *t) {
  nh_tfsm_table_t *tab = calloc(1, sizeof *tab);
  if (!tab) return NULL;
  tab->ncols = t->nvalues;
  tab->header = calloc(t->nvalues + 1, sizeof *tab->header);
  tab->options = calloc(t->nvalues + 1, sizeof *tab->options);
  if (!tab->header || !tab->options) goto fail;
  for (size_t k = 0; k < t->nvalues; k++) {
    tab->header[k] = strdup(t->values[k].name);
    if (!tab->header[k]) goto fail;
    tab->options[k] = t->values[k].opts;
  }
  return tab;
fail:
  nh_tfsm_table_free(tab);
  return NULL;
}

void nh_tfsm_table_free(nh_tfsm_table_t *tab) {
  if (!tab) return;
  if (tab->header)
    for (size_t k = 0; k < tab->ncols; k++) free(tab->header[k]);
  free(tab->header);
  free(tab->options);
  free(tab->cells);
  free(tab->items);
  free(tab->kvs);
  for (size_t k = 0; k < tab->nbufs; k++) free(tab->bufs[k]);
  free(tab->bufs);
  free(tab);
}

nh_tfsm_cell_t *tfsm_table_add_row(nh_tfsm_table_t *tab) {
  if (tfsm_grow((void **)&tab->cells, &tab->cap_rows,
                (tab->nrows + 1) * (tab->ncols ? tab->ncols : 1), sizeof *tab->cells, 8) < 0)
    return NULL;
  return &tab->cells[tab->nrows++ * tab->ncols];
}

/* Appends n elements of elem bytes to the array *arr holding *len (of *cap): the first of
 * them, or NULL when n is 0 or memory ran out. */
static void *append(void **arr, size_t *len, size_t *cap, size_t n, size_t elem) {
  char *first;
  if (n == 0 || tfsm_grow(arr, cap, *len + n, elem, 8) < 0) return NULL;
  first = (char *)*arr + *len * elem;
  *len += n;
  return first;
}

nh_tfsm_item_t *tfsm_table_add_items(nh_tfsm_table_t *tab, size_t n) {
  return append((void **)&tab->items, &tab->nitems, &tab->cap_items, n, sizeof *tab->items);
}

nh_tfsm_kv_t *tfsm_table_add_kvs(nh_tfsm_table_t *tab, size_t n) {
  return append((void **)&tab->kvs, &tab->nkvs, &tab->cap_kvs, n, sizeof *tab->kvs);
}

/* Python's repr() of a str. */
static void py_repr(tfsm_buf_t *b, nh_tfsm_str_t s) {
  if (!s.ptr) {
    tfsm_buf_adds(b, "None");
    return;
  }
  int sq = memchr(s.ptr, '\'', s.len) != NULL, dq = memchr(s.ptr, '"', s.len) != NULL;
  char q = sq && !dq ? '"' : '\'';
  tfsm_buf_addc(b, q);
  for (size_t k = 0; k < s.len; k++) {
    unsigned char c = (unsigned char)s.ptr[k];
    if (c == '\\' || c == (unsigned char)q) {
      tfsm_buf_addc(b, '\\');
      tfsm_buf_addc(b, (char)c);
    } else if (c == '\n') {
      tfsm_buf_adds(b, "\\n");
    } else if (c == '\r') {
      tfsm_buf_adds(b, "\\r");
    } else if (c == '\t') {
      tfsm_buf_adds(b, "\\t");
    } else if (c < 0x20 || c == 0x7f) {
      tfsm_buf_printf(b, "\\x%02x", c);
    } else {
      tfsm_buf_addc(b, (char)c);
    }
  }
  tfsm_buf_addc(b, q);
}

int tfsm_table_stringify_items(nh_tfsm_table_t *tab) {
  for (size_t i = 0; i < tab->nitems; i++) {
    nh_tfsm_item_t *it = &tab->items[i];
    /* A missing item stays missing (NULL: json.null in Lua), where clitable writes the
     * string "None": one null everywhere, so every parse result encodes to JSON. */
    if (!it->is_map) continue;
    tfsm_buf_t b = {0};
    {
      tfsm_buf_addc(&b, '{');
      for (size_t k = 0; k < it->count; k++) {
        const nh_tfsm_kv_t *kv = &tab->kvs[it->first + k];
        if (k) tfsm_buf_adds(&b, ", ");
        py_repr(&b, kv->key);
        tfsm_buf_adds(&b, ": ");
        py_repr(&b, kv->val);
      }
      tfsm_buf_addc(&b, '}');
    }
    size_t len = b.len;
    char *s = tfsm_buf_finish(&b);
    if (!s || tfsm_table_add_buf(tab, s) < 0) return NH_TFSM_ENOMEM;
    it->is_map = 0;
    it->str.ptr = s;
    it->str.len = len;
    it->first = it->count = 0;
  }
  return 0;
}

static int col_index(const nh_tfsm_table_t *t, const char *name) {
  for (size_t k = 0; k < t->ncols; k++)
    if (strcmp(t->header[k], name) == 0) return (int)k;
  return -1;
}

static int str_eq(nh_tfsm_str_t a, nh_tfsm_str_t b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Equality of two cells whose list items are strings (after stringify). */
static int cell_eq(const nh_tfsm_table_t *ta, const nh_tfsm_cell_t *a, const nh_tfsm_table_t *tb,
                   const nh_tfsm_cell_t *b) {
  if (a->type != b->type) return 0;
  if (a->type == NH_TFSM_CELL_STR) return str_eq(a->str, b->str);
  if (a->count != b->count) return 0;
  for (size_t k = 0; k < a->count; k++)
    if (!str_eq(ta->items[a->first + k].str, tb->items[b->first + k].str)) return 0;
  return 1;
}

/* Copies cell c of table src into dst (list items are appended to dst->items). */
static int copy_cell(nh_tfsm_table_t *dst, nh_tfsm_cell_t *to, const nh_tfsm_table_t *src,
                     const nh_tfsm_cell_t *c) {
  *to = *c;
  if (c->type != NH_TFSM_CELL_LIST) return 0;
  to->first = dst->nitems;
  if (c->count == 0) return 0;
  nh_tfsm_item_t *items = tfsm_table_add_items(dst, c->count);
  if (!items) return NH_TFSM_ENOMEM;
  memcpy(items, src->items + c->first, c->count * sizeof *items);
  return 0;
}

int tfsm_table_extend(nh_tfsm_table_t *a, nh_tfsm_table_t *b, char **keys, size_t nkeys, char *err,
                      size_t errlen) {
  int *ka = calloc(nkeys + 1, sizeof *ka), *kb = calloc(nkeys + 1, sizeof *kb);
  int *ext = calloc(b->ncols + 1, sizeof *ext);
  nh_tfsm_cell_t *cells = NULL;
  int rc = NH_TFSM_ENOMEM;
  if (!ka || !kb || !ext) goto done;
  for (size_t k = 0; k < nkeys; k++) {
    ka[k] = col_index(a, keys[k]);
    kb[k] = col_index(b, keys[k]);
    if (ka[k] < 0) {
      tfsm_errf(err, errlen, "Unknown key: '%s'", keys[k]);
      rc = NH_TFSM_ESYNTAX;
      goto done;
    }
  }
  size_t next = 0;
  for (size_t c = 0; c < b->ncols; c++)
    if (col_index(a, b->header[c]) < 0) ext[next++] = (int)c;
  if (next == 0) {
    rc = 0;
    goto done;
  }
  /* The table b's strings live in its buffers: a takes them over. */
  char **bufs = realloc(a->bufs, (a->nbufs + b->nbufs) * sizeof *bufs);
  if (!bufs) goto done;
  a->bufs = bufs;
  memcpy(a->bufs + a->nbufs, b->bufs, b->nbufs * sizeof *bufs);
  a->nbufs += b->nbufs;
  b->nbufs = 0;
  size_t ncols = a->ncols + next;
  char **header = realloc(a->header, (ncols + 1) * sizeof *header);
  if (!header) goto done;
  a->header = header;
  unsigned *opts = realloc(a->options, (ncols + 1) * sizeof *opts);
  if (!opts) goto done;
  a->options = opts;
  for (size_t e = 0; e < next; e++) {
    a->header[a->ncols + e] = strdup(b->header[ext[e]]);
    if (!a->header[a->ncols + e]) {
      for (size_t j = 0; j < e; j++) free(a->header[a->ncols + j]);
      goto done;
    }
    a->options[a->ncols + e] = b->options[ext[e]];
  }
  cells = calloc(a->nrows * ncols + 1, sizeof *cells);
  if (!cells) {
    for (size_t e = 0; e < next; e++) free(a->header[a->ncols + e]);
    goto done;
  }
  size_t old = a->ncols;
  a->ncols = ncols; /* the new header is in place from here on */
  for (size_t r = 0; r < a->nrows; r++) {
    memcpy(&cells[r * ncols], &a->cells[r * old], old * sizeof *cells);
    for (size_t e = 0; e < next; e++) {
      nh_tfsm_cell_t *c = &cells[r * ncols + old + e];
      c->type = NH_TFSM_CELL_STR;
      c->str.ptr = "";
    }
  }
  free(a->cells);
  a->cells = cells;
  a->cap_rows = a->nrows * ncols + 1;
  for (size_t r = 0; r < a->nrows; r++) {
    nh_tfsm_cell_t *row1 = &a->cells[r * ncols];
    const nh_tfsm_cell_t *row2 = NULL;
    if (nkeys == 0) {
      if (r < b->nrows) row2 = &b->cells[r * b->ncols];
    } else {
      for (size_t s = 0; s < b->nrows && !row2; s++) {
        const nh_tfsm_cell_t *cand = &b->cells[s * b->ncols];
        size_t k = 0;
        for (; k < nkeys; k++) {
          /* A key b lacks reads as texttable's missing column: never equal. */
          if (kb[k] < 0 || !cell_eq(a, &row1[ka[k]], b, &cand[kb[k]])) break;
        }
        if (k == nkeys) row2 = cand;
      }
    }
    if (!row2) continue;
    for (size_t e = 0; e < next; e++)
      if (copy_cell(a, &row1[old + e], b, &row2[ext[e]]) < 0) goto done;
  }
  rc = 0;
done:
  free(ka);
  free(kb);
  free(ext);
  return rc;
}
