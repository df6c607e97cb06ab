/* nethost core: limits of SSH connections — the new-connections-per-second rate of a loop
 * (real sshd and AAA servers drop bursts), the process's open-file limit, and the count of
 * a loop's open connections. The per-loop figures hang on the loop (nh_loop_state_t). */
#include "ssh_internal.h"
#include "error.h"
#include "list.h"
#include "timer.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/resource.h>

/* The limiter of one loop: connections of different loops never wait for each other, and
 * the timer lives on the heap of the loop whose connections it releases. */
typedef struct {
  nh_loop_state_t base;   /* first member */
  double rate_per_second; /* 0: unlimited */
  uint64_t next_slot_ms;  /* loop time at which the next connect may start */
  nh_list_t queue;        /* connections waiting for a token (nh_ssh_t.rate_link) */
  nh_timer_t timer;
  void (*resume)(nh_ssh_t *ssh);
  size_t open_count;
} limits_t;

static const char limits_key;

static void limits_close(nh_loop_state_t *base) {
  limits_t *l = (limits_t *)base;
  nh_timer_stop(&l->timer);
  free(l);
}

/* The loop's limiter, made on first use; NULL when out of memory and create is set, or
 * when there is none yet and create is not. */
static limits_t *limits_of(nh_loop_t *loop, int create) {
  limits_t *l;
  if (!create) return (limits_t *)nh_loop_state_find(loop, &limits_key);
  l = (limits_t *)nh_loop_state_get(loop, &limits_key, sizeof(limits_t), limits_close);
  if (l && !l->timer.loop) {
    nh_timer_init(loop, &l->timer);
    l->timer.data = l;
    nh_list_init(&l->queue);
  }
  return l;
}

int nh_ssh_set_connect_rate(nh_loop_t *loop, double per_second) {
  limits_t *l = limits_of(loop, per_second > 0);
  if (!l) return per_second > 0 ? NH_ENOMEM : 0;
  l->rate_per_second = per_second > 0 ? per_second : 0;
  return 0;
}

static uint64_t interval_ms(const limits_t *l) {
  uint64_t ms = (uint64_t)(1000.0 / l->rate_per_second);
  return ms ? ms : 1;
}

static void rate_timer_cb(nh_timer_t *timer) {
  limits_t *l = timer->data;
  nh_list_t *link = l->queue.next;
  if (nh_list_empty(&l->queue)) return;
  nh_list_remove(link);
  l->next_slot_ms = nh_loop_now(timer->loop) + (l->rate_per_second > 0 ? interval_ms(l) : 0);
  if (!nh_list_empty(&l->queue))
    nh_timer_start(&l->timer, rate_timer_cb, l->rate_per_second > 0 ? interval_ms(l) : 0);
  l->resume(nh_container_of(link, nh_ssh_t, rate_link));
}

int nh__ssh_rate_acquire(nh_ssh_t *ssh, void (*resume)(nh_ssh_t *ssh)) {
  limits_t *l = limits_of(ssh->loop, 0);
  uint64_t now = nh_loop_now(ssh->loop);
  if (!l || (l->rate_per_second <= 0 && nh_list_empty(&l->queue))) return 1;
  if (nh_list_empty(&l->queue) && now >= l->next_slot_ms) {
    l->next_slot_ms = now + interval_ms(l);
    return 1;
  }
  l->resume = resume;
  nh_list_append(&l->queue, &ssh->rate_link);
  if (!nh_timer_is_active(&l->timer))
    nh_timer_start(&l->timer, rate_timer_cb, l->next_slot_ms > now ? l->next_slot_ms - now : 0);
  return 0;
}

void nh__ssh_rate_forget(nh_ssh_t *ssh) {
  limits_t *l = limits_of(ssh->loop, 0);
  if (!l || !nh_list_linked(&ssh->rate_link)) return;
  nh_list_remove(&ssh->rate_link);
  if (nh_list_empty(&l->queue)) nh_timer_stop(&l->timer);
}

long nh_ssh_raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return -1;
  if (rl.rlim_cur < rl.rlim_max) {
    rlim_t want = rl.rlim_max;
    /* Some systems report an "unlimited" hard limit that setrlimit refuses. */
    if (want == RLIM_INFINITY || want > 1048576) want = 1048576;
    if (want > rl.rlim_cur) {
      rl.rlim_cur = want;
      setrlimit(RLIMIT_NOFILE, &rl);
      getrlimit(RLIMIT_NOFILE, &rl);
    }
  }
  return (long)rl.rlim_cur;
}

int nh__ssh_count_open(nh_loop_t *loop, int delta) {
  limits_t *l = limits_of(loop, 1);
  if (!l) return NH_ENOMEM;
  l->open_count += (size_t)(long)delta;
  return 0;
}

size_t nh_ssh_open_count(nh_loop_t *loop) {
  limits_t *l = limits_of(loop, 0);
  return l ? l->open_count : 0;
}
