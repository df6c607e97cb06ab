/* nhtextfsm internals shared by the engine's files (not installed). */
#ifndef NH_TFSM_INTERNAL_H
#define NH_TFSM_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stddef.h>

#include "../utf8.h"
#include "textfsm.h"

/* A growable byte buffer. On allocation failure `failed` is set and appends are ignored,
 * so builders check once at the end. */
typedef struct {
  char *ptr;
  size_t len, cap;
  int failed;
} tfsm_buf_t;

void tfsm_buf_add(tfsm_buf_t *b, const char *s, size_t n);
void tfsm_buf_addc(tfsm_buf_t *b, char c);
void tfsm_buf_adds(tfsm_buf_t *b, const char *s);
void tfsm_buf_printf(tfsm_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminates and returns the buffer (the caller frees it), or NULL if it failed. */
char *tfsm_buf_finish(tfsm_buf_t *b);

/* Makes room in *arr (holding *cap elements of elem bytes) for need elements: a capacity
 * doubled from *cap (from min when 0) until it fits. Returns 0, or -1 out of memory with
 * *arr and *cap unchanged. */
int tfsm_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t min);
/* A NUL-terminated copy of s[0..n) (malloc'd), or NULL. */
char *tfsm_strndup(const char *s, size_t n);

void tfsm_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes "name:line: " ("name: " when line is 0) and then the message into err, as
 * tfsm_errf does (err may be NULL). */
void tfsm_verrf_at(char *err, size_t errlen, const char *name, int line, const char *fmt,
                   va_list ap) __attribute__((format(printf, 5, 0)));

/* A compiled regex as the engine uses it: PCRE2 UTF+UCP, anchored like Python's re.match.
 * JIT compilation costs far more than one match, and most rules of most templates run a
 * handful of times, so a regex runs in the interpreter until it has been used
 * TFSM_JIT_AFTER times; then one thread JIT-compiles a copy and publishes it. Matching is
 * thread-safe: large outputs are parsed on libuv's thread pool while the loop thread may
 * run the same template. */
typedef struct {
  pcre2_code *code;          /* never changes after compile */
  _Atomic(pcre2_code *) jit; /* a JIT-compiled copy, once published */
  _Atomic unsigned uses;     /* matches run so far */
} tfsm_re_t;
#define TFSM_JIT_AFTER 200u

/* Returns NULL with a message in err (or "out of memory"). */
tfsm_re_t *tfsm_regex_compile(const char *pat, size_t len, int jit_now, char *err, size_t errlen);
void tfsm_regex_free(tfsm_re_t *re);

/* A match data block of this thread for callers that need no captures beyond a few
 * (index lookups); NULL when out of memory. */
pcre2_match_data *tfsm_scratch_md(void);

/* Runs re anchored at subject[0]. Returns the number of captures + 1 (> 0) on a match, 0
 * when it does not match (a match or depth limit counts as no match, as the corpus
 * README explains), or a negative PCRE2 error. */
int tfsm_regex_match(tfsm_re_t *re, const char *subject, size_t len, pcre2_match_data *md);

/* Length of the valid UTF-8 prefix of s: n when all of it is valid. Subjects given to
 * tfsm_regex_match must be valid (it skips PCRE2's check). */
size_t tfsm_utf8_valid(const char *s, size_t n);

/* Python str.isspace() for the code point starting at s (n bytes left); returns its
 * length in bytes or 0 if it is not whitespace. */
size_t tfsm_space_len(const char *s, size_t n);

/* Python str.strip()/rstrip() on a byte range: adjusts *start and/or *end. */
void tfsm_rstrip(const char *s, size_t *len);
void tfsm_lstrip(const char **s, size_t *len);

/* One value of a template's FSM. */
typedef struct {
  char *name;
  char *subst;       /* what ${Name} stands for: "(?P<Name>regex..." */
  unsigned opts;     /* NH_TFSM_OPT_* */
  unsigned order[5]; /* the options in declaration order (they run in that order) */
  int norder;
  /* List values with nested named groups: the value regex matched again on the captured
   * text (clitable/TextFSM List.OnAssignVar). */
  tfsm_re_t *list_re;
  int list_groups; /* capture groups of the value regex (Python's .groups) */
  char **list_names;
  int *list_name_groups;
  size_t list_nnames;
} tfsm_value_t;

enum { TFSM_LINE_NEXT = 0, TFSM_LINE_CONTINUE, TFSM_LINE_ERROR };
enum { TFSM_REC_NONE = 0, TFSM_REC_RECORD, TFSM_REC_CLEAR, TFSM_REC_CLEARALL };
#define TFSM_STATE_NONE (-1)
#define TFSM_STATE_END  (-2)
#define TFSM_STATE_EOF  (-3)

typedef struct {
  tfsm_re_t *re;
  int *assign_group; /* capture group numbers bound to a Value, in group order */
  int *assign_value; /* the Value index for each */
  int nassign;
  int line_op, rec_op;
  int next_state;  /* state index, or TFSM_STATE_* */
  char *new_state; /* the raw text after the operator (an Error message keeps quotes) */
  int line;        /* template line number */
} tfsm_rule_t;

typedef struct {
  char *name;
  tfsm_rule_t *rules;
  size_t nrules, cap;
} tfsm_state_t;

struct nh_tfsm_template_s {
  char *name;
  tfsm_value_t *values;
  size_t nvalues;
  tfsm_state_t *states;
  size_t nstates;
  int start;      /* index of Start */
  int has_eof;    /* an EOF state is declared: no implicit record at the end */
  int max_groups; /* for match data */
};

/* Table building (table.c). */
nh_tfsm_table_t *tfsm_table_new(const nh_tfsm_template_t *t);
int tfsm_table_add_buf(nh_tfsm_table_t *tab, char *buf);
nh_tfsm_cell_t *tfsm_table_add_row(nh_tfsm_table_t *tab);
nh_tfsm_item_t *tfsm_table_add_items(nh_tfsm_table_t *tab, size_t n);
nh_tfsm_kv_t *tfsm_table_add_kvs(nh_tfsm_table_t *tab, size_t n);
char *tfsm_table_strdup(nh_tfsm_table_t *tab, const char *s, size_t n);
/* clitable's str() of List items that are maps (their Python repr); a missing item stays
 * NULL where clitable writes "None". */
int tfsm_table_stringify_items(nh_tfsm_table_t *tab);
/* clitable/texttable extend(): adds the columns of b missing in a, matching rows on keys
 * (or by position when nkeys is 0). Returns 0, NH_TFSM_ENOMEM or NH_TFSM_ESYNTAX. */
int tfsm_table_extend(nh_tfsm_table_t *a, nh_tfsm_table_t *b, char **keys, size_t nkeys, char *err,
                      size_t errlen);

#endif
