/* Growable byte buffers and error messages for the TextFSM engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_internal.h"

static int reserve(tfsm_buf_t *b, size_t extra) {
  if (b->failed) return -1;
  if (b->len + extra + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  char *p = realloc(b->ptr, cap);
  if (!p) {
    b->failed = 1;
    return -1;
  }
  b->ptr = p;
  b->cap = cap;
  return 0;
}

void tfsm_buf_add(tfsm_buf_t *b, const char *s, size_t n) {
  if (reserve(b, n) < 0) return;
  if (n) memcpy(b->ptr + b->len, s, n);
  b->len += n;
  b->ptr[b->len] = '\0';
}

void tfsm_buf_addc(tfsm_buf_t *b, char c) {
  tfsm_buf_add(b, &c, 1);
}

void tfsm_buf_adds(tfsm_buf_t *b, const char *s) {
  tfsm_buf_add(b, s, strlen(s));
}

/* Measures the text first, then formats it in place: one path for any length (the callers
 * format a few short escapes, so the second pass costs nothing that matters). */
void tfsm_buf_printf(tfsm_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || reserve(b, (size_t)n) < 0) return;
  va_start(ap, fmt);
  vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

char *tfsm_buf_finish(tfsm_buf_t *b) {
  if (reserve(b, 0) < 0) {
    free(b->ptr);
    b->ptr = NULL;
    return NULL;
  }
  b->ptr[b->len] = '\0';
  char *p = b->ptr;
  b->ptr = NULL;
  b->len = b->cap = 0;
  return p;
}

void tfsm_errf(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || !errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

void tfsm_verrf_at(char *err, size_t errlen, const char *name, int line, const char *fmt,
                   va_list ap) {
  int n;
  if (!err || !errlen) return;
  n = line > 0 ? snprintf(err, errlen, "%s:%d: ", name, line) : snprintf(err, errlen, "%s: ", name);
  if (n >= 0 && (size_t)n < errlen) vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}
