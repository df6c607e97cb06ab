/* Running a template over text: TextFSM.ParseText.
 *
 * Values live as (pointer, length) slices of one private copy of the input, which the
 * result table keeps, so matching copies no strings. The option hooks (OnAssignVar,
 * OnClearVar, OnClearAllVar, OnSaveRecord) run in the order the options were declared,
 * as in the reference, because the order is observable (Required before or after List).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_internal.h"

typedef struct {
  int is_map;
  nh_tfsm_str_t str;
  size_t kv_first, kv_count; /* in run->kvs */
} run_item_t;

typedef enum { V_NONE = 0, V_STR, V_LIST } vkind_t;

typedef struct {
  vkind_t kind; /* value.value: None, a string, or (after OnSaveRecord) the list */
  nh_tfsm_str_t str;
  nh_tfsm_str_t filldown; /* Filldown's _myvar; ptr NULL = None */
  run_item_t *items;      /* List's _value */
  size_t nitems, cap;
  char **keys; /* the table's copies of the nested group names */
} run_value_t;

typedef struct {
  const nh_tfsm_template_t *t;
  nh_tfsm_table_t *tab;
  run_value_t *v;
  nh_tfsm_kv_t *kvs; /* pairs of map items still in a List's _value */
  size_t nkvs, cap_kvs;
  pcre2_match_data *md, *list_md;
  const char *text;
} run_t;

static int truthy_str(nh_tfsm_str_t s) {
  return s.ptr && s.len > 0;
}

static int add_item(run_t *R, run_value_t *rv, run_item_t it) {
  if (tfsm_grow((void **)&rv->items, &rv->cap, rv->nitems + 1, sizeof *rv->items, 8) < 0)
    return NH_TFSM_ENOMEM;
  rv->items[rv->nitems++] = it;
  (void)R;
  return 0;
}

static int add_kv(run_t *R, nh_tfsm_kv_t kv) {
  if (tfsm_grow((void **)&R->kvs, &R->cap_kvs, R->nkvs + 1, sizeof *R->kvs, 16) < 0)
    return NH_TFSM_ENOMEM;
  R->kvs[R->nkvs++] = kv;
  return 0;
}

static int cell_truthy(const nh_tfsm_cell_t *c) {
  return c->type == NH_TFSM_CELL_LIST ? c->count > 0 : c->str.len > 0;
}

/* TextFSMValue.AssignVar. */
static int assign(run_t *R, size_t vi, nh_tfsm_str_t s) {
  const tfsm_value_t *v = &R->t->values[vi];
  run_value_t *rv = &R->v[vi];
  rv->kind = s.ptr ? V_STR : V_NONE;
  rv->str = s;
  for (int o = 0; o < v->norder; o++) {
    switch (v->order[o]) {
    case NH_TFSM_OPT_FILLDOWN:
      rv->filldown = s;
      break;
    case NH_TFSM_OPT_FILLUP:
      if (truthy_str(s)) {
        nh_tfsm_table_t *tab = R->tab;
        for (size_t r = tab->nrows; r-- > 0;) {
          nh_tfsm_cell_t *c = &tab->cells[r * tab->ncols + vi];
          if (cell_truthy(c)) break;
          c->type = NH_TFSM_CELL_STR;
          c->str = s;
          c->first = c->count = 0;
        }
      }
      break;
    case NH_TFSM_OPT_LIST: {
      run_item_t it = {0};
      it.str = s;
      if (v->list_re && s.ptr) {
        int m = tfsm_regex_match(v->list_re, s.ptr, s.len, R->list_md);
        if (m > 0) {
          PCRE2_SIZE *ov = pcre2_get_ovector_pointer(R->list_md);
          it.is_map = 1;
          it.kv_first = R->nkvs;
          for (size_t k = 0; k < v->list_nnames; k++) {
            int g = v->list_name_groups[k];
            nh_tfsm_kv_t kv = {{rv->keys[k], strlen(rv->keys[k])}, {NULL, 0}};
            if (g < m && ov[2 * g] != PCRE2_UNSET) {
              kv.val.ptr = s.ptr + ov[2 * g];
              kv.val.len = ov[2 * g + 1] - ov[2 * g];
            }
            if (add_kv(R, kv) < 0) return NH_TFSM_ENOMEM;
          }
          it.kv_count = v->list_nnames;
        }
      }
      if (add_item(R, rv, it) < 0) return NH_TFSM_ENOMEM;
      break;
    }
    default:
      break;
    }
  }
  return 0;
}

/* TextFSMValue.ClearVar (all = 0) and ClearAllVar (all = 1). */
static void clear_value(run_t *R, size_t vi, int all) {
  const tfsm_value_t *v = &R->t->values[vi];
  run_value_t *rv = &R->v[vi];
  rv->kind = V_NONE;
  rv->str.ptr = NULL;
  rv->str.len = 0;
  if (all) {
    rv->filldown.ptr = NULL;
    rv->nitems = 0;
    return;
  }
  if (v->opts & NH_TFSM_OPT_FILLDOWN) {
    rv->str = rv->filldown;
    rv->kind = rv->filldown.ptr ? V_STR : V_NONE;
  } else if (v->opts & NH_TFSM_OPT_LIST) {
    rv->nitems = 0;
  }
}

static void clear_record(run_t *R, int all) {
  for (size_t k = 0; k < R->t->nvalues; k++) clear_value(R, k, all);
  /* Map pairs are referenced only by items; compact when no list holds any. */
  size_t held = 0;
  for (size_t k = 0; k < R->t->nvalues; k++) held += R->v[k].nitems;
  if (!held) R->nkvs = 0;
}

/* TextFSM._AppendRecord. */
static int append_record(run_t *R) {
  const nh_tfsm_template_t *t = R->t;
  if (t->nvalues == 0) return 0;
  for (size_t k = 0; k < t->nvalues; k++) {
    const tfsm_value_t *v = &t->values[k];
    run_value_t *rv = &R->v[k];
    for (int o = 0; o < v->norder; o++) {
      if (v->order[o] == NH_TFSM_OPT_REQUIRED) {
        int set = rv->kind == V_STR ? rv->str.len > 0 : rv->kind == V_LIST ? rv->nitems > 0 : 0;
        if (!set) {
          clear_record(R, 0);
          return 0;
        }
      } else if (v->order[o] == NH_TFSM_OPT_LIST) {
        rv->kind = V_LIST;
      }
    }
  }
  size_t empty = 0;
  for (size_t k = 0; k < t->nvalues; k++) {
    run_value_t *rv = &R->v[k];
    if (rv->kind == V_NONE || (rv->kind == V_LIST && rv->nitems == 0)) empty++;
  }
  if (empty == t->nvalues) return 0;
  nh_tfsm_table_t *tab = R->tab;
  nh_tfsm_cell_t *row = tfsm_table_add_row(tab);
  if (!row) return NH_TFSM_ENOMEM;
  for (size_t k = 0; k < t->nvalues; k++) {
    run_value_t *rv = &R->v[k];
    nh_tfsm_cell_t *c = &row[k];
    memset(c, 0, sizeof *c);
    if (rv->kind == V_LIST) {
      c->type = NH_TFSM_CELL_LIST;
      c->first = tab->nitems;
      c->count = rv->nitems;
      nh_tfsm_item_t *items = tfsm_table_add_items(tab, rv->nitems);
      if (!items && rv->nitems) return NH_TFSM_ENOMEM;
      for (size_t i = 0; i < rv->nitems; i++) {
        run_item_t *ri = &rv->items[i];
        items[i].is_map = ri->is_map;
        items[i].str = ri->str;
        items[i].first = items[i].count = 0;
        if (ri->is_map) {
          items[i].first = tab->nkvs;
          items[i].count = ri->kv_count;
          nh_tfsm_kv_t *kvs = tfsm_table_add_kvs(tab, ri->kv_count);
          if (!kvs && ri->kv_count) return NH_TFSM_ENOMEM;
          if (ri->kv_count) memcpy(kvs, R->kvs + ri->kv_first, ri->kv_count * sizeof *kvs);
        }
      }
    } else {
      c->type = NH_TFSM_CELL_STR;
      c->str = rv->kind == V_STR ? rv->str : (nh_tfsm_str_t){"", 0};
    }
  }
  clear_record(R, 0);
  return 0;
}

/* Python's str.splitlines(): the length of the line terminator at s, or 0. */
static size_t line_break(const char *s, size_t n) {
  unsigned char c = (unsigned char)s[0];
  if (c == '\r') return n > 1 && s[1] == '\n' ? 2 : 1;
  if (c == '\n' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e) return 1;
  if (c == 0xc2 && n > 1 && (unsigned char)s[1] == 0x85) return 2;
  if (c == 0xe2 && n > 2 && (unsigned char)s[1] == 0x80 &&
      ((unsigned char)s[2] == 0xa8 || (unsigned char)s[2] == 0xa9))
    return 3;
  return 0;
}

/* A private copy of the input in valid UTF-8: each invalid byte becomes U+FFFD. */
static char *sanitise(const char *text, size_t len, size_t *out_len) {
  size_t bad = 0;
  for (size_t k = tfsm_utf8_valid(text, len); k < len;) {
    size_t u = nh_utf8_decode((const unsigned char *)text + k, len - k, NULL);
    if (!u) bad++, u = 1;
    k += u;
  }
  char *c = malloc(len + bad * 2 + 1);
  if (!c) return NULL;
  if (!bad) {
    memcpy(c, text, len);
    *out_len = len;
  } else {
    size_t j = 0;
    for (size_t k = 0; k < len;) {
      size_t u = nh_utf8_decode((const unsigned char *)text + k, len - k, NULL);
      if (!u) {
        memcpy(c + j, "\xef\xbf\xbd", 3);
        j += 3;
        k++;
      } else {
        memcpy(c + j, text + k, u);
        j += u;
        k += u;
      }
    }
    *out_len = j;
  }
  c[*out_len] = '\0';
  return c;
}

int nh_tfsm_parse(const nh_tfsm_template_t *t, const char *text, size_t len, nh_tfsm_table_t **out,
                  char *err, size_t errlen) {
  *out = NULL;
  int rc = NH_TFSM_ENOMEM;
  run_t R;
  memset(&R, 0, sizeof R);
  R.t = t;
  R.tab = tfsm_table_new(t);
  R.v = calloc(t->nvalues ? t->nvalues : 1, sizeof *R.v);
  R.md = pcre2_match_data_create((uint32_t)t->max_groups + 1, NULL);
  R.list_md = pcre2_match_data_create((uint32_t)t->max_groups + 1, NULL);
  size_t tlen = 0;
  char *copy = sanitise(text ? text : "", text ? len : 0, &tlen);
  if (!R.tab || !R.v || !R.md || !R.list_md || !copy) {
    free(copy);
    goto done;
  }
  if (tfsm_table_add_buf(R.tab, copy) < 0) goto done;
  for (size_t k = 0; k < t->nvalues; k++) {
    const tfsm_value_t *v = &t->values[k];
    if (!v->list_nnames) continue;
    R.v[k].keys = calloc(v->list_nnames, sizeof *R.v[k].keys);
    if (!R.v[k].keys) goto done;
    for (size_t j = 0; j < v->list_nnames; j++) {
      R.v[k].keys[j] = tfsm_table_strdup(R.tab, v->list_names[j], strlen(v->list_names[j]));
      if (!R.v[k].keys[j]) goto done;
    }
  }
  int state = t->start; /* or TFSM_STATE_END / TFSM_STATE_EOF once left */
  size_t pos = 0;
  while (pos < tlen && state >= 0) {
    size_t e = pos, br = 0;
    while (e < tlen && (br = line_break(copy + e, tlen - e)) == 0) e++;
    const char *line = copy + pos;
    size_t n = e - pos;
    pos = e + br;
    /* TextFSM._CheckLine. */
    const tfsm_state_t *st = &t->states[state];
    for (size_t ri = 0; ri < st->nrules; ri++) {
      const tfsm_rule_t *r = &st->rules[ri];
      int m = tfsm_regex_match(r->re, line, n, R.md);
      if (m < 0) {
        tfsm_errf(err, errlen, "%s:%d: regex match failed (PCRE2 error %d)", t->name, r->line, m);
        rc = NH_TFSM_EPARSE;
        goto done;
      }
      if (m == 0) continue;
      PCRE2_SIZE *ov = pcre2_get_ovector_pointer(R.md);
      for (int a = 0; a < r->nassign; a++) {
        int g = r->assign_group[a];
        nh_tfsm_str_t s = {NULL, 0};
        if (g < m && ov[2 * g] != PCRE2_UNSET) {
          s.ptr = line + ov[2 * g];
          s.len = ov[2 * g + 1] - ov[2 * g];
        }
        if (assign(&R, (size_t)r->assign_value[a], s) < 0) goto done;
      }
      if (r->rec_op == TFSM_REC_RECORD) {
        if (append_record(&R) < 0) goto done;
      } else if (r->rec_op == TFSM_REC_CLEAR) {
        clear_record(&R, 0);
      } else if (r->rec_op == TFSM_REC_CLEARALL) {
        clear_record(&R, 1);
      }
      if (r->line_op == TFSM_LINE_ERROR) {
        if (r->new_state)
          tfsm_errf(err, errlen, "%s: Error: %s. Rule Line: %d. Input Line: %.*s.", t->name,
                    r->new_state, r->line, (int)n, line);
        else
          tfsm_errf(err, errlen, "%s: State Error raised. Rule Line: %d. Input Line: %.*s", t->name,
                    r->line, (int)n, line);
        rc = NH_TFSM_EPARSE;
        goto done;
      }
      if (r->line_op == TFSM_LINE_CONTINUE) continue;
      if (r->next_state != TFSM_STATE_NONE) state = r->next_state;
      break;
    }
  }
  if (state != TFSM_STATE_END && !t->has_eof) {
    if (append_record(&R) < 0) goto done;
  }
  rc = 0;
  *out = R.tab;
  R.tab = NULL;
done:
  if (rc == NH_TFSM_ENOMEM) tfsm_errf(err, errlen, "%s: out of memory", t->name);
  nh_tfsm_table_free(R.tab);
  if (R.v) {
    for (size_t k = 0; k < t->nvalues; k++) {
      free(R.v[k].items);
      free(R.v[k].keys);
    }
  }
  free(R.v);
  free(R.kvs);
  pcre2_match_data_free(R.md);
  pcre2_match_data_free(R.list_md);
  return rc;
}
