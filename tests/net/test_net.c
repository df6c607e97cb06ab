/* Unit tests for core/net: TCP probes (open, refused, timeout, cancel, IPv6, names, 1,000 at
 * once), name resolution, ICMP echo over loopback (IPv4, IPv6, many at once on one socket,
 * cancel). Addresses 127.60.0.0/16 and ::1, ports 46001-46099. */
#include "../unit/test_main.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "loop.h"
#include "loop_fixture.h"
#include "net.h"
#include "timer.h"

/* setup and teardown: a fresh loop per test that must close cleanly (loop_fixture.h). */
#define setup    nh_test_loop_setup
#define teardown nh_test_loop_teardown

/* A listening socket on addr:port that never accepts. With full = 1 its accept queue is
 * filled (backlog 0 plus one connection), so the kernel drops further SYNs: a connect to it
 * hangs, which is how a filtered port behaves. */
static int listener(const char *addr, int port, int backlog, int full, int *client) {
  nh_addr_t a;
  int fd, one = 1;
  assert_int_equal(nh_addr_parse(addr, port, &a), 0);
  fd = socket(a.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  assert_int_equal(bind(fd, (struct sockaddr *)&a.sa, a.len), 0);
  assert_int_equal(listen(fd, full ? 0 : backlog), 0);
  *client = -1;
  if (full) {
    *client = socket(a.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(connect(*client, (struct sockaddr *)&a.sa, a.len), 0);
    usleep(20000); /* let the handshake land in the accept queue */
  }
  return fd;
}

static int cb_calls, cb_status;
static void probe_cb(nh_op_t *op, int status) {
  (void)op;
  cb_calls++;
  cb_status = status;
}

static int probe(nh_loop_t *loop, nh_tcp_probe_t *p, const char *host, int port, uint64_t ms) {
  cb_calls = 0;
  cb_status = 1;
  assert_int_equal(nh_tcp_probe_start(loop, p, host, port, ms, probe_cb), 0);
  assert_int_equal(cb_calls, 0); /* never from inside the start */
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  return nh_tcp_probe_state(p, cb_status);
}

/* Probes that end by themselves, against listeners on 127.60.0.1:46001, [::1]:46003 and
 * 127.0.0.1:46007: the state and connect status wanted. */
static const struct probe_case {
  const char *host;
  int port, state, connect_status;
} probe_cases[] = {
    {"127.60.0.1", 46001, NH_PROBE_OPEN, 0},
    {"127.60.0.1", 46002, NH_PROBE_REFUSED, NH_ECONNREFUSED},
    /* The kernel refuses TCP to a multicast address at once; no packet leaves the host. */
    {"224.0.0.1", 46002, NH_PROBE_UNREACHABLE, NH_ENETUNREACH},
    {"::1", 46003, NH_PROBE_OPEN, 0},
    {"[::1]", 46003, NH_PROBE_OPEN, 0},
    {"::1", 46004, NH_PROBE_REFUSED, NH_ECONNREFUSED},
    {"localhost", 46007, NH_PROBE_OPEN, 0},
};

static void test_probe_states(void **state) {
  nh_loop_t *loop = *state;
  nh_tcp_probe_t p;
  char buf[64];
  int c, fds[] = {listener("127.60.0.1", 46001, 16, 0, &c), listener("::1", 46003, 16, 0, &c),
                  listener("127.0.0.1", 46007, 16, 0, &c)};
  for (size_t i = 0; i < sizeof probe_cases / sizeof *probe_cases; i++) {
    const struct probe_case *x = &probe_cases[i];
    printf("# %s port %d\n", x->host, x->port);
    assert_int_equal(probe(loop, &p, x->host, x->port, 5000), x->state);
    assert_int_equal(p.connect_status, x->connect_status);
  }
  assert_string_equal(nh_probe_state_name(NH_PROBE_REFUSED), "refused");
  /* An open probe says how long it took and what it reached. */
  assert_int_equal(probe(loop, &p, "127.60.0.1", 46001, 2000), NH_PROBE_OPEN);
  assert_int_equal(cb_status, 0);
  assert_true(p.elapsed_ns > 0 && p.elapsed_ns < 2000000000ull);
  assert_int_equal(nh_addr_format(&p.addr, buf, sizeof(buf)), 0);
  assert_string_equal(buf, "127.60.0.1");
  /* A name that does not resolve has no state. */
  assert_int_equal(probe(loop, &p, "no-such-host.invalid", 46007, 5000), -1);
  assert_int_equal(cb_status, NH_ERESOLVE);
  /* Bad arguments fail the start; no callback. */
  cb_calls = 0;
  assert_int_equal(nh_tcp_probe_start(loop, &p, "127.0.0.1", 0, 100, probe_cb), NH_EINVAL);
  assert_int_equal(nh_tcp_probe_start(loop, &p, "127.0.0.1", 70000, 100, probe_cb), NH_EINVAL);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 0);
  for (size_t i = 0; i < sizeof fds / sizeof *fds; i++) close(fds[i]);
}

static void test_probe_timeout(void **state) {
  nh_loop_t *loop = *state;
  nh_tcp_probe_t p;
  int c, fd = listener("127.60.0.2", 46005, 0, 1, &c);
  uint64_t t0;
  /* The deadline counts from the loop's cached time (uv_now): refresh it after the
   * listener's set-up sleep so the figures below compare like with like. */
  uv_update_time(loop->uv);
  t0 = uv_hrtime();
  assert_int_equal(probe(loop, &p, "127.60.0.2", 46005, 200), NH_PROBE_TIMEOUT);
  assert_int_equal(cb_status, NH_ETIMEDOUT);
  assert_true(uv_hrtime() - t0 >= 190000000ull);
  printf("# elapsed %.1f ms\n", p.elapsed_ns / 1e6);
  assert_true(p.elapsed_ns >= 190000000ull && p.elapsed_ns < 1500000000ull);
  close(c);
  close(fd);
}

static void cancel_cb(nh_timer_t *t) {
  assert_int_equal(nh_op_cancel((nh_op_t *)t->data), 0);
}

/* Runs the loop with a timer that cancels op after ms. */
static void run_cancelling_after(nh_loop_t *loop, nh_op_t *op, uint64_t ms) {
  nh_timer_t t;
  nh_timer_init(loop, &t);
  t.data = op;
  assert_int_equal(nh_timer_start(&t, cancel_cb, ms), 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  nh_timer_stop(&t);
}

static void test_probe_cancel(void **state) {
  nh_loop_t *loop = *state;
  nh_tcp_probe_t p;
  int c, fd = listener("127.60.0.3", 46006, 0, 1, &c);
  cb_calls = 0;
  assert_int_equal(nh_tcp_probe_start(loop, &p, "127.60.0.3", 46006, 10000, probe_cb), 0);
  run_cancelling_after(loop, &p.op, 30);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(cb_status, NH_ECANCELED);
  assert_int_equal(nh_tcp_probe_state(&p, cb_status), -1);
  /* Cancelling a finished probe says so. */
  assert_int_equal(nh_op_cancel(&p.op), NH_EINVAL);
  close(c);
  close(fd);
}

#define MANY 1000
static int many_done, many_open, many_refused;
static void many_cb(nh_op_t *op, int status) {
  int s = nh_tcp_probe_state((nh_tcp_probe_t *)op, status);
  many_done++;
  many_open += s == NH_PROBE_OPEN;
  many_refused += s == NH_PROBE_REFUSED;
}

/* 1,000 probes in flight at once: half to a listener, half to closed ports. */
static void test_probe_1000(void **state) {
  nh_loop_t *loop = *state;
  nh_tcp_probe_t *p = calloc(MANY, sizeof(*p));
  uint64_t t0;
  int i, c, fd = listener("127.60.0.4", 46008, 4096, 0, &c);
  assert_non_null(p);
  many_done = many_open = many_refused = 0;
  t0 = uv_hrtime();
  for (i = 0; i < MANY; i++) {
    char addr[32];
    snprintf(addr, sizeof(addr), "127.60.%d.%d", 10 + i / 250, 1 + i % 250);
    assert_int_equal(nh_tcp_probe_start(loop, &p[i], i % 2 ? addr : "127.60.0.4",
                                        i % 2 ? 46009 : 46008, 5000, many_cb),
                     0);
  }
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(many_done, MANY);
  assert_int_equal(many_open, MANY / 2);
  assert_int_equal(many_refused, MANY / 2);
  printf("# %d probes in %.1f ms\n", MANY, (uv_hrtime() - t0) / 1e6);
  free(p);
  close(fd);
}

/* Resolution */

static void test_resolve(void **state) {
  nh_loop_t *loop = *state;
  nh_resolve_t r;
  char buf[64];
  cb_calls = 0;
  assert_int_equal(nh_resolve_start(loop, &r, "localhost", AF_INET, 5000, probe_cb), 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(cb_status, 0);
  assert_true(r.count >= 1);
  assert_int_equal(nh_addr_format(&r.addrs[0], buf, sizeof(buf)), 0);
  assert_string_equal(buf, "127.0.0.1");
  nh_resolve_cleanup(&r);
  assert_int_equal(nh_resolve_start(loop, &r, "::1", AF_UNSPEC, 5000, probe_cb), 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_status, 0);
  assert_int_equal(r.count, 1);
  nh_resolve_cleanup(&r);
  assert_int_equal(nh_resolve_start(loop, &r, "", AF_UNSPEC, 5000, probe_cb), NH_EINVAL);
  /* Literals */
  {
    nh_addr_t a;
    assert_int_equal(nh_addr_parse("10.1.2.3", 22, &a), 0);
    assert_int_equal(a.sa.ss_family, AF_INET);
    assert_int_equal(nh_addr_parse("[fe80::1]", 22, &a), 0);
    assert_int_equal(a.sa.ss_family, AF_INET6);
    assert_int_equal(nh_addr_parse("10.1.2", 22, &a), NH_EINVAL);
    assert_int_equal(nh_addr_parse("router1", 22, &a), NH_EINVAL);
  }
}

/* ICMP echo */

static int ping_status;
static void ping_cb(nh_op_t *op, int status) {
  (void)op;
  cb_calls++;
  ping_status = status;
}

/* Starts a ping, or skips the test when this process may open no ICMP socket. */
static void ping_or_skip(nh_loop_t *loop, nh_ping_t *p, const char *host, unsigned count,
                         uint64_t interval, uint64_t timeout) {
  int rc = nh_ping_start(loop, p, host, count, interval, timeout, ping_cb);
  if (rc == UV_EACCES || rc == UV_EPERM) {
    printf("# ICMP sockets not permitted here: skipping\n");
    skip();
  }
  assert_int_equal(rc, 0);
}

static void test_ping_loopback(void **state) {
  nh_loop_t *loop = *state;
  nh_ping_t p;
  cb_calls = 0;
  ping_or_skip(loop, &p, "127.60.0.1", 3, 10, 1000);
  assert_int_equal(cb_calls, 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(ping_status, 0);
  assert_int_equal(p.sent, 3);
  assert_int_equal(p.received, 3);
  assert_true(p.rtt_min_ns <= p.rtt_max_ns && p.rtt_max_ns < 1000000000ull);
  printf("# ICMP over %s sockets, rtt %.3f ms\n", nh_ping_socket_kind(AF_INET),
         p.rtt_sum_ns / 3 / 1e6);
  ping_or_skip(loop, &p, "::1", 2, 10, 1000);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(ping_status, 0);
  assert_int_equal(p.received, 2);
  ping_or_skip(loop, &p, "localhost", 1, 0, 1000);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(ping_status, 0);
  assert_int_equal(p.received, 1);
}

/* No reply: the reply window closes the ping with status 0 and nothing received. */
static void test_ping_no_reply(void **state) {
  nh_loop_t *loop = *state;
  nh_ping_t p;
  uint64_t t0;
  uv_update_time(loop->uv);
  t0 = uv_hrtime();
  cb_calls = 0;
  /* An IPv4-mapped address over ICMPv6 is never delivered: the kernel drops it. */
  ping_or_skip(loop, &p, "::ffff:127.60.0.1", 2, 50, 150);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(ping_status, 0);
  assert_int_equal(p.sent, 2);
  assert_int_equal(p.received, 0);
  assert_true(uv_hrtime() - t0 >= 190000000ull);
}

static int pings_done, pings_alive;
static void many_ping_cb(nh_op_t *op, int status) {
  nh_ping_t *p = (nh_ping_t *)op;
  pings_done++;
  pings_alive += status == 0 && p->received == p->count;
}

/* Many pings at once share one socket per family; each gets exactly its own replies. */
static void test_ping_many(void **state) {
  nh_loop_t *loop = *state;
  enum { N = 500 };
  nh_ping_t *p = calloc(N, sizeof(*p));
  int i, rc;
  assert_non_null(p);
  pings_done = pings_alive = 0;
  for (i = 0; i < N; i++) {
    char addr[32];
    snprintf(addr, sizeof(addr), i % 5 == 4 ? "::1" : "127.60.%d.%d", 20 + i / 250, 1 + i % 250);
    rc = nh_ping_start(loop, &p[i], addr, 2, 5, 2000, many_ping_cb);
    if (rc == UV_EACCES || rc == UV_EPERM) {
      free(p);
      skip();
    }
    assert_int_equal(rc, 0);
  }
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(pings_done, N);
  assert_int_equal(pings_alive, N);
  free(p);
}

static void test_ping_cancel(void **state) {
  nh_loop_t *loop = *state;
  nh_ping_t p;
  uint64_t t0 = uv_hrtime();
  cb_calls = 0;
  ping_or_skip(loop, &p, "127.60.0.5", 100, 1000, 1000);
  run_cancelling_after(loop, &p.op, 30);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(ping_status, NH_ECANCELED);
  assert_true(uv_hrtime() - t0 < 900000000ull);
  /* Cancel while resolving a name. */
  cb_calls = 0;
  ping_or_skip(loop, &p, "localhost", 1, 0, 1000);
  assert_int_equal(nh_op_cancel(&p.op), 0);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(cb_calls, 1);
  assert_int_equal(ping_status, NH_ECANCELED);
}

static void test_ping_errors(void **state) {
  nh_loop_t *loop = *state;
  nh_ping_t p;
  const char *was = getenv("NETHOST_ICMP");
  int rc;
  assert_int_equal(nh_ping_start(loop, &p, "127.0.0.1", 0, 0, 100, ping_cb), NH_EINVAL);
  cb_calls = 0;
  ping_or_skip(loop, &p, "no-such-host.invalid", 1, 0, 1000);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  assert_int_equal(ping_status, NH_ERESOLVE);
  /* Datagram sockets only: works where ping_group_range allows, else says EACCES. */
  setenv("NETHOST_ICMP", "datagram", 1);
  rc = nh_ping_start(loop, &p, "127.0.0.1", 1, 0, 1000, ping_cb);
  if (rc == 0) {
    nh_loop_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(ping_status, 0);
    assert_string_equal(nh_ping_socket_kind(AF_INET), "datagram");
  } else {
    assert_true(rc == UV_EACCES || rc == UV_EPERM);
  }
  if (was)
    setenv("NETHOST_ICMP", was, 1);
  else
    unsetenv("NETHOST_ICMP");
}

NH_TEST_MAIN(NULL, NULL, NH_TEST(test_probe_states), NH_TEST(test_probe_timeout),
             NH_TEST(test_probe_cancel), NH_TEST(test_probe_1000), NH_TEST(test_resolve),
             NH_TEST(test_ping_loopback), NH_TEST(test_ping_no_reply), NH_TEST(test_ping_many),
             NH_TEST(test_ping_cancel), NH_TEST(test_ping_errors))
