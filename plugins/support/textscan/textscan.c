/* Text scanning for parser plugins: lines, patterns, building values. */
#include "textscan.h"

#include <pcre2.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ts_re_s {
  pcre2_code *code;
  pcre2_match_context *mctx;
};

void ts_lines_init(ts_lines_t *it, const char *text, size_t len) {
  it->cur = text;
  it->end = text + len;
  it->no = 0;
}

int ts_next_line(ts_lines_t *it, ts_line_t *line) {
  const char *s = it->cur, *e;
  if (s >= it->end) return 0;
  for (e = s; e < it->end && *e != '\n' && *e != '\r'; e++) continue;
  line->p = s;
  line->len = (size_t)(e - s);
  line->no = ++it->no;
  if (e < it->end && *e == '\r') e++;
  if (e < it->end && *e == '\n') e++;
  it->cur = e;
  return 1;
}

int ts_blank(const ts_line_t *line) {
  size_t i;
  for (i = 0; i < line->len; i++) {
    if (line->p[i] != ' ' && line->p[i] != '\t') return 0;
  }
  return 1;
}

size_t ts_indent(const ts_line_t *line) {
  size_t i = 0;
  while (i < line->len && (line->p[i] == ' ' || line->p[i] == '\t')) i++;
  return i;
}

ts_re_t *ts_re(const char *pattern) {
  ts_re_t *re = calloc(1, sizeof(*re));
  int err;
  PCRE2_SIZE off;
  if (!re) return NULL;
  re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                           PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
  re->mctx = pcre2_match_context_create(NULL);
  if (!re->code || !re->mctx) {
    ts_re_free(re);
    return NULL;
  }
  /* Bounded work per line, whatever the input. */
  pcre2_set_match_limit(re->mctx, 100000);
  pcre2_set_depth_limit(re->mctx, 1000);
  pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
  return re;
}

void ts_re_free(ts_re_t *re) {
  if (!re) return;
  pcre2_code_free(re->code);
  pcre2_match_context_free(re->mctx);
  free(re);
}

int ts_match(const ts_re_t *re, const char *s, size_t len, ts_cap_t *caps, int ncaps) {
  pcre2_match_data *md;
  PCRE2_SIZE *ov;
  int rc, i;
  if (ncaps > TS_MAX_CAPS) ncaps = TS_MAX_CAPS;
  if (!(md = pcre2_match_data_create((uint32_t)ncaps + 1, NULL))) return 0;
  rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
  /* 0: a match whose groups beyond ncaps took part too (the vector holds only the ones
   * asked for), still a match. */
  if (rc == 0) rc = ncaps + 1;
  if (rc > 0) {
    ov = pcre2_get_ovector_pointer(md);
    for (i = 0; i < ncaps; i++) {
      if (i + 1 < rc && ov[2 * (i + 1)] != PCRE2_UNSET) {
        caps[i].p = s + ov[2 * (i + 1)];
        caps[i].len = ov[2 * (i + 1) + 1] - ov[2 * (i + 1)];
      } else {
        caps[i].p = NULL;
        caps[i].len = 0;
      }
    }
  }
  pcre2_match_data_free(md);
  return rc > 0;
}

int ts_match_line(const ts_re_t *re, const ts_line_t *line, ts_cap_t *caps, int ncaps) {
  return ts_match(re, line->p, line->len, caps, ncaps);
}

ts_cap_t ts_trim(ts_cap_t c) {
  if (!c.p) return c;
  while (c.len && (*c.p == ' ' || *c.p == '\t')) c.p++, c.len--;
  while (c.len && (c.p[c.len - 1] == ' ' || c.p[c.len - 1] == '\t')) c.len--;
  return c;
}

ts_cap_t ts_slice(const ts_line_t *line, size_t from, size_t to) {
  ts_cap_t c;
  if (from > line->len) from = line->len;
  if (to > line->len) to = line->len;
  if (to < from) to = from;
  c.p = line->p + from;
  c.len = to - from;
  return ts_trim(c);
}

size_t ts_column(const ts_line_t *line, const char *word) {
  const char *at = memmem(line->p, line->len, word, strlen(word));
  return at ? (size_t)(at - line->p) : (size_t)-1;
}

int ts_cap_eq(ts_cap_t c, const char *s) {
  return c.p && strlen(s) == c.len && memcmp(c.p, s, c.len) == 0;
}

int ts_cap_int(ts_cap_t c, int64_t *out) {
  int64_t v = 0;
  size_t i;
  int digits = 0;
  c = ts_trim(c);
  if (!c.p || !c.len) return 0;
  for (i = 0; i < c.len; i++) {
    if (c.p[i] == ',') continue;
    if (c.p[i] < '0' || c.p[i] > '9') return 0;
    if (v > (INT64_MAX - 9) / 10) return 0;
    v = v * 10 + (c.p[i] - '0');
    digits++;
  }
  if (!digits) return 0;
  *out = v;
  return 1;
}

static nh_plugin_value_t *track(ts_b_t *b, nh_plugin_value_t *v) {
  if (!v) b->oom = 1;
  return v;
}

nh_plugin_value_t *ts_map(ts_b_t *b) {
  return track(b, b->h->value_map());
}

nh_plugin_value_t *ts_list(ts_b_t *b) {
  return track(b, b->h->value_list());
}

void ts_set(ts_b_t *b, nh_plugin_value_t *map, const char *key, nh_plugin_value_t *v) {
  if (!map || !v) {
    if (v) b->h->value_free(v);
    b->oom = 1;
    return;
  }
  if (b->h->map_set(map, key, v) < 0) b->oom = 1;
}

void ts_push(ts_b_t *b, nh_plugin_value_t *list, nh_plugin_value_t *v) {
  if (!list || !v) {
    if (v) b->h->value_free(v);
    b->oom = 1;
    return;
  }
  if (b->h->list_push(list, v) < 0) b->oom = 1;
}

void ts_set_str(ts_b_t *b, nh_plugin_value_t *map, const char *key, const char *s, size_t len) {
  ts_set(b, map, key, b->h->value_string(s, len));
}

void ts_set_cap(ts_b_t *b, nh_plugin_value_t *map, const char *key, ts_cap_t c) {
  if (!c.p) return;
  c = ts_trim(c);
  ts_set_str(b, map, key, c.p, c.len);
}

void ts_set_cap0(ts_b_t *b, nh_plugin_value_t *map, const char *key, ts_cap_t c) {
  c = ts_trim(c);
  ts_set_str(b, map, key, c.p ? c.p : "", c.len);
}

void ts_set_int(ts_b_t *b, nh_plugin_value_t *map, const char *key, int64_t i) {
  ts_set(b, map, key, b->h->value_int(i));
}

void ts_set_cap_int(ts_b_t *b, nh_plugin_value_t *map, const char *key, ts_cap_t c) {
  int64_t v;
  if (ts_cap_int(c, &v)) ts_set_int(b, map, key, v);
}

void ts_set_fields(ts_b_t *b, nh_plugin_value_t *map, const ts_cap_t *c, const ts_field_t *fields,
                   size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (fields[i].kind == TS_INT)
      ts_set_cap_int(b, map, fields[i].key, c[fields[i].cap]);
    else if (fields[i].kind == TS_STR0)
      ts_set_cap0(b, map, fields[i].key, c[fields[i].cap]);
    else
      ts_set_cap(b, map, fields[i].key, c[fields[i].cap]);
  }
}

void ts_push_items(ts_b_t *b, nh_plugin_value_t *list, ts_cap_t c, char mark) {
  size_t i = 0;
  while (c.p && i < c.len) {
    size_t s, e;
    while (i < c.len && (c.p[i] == ',' || c.p[i] == ' ')) i++;
    s = i;
    while (i < c.len && c.p[i] != ',' && c.p[i] != ' ') i++;
    e = i;
    if (mark && e > s && c.p[e - 1] == mark) e--;
    if (e > s) ts_push(b, list, b->h->value_string(c.p + s, e - s));
  }
}

nh_plugin_value_t *ts_push_map(ts_b_t *b, nh_plugin_value_t *list) {
  nh_plugin_value_t *map = ts_map(b);
  ts_push(b, list, map);
  return map;
}

void ts_push_cap(ts_b_t *b, nh_plugin_value_t *list, ts_cap_t c) {
  c = ts_trim(c);
  ts_push(b, list, b->h->value_string(c.p ? c.p : "", c.len));
}

int ts_finish(ts_b_t *b, nh_plugin_value_t *root, nh_plugin_value_t **out) {
  if (b->oom || !root) {
    if (root) b->h->value_free(root);
    return NH_PLUGIN_ENOMEM;
  }
  *out = root;
  return 0;
}

int ts_fail(ts_b_t *b, nh_plugin_value_t *root, int line, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  if (root) b->h->value_free(root);
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return b->h->parse_error(b->p, line, "%s", msg);
}

int ts_only_blank(const char *text, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    if (!isspace((unsigned char)text[i])) return 0;
  }
  return 1;
}

int ts_scan_begin(ts_scan_t *s, const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                  size_t len) {
  int rc;
  s->b.h = h;
  s->b.p = p;
  s->b.oom = 0;
  s->root = NULL;
  if ((rc = ts_check_text(&s->b, text, len)) < 0) return rc;
  ts_lines_init(&s->it, text, len);
  return 0;
}

int ts_scan_list(ts_scan_t *s, const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                 size_t len, nh_plugin_value_t **out, int *rc) {
  if ((*rc = ts_scan_begin(s, h, p, text, len)) < 0) return 0;
  if (ts_only_blank(text, len)) {
    *rc = ts_finish(&s->b, ts_list(&s->b), out);
    return 0;
  }
  s->root = ts_list(&s->b);
  return 1;
}

int ts_scan_next(ts_scan_t *s) {
  return ts_next_line(&s->it, &s->l) && !s->b.oom;
}

int ts_check_text(ts_b_t *b, const char *text, size_t len) {
  size_t i, control = 0;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == 0) return ts_fail(b, NULL, 0, "binary data (a NUL byte at offset %zu)", i);
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != 0x1b && c != 0x08) || c == 0x7f)
      control++;
  }
  if (control > len / 100 + 2)
    return ts_fail(b, NULL, 0, "binary data (%zu control characters)", control);
  return 0;
}

static void patterns_free(void *ud) {
  ts_patterns_t *p = ud;
  size_t i;
  for (i = 0; i < p->n; i++) {
    ts_re_free(p->re[i]);
    p->re[i] = NULL;
  }
}

int ts_patterns_load(const nh_plugin_host_t *host, nh_plugin_t *self, ts_patterns_t *p) {
  size_t i;
  int rc;
  for (i = 0; i < p->n; i++) {
    if (!(p->re[i] = ts_re(p->source[i]))) {
      host->log(self, NH_PLUGIN_LOG_ERROR, "bad pattern %d: %s", (int)i, p->source[i]);
      patterns_free(p);
      return NH_PLUGIN_EINVAL;
    }
  }
  if ((rc = host->on_unload(self, patterns_free, p)) < 0) patterns_free(p);
  return rc;
}

int ts_register_parsers(const nh_plugin_host_t *host, nh_plugin_t *self, const char *platform,
                        const ts_parser_t *parsers, size_t n) {
  size_t i;
  int rc;
  for (i = 0; i < n; i++)
    if ((rc = host->register_parser(self, platform, parsers[i].command, parsers[i].fn, NULL)) < 0)
      return rc;
  return 0;
}

int ts_plugin_start(const nh_plugin_host_t *host, nh_plugin_t *self, ts_patterns_t *patterns,
                    const nh_plugin_platform_t *platform, const ts_facts_t *facts,
                    const ts_parser_t *parsers, size_t n) {
  int rc;
  if (patterns && (rc = ts_patterns_load(host, self, patterns)) < 0) return rc;
  if ((rc = host->register_platform(self, platform)) < 0) return rc;
  if (facts && (rc = ts_register_facts(host, self, platform->name, facts)) < 0) return rc;
  return ts_register_parsers(host, self, platform->name, parsers, n);
}
