#include "conf.h"

#include <stdlib.h>
#include <string.h>

conf_node_t *conf_new(const char *line) {
  conf_node_t *n = sim_calloc(1, sizeof *n);
  n->line = sim_strdup(line);
  return n;
}

void conf_free(conf_node_t *n) {
  if (!n) return;
  for (size_t i = 0; i < n->nkids; i++) conf_free(n->kids[i]);
  free(n->kids);
  free(n->line);
  free(n);
}

static void insert_at(conf_node_t *parent, size_t pos, conf_node_t *kid);

conf_node_t *conf_clone(const conf_node_t *n) {
  conf_node_t *c = conf_new(n->line);
  for (size_t i = 0; i < n->nkids; i++) insert_at(c, c->nkids, conf_clone(n->kids[i]));
  return c;
}

static void insert_at(conf_node_t *parent, size_t pos, conf_node_t *kid) {
  if (parent->nkids == parent->cap) {
    parent->cap = parent->cap ? parent->cap * 2 : 8;
    parent->kids = sim_realloc(parent->kids, parent->cap * sizeof *parent->kids);
  }
  memmove(parent->kids + pos + 1, parent->kids + pos, (parent->nkids - pos) * sizeof *parent->kids);
  parent->kids[pos] = kid;
  parent->nkids++;
}

conf_node_t *conf_append(conf_node_t *parent, const char *line) {
  conf_node_t *kid = conf_new(line ? line : "");
  insert_at(parent, parent->nkids, kid);
  return kid;
}

/* Compares `line` with the words of `prefix`, runs of blanks counting as one (IOS shows
 * "deny   ip any any" aligned but matches it typed with one space). Returns where the
 * match ends in `line`, or NULL. */
static const char *match_words(const char *line, const char *prefix) {
  while (*prefix) {
    if (*prefix == ' ') {
      if (*line != ' ') return NULL;
      while (*line == ' ') line++;
      while (*prefix == ' ') prefix++;
    } else if (*line++ != *prefix++) {
      return NULL;
    }
  }
  return line;
}

conf_node_t *conf_find(const conf_node_t *parent, const char *line) {
  for (size_t i = 0; i < parent->nkids; i++) {
    const char *e = match_words(parent->kids[i]->line, line);
    if (e && *e == '\0') return parent->kids[i];
  }
  return NULL;
}

int words_prefix(const char *line, const char *prefix) {
  const char *e = match_words(line, prefix);
  return e && (*e == '\0' || *e == ' ');
}

static size_t first_word_len(const char *s) {
  size_t n = strcspn(s, " ");
  return n;
}

/* Where a new top-level line goes: after the last line sharing its first keyword (and that
 * line's section), otherwise before the final "end". */
static size_t insert_pos(const conf_node_t *root, const char *line) {
  size_t w = first_word_len(line);
  size_t pos = (size_t)-1;
  for (size_t i = 0; i < root->nkids; i++) {
    const char *l = root->kids[i]->line;
    if (first_word_len(l) == w && strncmp(l, line, w) == 0) pos = i + 1;
  }
  if (pos != (size_t)-1) return pos;
  size_t end = root->nkids;
  while (end > 0 && (strcmp(root->kids[end - 1]->line, "end") == 0)) end--;
  return end;
}

conf_node_t *conf_section(conf_node_t *root, const char *header, int create) {
  conf_node_t *n = conf_find(root, header);
  if (n || !create) return n;
  n = conf_new(header);
  size_t pos = insert_pos(root, header);
  insert_at(root, pos, n);
  /* Sections are followed by a "!" separator, as IOS renders them. */
  if (!(pos + 1 < root->nkids && strcmp(root->kids[pos + 1]->line, "!") == 0))
    insert_at(root, pos + 1, conf_new("!"));
  return n;
}

static void remove_at(conf_node_t *parent, size_t i) {
  conf_free(parent->kids[i]);
  memmove(parent->kids + i, parent->kids + i + 1, (parent->nkids - i - 1) * sizeof *parent->kids);
  parent->nkids--;
}

/* Where a "seq N ..." entry goes: prefix lists are shown in sequence-number order, however
 * the entries were typed. */
static size_t seq_pos(const conf_node_t *parent, long seq) {
  size_t pos = parent->nkids;
  while (pos > 0 && strncmp(parent->kids[pos - 1]->line, "seq ", 4) == 0 &&
         strtol(parent->kids[pos - 1]->line + 4, NULL, 10) > seq)
    pos--;
  return pos;
}

void conf_set(conf_node_t *parent, const char *line, const char *const *single) {
  if (conf_find(parent, line)) return;
  for (const char *const *k = single; k && *k; k++) {
    if (!words_prefix(line, *k)) continue;
    for (size_t i = 0; i < parent->nkids; i++) {
      if (words_prefix(parent->kids[i]->line, *k)) {
        free(parent->kids[i]->line);
        parent->kids[i]->line = sim_strdup(line);
        return;
      }
    }
    break;
  }
  /* Top-level lines are grouped by keyword; lines inside a section are appended. */
  int top = parent->nkids > 0 && strcmp(parent->kids[parent->nkids - 1]->line, "end") == 0;
  if (top)
    insert_at(parent, insert_pos(parent, line), conf_new(line));
  else if (strncmp(line, "seq ", 4) == 0)
    insert_at(parent, seq_pos(parent, strtol(line + 4, NULL, 10)), conf_new(line));
  else
    conf_append(parent, line);
}

int conf_unset(conf_node_t *parent, const char *what) {
  int removed = 0;
  for (size_t i = 0; i < parent->nkids;) {
    if (words_prefix(parent->kids[i]->line, what)) {
      remove_at(parent, i);
      removed++;
    } else {
      i++;
    }
  }
  return removed;
}

int conf_remove(conf_node_t *parent, const char *line) {
  for (size_t i = 0; i < parent->nkids; i++) {
    if (strcmp(parent->kids[i]->line, line) == 0) {
      remove_at(parent, i);
      if (i < parent->nkids && strcmp(parent->kids[i]->line, "!") == 0 && i > 0 &&
          strcmp(parent->kids[i - 1]->line, "!") == 0)
        remove_at(parent, i);
      return 1;
    }
  }
  return 0;
}

void conf_render_node(const conf_node_t *n, sbuf_t *out, int indent, int depth) {
  for (int i = 0; i < indent * depth; i++) sb_putc(out, ' ');
  sb_puts(out, n->line);
  sb_putc(out, '\n');
  for (size_t i = 0; i < n->nkids; i++) conf_render_node(n->kids[i], out, indent, depth + 1);
}

void conf_render(const conf_node_t *root, sbuf_t *out, int indent) {
  for (size_t i = 0; i < root->nkids; i++) conf_render_node(root->kids[i], out, indent, 0);
}

size_t conf_count(const conf_node_t *n) {
  size_t c = n->nkids;
  for (size_t i = 0; i < n->nkids; i++) c += conf_count(n->kids[i]);
  return c;
}

conf_node_t *conf_parse(const char *text) {
  conf_node_t *root = conf_new("");
  conf_node_t *stack[16] = {root};
  int widths[16] = {-1};
  int depth = 0;
  const char *p = text;
  while (*p) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    int ind = 0;
    while ((size_t)ind < len && p[ind] == ' ') ind++;
    char *line = sim_calloc(1, len - (size_t)ind + 1);
    memcpy(line, p + ind, len - (size_t)ind);
    if (len > 0 && line[len - ind - 1] == '\r') line[len - ind - 1] = '\0';
    while (depth > 0 && ind <= widths[depth]) depth--;
    conf_node_t *n = conf_append(stack[depth], line);
    free(line);
    if (depth < 15) {
      stack[depth + 1] = n;
      widths[depth + 1] = ind;
      depth++;
    }
    p = e ? e + 1 : p + len;
  }
  return root;
}
