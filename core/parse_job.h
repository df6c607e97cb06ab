/* nethost core: parsing as an operation on libuv's thread pool.
 *
 * Parsing a few kilobytes is faster than a thread hop; parsing a 20 MB configuration is
 * not something the loop thread should do while thousands of sessions wait. This runs a
 * parser (resolved on the loop thread at start) on the thread pool. The text is copied at
 * start. Cancelling completes the operation at once with NH_ECANCELED; a parser already
 * running finishes in the background and its result is dropped.
 */
#ifndef NH_PARSE_JOB_H
#define NH_PARSE_JOB_H

#include <stddef.h>

#include "op.h"
#include "value.h"

typedef struct nh_parse_job_s nh_parse_job_t;

typedef struct nh_parse_s {
  nh_op_t op;
  /* results, valid in the callback; owned by the request until nh_parse_cleanup() */
  nh_value_t *value; /* status 0 */
  char *errmsg;      /* status NH_EPARSE (and others where a message exists) */
  /* private */
  nh_parse_job_t *job;
} nh_parse_t;

/* Starts parsing text[0..len) as the output of command on platform. Returns 0, or
 * NH_ENOPARSER / NH_EINVAL (errmsg set, see nh_registry_find_parser) / NH_ENOMEM, in which
 * case cb never fires; req->errmsg may then hold a message (free it with
 * nh_parse_cleanup). The callback's status is 0, NH_EPARSE, NH_ENOPARSER, NH_ENOMEM,
 * NH_ECANCELED or NH_ETIMEDOUT. */
int nh_parse_start(nh_loop_t *loop, nh_parse_t *req, const char *platform, const char *command,
                   const char *text, size_t len, uint64_t timeout_ms, nh_op_cb cb);

/* Frees the results still held by req (after its callback, or after a failed start). */
void nh_parse_cleanup(nh_parse_t *req);

#endif
