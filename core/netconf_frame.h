/* nethost core: NETCONF message framing over SSH (RFC 6242).
 *
 * Two framings exist: base:1.0 ends every message with "]]>]]>", base:1.1 sends messages as
 * chunks ("\n#SIZE\n" DATA ... "\n##\n"). Hellos always use base:1.0; both sides switch to
 * chunked framing after the hello exchange when both advertise base:1.1.
 *
 * This file is pure (no I/O, no loop): a decoder fed with whatever bytes the channel
 * delivered, and an encoder. It is fuzzed by tests/fuzz/netconf.
 */
#ifndef NH_NETCONF_FRAME_H
#define NH_NETCONF_FRAME_H

#include <stddef.h>

typedef struct {
  int chunked;        /* base:1.1 framing; may be switched between messages */
  size_t max_message; /* a message longer than this fails with NH_ETOOBIG */
  /* private */
  int state;
  int have_chunk; /* the current chunked message has at least one chunk */
  size_t chunk_left;
  size_t size_digits;
  char *buf;
  size_t len, cap;
  char error[96];
} nh_nc_framer_t;

/* Prepares f (max_message 0: 64 MB). */
void nh_nc_framer_init(nh_nc_framer_t *f, size_t max_message);

/* Releases f's buffer. */
void nh_nc_framer_free(nh_nc_framer_t *f);

/* Consumes bytes of data (len bytes) up to the end of the next message at most, and sets
 * *used to how many. Returns 1 when a message is complete (take it with
 * nh_nc_framer_take before feeding more), 0 when all of data was consumed without
 * completing one, NH_EPROTO for malformed chunk framing and NH_ETOOBIG for a message over
 * the limit (f->error then says what). After an error the framer is unusable. */
int nh_nc_framer_feed(nh_nc_framer_t *f, const char *data, size_t len, size_t *used);

/* Hands over the completed message (NUL-terminated, *len bytes, the caller frees it) and
 * resets the message buffer. NULL when out of memory. */
char *nh_nc_framer_take(nh_nc_framer_t *f, size_t *len);

/* Encodes msg in the framing (chunked or not) into a new buffer (*out, *out_len; the
 * caller frees it). Returns 0 or NH_ENOMEM. */
int nh_nc_frame_encode(int chunked, const char *msg, size_t len, char **out, size_t *out_len);

#endif
