/* nethost core: a growable text buffer for writers (JSON, the metrics exposition). It
 * remembers a failed allocation, so a writer appends without checking each step and looks
 * once at the end (failed), then takes data (malloc'd, NUL-terminated) or frees it. */
#ifndef NH_STRBUF_H
#define NH_STRBUF_H

#include <stddef.h>

/* Zero-initialise ({0}) before use. data is NULL until something was added. */
typedef struct nh_strbuf_s {
  char *data;
  size_t len, cap;
  int failed;
} nh_strbuf_t;

/* Appends n bytes of s (data stays NUL-terminated); nothing once failed. Adding "" with n 0
 * makes data a valid empty string. */
void nh_strbuf_add(nh_strbuf_t *b, const char *s, size_t n);
void nh_strbuf_puts(nh_strbuf_t *b, const char *s);
/* Appends formatted text, cut at 127 bytes (numbers, short words). */
void nh_strbuf_printf(nh_strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
