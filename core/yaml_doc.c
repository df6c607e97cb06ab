/* nethost core: YAML documents as trees of nodes that remember where they were written. */
#include "yaml_doc.h"

#include "error.h"
#include "file_read.h"
#include "grow.h"
#include "text_check.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Deeper nesting than this is refused: the converters recurse, and no inventory needs it. */
#define MAX_DEPTH 256
/* Alias expansion ("billion laughs") is refused beyond this many values more than the
 * document's own nodes in one conversion, and beyond MAX_CONVERTED_TOTAL in all conversions
 * of one document together (the same alias used by many hosts). Fuzzing builds keep them
 * small so every input runs fast. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define MAX_EXPANDED_NODES  50000
#define MAX_CONVERTED_TOTAL 200000
#else
#define MAX_EXPANDED_NODES  1000000
#define MAX_CONVERTED_TOTAL 8000000
#endif

/* ---- arena ---------------------------------------------------------------------------- */

typedef struct chunk_s {
  struct chunk_s *next;
  size_t used, size;
  max_align_t data[];
} chunk_t;

struct nh_ydoc_s {
  size_t converted; /* values nh_ydoc_to_value made from this document so far */
  size_t nnodes;    /* nodes parsed: a document without aliases expands to no more */
  chunk_t *chunks;
  nh_ynode_t *root;
  char *file;
};

static void *arena_alloc(nh_ydoc_t *doc, size_t n) {
  chunk_t *c = doc->chunks;
  n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
  if (!c || c->size - c->used < n) {
    /* Large enough for malloc to map it apart, so freeing a document returns it to the system. */
    size_t size = n > 262144 ? n : 262144;
    if (!(c = malloc(sizeof(*c) + size))) return NULL;
    c->used = 0;
    c->size = size;
    c->next = doc->chunks;
    doc->chunks = c;
  }
  c->used += n;
  return (char *)c->data + c->used - n;
}

void *nh_ydoc_alloc(nh_ydoc_t *doc, size_t n) {
  void *p = arena_alloc(doc, n ? n : 1);
  if (p) memset(p, 0, n);
  return p;
}

nh_ydoc_t *nh_ydoc_new(const char *file) {
  nh_ydoc_t *doc = calloc(1, sizeof(*doc));
  if (!doc) return NULL;
  if (!(doc->file = strdup(file ? file : "<string>"))) {
    free(doc);
    return NULL;
  }
  return doc;
}

char *nh_ydoc_strdup(nh_ydoc_t *doc, const char *s, size_t len) {
  char *p = arena_alloc(doc, len + 1);
  if (!p) return NULL;
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

void nh_ydoc_free(nh_ydoc_t *doc) {
  chunk_t *c, *next;
  if (!doc) return;
  for (c = doc->chunks; c; c = next) {
    next = c->next;
    free(c);
  }
  free(doc->file);
  free(doc);
}

nh_ynode_t *nh_ydoc_root(const nh_ydoc_t *doc) {
  return doc->root;
}

const char *nh_ydoc_file(const nh_ydoc_t *doc) {
  return doc->file;
}

/* ---- building ------------------------------------------------------------------------- */

typedef struct {
  const char *name;
  nh_ynode_t *node;
} anchor_t;

typedef struct {
  nh_ydoc_t *doc;
  nh_ynode_t **stack; /* items of the open containers, one after the other */
  size_t top, cap;
  struct {
    nh_ynode_t *node;
    size_t start;
    const char *anchor;
  } open[MAX_DEPTH];
  int depth;
  anchor_t *anchors;
  size_t nanchors, anchors_cap;
  char *err;
  size_t errlen;
} builder_t;

static int fail(char *err, size_t errlen, const char *file, int line, int col, const char *fmt,
                ...) {
  va_list ap;
  int n = 0;
  if (!err || !errlen) return NH_ESYNTAX;
  if (line > 0)
    n = snprintf(err, errlen, "%s:%d:%d: ", file, line, col);
  else
    n = snprintf(err, errlen, "%s: ", file);
  if (n < 0 || (size_t)n >= errlen) return NH_ESYNTAX;
  va_start(ap, fmt);
  vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return NH_ESYNTAX;
}

static int push_item(builder_t *b, nh_ynode_t *node) {
  if (nh_grow((void **)&b->stack, &b->cap, b->top + 1, sizeof(*b->stack), 256) < 0)
    return NH_ENOMEM;
  b->stack[b->top++] = node;
  return 0;
}

static int add_anchor(builder_t *b, const char *name, nh_ynode_t *node) {
  if (!name) return 0;
  if (nh_grow((void **)&b->anchors, &b->anchors_cap, b->nanchors + 1, sizeof(*b->anchors), 16) < 0)
    return NH_ENOMEM;
  b->anchors[b->nanchors].name = name;
  b->anchors[b->nanchors++].node = node;
  return 0;
}

static nh_ynode_t *find_anchor(builder_t *b, const char *name) {
  size_t i;
  /* The latest definition of a name wins, as YAML says. */
  for (i = b->nanchors; i > 0; i--)
    if (strcmp(b->anchors[i - 1].name, name) == 0) return b->anchors[i - 1].node;
  return NULL;
}

static nh_ynode_t *new_node(builder_t *b, nh_ynode_type_t type, yaml_mark_t mark,
                            const yaml_char_t *tag) {
  nh_ynode_t *n = arena_alloc(b->doc, sizeof(*n));
  if (!n) return NULL;
  b->doc->nnodes++;
  memset(n, 0, sizeof(*n));
  n->type = type;
  n->line = (int)mark.line + 1;
  n->column = (int)mark.column + 1;
  if (tag && !(n->tag = nh_ydoc_strdup(b->doc, (const char *)tag, strlen((const char *)tag))))
    return NULL;
  return n;
}

static const char *copy_anchor(builder_t *b, const yaml_char_t *anchor) {
  if (!anchor) return NULL;
  return nh_ydoc_strdup(b->doc, (const char *)anchor, strlen((const char *)anchor));
}

/* A scalar with a NUL character in it (a "\0", "\x00" or "\u0000" escape) is refused:
 * every C string made of it (an address, a password sent to a device) would end at the NUL,
 * silently. The message names the field the scalar is the value of, never the value. */
static int refuse_nul(builder_t *b, const yaml_event_t *ev) {
  const char *file = b->doc->file;
  int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
  const char *tail = "holds a NUL character (a \\0 escape), which would cut it short";
  if (b->depth > 0 && b->open[b->depth - 1].node->type == NH_YNODE_MAP) {
    size_t count = b->top - b->open[b->depth - 1].start;
    const nh_ynode_t *key = count % 2 ? b->stack[b->top - 1] : NULL;
    if (!key) return fail(b->err, b->errlen, file, line, col, "a key %s", tail);
    if (key->type == NH_YNODE_SCALAR)
      return fail(b->err, b->errlen, file, line, col, "the value of '%.*s' %s",
                  (int)(key->u.scalar.len > 80 ? 80 : key->u.scalar.len), key->u.scalar.text, tail);
  }
  if (b->depth > 0 && b->open[b->depth - 1].node->type == NH_YNODE_SEQ)
    return fail(b->err, b->errlen, file, line, col, "an item of the list that began at line %d %s",
                b->open[b->depth - 1].node->line, tail);
  return fail(b->err, b->errlen, file, line, col, "a value %s", tail);
}

/* Handles one event; returns 1 at the end of the first document, 0 to go on, or < 0. */
static int on_event(builder_t *b, yaml_event_t *ev) {
  const char *file = b->doc->file;
  nh_ynode_t *n;
  int rc;
  switch (ev->type) {
  case YAML_STREAM_START_EVENT:
  case YAML_DOCUMENT_START_EVENT:
  case YAML_STREAM_END_EVENT:
  case YAML_NO_EVENT:
    return 0;
  case YAML_DOCUMENT_END_EVENT:
    return 1;
  case YAML_ALIAS_EVENT:
    n = find_anchor(b, (const char *)ev->data.alias.anchor);
    if (!n)
      return fail(b->err, b->errlen, file, (int)ev->start_mark.line + 1,
                  (int)ev->start_mark.column + 1, "unknown anchor '*%s'",
                  (const char *)ev->data.alias.anchor);
    return push_item(b, n);
  case YAML_SCALAR_EVENT: {
    const char *anchor;
    if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) return refuse_nul(b, ev);
    if (!(n = new_node(b, NH_YNODE_SCALAR, ev->start_mark, ev->data.scalar.tag))) return NH_ENOMEM;
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
    if (!(n->u.scalar.text =
              nh_ydoc_strdup(b->doc, (const char *)ev->data.scalar.value, ev->data.scalar.length)))
      return NH_ENOMEM;
    n->u.scalar.len = ev->data.scalar.length;
    anchor = copy_anchor(b, ev->data.scalar.anchor);
    if (ev->data.scalar.anchor && !anchor) return NH_ENOMEM;
    if ((rc = add_anchor(b, anchor, n)) < 0) return rc;
    return push_item(b, n);
  }
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    int is_seq = ev->type == YAML_SEQUENCE_START_EVENT;
    const yaml_char_t *tag = is_seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag;
    const yaml_char_t *anchor =
        is_seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
    if (b->depth == MAX_DEPTH)
      return fail(b->err, b->errlen, file, (int)ev->start_mark.line + 1,
                  (int)ev->start_mark.column + 1, "nesting deeper than %d levels", MAX_DEPTH);
    if (!(n = new_node(b, is_seq ? NH_YNODE_SEQ : NH_YNODE_MAP, ev->start_mark, tag)))
      return NH_ENOMEM;
    b->open[b->depth].node = n;
    b->open[b->depth].start = b->top;
    b->open[b->depth].anchor = copy_anchor(b, anchor);
    if (anchor && !b->open[b->depth].anchor) return NH_ENOMEM;
    b->depth++;
    return 0;
  }
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT: {
    size_t start, count, i;
    b->depth--;
    n = b->open[b->depth].node;
    start = b->open[b->depth].start;
    count = b->top - start;
    if (n->type == NH_YNODE_SEQ) {
      n->u.seq.len = count;
      if (count && !(n->u.seq.items = arena_alloc(b->doc, count * sizeof(nh_ynode_t *))))
        return NH_ENOMEM;
      if (count) memcpy(n->u.seq.items, b->stack + start, count * sizeof(nh_ynode_t *));
    } else {
      size_t pairs = count / 2;
      n->u.map.len = pairs;
      if (pairs) {
        n->u.map.keys = arena_alloc(b->doc, pairs * sizeof(nh_ynode_t *));
        n->u.map.vals = arena_alloc(b->doc, pairs * sizeof(nh_ynode_t *));
        if (!n->u.map.keys || !n->u.map.vals) return NH_ENOMEM;
        for (i = 0; i < pairs; i++) {
          n->u.map.keys[i] = b->stack[start + 2 * i];
          n->u.map.vals[i] = b->stack[start + 2 * i + 1];
        }
      }
    }
    b->top = start;
    /* Registered only now, so an alias inside its own anchor is "unknown", never a cycle. */
    if ((rc = add_anchor(b, b->open[b->depth].anchor, n)) < 0) return rc;
    return push_item(b, n);
  }
  }
  return 0;
}

static int parser_error(yaml_parser_t *p, const char *text, size_t len, const char *file, char *err,
                        size_t errlen) {
  const char *problem = p->problem ? p->problem : "invalid YAML";
  /* The most common YAML mistake deserves its own words. */
  const char *hint = p->problem_mark.index < len && text[p->problem_mark.index] == '\t'
                         ? " (a tab: YAML indents with spaces)"
                         : "";
  if (p->error == YAML_MEMORY_ERROR) return NH_ENOMEM;
  if (p->error == YAML_READER_ERROR) {
    /* The reader decodes input ahead of the parser and leaves problem_mark at the start;
     * problem_offset is the byte it refused, so its line and column come from the text. */
    int line, col;
    size_t at = p->problem_offset;
    nh_text_position(text, len, at, &line, &col);
    if (at < len && text[at] == '\0')
      return fail(err, errlen, file, line, col, "a NUL byte (a YAML file is text and holds none)");
    if (at < len && strstr(problem, "UTF-"))
      return fail(err, errlen, file, line, col, "a byte that is not UTF-8 (0x%02X: %s)",
                  (unsigned)(unsigned char)text[at], problem);
    if (p->problem_value >= 0)
      return fail(err, errlen, file, line, col, "%s (U+%04X)", problem, (unsigned)p->problem_value);
    return fail(err, errlen, file, line, col, "%s", problem);
  }
  if (p->context)
    return fail(err, errlen, file, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1,
                "%s %s that began at line %d%s", problem, p->context, (int)p->context_mark.line + 1,
                hint);
  return fail(err, errlen, file, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1,
              "%s%s", problem, hint);
}

int nh_ydoc_parse(const char *text, size_t len, const char *file, nh_ydoc_t **out, char *err,
                  size_t errlen) {
  yaml_parser_t parser;
  yaml_event_t ev;
  builder_t b;
  int rc = 0, done = 0;
  *out = NULL;
  if (err && errlen) err[0] = '\0';
  memset(&b, 0, sizeof(b));
  b.err = err;
  b.errlen = errlen;
  if (!(b.doc = calloc(1, sizeof(*b.doc))) || !(b.doc->file = strdup(file ? file : "<string>"))) {
    nh_ydoc_free(b.doc);
    return NH_ENOMEM;
  }
  if (!yaml_parser_initialize(&parser)) {
    nh_ydoc_free(b.doc);
    return NH_ENOMEM;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  while (!done) {
    if (!yaml_parser_parse(&parser, &ev)) {
      rc = parser_error(&parser, text, len, b.doc->file, err, errlen);
      break;
    }
    if (ev.type == YAML_STREAM_END_EVENT) done = 1;
    rc = done ? 0 : on_event(&b, &ev);
    if (rc == 1) {
      /* The first document ended: anything but the end of the stream is a second one. */
      yaml_event_delete(&ev);
      b.doc->root = b.top ? b.stack[0] : NULL;
      if (!yaml_parser_parse(&parser, &ev)) {
        rc = parser_error(&parser, text, len, b.doc->file, err, errlen);
        break;
      }
      if (ev.type != YAML_STREAM_END_EVENT)
        rc = fail(err, errlen, b.doc->file, (int)ev.start_mark.line + 1,
                  (int)ev.start_mark.column + 1, "expected one YAML document, found a second one");
      else
        rc = 0;
      done = 1;
    }
    yaml_event_delete(&ev);
    if (rc < 0) break;
  }
  yaml_parser_delete(&parser);
  free(b.stack);
  free(b.anchors);
  if (rc < 0) {
    nh_ydoc_free(b.doc);
    return rc;
  }
  *out = b.doc;
  return 0;
}

int nh_ydoc_load(const char *path, nh_ydoc_t **out, char *err, size_t errlen) {
  char *buf;
  size_t len;
  int rc;
  *out = NULL;
  if ((rc = nh_file_read(path, &buf, &len, err, errlen)) < 0) return rc;
  rc = nh_ydoc_parse(buf, len, path, out, err, errlen);
  free(buf);
  return rc;
}

/* ---- reading -------------------------------------------------------------------------- */

struct nh_ynode_memo_s {
  nh_ynode_t **merged_keys, **merged_vals; /* a map's pairs with merge keys applied */
  size_t merged_len;
  int merged_done;
  size_t expanded; /* values it stands for with aliases expanded (0: not counted yet) */
};

static struct nh_ynode_memo_s *memo(nh_ydoc_t *doc, const nh_ynode_t *cn) {
  nh_ynode_t *n = (nh_ynode_t *)cn;
  if (!n->memo) n->memo = nh_ydoc_alloc(doc, sizeof(*n->memo));
  return n->memo;
}

static int is_merge_key(const nh_ynode_t *k) {
  return k->type == NH_YNODE_SCALAR && ((k->plain && strcmp(k->u.scalar.text, "<<") == 0) ||
                                        (k->tag && strcmp(k->tag, "tag:yaml.org,2002:merge") == 0));
}

static int same_key(const nh_ynode_t *a, const nh_ynode_t *b) {
  if (a->type != NH_YNODE_SCALAR || b->type != NH_YNODE_SCALAR) return a == b;
  return a->u.scalar.len == b->u.scalar.len &&
         memcmp(a->u.scalar.text, b->u.scalar.text, a->u.scalar.len) == 0;
}

/* Sets key to val in the n pairs of keys/vals: a key already there keeps its position and
 * takes val, a new one is appended. Returns the new number of pairs. */
static size_t put_pair(nh_ynode_t **keys, nh_ynode_t **vals, size_t n, nh_ynode_t *key,
                       nh_ynode_t *val) {
  size_t i;
  for (i = 0; i < n; i++)
    if (same_key(keys[i], key)) {
      vals[i] = val;
      return n;
    }
  keys[n] = key;
  vals[n] = val;
  return n + 1;
}

/* The effective pairs are computed once per map and remembered in the node, so a chain of
 * maps merging each other many times over stays linear. */
static int map_pairs_depth(nh_ydoc_t *doc, const nh_ynode_t *cmap, int depth, char *err,
                           size_t errlen) {
  struct nh_ynode_memo_s *mm = memo(doc, cmap);
  const nh_ynode_t *map = cmap;
  size_t i, j, n = 0, cap;
  nh_ynode_t **k, **v;
  int merges = 0, rc;
  if (!mm) return NH_ENOMEM;
  if (mm->merged_done) return 0;
  for (i = 0; i < map->u.map.len; i++) merges += is_merge_key(map->u.map.keys[i]);
  if (!merges) {
    mm->merged_keys = map->u.map.keys;
    mm->merged_vals = map->u.map.vals;
    mm->merged_len = map->u.map.len;
    mm->merged_done = 1;
    return 0;
  }
  if (depth > MAX_DEPTH)
    return fail(err, errlen, doc->file, map->line, map->column, "merge keys nested too deeply");
  /* Resolve every source first; the result holds at most their pairs plus our own. */
  cap = map->u.map.len;
  for (i = 0; i < map->u.map.len; i++) {
    const nh_ynode_t *src = map->u.map.vals[i];
    size_t nsrc = 1;
    const nh_ynode_t *const *items = &src;
    if (!is_merge_key(map->u.map.keys[i])) continue;
    if (src->type == NH_YNODE_SEQ) {
      nsrc = src->u.seq.len;
      items = (const nh_ynode_t *const *)src->u.seq.items;
    }
    for (j = 0; j < nsrc; j++) {
      if (items[j]->type != NH_YNODE_MAP)
        return fail(err, errlen, doc->file, items[j]->line, items[j]->column,
                    "expected a map (or a list of maps) after '<<', found %s",
                    nh_ynode_kind(items[j]));
      if ((rc = map_pairs_depth(doc, items[j], depth + 1, err, errlen)) < 0) return rc;
      cap += items[j]->memo->merged_len;
    }
  }
  k = arena_alloc(doc, (cap + 1) * sizeof(*k));
  v = arena_alloc(doc, (cap + 1) * sizeof(*v));
  if (!k || !v) return NH_ENOMEM;
  /* The order PyYAML (Ansible's loader) gives, so templates iterate as python3-jinja2
   * does: the merge sources' pairs (the last source of a list first), then the map's own;
   * a key keeps its first position and takes its last value, so the map's own keys and
   * earlier sources win. */
  for (i = 0; i < map->u.map.len; i++) {
    const nh_ynode_t *src = map->u.map.vals[i];
    size_t nsrc = 1, m;
    const nh_ynode_t *const *items = &src;
    if (!is_merge_key(map->u.map.keys[i])) continue;
    if (src->type == NH_YNODE_SEQ) {
      nsrc = src->u.seq.len;
      items = (const nh_ynode_t *const *)src->u.seq.items;
    }
    for (j = nsrc; j-- > 0;)
      for (m = 0; m < items[j]->memo->merged_len; m++)
        n = put_pair(k, v, n, items[j]->memo->merged_keys[m], items[j]->memo->merged_vals[m]);
  }
  for (i = 0; i < map->u.map.len; i++)
    if (!is_merge_key(map->u.map.keys[i]))
      n = put_pair(k, v, n, map->u.map.keys[i], map->u.map.vals[i]);
  mm->merged_keys = k;
  mm->merged_vals = v;
  mm->merged_len = n;
  mm->merged_done = 1;
  return 0;
}

int nh_ynode_map_pairs(nh_ydoc_t *doc, const nh_ynode_t *map, nh_ynode_t ***keys,
                       nh_ynode_t ***vals, char *err, size_t errlen) {
  int rc = map_pairs_depth(doc, map, 0, err, errlen);
  if (rc < 0) return rc;
  *keys = map->memo->merged_keys;
  *vals = map->memo->merged_vals;
  return (int)map->memo->merged_len;
}

static int scalar_is(const nh_ynode_t *n, const char *const *words) {
  for (; *words; words++)
    if (strcmp(n->u.scalar.text, *words) == 0) return 1;
  return 0;
}

static const char *const null_words[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const true_words[] = {"true", "True", "TRUE", "yes", "Yes",
                                         "YES",  "on",   "On",   "ON",  NULL};
static const char *const false_words[] = {"false", "False", "FALSE", "no",  "No",
                                          "NO",    "off",   "Off",   "OFF", NULL};

static int tag_is(const nh_ynode_t *n, const char *short_name) {
  static const char prefix[] = "tag:yaml.org,2002:";
  if (!n->tag) return 0;
  if (strncmp(n->tag, prefix, sizeof(prefix) - 1) == 0)
    return strcmp(n->tag + sizeof(prefix) - 1, short_name) == 0;
  return n->tag[0] == '!' && n->tag[1] == '!' && strcmp(n->tag + 2, short_name) == 0;
}

int nh_ynode_is_null(const nh_ynode_t *n) {
  if (!n) return 1;
  if (n->type != NH_YNODE_SCALAR) return 0;
  if (tag_is(n, "null")) return 1;
  return n->plain && scalar_is(n, null_words);
}

/* Parses an integer in YAML's forms (decimal, 0x, 0o, with an optional sign). */
static int parse_int(const char *s, int64_t *out) {
  const char *p = s;
  int neg = 0, base = 10;
  uint64_t v = 0;
  if (*p == '+' || *p == '-') neg = *p++ == '-';
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    base = 16, p += 2;
  else if (p[0] == '0' && p[1] == 'o')
    base = 8, p += 2;
  if (!*p) return 0;
  for (; *p; p++) {
    int d;
    if (*p >= '0' && *p <= '9')
      d = *p - '0';
    else if (base == 16 && *p >= 'a' && *p <= 'f')
      d = *p - 'a' + 10;
    else if (base == 16 && *p >= 'A' && *p <= 'F')
      d = *p - 'A' + 10;
    else if (*p == '_')
      continue;
    else
      return 0;
    if (d >= base) return 0;
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) return 0;
    v = v * (uint64_t)base + (uint64_t)d;
  }
  if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return 0;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 1;
}

static int parse_float(const char *s, double *out) {
  const char *p = s;
  char *end;
  int digits = 0;
  if (*p == '+' || *p == '-') p++;
  if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0) {
    *out = s[0] == '-' ? -INFINITY : INFINITY;
    return 1;
  }
  if (p == s && (strcmp(p, ".nan") == 0 || strcmp(p, ".NaN") == 0 || strcmp(p, ".NAN") == 0)) {
    *out = NAN;
    return 1;
  }
  /* Only [-+]digits[.digits][e[-+]digits]: strtod alone would also take "0x1p3" or "inf". */
  while (*p >= '0' && *p <= '9') p++, digits++;
  if (*p == '.') {
    p++;
    while (*p >= '0' && *p <= '9') p++, digits++;
  }
  if (!digits) return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (!(*p >= '0' && *p <= '9')) return 0;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (*p) return 0;
  *out = strtod(s, &end);
  return *end == '\0';
}

nh_value_t *nh_ynode_scalar_value(const nh_ynode_t *n) {
  const char *s = n->u.scalar.text;
  int64_t i;
  double d;
  if (n->tag && !tag_is(n, "str")) {
    if (tag_is(n, "null")) return nh_value_null();
    if (tag_is(n, "bool") && scalar_is(n, true_words)) return nh_value_bool(1);
    if (tag_is(n, "bool") && scalar_is(n, false_words)) return nh_value_bool(0);
    if (tag_is(n, "int") && parse_int(s, &i)) return nh_value_int(i);
    if (tag_is(n, "float") && parse_float(s, &d)) return nh_value_float(d);
  }
  if (!n->plain) return nh_value_string(s, n->u.scalar.len);
  if (scalar_is(n, null_words)) return nh_value_null();
  if (scalar_is(n, true_words)) return nh_value_bool(1);
  if (scalar_is(n, false_words)) return nh_value_bool(0);
  if (parse_int(s, &i)) return nh_value_int(i);
  if (parse_float(s, &d)) return nh_value_float(d);
  return nh_value_string(s, n->u.scalar.len);
}

const char *nh_ynode_kind(const nh_ynode_t *n) {
  if (!n || nh_ynode_is_null(n)) return "nothing (null)";
  if (n->type == NH_YNODE_MAP) return "a map";
  if (n->type == NH_YNODE_SEQ) return "a list";
  if (n->plain) {
    int64_t i;
    double d;
    if (scalar_is(n, true_words) || scalar_is(n, false_words)) return "a boolean";
    if (parse_int(n->u.scalar.text, &i)) return "an integer";
    if (parse_float(n->u.scalar.text, &d)) return "a number";
  }
  return "a string";
}

/* How many values one conversion may make: a document without aliases expands to no more
 * than its nodes; aliases may add a bounded amount. */
static size_t expand_limit(const nh_ydoc_t *doc) {
  return MAX_EXPANDED_NODES + 2 * doc->nnodes;
}

typedef struct {
  nh_ydoc_t *doc;
  size_t nodes;
  char *err;
  size_t errlen;
} convert_t;

static int convert(convert_t *c, const nh_ynode_t *n, int depth, nh_value_t **out) {
  nh_value_t *v = NULL;
  size_t i;
  int rc;
  *out = NULL;
  if (++c->nodes > expand_limit(c->doc) || depth > MAX_DEPTH)
    return fail(c->err, c->errlen, c->doc->file, n->line, n->column,
                "the document expands to too many or too deeply nested values (aliases?)");
  switch (n->type) {
  case NH_YNODE_SCALAR:
    v = nh_ynode_scalar_value(n);
    break;
  case NH_YNODE_SEQ:
    if (!(v = nh_value_list())) return NH_ENOMEM;
    for (i = 0; i < n->u.seq.len; i++) {
      nh_value_t *item;
      if ((rc = convert(c, n->u.seq.items[i], depth + 1, &item)) < 0) goto fail;
      if ((rc = nh_value_list_push(v, item)) < 0) goto fail;
    }
    break;
  case NH_YNODE_MAP: {
    nh_ynode_t **keys, **vals;
    int m;
    if ((m = nh_ynode_map_pairs(c->doc, n, &keys, &vals, c->err, c->errlen)) < 0) return m;
    if (!(v = nh_value_map())) return NH_ENOMEM;
    for (i = 0; i < (size_t)m; i++) {
      nh_value_t *item;
      if (keys[i]->type != NH_YNODE_SCALAR) {
        rc = fail(c->err, c->errlen, c->doc->file, keys[i]->line, keys[i]->column,
                  "expected a scalar as map key, found %s", nh_ynode_kind(keys[i]));
        goto fail;
      }
      if ((rc = convert(c, vals[i], depth + 1, &item)) < 0) goto fail;
      if ((rc = nh_value_map_set(v, keys[i]->u.scalar.text, item)) < 0) goto fail;
    }
    break;
  }
  }
  if (!v) return NH_ENOMEM;
  *out = v;
  return 0;
fail:
  nh_value_free(v);
  return rc;
}

/* Counts the values node expands to (aliases counted each time they are used), once per node
 * thanks to the DAG, saturating above the limit: an alias bomb is refused before anything
 * is allocated for it. */
static size_t expanded_size(nh_ydoc_t *doc, const nh_ynode_t *cn, int depth) {
  const nh_ynode_t *n = cn;
  struct nh_ynode_memo_s *mm;
  size_t i, total = 1;
  if (n->type == NH_YNODE_SCALAR) return 1;
  if (!(mm = memo(doc, n))) return expand_limit(doc) + 1; /* out of memory: refuse */
  if (mm->expanded) return mm->expanded;
  if (depth > MAX_DEPTH) return expand_limit(doc) + 1;
  if (n->type == NH_YNODE_SEQ) {
    for (i = 0; i < n->u.seq.len && total <= expand_limit(doc); i++)
      total += expanded_size(doc, n->u.seq.items[i], depth + 1);
  } else if (n->type == NH_YNODE_MAP) {
    nh_ynode_t **keys, **vals;
    int m = nh_ynode_map_pairs(doc, n, &keys, &vals, NULL, 0);
    for (i = 0; m > 0 && i < (size_t)m && total <= expand_limit(doc); i++)
      total += expanded_size(doc, vals[i], depth + 1);
  }
  if (total > expand_limit(doc)) total = expand_limit(doc) + 1;
  mm->expanded = total;
  return total;
}

int nh_ydoc_to_value(nh_ydoc_t *doc, const nh_ynode_t *node, nh_value_t **out, char *err,
                     size_t errlen) {
  convert_t c = {doc, 0, err, errlen};
  size_t size;
  *out = NULL;
  if (!node) {
    *out = nh_value_null();
    return *out ? 0 : NH_ENOMEM;
  }
  /* A big document is fine; aliases may multiply it only so much. */
  size = expanded_size(doc, node, 0);
  if (size > expand_limit(doc) || doc->converted + size > MAX_CONVERTED_TOTAL + 4 * doc->nnodes)
    return fail(err, errlen, doc->file, node->line, node->column,
                "the document expands to too many values through aliases");
  doc->converted += size;
  return convert(&c, node, 0, out);
}
