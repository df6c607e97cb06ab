/* Python `re` syntax -> PCRE2 syntax.
 *
 * TextFSM templates are written for Python's re module. Most of the syntax is shared
 * with PCRE2; this file rewrites what is not, following the grammar of CPython's
 * sre_parse so that each construct means what Python means:
 *   - (?P<name>...) becomes a plain numbered group (numbering is unchanged) and the names
 *     are returned beside the pattern: PCRE2 limits names to 32 characters, TextFSM
 *     allows 48; (?P=name) and (?(name)...) become \g{N} and (?(N)...).
 *   - {,n} and {,} are quantifiers in Python and literals in PCRE2: {0,n}, {0,}.
 *   - \Z is the very end in Python (PCRE2's \z); \v is a character (PCRE2: a class);
 *     \a, \xHH, \uHHHH, \UHHHHHHHH and octal escapes become \x{...}; \10.. is a group
 *     reference or an octal escape by Python's rules.
 *   - In a class, `[` is literal in Python but may start a POSIX class in PCRE2; every
 *     punctuation character in a class is escaped.
 *   - A leading (?x) is applied here (whitespace and comments dropped) instead of being
 *     handed to PCRE2, whose extended mode differs in details.
 * What Python rejects (bad escapes, unknown extensions, global flags after the start) is
 * rejected here too, so a template that fails in the reference fails to load.
 */
#include <stdlib.h>
#include <string.h>

#include "tfsm_internal.h"

typedef struct {
  const char *p;
  size_t n, i;
  tfsm_buf_t out;
  int verbose;
  int groups; /* capture groups opened so far */
  int *open;  /* open[g] != 0 while group g is not closed yet */
  size_t open_cap;
  int depth;
  int *stack; /* group number (or 0) per open parenthesis */
  size_t stack_cap;
  char **names;
  int *name_groups;
  size_t nnames;
  char *err;
  size_t errlen;
  int failed;
} tr_t;

static int fail(tr_t *t, const char *msg) {
  if (!t->failed) tfsm_errf(t->err, t->errlen, "%s at position %zu", msg, t->i);
  t->failed = 1;
  return -1;
}

static int is_digit(int c) {
  return c >= '0' && c <= '9';
}
static int is_oct(int c) {
  return c >= '0' && c <= '7';
}
static int is_alpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int hexval(int c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void emit_cp(tr_t *t, unsigned long cp) {
  tfsm_buf_printf(&t->out, "\\x{%lx}", cp);
}

/* Copies one (possibly multi-byte) character from the pattern. */
static void copy_char(tr_t *t) {
  unsigned char c = (unsigned char)t->p[t->i];
  size_t k = 1;
  if (c >= 0xc0) {
    while (t->i + k < t->n && ((unsigned char)t->p[t->i + k] & 0xc0) == 0x80 && k < 4) k++;
  }
  tfsm_buf_add(&t->out, t->p + t->i, k);
  t->i += k;
}

/* \x, \u, \U: exactly 2, 4, 8 hex digits. */
static int hex_escape(tr_t *t, int digits) {
  unsigned long v = 0;
  for (int k = 0; k < digits; k++) {
    int h = t->i < t->n ? hexval((unsigned char)t->p[t->i]) : -1;
    if (h < 0) return fail(t, "incomplete escape");
    v = v * 16 + (unsigned long)h;
    t->i++;
  }
  if (v > 0x10ffff) return fail(t, "bad escape (code point out of range)");
  emit_cp(t, v);
  return 0;
}

static int find_name(tr_t *t, const char *name, size_t len) {
  for (size_t k = 0; k < t->nnames; k++)
    if (strlen(t->names[k]) == len && memcmp(t->names[k], name, len) == 0) return t->name_groups[k];
  return 0;
}

/* Python identifiers: a letter or underscore, then letters, digits, underscores. Bytes
 * of non-ASCII characters are accepted as letters (Python allows Unicode identifiers). */
static int is_identifier(const char *s, size_t n) {
  if (n == 0 || is_digit((unsigned char)s[0])) return 0;
  for (size_t k = 0; k < n; k++) {
    unsigned char c = (unsigned char)s[k];
    if (!(is_alpha(c) || is_digit(c) || c == '_' || c >= 0x80)) return 0;
  }
  return 1;
}

static int set_open(tr_t *t, int g, int v) {
  if ((size_t)g >= t->open_cap) {
    size_t cap = t->open_cap ? t->open_cap * 2 : 16;
    while (cap <= (size_t)g) cap *= 2;
    int *o = realloc(t->open, cap * sizeof *o);
    if (!o) return fail(t, "out of memory");
    memset(o + t->open_cap, 0, (cap - t->open_cap) * sizeof *o);
    t->open = o;
    t->open_cap = cap;
  }
  t->open[g] = v;
  return 0;
}

static int push_paren(tr_t *t, int group) {
  if (tfsm_grow((void **)&t->stack, &t->stack_cap, (size_t)t->depth + 1, sizeof *t->stack, 16) < 0)
    return fail(t, "out of memory");
  t->stack[t->depth++] = group;
  if (group > 0) return set_open(t, group, 1);
  return 0;
}

static int backref(tr_t *t, int g) {
  if (g < 1 || g > t->groups) return fail(t, "invalid group reference");
  if ((size_t)g < t->open_cap && t->open[g]) return fail(t, "cannot refer to an open group");
  tfsm_buf_printf(&t->out, "\\g{%d}", g);
  return 0;
}

/* An escape outside a class (sre_parse._escape); t->i is just after the backslash. */
static int escape(tr_t *t) {
  if (t->i >= t->n) return fail(t, "bad escape (end of pattern)");
  int c = (unsigned char)t->p[t->i];
  if (strchr("AbBdDsSwW", c)) {
    tfsm_buf_addc(&t->out, '\\');
    tfsm_buf_addc(&t->out, (char)c);
    t->i++;
    return 0;
  }
  t->i++;
  switch (c) {
  case 'Z':
    tfsm_buf_adds(&t->out, "\\z");
    return 0;
  case 'a':
    emit_cp(t, 7);
    return 0;
  case 'f':
    emit_cp(t, 12);
    return 0;
  case 'n':
    emit_cp(t, 10);
    return 0;
  case 'r':
    emit_cp(t, 13);
    return 0;
  case 't':
    emit_cp(t, 9);
    return 0;
  case 'v':
    emit_cp(t, 11);
    return 0;
  case 'x':
    return hex_escape(t, 2);
  case 'u':
    return hex_escape(t, 4);
  case 'U':
    return hex_escape(t, 8);
  case '0': {
    unsigned long v = 0;
    for (int k = 0; k < 2 && t->i < t->n && is_oct((unsigned char)t->p[t->i]); k++)
      v = v * 8 + (unsigned long)(t->p[t->i++] - '0');
    emit_cp(t, v);
    return 0;
  }
  default:
    break;
  }
  if (is_digit(c)) {
    /* An octal escape of three digits, or a group reference of one or two. */
    int g = c - '0';
    if (t->i < t->n && is_digit((unsigned char)t->p[t->i])) {
      int d2 = (unsigned char)t->p[t->i];
      if (is_oct(c) && is_oct(d2) && t->i + 1 < t->n && is_oct((unsigned char)t->p[t->i + 1])) {
        unsigned long v = (unsigned long)((c - '0') * 64 + (d2 - '0') * 8 + (t->p[t->i + 1] - '0'));
        if (v > 0377) return fail(t, "octal escape value outside of range 0-0o377");
        t->i += 2;
        emit_cp(t, v);
        return 0;
      }
      g = g * 10 + (d2 - '0');
      t->i++;
    }
    return backref(t, g);
  }
  if (c < 0x80 && is_alpha(c)) return fail(t, "bad escape");
  /* An escaped non-alphanumeric character is itself. */
  t->i--;
  if (c < 0x80) {
    tfsm_buf_addc(&t->out, '\\');
    tfsm_buf_addc(&t->out, (char)c);
    t->i++;
  } else {
    copy_char(t);
  }
  return 0;
}

/* Emits one literal class member (a code point given as the pattern bytes at [s, e) or
 * as a number). ASCII punctuation is escaped so PCRE2 reads it literally. */
static void class_literal_bytes(tr_t *t, size_t s, size_t e) {
  unsigned char c = (unsigned char)t->p[s];
  if (c < 0x80) {
    if (c < 0x20 || c == 0x7f)
      emit_cp(t, c);
    else if (!(is_alpha(c) || is_digit(c)) && c != ' ')
      tfsm_buf_addc(&t->out, '\\'), tfsm_buf_addc(&t->out, (char)c);
    else
      tfsm_buf_addc(&t->out, (char)c);
    return;
  }
  tfsm_buf_add(&t->out, t->p + s, e - s);
}

/* One class member at t->i. Returns 1 for a literal (emitted), 2 for a category like
 * \d (emitted; cannot be a range end), -1 on error. */
static int class_item(tr_t *t) {
  unsigned char c = (unsigned char)t->p[t->i];
  if (c != '\\') {
    size_t s = t->i;
    size_t save = t->out.len;
    copy_char(t);
    t->out.len = save; /* re-emit escaped as needed */
    class_literal_bytes(t, s, t->i);
    return 1;
  }
  t->i++;
  if (t->i >= t->n) return fail(t, "bad escape (end of pattern)");
  c = (unsigned char)t->p[t->i++];
  switch (c) {
  case 'd':
  case 'D':
  case 's':
  case 'S':
  case 'w':
  case 'W':
    tfsm_buf_addc(&t->out, '\\');
    tfsm_buf_addc(&t->out, (char)c);
    return 2;
  case 'a':
    emit_cp(t, 7);
    return 1;
  case 'b':
    emit_cp(t, 8);
    return 1;
  case 'f':
    emit_cp(t, 12);
    return 1;
  case 'n':
    emit_cp(t, 10);
    return 1;
  case 'r':
    emit_cp(t, 13);
    return 1;
  case 't':
    emit_cp(t, 9);
    return 1;
  case 'v':
    emit_cp(t, 11);
    return 1;
  case 'x':
    return hex_escape(t, 2) < 0 ? -1 : 1;
  case 'u':
    return hex_escape(t, 4) < 0 ? -1 : 1;
  case 'U':
    return hex_escape(t, 8) < 0 ? -1 : 1;
  default:
    break;
  }
  if (is_oct(c)) {
    unsigned long v = (unsigned long)(c - '0');
    for (int k = 0; k < 2 && t->i < t->n && is_oct((unsigned char)t->p[t->i]); k++)
      v = v * 8 + (unsigned long)(t->p[t->i++] - '0');
    if (v > 0377) return fail(t, "octal escape value outside of range 0-0o377");
    emit_cp(t, v);
    return 1;
  }
  if (is_digit(c)) return fail(t, "bad escape");
  if (c < 0x80 && is_alpha(c)) return fail(t, "bad escape");
  t->i--;
  size_t s = t->i;
  size_t save = t->out.len;
  copy_char(t);
  t->out.len = save;
  class_literal_bytes(t, s, t->i);
  return 1;
}

/* A character class; t->i is just after '['. */
static int char_class(tr_t *t) {
  tfsm_buf_addc(&t->out, '[');
  if (t->i < t->n && t->p[t->i] == '^') {
    tfsm_buf_addc(&t->out, '^');
    t->i++;
  }
  size_t start = t->i;
  for (;;) {
    if (t->i >= t->n) return fail(t, "unterminated character set");
    if (t->p[t->i] == ']' && t->i != start) {
      t->i++;
      break;
    }
    int k = class_item(t);
    if (k < 0) return -1;
    if (t->i < t->n && t->p[t->i] == '-') {
      t->i++;
      if (t->i >= t->n) return fail(t, "unterminated character set");
      if (t->p[t->i] == ']') {
        tfsm_buf_adds(&t->out, "\\-");
        t->i++;
        break;
      }
      if (k == 2) return fail(t, "bad character range");
      tfsm_buf_addc(&t->out, '-');
      int k2 = class_item(t);
      if (k2 < 0) return -1;
      if (k2 == 2) return fail(t, "bad character range");
    }
  }
  tfsm_buf_addc(&t->out, ']');
  return 0;
}

/* '{' at t->i: a quantifier {m}, {m,}, {,n}, {m,n}, {,} or a literal brace. */
static void brace(tr_t *t) {
  size_t j = t->i + 1;
  size_t lo = j;
  while (j < t->n && is_digit((unsigned char)t->p[j])) j++;
  size_t lo_end = j, hi = j, hi_end = j;
  int comma = 0;
  if (j < t->n && t->p[j] == ',') {
    comma = 1;
    hi = ++j;
    while (j < t->n && is_digit((unsigned char)t->p[j])) j++;
    hi_end = j;
  }
  if (j >= t->n || t->p[j] != '}' || (t->i + 1 < t->n && t->p[t->i + 1] == '}')) {
    tfsm_buf_adds(&t->out, "\\{");
    t->i++;
    return;
  }
  tfsm_buf_addc(&t->out, '{');
  if (lo_end > lo)
    tfsm_buf_add(&t->out, t->p + lo, lo_end - lo);
  else
    tfsm_buf_addc(&t->out, '0');
  if (comma) {
    tfsm_buf_addc(&t->out, ',');
    tfsm_buf_add(&t->out, t->p + hi, hi_end - hi);
  }
  tfsm_buf_addc(&t->out, '}');
  t->i = j + 1;
}

/* Inline flags after "(?". Returns 0 for a scoped group (emitted), 1 for global flags
 * (handled), -1 on error. */
static int flags(tr_t *t, int at_start) {
  char on[8] = {0}, off[8] = {0};
  size_t non = 0, noff = 0;
  int neg = 0;
  while (t->i < t->n) {
    char c = t->p[t->i];
    if (c == '-') {
      if (neg) return fail(t, "bad inline flags");
      neg = 1;
      t->i++;
      continue;
    }
    if (!strchr("aiLmsux", c)) break;
    if (c == 'a' || c == 'L') return fail(t, "unsupported inline flag (ASCII/LOCALE)");
    if (neg && c == 'u') return fail(t, "bad inline flags");
    if (c != 'u') {
      if (neg) {
        if (noff < sizeof off - 1) off[noff++] = c;
      } else if (non < sizeof on - 1) {
        on[non++] = c;
      }
    }
    t->i++;
  }
  if (t->i >= t->n) return fail(t, "missing -, : or )");
  if (t->p[t->i] == ')') {
    if (neg) return fail(t, "missing :");
    if (!at_start) return fail(t, "global flags not at the start of the expression");
    t->i++;
    tfsm_buf_adds(&t->out, "(?");
    size_t mark = t->out.len;
    for (size_t k = 0; k < non; k++) {
      if (on[k] == 'x')
        t->verbose = 1;
      else
        tfsm_buf_addc(&t->out, on[k]);
    }
    if (t->out.len == mark)
      t->out.len -= 2; /* nothing left for PCRE2 */
    else
      tfsm_buf_addc(&t->out, ')');
    return 1;
  }
  if (t->p[t->i] != ':') return fail(t, "missing -, : or )");
  if (strchr(on, 'x') || strchr(off, 'x')) return fail(t, "unsupported scoped verbose flag");
  t->i++;
  tfsm_buf_adds(&t->out, "(?");
  tfsm_buf_add(&t->out, on, non);
  if (noff) {
    tfsm_buf_addc(&t->out, '-');
    tfsm_buf_add(&t->out, off, noff);
  }
  tfsm_buf_addc(&t->out, ':');
  return push_paren(t, 0);
}

static int add_name(tr_t *t, const char *name, size_t len, int group) {
  char **n = realloc(t->names, (t->nnames + 1) * sizeof *n);
  if (!n) return fail(t, "out of memory");
  t->names = n;
  int *g = realloc(t->name_groups, (t->nnames + 1) * sizeof *g);
  if (!g) return fail(t, "out of memory");
  t->name_groups = g;
  char *copy = malloc(len + 1);
  if (!copy) return fail(t, "out of memory");
  memcpy(copy, name, len);
  copy[len] = '\0';
  t->names[t->nnames] = copy;
  t->name_groups[t->nnames++] = group;
  return 0;
}

/* '(' at t->i. Returns 0, 1 when it was a global-flags group (no atom), or -1. */
static int group(tr_t *t, int at_start) {
  t->i++;
  if (t->i >= t->n || t->p[t->i] != '?') {
    t->groups++;
    tfsm_buf_addc(&t->out, '(');
    return push_paren(t, t->groups);
  }
  t->i++;
  if (t->i >= t->n) return fail(t, "unexpected end of pattern");
  char c = t->p[t->i];
  if (c == 'P') {
    t->i++;
    if (t->i < t->n && t->p[t->i] == '<') {
      size_t s = ++t->i;
      while (t->i < t->n && t->p[t->i] != '>') t->i++;
      if (t->i >= t->n) return fail(t, "missing >, unterminated name");
      size_t len = t->i - s;
      if (!is_identifier(t->p + s, len)) return fail(t, "bad character in group name");
      if (find_name(t, t->p + s, len)) return fail(t, "redefinition of group name");
      t->i++;
      t->groups++;
      if (add_name(t, t->p + s, len, t->groups) < 0) return -1;
      tfsm_buf_addc(&t->out, '(');
      return push_paren(t, t->groups);
    }
    if (t->i < t->n && t->p[t->i] == '=') {
      size_t s = ++t->i;
      while (t->i < t->n && t->p[t->i] != ')') t->i++;
      if (t->i >= t->n) return fail(t, "missing ), unterminated name");
      int g = find_name(t, t->p + s, t->i - s);
      if (!g) return fail(t, "unknown group name");
      t->i++;
      tfsm_buf_adds(&t->out, "(?:");
      if (backref(t, g) < 0) return -1;
      tfsm_buf_addc(&t->out, ')');
      return 0;
    }
    return fail(t, "unknown extension ?P");
  }
  if (c == ':' || c == '=' || c == '!' || c == '>') {
    t->i++;
    tfsm_buf_addc(&t->out, '(');
    tfsm_buf_addc(&t->out, '?');
    tfsm_buf_addc(&t->out, c);
    return push_paren(t, 0);
  }
  if (c == '<') {
    t->i++;
    if (t->i < t->n && (t->p[t->i] == '=' || t->p[t->i] == '!')) {
      tfsm_buf_adds(&t->out, "(?<");
      tfsm_buf_addc(&t->out, t->p[t->i++]);
      return push_paren(t, 0);
    }
    return fail(t, "unknown extension ?<");
  }
  if (c == '#') {
    while (t->i < t->n && t->p[t->i] != ')') t->i++;
    if (t->i >= t->n) return fail(t, "missing ), unterminated comment");
    t->i++;
    return 0;
  }
  if (c == '(') {
    size_t s = ++t->i;
    while (t->i < t->n && t->p[t->i] != ')') t->i++;
    if (t->i >= t->n) return fail(t, "missing ), unterminated name");
    size_t len = t->i - s;
    int g = 0;
    if (len > 0 && is_digit((unsigned char)t->p[s])) {
      for (size_t k = s; k < t->i; k++) {
        if (!is_digit((unsigned char)t->p[k])) return fail(t, "bad character in group name");
        g = g * 10 + (t->p[k] - '0');
        if (g > 100000) return fail(t, "invalid group reference");
      }
      if (g < 1 || g > t->groups) return fail(t, "invalid group reference");
    } else {
      g = find_name(t, t->p + s, len);
      if (!g) return fail(t, "unknown group name");
    }
    t->i++;
    tfsm_buf_printf(&t->out, "(?(%d)", g);
    return push_paren(t, 0);
  }
  if (strchr("aiLmsux-", c)) return flags(t, at_start);
  return fail(t, "unknown extension");
}

char *nh_tfsm_pyre_translate(const char *pat, size_t len, char ***names, int **groups,
                             size_t *nnames, int *ngroups, char *err, size_t errlen) {
  tr_t t;
  memset(&t, 0, sizeof t);
  t.p = pat;
  t.n = len;
  t.err = err;
  t.errlen = errlen;
  int at_start = 1;
  while (!t.failed && t.i < t.n) {
    unsigned char c = (unsigned char)t.p[t.i];
    if (t.verbose) {
      size_t k = tfsm_space_len(t.p + t.i, t.n - t.i);
      if (k) {
        t.i += k;
        continue;
      }
      if (c == '#') {
        while (t.i < t.n && t.p[t.i] != '\n') t.i++;
        continue;
      }
    }
    int was_start = at_start;
    at_start = 0;
    switch (c) {
    case '\\':
      t.i++;
      escape(&t);
      break;
    case '[':
      t.i++;
      char_class(&t);
      break;
    case '{':
      brace(&t);
      break;
    case '(':
      /* Global flags produce no atom: the next item is still "at the start". */
      if (group(&t, was_start) == 1) at_start = 1;
      break;
    case ')':
      if (t.depth == 0) {
        fail(&t, "unbalanced parenthesis");
        break;
      }
      t.depth--;
      if (t.stack[t.depth] > 0) t.open[t.stack[t.depth]] = 0;
      tfsm_buf_addc(&t.out, ')');
      t.i++;
      break;
    default:
      copy_char(&t);
      break;
    }
  }
  if (!t.failed && t.depth != 0) fail(&t, "missing ), unterminated subpattern");
  if (!t.failed && t.out.failed) fail(&t, "out of memory");
  char *out = NULL;
  if (!t.failed) out = tfsm_buf_finish(&t.out);
  if (!out) {
    free(t.out.ptr);
    for (size_t k = 0; k < t.nnames; k++) free(t.names[k]);
    free(t.names);
    free(t.name_groups);
    t.names = NULL;
    t.name_groups = NULL;
    t.nnames = 0;
    if (!t.failed) tfsm_errf(err, errlen, "out of memory");
  }
  free(t.open);
  free(t.stack);
  *names = t.names;
  *groups = t.name_groups;
  *nnames = t.nnames;
  *ngroups = t.groups;
  return out;
}
