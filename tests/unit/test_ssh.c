/* Unit tests for core/ssh without a server: refused connects, the banner deadline against a
 * listener that never speaks, cancel and close while connecting, connect-rate pacing, and
 * that every path releases its socket (the loop closes with no handle left). */
#include "test_main.h"

#include <string.h>

#include "error.h"
#include "loop.h"
#include "loop_fixture.h"
#include "op.h"
#include "ssh.h"

typedef struct {
  int status;
  int calls;
  int closed;
} result_t;

static void connect_cb(nh_op_t *op, int status) {
  result_t *r = op->data;
  r->status = status;
  r->calls++;
}

static void close_cb(nh_ssh_t *ssh) {
  result_t *r = nh_ssh_get_data(ssh);
  r->closed++;
}

static nh_ssh_config_t config(int port, uint64_t timeout_ms) {
  nh_ssh_config_t cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.address = "127.0.0.1";
  cfg.port = port;
  cfg.user = "nobody";
  cfg.password = "not-a-real-secret";
  cfg.connect_timeout_ms = timeout_ms;
  return cfg;
}

/* A port with nothing listening: bind, read the port, close. */
static int free_port(nh_loop_t *loop) {
  uv_tcp_t tcp;
  struct sockaddr_in sa;
  struct sockaddr_storage got;
  int len = sizeof(got), port;
  uv_ip4_addr("127.0.0.1", 0, &sa);
  uv_tcp_init(loop->uv, &tcp);
  uv_tcp_bind(&tcp, (const struct sockaddr *)&sa, 0);
  uv_tcp_getsockname(&tcp, (struct sockaddr *)&got, &len);
  port = ntohs(((struct sockaddr_in *)&got)->sin_port);
  uv_close((uv_handle_t *)&tcp, NULL);
  uv_run(loop->uv, UV_RUN_NOWAIT);
  return port;
}

static void run_connect(nh_loop_t *loop, nh_ssh_config_t *cfg, result_t *r, int cancel_after) {
  nh_ssh_t *ssh = nh_ssh_new(loop);
  nh_ssh_connect_t req;
  assert_non_null(ssh);
  nh_ssh_set_data(ssh, r);
  assert_int_equal(nh_ssh_connect(&req, ssh, cfg, connect_cb), 0);
  req.op.data = r;
  assert_int_equal(r->calls, 0); /* never from inside the start */
  if (cancel_after) {
    nh_op_cancel(&req.op);
  }
  while (r->calls == 0) nh_loop_run(loop, UV_RUN_ONCE);
  nh_ssh_close(ssh, close_cb, 1);
  while (r->closed == 0) nh_loop_run(loop, UV_RUN_ONCE);
  nh_loop_run(loop, UV_RUN_NOWAIT);
  assert_int_equal(nh_ssh_open_count(loop), 0);
}

static void test_refused(void **state) {
  nh_loop_t *loop = *state;
  nh_ssh_config_t cfg = config(free_port(loop), 2000);
  result_t r = {0};
  run_connect(loop, &cfg, &r, 0);
  assert_int_equal(r.status, NH_ECONNREFUSED);
  assert_int_equal(r.calls, 1);
}

static void on_connection(uv_stream_t *server, int status) {
  (void)server;
  (void)status; /* accepted by the kernel, never by us: the peer gets no banner */
}

static void test_banner_timeout_and_cancel(void **state) {
  nh_loop_t *loop = *state;
  uv_tcp_t server;
  struct sockaddr_in sa;
  struct sockaddr_storage got;
  int len = sizeof(got);
  uint64_t t0;
  result_t r = {0}, c = {0};
  nh_ssh_config_t cfg;
  uv_ip4_addr("127.0.0.1", 0, &sa);
  uv_tcp_init(loop->uv, &server);
  assert_int_equal(uv_tcp_bind(&server, (const struct sockaddr *)&sa, 0), 0);
  assert_int_equal(uv_listen((uv_stream_t *)&server, 16, on_connection), 0);
  uv_tcp_getsockname(&server, (struct sockaddr *)&got, &len);
  cfg = config(ntohs(((struct sockaddr_in *)&got)->sin_port), 200);
  t0 = uv_hrtime();
  run_connect(loop, &cfg, &r, 0);
  assert_int_equal(r.status, NH_ETIMEDOUT);
  assert_true((uv_hrtime() - t0) / 1000000 >= 190);
  assert_true((uv_hrtime() - t0) / 1000000 < 2000);
  /* cancel right after the start: the callback still comes, with NH_ECANCELED */
  cfg.connect_timeout_ms = 5000;
  run_connect(loop, &cfg, &c, 1);
  assert_int_equal(c.status, NH_ECANCELED);
  uv_close((uv_handle_t *)&server, NULL);
  nh_loop_run(loop, UV_RUN_DEFAULT);
}

static void test_close_while_resolving(void **state) {
  nh_loop_t *loop = *state;
  nh_ssh_config_t cfg = config(22, 2000);
  nh_ssh_t *ssh = nh_ssh_new(loop);
  nh_ssh_connect_t req;
  result_t r = {0};
  cfg.address = "localhost"; /* a name: goes through uv_getaddrinfo */
  nh_ssh_set_data(ssh, &r);
  assert_int_equal(nh_ssh_connect(&req, ssh, &cfg, connect_cb), 0);
  req.op.data = &r;
  nh_ssh_close(ssh, close_cb, 1);
  while (r.closed == 0) nh_loop_run(loop, UV_RUN_ONCE);
  assert_int_equal(r.calls, 1);
  assert_int_equal(r.status, NH_ECANCELED);
  nh_loop_run(loop, UV_RUN_DEFAULT);
}

static void test_connect_rate(void **state) {
  nh_loop_t *loop = *state;
  int port = free_port(loop), i, done = 0;
  nh_ssh_config_t cfg = config(port, 2000);
  nh_ssh_t *ssh[5];
  nh_ssh_connect_t req[5];
  result_t r[5];
  uint64_t t0 = uv_hrtime(), ms;
  assert_int_equal(nh_ssh_set_connect_rate(loop, 20),
                   0); /* 5 connects: the last one 200 ms after the first */
  for (i = 0; i < 5; i++) {
    memset(&r[i], 0, sizeof(r[i]));
    ssh[i] = nh_ssh_new(loop);
    nh_ssh_set_data(ssh[i], &r[i]);
    assert_int_equal(nh_ssh_connect(&req[i], ssh[i], &cfg, connect_cb), 0);
    req[i].op.data = &r[i];
  }
  while (done < 5) {
    nh_loop_run(loop, UV_RUN_ONCE);
    for (done = 0, i = 0; i < 5; i++) done += r[i].calls;
  }
  ms = (uv_hrtime() - t0) / 1000000;
  assert_true(ms >= 180);
  assert_int_equal(nh_ssh_set_connect_rate(loop, 0), 0);
  for (i = 0; i < 5; i++) {
    assert_int_equal(r[i].status, NH_ECONNREFUSED);
    nh_ssh_close(ssh[i], NULL, 1);
  }
  nh_loop_run(loop, UV_RUN_DEFAULT);
}

/* The rate belongs to the loop: a connect of another loop does not queue behind it, and a
 * connect still waiting its turn when its loop closes leaves nothing behind (LSan checks). */
static void test_connect_rate_per_loop(void **state) {
  nh_loop_t *loop = *state, other;
  int port = free_port(loop), i;
  nh_ssh_config_t cfg = config(port, 2000);
  nh_ssh_t *ssh[3];
  nh_ssh_connect_t req[3];
  result_t r[3];
  assert_int_equal(nh_loop_init(&other), 0);
  /* One connect per 100 s on loop: its second connect waits far longer than this test. */
  assert_int_equal(nh_ssh_set_connect_rate(loop, 0.01), 0);
  for (i = 0; i < 3; i++) {
    memset(&r[i], 0, sizeof(r[i]));
    ssh[i] = nh_ssh_new(i < 2 ? loop : &other);
    nh_ssh_set_data(ssh[i], &r[i]);
    assert_int_equal(nh_ssh_connect(&req[i], ssh[i], &cfg, connect_cb), 0);
    req[i].op.data = &r[i];
  }
  while (!r[0].calls) nh_loop_run(loop, UV_RUN_ONCE);
  while (!r[2].calls) nh_loop_run(&other, UV_RUN_ONCE);
  assert_int_equal(r[0].status, NH_ECONNREFUSED);
  assert_int_equal(r[2].status, NH_ECONNREFUSED); /* not held back by loop's rate */
  assert_int_equal(r[1].calls, 0);                /* still waiting for its turn */
  assert_int_equal(nh_ssh_open_count(&other), 0);
  nh_op_cancel(&req[1].op);
  while (!r[1].calls) nh_loop_run(loop, UV_RUN_ONCE);
  assert_int_equal(r[1].status, NH_ECANCELED);
  for (i = 0; i < 3; i++) nh_ssh_close(ssh[i], NULL, 1);
  nh_loop_run(loop, UV_RUN_DEFAULT);
  nh_loop_run(&other, UV_RUN_DEFAULT);
  assert_int_equal(nh_loop_close(&other), 0);
  /* loop keeps its rate until teardown closes it: the state goes with the loop. */
}

static void test_nofile(void **state) {
  (void)state;
  assert_true(nh_ssh_raise_nofile() >= 1024);
}

NH_TEST_MAIN(NULL, NULL, NH_LOOP_TEST(test_refused), NH_LOOP_TEST(test_banner_timeout_and_cancel),
             NH_LOOP_TEST(test_close_while_resolving), NH_LOOP_TEST(test_connect_rate),
             NH_LOOP_TEST(test_connect_rate_per_loop), cmocka_unit_test(test_nofile))
