/* nethost core: one-shot timers on the loop's heap.
 *
 * One uv_timer_t serves every nh_timer_t of a loop, armed for the earliest deadline. An
 * nh_timer_t holds no libuv handle, so stopping one is immediate and its memory is the
 * caller's again as soon as nh_timer_stop() returns (or its callback has started).
 */
#ifndef NH_TIMER_H
#define NH_TIMER_H

#include "loop.h"

/* Prepares a stopped timer. */
void nh_timer_init(nh_loop_t *loop, nh_timer_t *timer);

/* Starts (or restarts) timer to call cb once after timeout_ms. Timers with the same due time
 * fire in the order they were started. Returns 0 or NH_ENOMEM. */
int nh_timer_start(nh_timer_t *timer, nh_timer_cb cb, uint64_t timeout_ms);

/* Stops timer if it is pending; harmless otherwise. */
void nh_timer_stop(nh_timer_t *timer);

static inline int nh_timer_is_active(const nh_timer_t *timer) {
  return timer->slot != (size_t)-1;
}

/* Number of pending timers of loop. */
size_t nh_timer_count(const nh_loop_t *loop);

#endif
