#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void) {
  fputs("nethost-sim: out of memory\n", stderr);
  abort();
}

void *sim_calloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom();
  return p;
}

void *sim_realloc(void *p, size_t size) {
  void *q = realloc(p, size ? size : 1);
  if (!q) oom();
  return q;
}

char *sim_strdup(const char *s) {
  char *p = strdup(s ? s : "");
  if (!p) oom();
  return p;
}

void sb_init(sbuf_t *b) {
  b->data = NULL;
  b->len = b->cap = 0;
}

void sb_free(sbuf_t *b) {
  free(b->data);
  sb_init(b);
}

void sb_reserve(sbuf_t *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  b->data = sim_realloc(b->data, cap);
  b->cap = cap;
  b->data[b->len] = '\0';
}

void sb_add(sbuf_t *b, const void *data, size_t len) {
  sb_reserve(b, len);
  if (len) memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void sb_puts(sbuf_t *b, const char *s) {
  sb_add(b, s, strlen(s));
}

void sb_putc(sbuf_t *b, char c) {
  sb_add(b, &c, 1);
}

/* Formats straight into the free space (no copy through a stack buffer); when the text is
 * longer, grows the buffer to the length vsnprintf reported and formats it again. */
void sb_printf(sbuf_t *b, const char *fmt, ...) {
  va_list ap;
  sb_reserve(b, 256);
  va_start(ap, fmt);
  int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n >= b->cap - b->len) {
    sb_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  if (n > 0) b->len += (size_t)n;
  b->data[b->len] = '\0'; /* also after a format error, which may leave part of a text */
}

void sb_consume(sbuf_t *b, size_t n) {
  if (n >= b->len) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
    return;
  }
  memmove(b->data, b->data + n, b->len - n);
  b->len -= n;
  b->data[b->len] = '\0';
}

void sb_clear(sbuf_t *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

const char *sb_str(sbuf_t *b) {
  sb_reserve(b, 0);
  return b->data;
}

void sb_json_string(sbuf_t *o, const char *s) {
  sb_putc(o, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      sb_printf(o, "\\%c", c);
    else if (c == '\n')
      sb_puts(o, "\\n");
    else if (c == '\r')
      sb_puts(o, "\\r");
    else if (c == '\t')
      sb_puts(o, "\\t");
    else if (c < 0x20)
      sb_printf(o, "\\u%04x", c);
    else
      sb_putc(o, (char)c);
  }
  sb_putc(o, '"');
}
