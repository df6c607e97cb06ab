/* nethost core: process-wide limits of SSH connections — the new-connections-per-second
 * rate (real sshd and AAA servers drop bursts), the open-file limit, and the count of open
 * connections. */
#include "ssh_internal.h"
#include "timer.h"

#include <stddef.h>
#include <sys/resource.h>

static double rate_per_second; /* 0: unlimited */
static uint64_t next_slot_ms;  /* loop time at which the next connect may start */
static nh_ssh_t *queue_head, *queue_tail;
static nh_timer_t rate_timer;
static nh_loop_t *rate_loop;
static void (*rate_resume)(nh_ssh_t *ssh);
static size_t open_count;

void nh_ssh_set_connect_rate(double per_second) {
  rate_per_second = per_second > 0 ? per_second : 0;
}

static uint64_t interval_ms(void) {
  uint64_t ms = (uint64_t)(1000.0 / rate_per_second);
  return ms ? ms : 1;
}

static void rate_timer_cb(nh_timer_t *timer) {
  nh_ssh_t *ssh = queue_head;
  (void)timer;
  if (!ssh) return;
  queue_head = ssh->rate_next;
  if (!queue_head) queue_tail = NULL;
  ssh->rate_next = NULL;
  next_slot_ms = nh_loop_now(rate_loop) + (rate_per_second > 0 ? interval_ms() : 0);
  if (queue_head)
    nh_timer_start(&rate_timer, rate_timer_cb, rate_per_second > 0 ? interval_ms() : 0);
  rate_resume(ssh);
}

int nh__ssh_rate_acquire(nh_ssh_t *ssh, void (*resume)(nh_ssh_t *ssh)) {
  uint64_t now = nh_loop_now(ssh->loop);
  if (rate_per_second <= 0 && !queue_head) return 1;
  if (!queue_head && now >= next_slot_ms) {
    next_slot_ms = now + interval_ms();
    return 1;
  }
  if (rate_loop != ssh->loop) {
    rate_loop = ssh->loop;
    nh_timer_init(ssh->loop, &rate_timer);
  }
  rate_resume = resume;
  ssh->rate_next = NULL;
  if (queue_tail)
    queue_tail->rate_next = ssh;
  else
    queue_head = ssh;
  queue_tail = ssh;
  if (!nh_timer_is_active(&rate_timer))
    nh_timer_start(&rate_timer, rate_timer_cb, next_slot_ms > now ? next_slot_ms - now : 0);
  return 0;
}

void nh__ssh_rate_forget(nh_ssh_t *ssh) {
  nh_ssh_t **p = &queue_head, *prev = NULL;
  while (*p && *p != ssh) {
    prev = *p;
    p = &(*p)->rate_next;
  }
  if (!*p) return;
  *p = ssh->rate_next;
  if (queue_tail == ssh) queue_tail = prev;
  ssh->rate_next = NULL;
  if (!queue_head) nh_timer_stop(&rate_timer);
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

void nh__ssh_count_open(int delta) {
  open_count += (size_t)(long)delta;
}

size_t nh_ssh_open_count(void) {
  return open_count;
}
