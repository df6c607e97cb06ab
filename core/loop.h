/* nethost core: the event loop.
 *
 * nh_loop_t wraps one uv_loop_t with the two things every nethost operation needs:
 *
 * - the ready queue: deferred calls that one idle handle drains. Every operation delivers
 *   its completion callback through it, so a callback never runs from inside the call
 *   that started the operation, nor from deep inside an I/O callback;
 * - the timer heap (core/timer.h): operation deadlines and sleeps without one uv handle
 *   each, so a timer can be stopped and freed at once, with no close callback to await.
 *
 * The caller allocates the nh_loop_t; nh_loop_close() releases what init took.
 */
#ifndef NH_LOOP_H
#define NH_LOOP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct nh_loop_s nh_loop_t;
typedef struct nh_ready_s nh_ready_t;
typedef struct nh_timer_s nh_timer_t;

typedef struct nh_loop_state_s nh_loop_state_t;

typedef void (*nh_ready_cb)(nh_ready_t *ready);
typedef void (*nh_timer_cb)(nh_timer_t *timer);
typedef void (*nh_loop_state_cb)(nh_loop_state_t *state);

/* A node of the ready queue, embedded in whatever wants a deferred call. */
struct nh_ready_s {
  nh_ready_t *next;
  nh_ready_t *prev; /* NULL while not queued */
  nh_ready_cb cb;
};

/* A timer on the loop's heap: embed it, nh_timer_start() it, and it fires once. */
struct nh_timer_s {
  void *data;
  /* private */
  nh_loop_t *loop;
  nh_timer_cb cb;
  uint64_t due; /* in uv_now() milliseconds */
  uint64_t seq; /* start order: equal deadlines fire first-started first */
  size_t slot;  /* index in the heap, or SIZE_MAX while stopped */
};

/* State a module keeps per loop rather than per process (a rate limiter, a cache): the
 * module embeds this node in its own struct, attaches it once and finds it again by key.
 * Two loops never share it, and nh_loop_close() hands it back through close, so it lives
 * exactly as long as the loop. */
struct nh_loop_state_s {
  nh_loop_state_t *next;
  const void *key; /* the address of something of the owning module's: unique per module */
  nh_loop_state_cb close;
};

struct nh_loop_s {
  uv_loop_t *uv; /* the libuv loop: add your own handles to it freely */
  void *data;
  /* The run's metrics (metrics.h) when they are served, else NULL: operations report
   * their times there. */
  struct nh_metrics_s *metrics;
  /* private */
  uv_loop_t own;
  uv_idle_t drain;
  uv_timer_t heap_timer;
  nh_ready_t queue; /* sentinel of a circular list */
  nh_timer_t **heap;
  size_t heap_len, heap_cap;
  uint64_t heap_seq;
  uint64_t armed_due; /* due time heap_timer is set for, or UINT64_MAX */
  uint64_t drained;   /* ready callbacks run so far (statistics) */
  nh_loop_state_t *states;
};

/* Initialises loop with a loop of its own. Returns 0 or a negative NH_E* code. */
int nh_loop_init(nh_loop_t *loop);

/* Closes the loop's own handles and the libuv loop, then calls the close callback of every
 * attached state (newest first) while the timer heap still exists, so a state may stop its
 * timers and unpost its ready nodes there. Returns NH_EBUSY (and leaves the libuv loop and
 * the states as they are) when handles someone else added are still open: that is a leak. */
int nh_loop_close(nh_loop_t *loop);

/* Attaches state under key; close(state) runs from nh_loop_close() and must release it.
 * A state may not open uv handles: the loop is already closing when close runs. */
void nh_loop_state_attach(nh_loop_t *loop, nh_loop_state_t *state, const void *key,
                          nh_loop_state_cb close);

/* The state attached under key, or NULL. */
nh_loop_state_t *nh_loop_state_find(const nh_loop_t *loop, const void *key);

/* The state attached under key, or a new zeroed one of size bytes (a struct whose first
 * member is the nh_loop_state_t) attached with close. NULL when out of memory. */
nh_loop_state_t *nh_loop_state_get(nh_loop_t *loop, const void *key, size_t size,
                                   nh_loop_state_cb close);

/* Runs the loop as uv_run() does. */
int nh_loop_run(nh_loop_t *loop, uv_run_mode mode);

/* Queues cb(ready) to run from the loop's drain handle. A node already queued stays where it
 * is (its callback is replaced). */
void nh_loop_post(nh_loop_t *loop, nh_ready_t *ready, nh_ready_cb cb);

/* Removes ready from the queue if it is queued; returns 1 if it was. */
int nh_loop_unpost(nh_ready_t *ready);

/* Whether ready is queued now. */
static inline int nh_ready_is_queued(const nh_ready_t *ready) {
  return ready->prev != NULL;
}

/* The loop's notion of now, in milliseconds (uv_now). */
uint64_t nh_loop_now(const nh_loop_t *loop);

#endif
