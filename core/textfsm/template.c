/* Loading TextFSM templates: Values, states and rules, validated as textfsm 1.1 does.
 *
 * The parser walks the template line by line exactly like TextFSM._Parse: a block of
 * Value lines ended by a blank line, then states, each a name line followed by rule lines
 * up to a blank line. Messages name the template and the line and use the reference's
 * wording, so users can search for them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_internal.h"

#define MAX_NAME_LEN 48

/* Patterns of TextFSMRule and TextFSM that decide the template syntax; compiled once. */
static tfsm_re_t *g_action_re, *g_action2_re, *g_action3_re, *g_state_name_re, *g_word_re;
static pthread_once_t g_meta_once = PTHREAD_ONCE_INIT;

static void meta_init(void) {
  char e[128];
#define OPS      "(Continue|Next|Error)"
#define RECS     "(Clear|Clearall|Record|NoRecord)"
#define NEWSTATE "(\\w+|\\\".*\\\")"
  const char *a1 = "\\s+" OPS "(\\." RECS ")?(\\s+" NEWSTATE ")?$";
  const char *a2 = "\\s+" RECS "(\\s+" NEWSTATE ")?$";
  const char *a3 = "(\\s+" NEWSTATE ")?$";
  g_action_re = tfsm_regex_compile(a1, strlen(a1), 1, e, sizeof e);
  g_action2_re = tfsm_regex_compile(a2, strlen(a2), 1, e, sizeof e);
  g_action3_re = tfsm_regex_compile(a3, strlen(a3), 1, e, sizeof e);
  g_state_name_re = tfsm_regex_compile("(\\w+)$", 6, 1, e, sizeof e);
  g_word_re = tfsm_regex_compile("\\w+", 3, 1, e, sizeof e);
}

typedef struct {
  nh_tfsm_template_t *t;
  const char *text; /* newline-normalised copy */
  size_t len, pos;
  int line_num;
  char *err;
  size_t errlen;
  pcre2_match_data *md;
} loader_t;

static int load_error(loader_t *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int load_error(loader_t *L, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  tfsm_verrf_at(L->err, L->errlen, L->t->name, L->line_num, fmt, ap);
  va_end(ap);
  return NH_TFSM_ESYNTAX;
}

/* The next line (without its newline) and right-stripped, as Python's line.rstrip().
 * Returns 0 at the end of the template. */
static int next_line(loader_t *L, const char **s, size_t *n) {
  if (L->pos >= L->len) return 0;
  const char *start = L->text + L->pos;
  const char *nl = memchr(start, '\n', L->len - L->pos);
  size_t k = nl ? (size_t)(nl - start) : L->len - L->pos;
  L->pos += k + (nl ? 1 : 0);
  L->line_num++;
  *s = start;
  *n = k;
  tfsm_rstrip(*s, n);
  return 1;
}

static int is_comment(const char *s, size_t n) {
  tfsm_lstrip(&s, &n);
  return n > 0 && s[0] == '#';
}

static int starts_with(const char *s, size_t n, const char *prefix) {
  size_t k = strlen(prefix);
  return n >= k && memcmp(s, prefix, k) == 0;
}

static int find_value(const nh_tfsm_template_t *t, const char *name, size_t n) {
  for (size_t k = 0; k < t->nvalues; k++)
    if (strlen(t->values[k].name) == n && memcmp(t->values[k].name, name, n) == 0) return (int)k;
  return -1;
}

static void free_names(char **names, int *groups, size_t n) {
  for (size_t k = 0; k < n; k++) free(names[k]);
  free(names);
  free(groups);
}

static const struct {
  const char *name;
  unsigned bit;
} k_options[] = {{"Required", NH_TFSM_OPT_REQUIRED},
                 {"Filldown", NH_TFSM_OPT_FILLDOWN},
                 {"Fillup", NH_TFSM_OPT_FILLUP},
                 {"Key", NH_TFSM_OPT_KEY},
                 {"List", NH_TFSM_OPT_LIST}};

/* One `Value [Options] Name (regex)` line (TextFSMValue.Parse). */
static int parse_value(loader_t *L, const char *s, size_t n) {
  nh_tfsm_template_t *t = L->t;
  /* value.split(' '): fields separated by single spaces (empty fields kept). */
  size_t f[4][2];
  size_t nf = 0, start = 0;
  for (size_t k = 0; k <= n && nf < 3; k++) {
    if (k == n || s[k] == ' ') {
      f[nf][0] = start;
      f[nf][1] = k;
      nf++;
      start = k + 1;
    }
  }
  if (nf < 3) return load_error(L, "Expect at least 3 tokens on line. Line %d.", L->line_num);
  unsigned opts = 0;
  unsigned order[5];
  int norder = 0;
  const char *name;
  size_t name_len, rx_start;
  if (!(f[2][1] > f[2][0] && s[f[2][0]] == '(')) {
    const char *o = s + f[1][0];
    size_t olen = f[1][1] - f[1][0], os = 0;
    for (size_t k = 0; k <= olen; k++) {
      if (k < olen && o[k] != ',') continue;
      unsigned bit = 0;
      for (size_t j = 0; j < sizeof k_options / sizeof k_options[0]; j++)
        if (strlen(k_options[j].name) == k - os && memcmp(k_options[j].name, o + os, k - os) == 0)
          bit = k_options[j].bit;
      if (bit && (opts & bit))
        return load_error(L, "Duplicate option \"%.*s\" Line %d.", (int)(k - os), o + os,
                          L->line_num);
      if (!bit)
        return load_error(L, "Unknown option \"%.*s\" Line %d.", (int)(k - os), o + os,
                          L->line_num);
      opts |= bit;
      order[norder++] = bit;
      os = k + 1;
    }
    name = s + f[2][0];
    name_len = f[2][1] - f[2][0];
    rx_start = f[2][1] + 1;
  } else {
    name = s + f[1][0];
    name_len = f[1][1] - f[1][0];
    rx_start = f[2][0];
  }
  const char *rx = rx_start <= n ? s + rx_start : s + n;
  size_t rx_len = rx_start <= n ? n - rx_start : 0;
  if (name_len > MAX_NAME_LEN)
    return load_error(L, "Invalid Value name '%.*s' or name too long. Line %d.", (int)name_len,
                      name, L->line_num);
  size_t opens = 0, closes = 0;
  for (size_t k = 0; k < rx_len; k++) opens += rx[k] == '(', closes += rx[k] == ')';
  if (rx_len < 2 || rx[0] != '(' || rx[rx_len - 1] != ')' || opens != closes)
    return load_error(L, "Value '%.*s' must be contained within a '()' pair. Line %d.", (int)rx_len,
                      rx, L->line_num);
  if (find_value(t, name, name_len) >= 0)
    return load_error(L, "Duplicate declarations for Value '%.*s'. Line: %d.", (int)name_len, name,
                      L->line_num);
  tfsm_value_t *nv = realloc(t->values, (t->nvalues + 1) * sizeof *nv);
  if (!nv) return NH_TFSM_ENOMEM;
  t->values = nv;
  tfsm_value_t *v = &t->values[t->nvalues];
  memset(v, 0, sizeof *v);
  v->name = tfsm_strndup(name, name_len);
  if (!v->name) return NH_TFSM_ENOMEM;
  t->nvalues++;
  v->opts = opts;
  memcpy(v->order, order, sizeof order);
  v->norder = norder;
  /* What ${Name} stands for: "(?P<Name>" + the regex after its first "(". */
  tfsm_buf_t b = {0};
  tfsm_buf_adds(&b, "(?P<");
  tfsm_buf_adds(&b, v->name);
  tfsm_buf_addc(&b, '>');
  tfsm_buf_add(&b, rx + 1, rx_len - 1);
  v->subst = tfsm_buf_finish(&b);
  if (!v->subst) return NH_TFSM_ENOMEM;
  if (opts & NH_TFSM_OPT_LIST) {
    char msg[256];
    char **names;
    int *groups;
    size_t nn;
    int ng;
    char *pat = nh_tfsm_pyre_translate(rx, rx_len, &names, &groups, &nn, &ng, msg, sizeof msg);
    if (!pat) return load_error(L, "%s Line %d.", msg, L->line_num);
    if (ng > 1 && nn > 0) {
      v->list_re = tfsm_regex_compile(pat, strlen(pat), 0, msg, sizeof msg);
      if (!v->list_re) {
        free(pat);
        free_names(names, groups, nn);
        return load_error(L, "%s Line %d.", msg, L->line_num);
      }
      v->list_groups = ng;
      v->list_names = names;
      v->list_name_groups = groups;
      v->list_nnames = nn;
      if (ng + 1 > t->max_groups) t->max_groups = ng + 1;
    } else {
      free_names(names, groups, nn);
    }
    free(pat);
  }
  return 0;
}

/* string.Template(match).substitute(value_map): $$ -> $, $Name and ${Name} -> the
 * Value's "(?P<Name>regex)"; anything else after a $ is an error. */
static char *substitute(loader_t *L, const char *s, size_t n, int *rc) {
  tfsm_buf_t b = {0};
  for (size_t k = 0; k < n;) {
    if (s[k] != '$') {
      tfsm_buf_addc(&b, s[k++]);
      continue;
    }
    size_t j = k + 1;
    if (j < n && s[j] == '$') {
      tfsm_buf_addc(&b, '$');
      k = j + 1;
      continue;
    }
    int braced = j < n && s[j] == '{';
    size_t ns = braced ? j + 1 : j, ne = ns;
#define IDSTART(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || (c) == '_')
#define IDCHAR(c)  (IDSTART(c) || ((c) >= '0' && (c) <= '9'))
    if (ne < n && IDSTART(s[ne])) {
      ne++;
      while (ne < n && IDCHAR(s[ne])) ne++;
    }
    if (ne == ns || (braced && (ne >= n || s[ne] != '}'))) {
      free(b.ptr);
      *rc = load_error(L, "Duplicate or invalid variable substitution: '%.*s'. Line: %d.", (int)n,
                       s, L->line_num);
      return NULL;
    }
    int v = find_value(L->t, s + ns, ne - ns);
    if (v < 0) {
      free(b.ptr);
      *rc = load_error(L, "Duplicate or invalid variable substitution: '%.*s'. Line: %d.", (int)n,
                       s, L->line_num);
      return NULL;
    }
    tfsm_buf_adds(&b, L->t->values[v].subst);
    k = braced ? ne + 1 : ne;
  }
  char *out = tfsm_buf_finish(&b);
  if (!out) *rc = NH_TFSM_ENOMEM;
  return out;
}

static int group_str(pcre2_match_data *md, int rc, int g, size_t *s, size_t *e) {
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
  if (g >= rc || ov[2 * g] == PCRE2_UNSET) return 0;
  *s = ov[2 * g];
  *e = ov[2 * g + 1];
  return 1;
}

/* One rule line (TextFSMRule.__init__). */
static int parse_rule(loader_t *L, tfsm_state_t *st, const char *s, size_t n) {
  nh_tfsm_template_t *t = L->t;
  tfsm_lstrip(&s, &n);
  tfsm_rstrip(s, &n);
  /* (?P<match>.*)(\s->(?P<action>.*)): the last "->" that follows a whitespace. */
  size_t match_len = n;
  const char *action = NULL;
  size_t action_len = 0;
  for (size_t k = n; k-- > 1;) {
    if (s[k] != '-' || k + 1 >= n || s[k + 1] != '>') continue;
    size_t back = k >= 3 ? 3 : k;
    int sp = 0;
    for (size_t b = 1; b <= back && !sp; b++)
      if (tfsm_space_len(s + k - b, b) == b) sp = (int)b;
    if (!sp) continue;
    match_len = k - (size_t)sp;
    action = s + k + 2;
    action_len = n - (k + 2);
    break;
  }
  int rc = 0;
  char *regex;
  if (t->nvalues > 0) {
    regex = substitute(L, s, match_len, &rc);
    if (!regex) return rc;
  } else {
    regex = tfsm_strndup(s, match_len);
    if (!regex) return NH_TFSM_ENOMEM;
  }
  if (tfsm_grow((void **)&st->rules, &st->cap, st->nrules + 1, sizeof *st->rules, 8) < 0) {
    free(regex);
    return NH_TFSM_ENOMEM;
  }
  tfsm_rule_t *r = &st->rules[st->nrules];
  memset(r, 0, sizeof *r);
  r->line = L->line_num;
  r->next_state = TFSM_STATE_NONE;
  char msg[256];
  char **names;
  int *groups;
  size_t nn;
  int ng;
  char *pat =
      nh_tfsm_pyre_translate(regex, strlen(regex), &names, &groups, &nn, &ng, msg, sizeof msg);
  if (pat) {
    r->re = tfsm_regex_compile(pat, strlen(pat), 0, msg, sizeof msg);
    free(pat);
    if (!r->re) free_names(names, groups, nn);
  }
  if (!r->re) {
    rc = load_error(L, "Invalid regular expression: '%s'. Line: %d. (%s)", regex, L->line_num, msg);
    free(regex);
    return rc;
  }
  free(regex);
  st->nrules++; /* owned by the state from here on */
  if (ng + 1 > t->max_groups) t->max_groups = ng + 1;
  r->assign_group = malloc((nn ? nn : 1) * sizeof *r->assign_group);
  r->assign_value = malloc((nn ? nn : 1) * sizeof *r->assign_value);
  if (!r->assign_group || !r->assign_value) {
    free_names(names, groups, nn);
    return NH_TFSM_ENOMEM;
  }
  for (size_t k = 0; k < nn; k++) {
    int v = find_value(t, names[k], strlen(names[k]));
    if (v < 0) continue;
    r->assign_group[r->nassign] = groups[k];
    r->assign_value[r->nassign++] = v;
  }
  free_names(names, groups, nn);
  if (!action) return 0;

  /* The action: Line.Record NewState, Record NewState, or NewState. */
  pcre2_match_data *md = L->md;
  int m = tfsm_regex_match(g_action_re, action, action_len, md);
  int ln = 0, rec = 3, ns = 5;
  if (m <= 0) {
    m = tfsm_regex_match(g_action2_re, action, action_len, md);
    ln = -1, rec = 1, ns = 3;
    if (m <= 0) {
      m = tfsm_regex_match(g_action3_re, action, action_len, md);
      ln = -1, rec = -1, ns = 2;
      if (m <= 0)
        return load_error(L, "Badly formatted rule '%.*s'. Line: %d.", (int)n, s, L->line_num);
    }
  }
  size_t a, e;
  if (ln == 0 && group_str(md, m, 1, &a, &e)) {
    if (action[a] == 'C') r->line_op = TFSM_LINE_CONTINUE;
    if (action[a] == 'E') r->line_op = TFSM_LINE_ERROR;
  }
  if (rec > 0 && group_str(md, m, rec, &a, &e) && e > a) {
    if (e - a == 6 && action[a] == 'R') r->rec_op = TFSM_REC_RECORD;
    if (e - a == 5) r->rec_op = TFSM_REC_CLEAR;
    if (e - a == 8 && action[a] == 'C') r->rec_op = TFSM_REC_CLEARALL;
  }
  if (group_str(md, m, ns, &a, &e) && e > a) {
    r->new_state = tfsm_strndup(action + a, e - a);
    if (!r->new_state) return NH_TFSM_ENOMEM;
  }
  if (r->line_op == TFSM_LINE_CONTINUE && r->new_state)
    return load_error(L, "Action 'Continue' with new state %s specified. Line: %d.", r->new_state,
                      L->line_num);
  if (r->line_op != TFSM_LINE_ERROR && r->new_state &&
      tfsm_regex_match(g_word_re, r->new_state, strlen(r->new_state), md) <= 0)
    return load_error(L, "Alphanumeric characters only in state names. Line: %d.", L->line_num);
  return 0;
}

static int find_state(const nh_tfsm_template_t *t, const char *name) {
  for (size_t k = 0; k < t->nstates; k++)
    if (strcmp(t->states[k].name, name) == 0) return (int)k;
  return -1;
}

/* One state: its name line and its rules (TextFSM._ParseFSMState). Sets *done at the end
 * of the template. */
static int parse_state(loader_t *L, int *done) {
  nh_tfsm_template_t *t = L->t;
  const char *s;
  size_t n;
  int found = 0;
  while (next_line(L, &s, &n)) {
    if (n == 0 || is_comment(s, n)) continue;
    static const char *reserved[] = {"Continue", "Next",   "Error",   "Clear",
                                     "Clearall", "Record", "NoRecord"};
    int bad = n > MAX_NAME_LEN || tfsm_regex_match(g_state_name_re, s, n, L->md) <= 0;
    for (size_t k = 0; k < 7 && !bad; k++)
      if (strlen(reserved[k]) == n && memcmp(reserved[k], s, n) == 0) bad = 1;
    if (bad) return load_error(L, "Invalid state name: '%.*s'. Line: %d", (int)n, s, L->line_num);
    char *name = tfsm_strndup(s, n);
    if (!name) return NH_TFSM_ENOMEM;
    if (find_state(t, name) >= 0) {
      free(name);
      return load_error(L, "Duplicate state name: '%.*s'. Line: %d", (int)n, s, L->line_num);
    }
    tfsm_state_t *ns = realloc(t->states, (t->nstates + 1) * sizeof *ns);
    if (!ns) {
      free(name);
      return NH_TFSM_ENOMEM;
    }
    t->states = ns;
    memset(&t->states[t->nstates], 0, sizeof *ns);
    t->states[t->nstates++].name = name;
    found = 1;
    break;
  }
  if (!found) {
    *done = 1;
    return 0;
  }
  size_t si = t->nstates - 1;
  while (next_line(L, &s, &n)) {
    if (n == 0) break;
    if (is_comment(s, n)) continue;
    if (!(starts_with(s, n, " ^") || starts_with(s, n, "  ^") || starts_with(s, n, "\t^")))
      return load_error(L, "Missing white space or carat ('^') before rule. Line: %d", L->line_num);
    int rc = parse_rule(L, &t->states[si], s, n);
    if (rc < 0) return rc;
  }
  return 0;
}

/* TextFSM._ValidateFSM, then the state transitions resolved to indexes. */
static int validate(loader_t *L) {
  nh_tfsm_template_t *t = L->t;
  L->line_num = 0;
  t->start = find_state(t, "Start");
  if (t->start < 0) return load_error(L, "Missing state 'Start'.");
  int end = find_state(t, "End"), eof = find_state(t, "EOF");
  if (end >= 0 && t->states[end].nrules) return load_error(L, "Non-Empty 'End' state.");
  if (eof >= 0 && t->states[eof].nrules) return load_error(L, "Non-Empty 'EOF' state.");
  t->has_eof = eof >= 0;
  for (size_t k = 0; k < t->nstates; k++) {
    for (size_t j = 0; j < t->states[k].nrules; j++) {
      tfsm_rule_t *r = &t->states[k].rules[j];
      if (r->line_op == TFSM_LINE_ERROR || !r->new_state) continue;
      if (strcmp(r->new_state, "End") == 0) {
        r->next_state = TFSM_STATE_END;
      } else if (strcmp(r->new_state, "EOF") == 0) {
        r->next_state = TFSM_STATE_EOF;
      } else {
        int to = find_state(t, r->new_state);
        if (to < 0 || to == end)
          return load_error(L, "State '%s' not found, referenced in state '%s'", r->new_state,
                            t->states[k].name);
        r->next_state = to;
      }
    }
  }
  t->start = find_state(t, "Start");
  return 0;
}

void nh_tfsm_template_free(nh_tfsm_template_t *t) {
  if (!t) return;
  for (size_t k = 0; k < t->nvalues; k++) {
    tfsm_value_t *v = &t->values[k];
    free(v->name);
    free(v->subst);
    tfsm_regex_free(v->list_re);
    free_names(v->list_names, v->list_name_groups, v->list_nnames);
  }
  free(t->values);
  for (size_t k = 0; k < t->nstates; k++) {
    tfsm_state_t *st = &t->states[k];
    for (size_t j = 0; j < st->nrules; j++) {
      tfsm_regex_free(st->rules[j].re);
      free(st->rules[j].assign_group);
      free(st->rules[j].assign_value);
      free(st->rules[j].new_state);
    }
    free(st->rules);
    free(st->name);
  }
  free(t->states);
  free(t->name);
  free(t);
}

const char *nh_tfsm_template_name(const nh_tfsm_template_t *t) {
  return t->name;
}

/* Universal newlines, as Python's open() reads the template: \r\n and \r become \n. */
static char *normalise_newlines(const char *text, size_t len, size_t *out_len) {
  char *c = malloc(len + 1);
  if (!c) return NULL;
  size_t j = 0;
  for (size_t k = 0; k < len; k++) {
    if (text[k] == '\r') {
      c[j++] = '\n';
      if (k + 1 < len && text[k + 1] == '\n') k++;
    } else {
      c[j++] = text[k];
    }
  }
  c[j] = '\0';
  *out_len = j;
  return c;
}

int nh_tfsm_template_load(const char *name, const char *text, size_t len, nh_tfsm_template_t **out,
                          char *err, size_t errlen) {
  *out = NULL;
  pthread_once(&g_meta_once, meta_init);
  if (!g_action_re || !g_action2_re || !g_action3_re || !g_state_name_re || !g_word_re) {
    tfsm_errf(err, errlen, "out of memory");
    return NH_TFSM_ENOMEM;
  }
  nh_tfsm_template_t *t = calloc(1, sizeof *t);
  if (!t) return NH_TFSM_ENOMEM;
  t->name = strdup(name ? name : "<template>");
  t->max_groups = 1;
  loader_t L = {.t = t, .err = err, .errlen = errlen};
  char *norm = normalise_newlines(text, len, &L.len);
  L.text = norm;
  L.md = pcre2_match_data_create(16, NULL);
  int rc = 0;
  if (!t->name || !norm || !L.md) {
    rc = NH_TFSM_ENOMEM;
    goto done;
  }
  /* Python reads templates as UTF-8 and fails on anything else; so does this. */
  size_t valid = tfsm_utf8_valid(norm, L.len);
  if (valid < L.len) {
    for (size_t k = 0; k < valid; k++) L.line_num += norm[k] == '\n';
    L.line_num++;
    rc = load_error(&L, "not valid UTF-8 (byte %zu)", valid + 1);
    goto done;
  }
  /* The Value block. */
  const char *s;
  size_t n;
  while (next_line(&L, &s, &n)) {
    if (n == 0) break;
    if (is_comment(s, n)) continue;
    if (starts_with(s, n, "Value ")) {
      rc = parse_value(&L, s, n);
      if (rc < 0) goto done;
    } else if (t->nvalues == 0) {
      rc = load_error(&L, "No Value definitions found.");
      goto done;
    } else {
      rc = load_error(&L, "Expected blank line after last Value entry. Line: %d.", L.line_num);
      goto done;
    }
  }
  for (int done_states = 0; !done_states;) {
    rc = parse_state(&L, &done_states);
    if (rc < 0) goto done;
  }
  rc = validate(&L);
done:
  pcre2_match_data_free(L.md);
  free(norm);
  if (rc == NH_TFSM_ENOMEM) tfsm_errf(err, errlen, "%s: out of memory", name ? name : "");
  if (rc < 0) {
    nh_tfsm_template_free(t);
    return rc;
  }
  *out = t;
  return 0;
}

int nh_tfsm_template_load_file(const char *path, nh_tfsm_template_t **out, char *err,
                               size_t errlen) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    tfsm_errf(err, errlen, "%s: cannot open template", path);
    return NH_TFSM_ENOENT;
  }
  tfsm_buf_t b = {0};
  char chunk[8192];
  size_t k;
  while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) tfsm_buf_add(&b, chunk, k);
  fclose(f);
  size_t len = b.len;
  char *text = tfsm_buf_finish(&b);
  if (!text) return NH_TFSM_ENOMEM;
  int rc = nh_tfsm_template_load(path, text, len, out, err, errlen);
  free(text);
  return rc;
}
