/* PCRE2 as the engine uses it, and Python's notion of whitespace.
 *
 * Every pattern is compiled with UTF and UCP (Python's str patterns are Unicode-aware:
 * `\s` matches U+00A0, `\w` matches letters of any script) and ANCHORED, because TextFSM
 * matches with re.match, and some rules have a top-level `|` that an added `^` would not
 * cover. JIT compilation is requested for every pattern; without a JIT the interpreter
 * gives the same results.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_internal.h"

/* Per thread: a match context holding the limit, a JIT stack larger than the default
 * 32 KB (some templates nest deeply) and a scratch match data block. Created on first
 * use; a thread-specific key's destructor frees them when the thread exits. */
typedef struct {
  pcre2_match_context *mctx;
  pcre2_jit_stack *jit_stack;
  pcre2_match_data *scratch;
} thread_state_t;

static pthread_key_t g_key;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;
static __thread thread_state_t *t_state;

static void thread_state_free(void *p) {
  thread_state_t *ts = p;
  pcre2_match_context_free(ts->mctx);
  pcre2_jit_stack_free(ts->jit_stack);
  pcre2_match_data_free(ts->scratch);
  free(ts);
  t_state = NULL;
}

static void make_key(void) {
  (void)pthread_key_create(&g_key, thread_state_free);
}

static thread_state_t *thread_state(void) {
  if (t_state) return t_state;
  pthread_once(&g_key_once, make_key);
  thread_state_t *ts = calloc(1, sizeof *ts);
  if (!ts) return NULL;
  ts->mctx = pcre2_match_context_create(NULL);
  ts->jit_stack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, NULL);
  ts->scratch = pcre2_match_data_create(32, NULL);
  if (!ts->mctx || !ts->scratch) {
    thread_state_free(ts);
    return NULL;
  }
  /* One template in the corpus (cisco_s300 show vlan: `^(\s*-*)*\s*$$`) backtracks
   * exponentially on lines with long leading blanks; Python grinds through in seconds and
   * finds no match. PCRE2 stops at this limit and the rule counts as not matching. A
   * failing search is "no match" either way; the limit only matters for a rule that would
   * succeed after more than 100,000 backtracking steps, which no template of the corpus
   * needs (the conformance test passes with a limit five times lower). */
  pcre2_set_match_limit(ts->mctx, 100000);
  if (ts->jit_stack) pcre2_jit_stack_assign(ts->mctx, NULL, ts->jit_stack);
  (void)pthread_setspecific(g_key, ts);
  t_state = ts;
  return ts;
}

tfsm_re_t *tfsm_regex_compile(const char *pat, size_t len, int jit_now, char *err, size_t errlen) {
  int ec;
  PCRE2_SIZE off;
  pcre2_code *re =
      pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED, &ec, &off, NULL);
  if (!re) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(ec, msg, sizeof msg);
    tfsm_errf(err, errlen, "%s at offset %zu", (char *)msg, (size_t)off);
    return NULL;
  }
  tfsm_re_t *r = calloc(1, sizeof *r);
  if (!r) {
    pcre2_code_free(re);
    tfsm_errf(err, errlen, "out of memory");
    return NULL;
  }
  r->code = re;
  atomic_init(&r->jit, NULL);
  atomic_init(&r->uses, 0);
  if (jit_now) {
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    atomic_store(&r->uses, TFSM_JIT_AFTER);
  }
  return r;
}

void tfsm_regex_free(tfsm_re_t *re) {
  if (!re) return;
  pcre2_code_free(atomic_load(&re->jit));
  pcre2_code_free(re->code);
  free(re);
}

int tfsm_regex_match(tfsm_re_t *re, const char *subject, size_t len, pcre2_match_data *md) {
  thread_state_t *ts = thread_state();
  if (!ts) return PCRE2_ERROR_NOMEMORY;
  pcre2_code *code = atomic_load_explicit(&re->jit, memory_order_acquire);
  if (!code) {
    code = re->code;
    /* Exactly one caller sees the count reach the threshold and publishes the JIT copy;
     * if JIT compilation fails, the interpreter simply stays. */
    if (atomic_load_explicit(&re->uses, memory_order_relaxed) < TFSM_JIT_AFTER &&
        atomic_fetch_add_explicit(&re->uses, 1, memory_order_relaxed) + 1 == TFSM_JIT_AFTER) {
      pcre2_code *copy = pcre2_code_copy(re->code);
      if (copy && pcre2_jit_compile(copy, PCRE2_JIT_COMPLETE) == 0)
        atomic_store_explicit(&re->jit, copy, memory_order_release);
      else
        pcre2_code_free(copy);
    }
  }
  /* The subject was validated (or repaired) once per parse. */
  int rc = pcre2_match(code, (PCRE2_SPTR)subject, len, 0, PCRE2_NO_UTF_CHECK, md, ts->mctx);
  if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
      rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
    return 0;
  if (rc == 0) return (int)pcre2_get_ovector_count(md); /* ovector too small: never here */
  return rc;
}

size_t tfsm_utf8_valid(const char *s, size_t n) {
  size_t k = 0;
  while (k < n) {
    if ((unsigned char)s[k] < 0x80) { /* device output is mostly ASCII */
      k++;
      continue;
    }
    size_t u = nh_utf8_decode((const unsigned char *)s + k, n - k, NULL);
    if (!u) return k;
    k += u;
  }
  return n;
}

size_t tfsm_space_len(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  if (n == 0) return 0;
  if (u[0] < 0x80) {
    /* str.isspace(): \t \n \v \f \r, the separators \x1c-\x1f and space. */
    return (u[0] >= 0x09 && u[0] <= 0x0d) || (u[0] >= 0x1c && u[0] <= 0x20) ? 1 : 0;
  }
  if (n >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0)) return 2;
  if (n >= 3 && u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) return 3; /* U+1680 */
  if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
      ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
    return 3;
  if (n >= 3 && u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) return 3; /* U+205F */
  if (n >= 3 && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) return 3; /* U+3000 */
  return 0;
}

/* Whitespace that ends at s[len]: walk back over continuation bytes to a lead byte. */
void tfsm_rstrip(const char *s, size_t *len) {
  size_t n = *len;
  while (n > 0) {
    size_t start = n - 1;
    while (start > 0 && n - start < 3 && ((unsigned char)s[start] & 0xc0) == 0x80) start--;
    size_t k = tfsm_space_len(s + start, n - start);
    if (k == 0 || start + k != n) break;
    n = start;
  }
  *len = n;
}

void tfsm_lstrip(const char **s, size_t *len) {
  size_t k;
  while (*len > 0 && (k = tfsm_space_len(*s, *len)) > 0) {
    *s += k;
    *len -= k;
  }
}

pcre2_match_data *tfsm_scratch_md(void) {
  thread_state_t *ts = thread_state();
  return ts ? ts->scratch : NULL;
}
