/* nethost core: the growable text buffer (see strbuf.h). */
#include "strbuf.h"
#include "grow.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void nh_strbuf_add(nh_strbuf_t *b, const char *s, size_t n) {
  void *data = b->data;
  if (b->failed) return;
  if (nh_grow(&data, &b->cap, b->len + n + 1, 1, 256) < 0) {
    b->failed = 1;
    return;
  }
  b->data = data;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void nh_strbuf_puts(nh_strbuf_t *b, const char *s) {
  nh_strbuf_add(b, s, strlen(s));
}

void nh_strbuf_printf(nh_strbuf_t *b, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0) nh_strbuf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}
