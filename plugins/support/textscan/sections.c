/* Configuration text into a tree of sections, for the three config dialects. */
#include "textscan.h"

#include <string.h>

#define MAX_DEPTH 64

static nh_plugin_value_t *new_node(ts_b_t *b, const char *p, size_t len,
                                   nh_plugin_value_t **children) {
  nh_plugin_value_t *node = ts_map(b);
  ts_set_str(b, node, "line", p, len);
  *children = ts_list(b);
  if (*children && node) {
    /* map_set takes ownership; the pointer stays valid while the tree lives. */
    ts_set(b, node, "children", *children);
  } else if (*children) {
    b->h->value_free(*children);
    *children = NULL;
  }
  return node;
}

static int starts_with(const ts_line_t *l, size_t at, const char *s) {
  size_t n = strlen(s);
  return l->len - at >= n && memcmp(l->p + at, s, n) == 0;
}

/* IOS preamble lines that are not configuration. */
static int ios_noise(const ts_line_t *l, size_t at) {
  return starts_with(l, at, "Building configuration") ||
         starts_with(l, at, "Current configuration") ||
         starts_with(l, at, "Last configuration change") ||
         starts_with(l, at, "NVRAM config last updated") ||
         (l->len - at == 3 && starts_with(l, at, "end"));
}

static int parse_indent(ts_b_t *b, const char *text, size_t len, const char *comment,
                        nh_plugin_value_t *root) {
  nh_plugin_value_t *stack[MAX_DEPTH];
  size_t indents[MAX_DEPTH];
  int depth = 0;
  ts_lines_t it;
  ts_line_t l;
  stack[0] = root;
  indents[0] = 0;
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l)) {
    size_t ind = ts_indent(&l);
    nh_plugin_value_t *node, *children;
    const char *p;
    size_t n;
    if (ts_blank(&l)) continue;
    if (comment && starts_with(&l, ind, comment)) continue;
    if (ind == 0 && ios_noise(&l, 0)) continue;
    /* Close the sections this line is not inside of. */
    while (depth > 0 && ind <= indents[depth]) depth--;
    p = l.p + ind;
    n = l.len - ind;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    node = new_node(b, p, n, &children);
    ts_push(b, stack[depth], node);
    if (b->oom) return NH_PLUGIN_ENOMEM;
    /* A banner runs to the line holding its delimiter again, whatever the indentation. */
    if (n > 7 && starts_with(&l, ind, "banner ")) {
      const char *d = memchr(p + 7, ' ', n - 7);
      if (d && d + 1 < p + n) {
        size_t dlen = (size_t)(p + n - (d + 1));
        const char *delim = d + 1;
        if (dlen > 2) dlen = (delim[0] == '^' ? 2 : 1);
        /* The text may close on the banner line itself. */
        if (!memmem(delim + dlen, (size_t)(p + n - delim - dlen), delim, dlen)) {
          while (ts_next_line(&it, &l)) {
            nh_plugin_value_t *none;
            ts_push(b, children, new_node(b, l.p, l.len, &none));
            if (memmem(l.p, l.len, delim, dlen)) break;
          }
        }
      }
      continue;
    }
    if (depth + 1 < MAX_DEPTH) {
      depth++;
      stack[depth] = children;
      indents[depth] = ind;
    }
  }
  return b->oom ? NH_PLUGIN_ENOMEM : 0;
}

static int parse_braces(ts_b_t *b, const char *text, size_t len, nh_plugin_value_t *root) {
  nh_plugin_value_t *stack[MAX_DEPTH];
  int depth = 0, in_comment = 0, open_line[MAX_DEPTH];
  ts_lines_t it;
  ts_line_t l;
  stack[0] = root;
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l)) {
    const char *p = l.p;
    size_t n = l.len;
    nh_plugin_value_t *node, *children;
    while (n && (*p == ' ' || *p == '\t')) p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    if (in_comment) {
      if (memmem(p, n, "*/", 2)) in_comment = 0;
      continue;
    }
    if (!n || *p == '#') continue;
    if (n >= 2 && p[0] == '/' && p[1] == '*') {
      if (!memmem(p + 2, n - 2, "*/", 2)) in_comment = 1;
      continue;
    }
    if (n == 1 && *p == '}') {
      if (depth == 0) return ts_fail(b, NULL, l.no, "'}' without a matching '{'");
      depth--;
      continue;
    }
    if (p[n - 1] == '{') {
      size_t hn = n - 1;
      while (hn && p[hn - 1] == ' ') hn--;
      node = new_node(b, p, hn, &children);
      ts_push(b, stack[depth], node);
      if (b->oom) return NH_PLUGIN_ENOMEM;
      if (depth + 1 >= MAX_DEPTH) return ts_fail(b, NULL, l.no, "sections nested too deep");
      stack[++depth] = children;
      open_line[depth] = l.no;
      continue;
    }
    if (p[n - 1] == ';')
      n--;
    else {
      /* "foo; ## comment" keeps its statement, anything else is not Junos syntax. */
      const char *semi = memchr(p, ';', n);
      if (!semi) return ts_fail(b, NULL, l.no, "expected a statement ending in ';', '{' or '}'");
      n = (size_t)(semi - p);
    }
    node = new_node(b, p, n, &children);
    ts_push(b, stack[depth], node);
    if (b->oom) return NH_PLUGIN_ENOMEM;
  }
  if (depth > 0) return ts_fail(b, NULL, open_line[depth], "section opened here is never closed");
  return 0;
}

static int parse_set(ts_b_t *b, const char *text, size_t len, nh_plugin_value_t *root) {
  ts_lines_t it;
  ts_line_t l;
  ts_lines_init(&it, text, len);
  while (ts_next_line(&it, &l)) {
    nh_plugin_value_t *children;
    size_t ind = ts_indent(&l);
    if (ts_blank(&l) || l.p[ind] == '#') continue;
    if (!starts_with(&l, ind, "set ") && !starts_with(&l, ind, "deactivate ") &&
        !starts_with(&l, ind, "delete "))
      return ts_fail(b, NULL, l.no, "expected a 'set' line");
    ts_push(b, root, new_node(b, l.p + ind, l.len - ind, &children));
    if (b->oom) return NH_PLUGIN_ENOMEM;
  }
  return 0;
}

int ts_config_sections(ts_b_t *b, const char *text, size_t len, nh_plugin_config_dialect_t dialect,
                       const char *comment, nh_plugin_value_t **out) {
  nh_plugin_value_t *root;
  int rc;
  if ((rc = ts_check_text(b, text, len)) < 0) return rc;
  if (!(root = ts_list(b))) return NH_PLUGIN_ENOMEM;
  switch (dialect) {
  case NH_PLUGIN_DIALECT_BRACES:
    rc = parse_braces(b, text, len, root);
    break;
  case NH_PLUGIN_DIALECT_SET:
    rc = parse_set(b, text, len, root);
    break;
  default:
    rc = parse_indent(b, text, len, comment, root);
    break;
  }
  if (rc < 0) {
    b->h->value_free(root);
    return rc;
  }
  return ts_finish(b, root, out);
}
