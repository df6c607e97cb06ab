/* nethost core: how inventory readers report errors — "file:line:column: message" for a
 * node, suggestions for misspelt names, duplicate keys. The bottom layer of the inventory:
 * it knows the loader context (nh__ld_t) and nothing else. */
#include "error.h"
#include "inventory_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int vfail_at(nh__ld_t *ld, const char *file, int line, int column, const char *fmt,
                    va_list ap) {
  int n;
  if (!ld->err || !ld->errlen) return NH_ESYNTAX;
  if (line > 0)
    n = snprintf(ld->err, ld->errlen, "%s:%d:%d: ", file, line, column);
  else
    n = snprintf(ld->err, ld->errlen, "%s: ", file);
  if (n < 0 || (size_t)n >= ld->errlen) return NH_ESYNTAX;
  vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
  return NH_ESYNTAX;
}

int nh__inv_fail(nh__ld_t *ld, const nh_ynode_t *node, const char *fmt, ...) {
  va_list ap;
  const char *file = ld->doc ? nh_ydoc_file(ld->doc) : ld->inv->path;
  va_start(ap, fmt);
  /* A node's line is at least 1, so line 0 names the file alone as before. */
  vfail_at(ld, file, node ? node->line : 0, node ? node->column : 0, fmt, ap);
  va_end(ap);
  return NH_ESYNTAX;
}

int nh__inv_fail_at(nh__ld_t *ld, const char *file, int line, int column, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail_at(ld, file ? file : ld->inv->path, line, column, fmt, ap);
  va_end(ap);
  return NH_ESYNTAX;
}

static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), i, j;
  size_t row[64];
  if (la >= 63 || lb >= 63) return 99;
  for (j = 0; j <= lb; j++) row[j] = j;
  for (i = 1; i <= la; i++) {
    size_t prev = row[0], cur;
    row[0] = i;
    for (j = 1; j <= lb; j++) {
      cur = row[j];
      row[j] = a[i - 1] == b[j - 1]
                   ? prev
                   : 1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1])
                                        : (row[j] < row[j - 1] ? row[j] : row[j - 1]));
      prev = cur;
    }
  }
  return row[lb];
}

void nh__inv_suggest(const char *word, const char *const *words, char *buf, size_t len) {
  const char *best = NULL;
  size_t best_d = 99, d;
  buf[0] = '\0';
  for (; *words; words++) {
    d = edit_distance(word, *words);
    if (d < best_d) best_d = d, best = *words;
  }
  if (best && best_d <= (strlen(word) > 5 ? 2u : 1u))
    snprintf(buf, len, " (did you mean '%s'?)", best);
}

int nh__inv_check_dups(nh__ld_t *ld, nh_ynode_t *const *keys, int n, const char *what) {
  int i, j;
  /* Field maps are small; the quadratic scan is cheaper than a table. */
  if (n > 256) return 0;
  for (i = 1; i < n; i++) {
    if (keys[i]->type != NH_YNODE_SCALAR) continue;
    for (j = 0; j < i; j++)
      if (keys[j]->type == NH_YNODE_SCALAR && keys[i]->u.scalar.len == keys[j]->u.scalar.len &&
          memcmp(keys[i]->u.scalar.text, keys[j]->u.scalar.text, keys[i]->u.scalar.len) == 0)
        return nh__inv_fail(ld, keys[i], "%s: key '%s' given twice (first at line %d)", what,
                            keys[i]->u.scalar.text, keys[j]->line);
  }
  return 0;
}

int nh__inv_map_pairs(nh__ld_t *ld, const nh_ynode_t *node, const char *what, const char *expected,
                      nh_ynode_t ***keys, nh_ynode_t ***vals) {
  if (nh_ynode_is_null(node)) return 0;
  if (node->type != NH_YNODE_MAP) {
    if (!what)
      return nh__inv_fail(ld, node, "expected %s, found %s", expected, nh_ynode_kind(node));
    return nh__inv_fail(ld, node, "%s: expected %s, found %s", what, expected, nh_ynode_kind(node));
  }
  return nh_ynode_map_pairs(ld->doc, node, keys, vals, ld->err, ld->errlen);
}
