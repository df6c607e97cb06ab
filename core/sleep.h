/* nethost core: sleeping as an operation, so a sleep is cancelled like any other wait. */
#ifndef NH_SLEEP_H
#define NH_SLEEP_H

#include "op.h"

typedef struct {
  nh_op_t op; /* first member */
  nh_timer_t timer;
} nh_sleep_t;

/* Completes req with status 0 after ms milliseconds (0: on the next loop iteration).
 * Returns 0 or a negative NH_E* code (then cb never fires). */
int nh_sleep_start(nh_loop_t *loop, nh_sleep_t *req, uint64_t ms, nh_op_cb cb);

#endif
