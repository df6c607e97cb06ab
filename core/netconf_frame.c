/* nethost core: NETCONF framing (RFC 6242), a byte-at-a-time state machine for the chunk
 * headers and bulk copies for the data, so a reply split anywhere by the SSH channel (even
 * inside a chunk header or the end marker) decodes the same.
 */
#include "netconf_frame.h"
#include "error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_MESSAGE ((size_t)64 << 20)
#define EOM                 "]]>]]>"
#define EOM_LEN             6
/* Chunk sizes are at most 4294967295 (RFC 6242 section 4.2): ten digits. */
#define MAX_SIZE_DIGITS 10
#define MAX_CHUNK_SIZE  4294967295ull

enum { C_LF, C_HASH, C_SIZE_FIRST, C_SIZE, C_DATA, C_END_LF };

void nh_nc_framer_init(nh_nc_framer_t *f, size_t max_message) {
  memset(f, 0, sizeof(*f));
  f->max_message = max_message ? max_message : DEFAULT_MAX_MESSAGE;
  f->state = C_LF;
}

void nh_nc_framer_free(nh_nc_framer_t *f) {
  free(f->buf);
  f->buf = NULL;
  f->len = f->cap = 0;
}

static int fail(nh_nc_framer_t *f, int code, const char *what, unsigned char c) {
  if (c >= 0x20 && c < 0x7f)
    snprintf(f->error, sizeof(f->error), "%s (got '%c')", what, c);
  else
    snprintf(f->error, sizeof(f->error), "%s (got byte 0x%02x)", what, c);
  return code;
}

static int too_big(nh_nc_framer_t *f) {
  snprintf(f->error, sizeof(f->error), "message exceeds the limit of %zu bytes", f->max_message);
  return NH_ETOOBIG;
}

/* Makes room for n more bytes and a terminating NUL. */
static int grow(nh_nc_framer_t *f, size_t n) {
  if (f->len + n + 1 > f->cap) {
    size_t ncap = f->cap ? f->cap : 4096;
    char *q;
    while (ncap < f->len + n + 1) ncap *= 2;
    if (!(q = realloc(f->buf, ncap))) return NH_ENOMEM;
    f->buf = q;
    f->cap = ncap;
  }
  return 0;
}

/* Appends n bytes to the message. */
static int append(nh_nc_framer_t *f, const char *p, size_t n) {
  int rc;
  if (f->len + n > f->max_message) return too_big(f);
  if ((rc = grow(f, n)) < 0) return rc;
  memcpy(f->buf + f->len, p, n);
  f->len += n;
  f->buf[f->len] = 0;
  return 0;
}

static int feed_eom(nh_nc_framer_t *f, const char *data, size_t len, size_t *used) {
  size_t old = f->len, from;
  const char *hit;
  int rc;
  /* Append first, then search: the marker may straddle two reads, so the search starts
   * EOM_LEN-1 bytes back into what was already there. Bytes after the marker belong to
   * the next message and are given back through *used. */
  if ((rc = grow(f, len)) < 0) return rc;
  memcpy(f->buf + f->len, data, len);
  f->len += len;
  f->buf[f->len] = 0;
  from = old > EOM_LEN - 1 ? old - (EOM_LEN - 1) : 0;
  hit = memmem(f->buf + from, f->len - from, EOM, EOM_LEN);
  if (!hit) {
    *used = len;
    if (f->len > f->max_message) return too_big(f);
    return 0;
  }
  *used = (size_t)(hit - f->buf) + EOM_LEN - old;
  f->len = (size_t)(hit - f->buf);
  f->buf[f->len] = 0;
  if (f->len > f->max_message) return too_big(f);
  return 1;
}

static int feed_chunked(nh_nc_framer_t *f, const char *data, size_t len, size_t *used) {
  size_t i = 0;
  while (i < len) {
    unsigned char c = (unsigned char)data[i];
    switch (f->state) {
    case C_LF:
      if (c != '\n') return fail(f, NH_EPROTO, "chunk header: expected a newline", c);
      f->state = C_HASH;
      i++;
      break;
    case C_HASH:
      if (c != '#') return fail(f, NH_EPROTO, "chunk header: expected '#'", c);
      f->state = C_SIZE_FIRST;
      i++;
      break;
    case C_SIZE_FIRST:
      if (c == '#') {
        if (!f->have_chunk) return fail(f, NH_EPROTO, "end of chunks before any chunk", c);
        f->state = C_END_LF;
      } else if (c >= '1' && c <= '9') {
        f->chunk_left = c - '0';
        f->size_digits = 1;
        f->state = C_SIZE;
      } else {
        return fail(f, NH_EPROTO, "chunk header: expected a size or '#'", c);
      }
      i++;
      break;
    case C_SIZE:
      if (c == '\n') {
        f->state = C_DATA;
        f->have_chunk = 1;
      } else if (c >= '0' && c <= '9' && f->size_digits < MAX_SIZE_DIGITS) {
        f->chunk_left = f->chunk_left * 10 + (c - '0');
        f->size_digits++;
        if ((unsigned long long)f->chunk_left > MAX_CHUNK_SIZE)
          return fail(f, NH_EPROTO, "chunk size over 4294967295", c);
      } else {
        return fail(f, NH_EPROTO, "chunk header: bad size", c);
      }
      i++;
      break;
    case C_DATA: {
      size_t n = len - i < f->chunk_left ? len - i : f->chunk_left;
      int rc = append(f, data + i, n);
      if (rc < 0) return rc;
      f->chunk_left -= n;
      i += n;
      if (f->chunk_left == 0) f->state = C_LF;
      break;
    }
    case C_END_LF:
      if (c != '\n') return fail(f, NH_EPROTO, "end of chunks: expected a newline", c);
      i++;
      f->state = C_LF;
      f->have_chunk = 0;
      *used = i;
      return 1;
    }
  }
  *used = len;
  return 0;
}

int nh_nc_framer_feed(nh_nc_framer_t *f, const char *data, size_t len, size_t *used) {
  *used = 0;
  if (f->error[0]) return NH_EPROTO;
  return f->chunked ? feed_chunked(f, data, len, used) : feed_eom(f, data, len, used);
}

char *nh_nc_framer_take(nh_nc_framer_t *f, size_t *len) {
  char *m = f->buf;
  if (!m && !(m = calloc(1, 1))) return NULL;
  *len = f->len;
  f->buf = NULL;
  f->len = f->cap = 0;
  return m;
}

int nh_nc_frame_encode(int chunked, const char *msg, size_t len, char **out, size_t *out_len) {
  /* Chunks of at most 1 MB keep every header short and exercise servers' reassembly. */
  const size_t chunk = (size_t)1 << 20;
  size_t nchunks = len / chunk + 1, cap = len + nchunks * 16 + 8, pos = 0, off = 0;
  char *p = malloc(cap);
  if (!p) return NH_ENOMEM;
  if (!chunked) {
    memcpy(p, msg, len);
    memcpy(p + len, EOM, EOM_LEN);
    *out = p;
    *out_len = len + EOM_LEN;
    return 0;
  }
  while (off < len) {
    size_t n = len - off < chunk ? len - off : chunk;
    pos += (size_t)snprintf(p + pos, cap - pos, "\n#%zu\n", n);
    memcpy(p + pos, msg + off, n);
    pos += n;
    off += n;
  }
  memcpy(p + pos, "\n##\n", 4);
  pos += 4;
  *out = p;
  *out_len = pos;
  return 0;
}
