/* A growable byte buffer for building device output. Allocation failure aborts the
 * simulator: it is a test tool, and a half-written reply would only hide the problem. */
#ifndef SIM_SBUF_H
#define SIM_SBUF_H

#include <stddef.h>

typedef struct sbuf {
  char *data; /* always NUL-terminated when len > 0 or after sb_reserve */
  size_t len;
  size_t cap;
} sbuf_t;

void sb_init(sbuf_t *b);
void sb_free(sbuf_t *b);
void sb_reserve(sbuf_t *b, size_t extra);
void sb_add(sbuf_t *b, const void *data, size_t len);
void sb_puts(sbuf_t *b, const char *s);
void sb_putc(sbuf_t *b, char c);
void sb_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Removes the first n bytes. */
void sb_consume(sbuf_t *b, size_t n);
void sb_clear(sbuf_t *b);
/* Appends s as a JSON string literal (quoted, escaped). */
void sb_json_string(sbuf_t *b, const char *s);
/* Returns the buffer's bytes as a NUL-terminated string owned by the buffer. */
const char *sb_str(sbuf_t *b);

/* A string helper the whole simulator uses: malloc'ed copy, aborting on failure. */
char *sim_strdup(const char *s);
void *sim_calloc(size_t n, size_t size);
void *sim_realloc(void *p, size_t size);

#endif
