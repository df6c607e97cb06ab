/* nethost core: one-shot timers on a binary min-heap, ordered by (due, seq). */
#include "timer.h"
#include "error.h"

#include <stdlib.h>

#define NOT_IN_HEAP ((size_t)-1)

static int before(const nh_timer_t *a, const nh_timer_t *b) {
  return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void place(nh_timer_t **heap, size_t i, nh_timer_t *t) {
  heap[i] = t;
  t->slot = i;
}

static void sift_up(nh_timer_t **heap, size_t i) {
  nh_timer_t *t = heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!before(t, heap[parent])) break;
    place(heap, i, heap[parent]);
    i = parent;
  }
  place(heap, i, t);
}

static void sift_down(nh_timer_t **heap, size_t len, size_t i) {
  nh_timer_t *t = heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= len) break;
    if (child + 1 < len && before(heap[child + 1], heap[child])) child++;
    if (!before(heap[child], t)) break;
    place(heap, i, heap[child]);
    i = child;
  }
  place(heap, i, t);
}

static void heap_remove(nh_loop_t *loop, nh_timer_t *t) {
  size_t i = t->slot;
  nh_timer_t *last = loop->heap[--loop->heap_len];
  t->slot = NOT_IN_HEAP;
  if (last == t) return;
  place(loop->heap, i, last);
  if (i > 0 && before(last, loop->heap[(i - 1) / 2]))
    sift_up(loop->heap, i);
  else
    sift_down(loop->heap, loop->heap_len, i);
}

static void fire_cb(uv_timer_t *handle);

/* Points the one uv timer at the earliest deadline, touching libuv only when it moved. */
static void rearm(nh_loop_t *loop) {
  uint64_t now, due;
  if (loop->heap_len == 0) {
    if (loop->armed_due != UINT64_MAX) uv_timer_stop(&loop->heap_timer);
    loop->armed_due = UINT64_MAX;
    return;
  }
  due = loop->heap[0]->due;
  if (due == loop->armed_due) return;
  now = uv_now(loop->uv);
  uv_timer_start(&loop->heap_timer, fire_cb, due > now ? due - now : 0, 0);
  loop->armed_due = due;
}

static void fire_cb(uv_timer_t *handle) {
  nh_loop_t *loop = handle->data;
  uint64_t now = uv_now(loop->uv);
  loop->armed_due = UINT64_MAX;
  while (loop->heap_len > 0 && loop->heap[0]->due <= now) {
    nh_timer_t *t = loop->heap[0];
    heap_remove(loop, t);
    t->cb(t);
  }
  rearm(loop);
}

void nh_timer_init(nh_loop_t *loop, nh_timer_t *timer) {
  timer->loop = loop;
  timer->cb = NULL;
  timer->due = 0;
  timer->seq = 0;
  timer->slot = NOT_IN_HEAP;
}

int nh_timer_start(nh_timer_t *timer, nh_timer_cb cb, uint64_t timeout_ms) {
  nh_loop_t *loop = timer->loop;
  if (timer->slot != NOT_IN_HEAP) heap_remove(loop, timer);
  if (loop->heap_len == loop->heap_cap) {
    size_t ncap = loop->heap_cap ? loop->heap_cap * 2 : 64;
    nh_timer_t **p = realloc(loop->heap, ncap * sizeof(*p));
    if (!p) {
      rearm(loop);
      return NH_ENOMEM;
    }
    loop->heap = p;
    loop->heap_cap = ncap;
  }
  timer->cb = cb;
  timer->due = uv_now(loop->uv) + timeout_ms;
  timer->seq = loop->heap_seq++;
  place(loop->heap, loop->heap_len, timer);
  sift_up(loop->heap, loop->heap_len++);
  rearm(loop);
  return 0;
}

void nh_timer_stop(nh_timer_t *timer) {
  if (timer->slot == NOT_IN_HEAP) return;
  heap_remove(timer->loop, timer);
  rearm(timer->loop);
}

size_t nh_timer_count(const nh_loop_t *loop) {
  return loop->heap_len;
}
