/* nethost core: the event loop and its ready queue. */
#include "loop.h"
#include "error.h"
#include "timer.h"

#include <stdlib.h>

static void queue_init(nh_ready_t *q) {
  q->next = q->prev = q;
}

static int queue_empty(const nh_ready_t *q) {
  return q->next == q;
}

static void drain_cb(uv_idle_t *idle) {
  nh_loop_t *loop = idle->data;
  nh_ready_t batch;

  /* Run only what is queued now: callbacks that post again run on the next iteration, so
   * a task that yields in a loop cannot starve I/O. */
  queue_init(&batch);
  batch.next = loop->queue.next;
  batch.prev = loop->queue.prev;
  batch.next->prev = &batch;
  batch.prev->next = &batch;
  queue_init(&loop->queue);

  while (!queue_empty(&batch)) {
    nh_ready_t *r = batch.next;
    batch.next = r->next;
    r->next->prev = &batch;
    r->next = r->prev = NULL;
    loop->drained++;
    r->cb(r);
  }
  if (queue_empty(&loop->queue)) uv_idle_stop(&loop->drain);
}

int nh_loop_init(nh_loop_t *loop) {
  int rc;
  loop->data = NULL;
  loop->metrics = NULL;
  loop->uv = &loop->own;
  loop->heap = NULL;
  loop->heap_len = loop->heap_cap = 0;
  loop->heap_seq = 0;
  loop->armed_due = UINT64_MAX;
  loop->drained = 0;
  loop->states = NULL;
  queue_init(&loop->queue);
  if ((rc = uv_loop_init(&loop->own)) < 0) return rc;
  uv_idle_init(loop->uv, &loop->drain);
  uv_timer_init(loop->uv, &loop->heap_timer);
  loop->drain.data = loop;
  loop->heap_timer.data = loop;
  return 0;
}

static void walk_count(uv_handle_t *h, void *arg) {
  if (!uv_is_closing(h)) ++*(int *)arg;
}

int nh_loop_close(nh_loop_t *loop) {
  int others = 0;
  if (!uv_is_closing((uv_handle_t *)&loop->drain)) {
    uv_close((uv_handle_t *)&loop->drain, NULL);
    uv_close((uv_handle_t *)&loop->heap_timer, NULL);
  }
  uv_run(loop->uv, UV_RUN_NOWAIT);
  uv_walk(loop->uv, walk_count, &others);
  if (others) return NH_EBUSY;
  if (uv_loop_close(loop->uv) < 0) return NH_EBUSY;
  while (loop->states) {
    nh_loop_state_t *st = loop->states;
    loop->states = st->next;
    st->close(st);
  }
  free(loop->heap);
  loop->heap = NULL;
  loop->heap_len = loop->heap_cap = 0;
  return 0;
}

void nh_loop_state_attach(nh_loop_t *loop, nh_loop_state_t *state, const void *key,
                          nh_loop_state_cb close) {
  state->key = key;
  state->close = close;
  state->next = loop->states;
  loop->states = state;
}

nh_loop_state_t *nh_loop_state_find(const nh_loop_t *loop, const void *key) {
  nh_loop_state_t *st;
  for (st = loop->states; st; st = st->next)
    if (st->key == key) return st;
  return NULL;
}

nh_loop_state_t *nh_loop_state_get(nh_loop_t *loop, const void *key, size_t size,
                                   nh_loop_state_cb close) {
  nh_loop_state_t *st = nh_loop_state_find(loop, key);
  if (st || !(st = calloc(1, size))) return st;
  nh_loop_state_attach(loop, st, key, close);
  return st;
}

int nh_loop_run(nh_loop_t *loop, uv_run_mode mode) {
  return uv_run(loop->uv, mode);
}

void nh_loop_post(nh_loop_t *loop, nh_ready_t *ready, nh_ready_cb cb) {
  ready->cb = cb;
  if (ready->prev) return;
  if (queue_empty(&loop->queue)) uv_idle_start(&loop->drain, drain_cb);
  ready->next = &loop->queue;
  ready->prev = loop->queue.prev;
  loop->queue.prev->next = ready;
  loop->queue.prev = ready;
}

int nh_loop_unpost(nh_ready_t *ready) {
  if (!ready->prev) return 0;
  ready->prev->next = ready->next;
  ready->next->prev = ready->prev;
  ready->next = ready->prev = NULL;
  return 1;
}

uint64_t nh_loop_now(const nh_loop_t *loop) {
  return uv_now(loop->uv);
}
