/* Unit tests for core/http_*.c without Lua: a tiny HTTP server on the same loop (libuv TCP
 * on 127.0.0.1, an ephemeral port) answers, stays silent or hangs up, and the client's
 * results, deadlines, cancellation, errors and teardown are checked. Every test ends with a
 * loop that closes cleanly: no poll handle or timer leaked. */
#include "test_main.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "http.h"
#include "loop.h"

typedef enum { ANSWER, SILENT, HANGUP } mode_t_;

typedef struct {
  uv_tcp_t tcp;
  int closed;
} conn_t;

typedef struct {
  nh_loop_t loop;
  uv_tcp_t server;
  int port;
  mode_t_ mode;
  int requests;
  conn_t *conns[64];
  int nconns;
  char url[64]; /* the URL of the test's request (client_for) */
} fixture_t;

static void conn_closed(uv_handle_t *h) {
  fixture_t *f = h->loop->data;
  int i;
  for (i = 0; i < f->nconns; i++)
    if (f->conns[i] == h->data) f->conns[i] = f->conns[--f->nconns];
  free(h->data);
}

static void write_done(uv_write_t *w, int status) {
  free(w);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  static char slab[65536];
  buf->base = slab;
  buf->len = sizeof(slab);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  conn_t *c = s->data;
  fixture_t *f = s->loop->data;
  static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Test: a\r\n"
                             "X-Test: b\r\nContent-Length: 5\r\n\r\nhello";
  if (n < 0) {
    if (!c->closed) {
      c->closed = 1;
      uv_close((uv_handle_t *)s, conn_closed);
    }
    return;
  }
  /* Requests here are small: one read holds one whole request (ends with a blank line). */
  if (n > 3 && memcmp(buf->base + n - 4, "\r\n\r\n", 4) == 0) {
    f->requests++;
    if (f->mode == ANSWER) {
      uv_write_t *w = malloc(sizeof(*w));
      uv_buf_t b = uv_buf_init((char *)resp, sizeof(resp) - 1);
      uv_write(w, s, &b, 1, write_done);
    } else if (f->mode == HANGUP && !c->closed) {
      c->closed = 1;
      uv_close((uv_handle_t *)s, conn_closed);
    }
  }
}

static void accept_cb(uv_stream_t *server, int status) {
  fixture_t *f = server->data;
  conn_t *c = calloc(1, sizeof(*c));
  assert_non_null(c);
  uv_tcp_init(server->loop, &c->tcp);
  c->tcp.data = c;
  assert_int_equal(uv_accept(server, (uv_stream_t *)&c->tcp), 0);
  if (f->nconns < 64) f->conns[f->nconns++] = c;
  uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  struct sockaddr_in sa;
  struct sockaddr_storage bound;
  int len = sizeof(bound);
  assert_int_equal(nh_loop_init(&f->loop), 0);
  f->loop.uv->data = f;
  uv_tcp_init(f->loop.uv, &f->server);
  f->server.data = f;
  uv_ip4_addr("127.0.0.1", 0, &sa);
  assert_int_equal(uv_tcp_bind(&f->server, (struct sockaddr *)&sa, 0), 0);
  assert_int_equal(uv_listen((uv_stream_t *)&f->server, 128, accept_cb), 0);
  uv_tcp_getsockname(&f->server, (struct sockaddr *)&bound, &len);
  f->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
  *state = f;
  return 0;
}

/* Closes the server side of every connection and waits until they are freed. */
static void close_conns(fixture_t *f) {
  int i;
  for (i = 0; i < f->nconns; i++)
    if (!f->conns[i]->closed) {
      f->conns[i]->closed = 1;
      uv_close((uv_handle_t *)&f->conns[i]->tcp, conn_closed);
    }
  for (i = 0; i < 100 && f->nconns; i++) nh_loop_run(&f->loop, UV_RUN_NOWAIT);
}

static int teardown(void **state) {
  fixture_t *f = *state;
  close_conns(f);
  uv_close((uv_handle_t *)&f->server, NULL);
  nh_loop_run(&f->loop, UV_RUN_DEFAULT);
  assert_int_equal(nh_loop_close(&f->loop), 0);
  free(f);
  return 0;
}

typedef struct {
  nh_http_transfer_t t;
  int calls;
  int status;
} req_t;

static void done_cb(nh_op_t *op, int status) {
  req_t *r = (req_t *)op;
  r->calls++;
  r->status = status;
}

static void url_of(fixture_t *f, char *buf, size_t n, const char *path) {
  snprintf(buf, n, "http://127.0.0.1:%d%s", f->port, path);
}

/* Runs the loop until r completed (bounded). */
static void wait_for(fixture_t *f, req_t *r) {
  int i;
  for (i = 0; i < 10000 && r->calls == 0; i++) nh_loop_run(&f->loop, UV_RUN_ONCE);
  assert_int_equal(r->calls, 1);
}

/* The start of most tests: the server answers in mode, a client with default limits, and
 * rq a request for path on the server (its URL kept in the fixture). */
static nh_http_client_t *client_for(fixture_t *f, mode_t_ mode, const char *path,
                                    nh_http_request_t *rq) {
  nh_http_client_t *c;
  f->mode = mode;
  assert_int_equal(nh_http_client_new(&f->loop, NULL, &c), 0);
  url_of(f, f->url, sizeof(f->url), path);
  rq->url = f->url;
  return c;
}

/* Starts rq into r and runs the loop until it completed. */
static void run_request(fixture_t *f, nh_http_client_t *c, req_t *r, const nh_http_request_t *rq) {
  assert_int_equal(nh_http_transfer_start(c, &r->t, rq, done_cb), 0);
  wait_for(f, r);
}

static void finish(fixture_t *f, nh_http_client_t *c) {
  nh_http_client_close(c);
  close_conns(f);
  nh_loop_run(&f->loop, UV_RUN_NOWAIT);
}

static void test_get(void **state) {
  fixture_t *f = *state;
  req_t r = {0};
  nh_http_request_t rq = {0};
  nh_http_client_t *c = client_for(f, ANSWER, "/x", &rq);
  nh_http_field_t hdr[] = {{"X-Custom", "1"}};
  rq.headers = hdr;
  rq.nheaders = 1;
  rq.timeout_ms = 5000;
  assert_int_equal(nh_http_transfer_start(c, &r.t, &rq, done_cb), 0);
  assert_int_equal(r.calls, 0); /* never from inside the start */
  assert_int_equal(nh_http_client_active(c), 1);
  wait_for(f, &r);
  assert_int_equal(r.status, 0);
  assert_int_equal(r.t.status, 200);
  assert_int_equal(r.t.body_len, 5);
  assert_string_equal(r.t.body, "hello");
  assert_string_equal(nh_http_transfer_header(&r.t, "content-type"), "text/plain");
  assert_string_equal(nh_http_transfer_header(&r.t, "X-TEST"), "a");
  assert_int_equal(r.t.nheaders, 4);
  assert_true(r.t.elapsed > 0);
  nh_http_transfer_cleanup(&r.t);
  /* A second request reuses the connection. */
  memset(&r, 0, sizeof(r));
  run_request(f, c, &r, &rq);
  assert_int_equal(r.status, 0);
  assert_int_equal(nh_http_client_connects(c), 1);
  assert_int_equal(f->requests, 2);
  nh_http_transfer_cleanup(&r.t);
  finish(f, c);
}

/* Requests that fail: refused at the start (start_status, and no callback ever), or through
 * the callback with the status, stage and error the transfer reports. secret is a part of
 * the URL that its display form must not show. */
static const struct failure {
  const char *what;
  mode_t_ mode;
  const char *path;   /* on the test server, a whole URL, or NULL: none */
  const char *header; /* the value of an X-Evil header, or NULL: none */
  uint64_t timeout_ms;
  int start_status, status;
  const char *stage, *error, *secret;
} failures[] = {
    {"deadline", SILENT, "/slow?token=secret", NULL, 100, 0, NH_ETIMEDOUT, "receive", "timed out",
     "secret"},
    {"server hangs up", HANGUP, "/", NULL, 5000, 0, NH_ECLOSED, "receive", NULL, NULL},
    {"refused: nothing listens on port 1", ANSWER, "http://user:pw@127.0.0.1:1/", NULL, 5000, 0,
     NH_ECONNREFUSED, "connect", NULL, "pw"},
    {"a header value with CRLF", ANSWER, "/", "a\r\nInjected: 1", 5000, NH_EINVAL, 0, NULL, NULL,
     NULL},
    {"no URL", ANSWER, NULL, NULL, 5000, NH_EINVAL, 0, NULL, NULL, NULL},
    {"a scheme libcurl refuses", ANSWER, "ftp://127.0.0.1/", NULL, 5000, 0, NH_EINVAL, NULL, NULL,
     NULL},
};

static void test_failures(void **state) {
  fixture_t *f = *state;
  for (size_t i = 0; i < sizeof failures / sizeof *failures; i++) {
    const struct failure *x = &failures[i];
    req_t r = {0};
    nh_http_request_t rq = {0};
    nh_http_client_t *c = client_for(f, x->mode, x->path ? x->path : "/", &rq);
    nh_http_field_t hdr[] = {{"X-Evil", x->header}};
    if (!x->path || x->path[0] != '/') rq.url = x->path;
    if (x->header) {
      rq.headers = hdr;
      rq.nheaders = 1;
    }
    rq.timeout_ms = x->timeout_ms;
    printf("# %s\n", x->what);
    assert_int_equal(nh_http_transfer_start(c, &r.t, &rq, done_cb), x->start_status);
    if (x->start_status == 0) {
      wait_for(f, &r);
      assert_int_equal(r.status, x->status);
      if (x->stage) assert_string_equal(r.t.stage, x->stage);
      if (x->error) assert_non_null(strstr(r.t.error, x->error));
      if (x->secret) assert_null(strstr(r.t.display_url, x->secret));
      assert_int_equal(nh_http_client_active(c), 0);
      nh_http_transfer_cleanup(&r.t);
    }
    nh_loop_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(r.calls, x->start_status == 0); /* a failed start never calls back */
    finish(f, c);
  }
}

static void test_cancel(void **state) {
  fixture_t *f = *state;
  req_t r = {0};
  nh_http_request_t rq = {0};
  nh_http_client_t *c = client_for(f, SILENT, "/", &rq);
  int i;
  assert_int_equal(nh_http_transfer_start(c, &r.t, &rq, done_cb), 0);
  for (i = 0; i < 200 && f->requests == 0; i++) nh_loop_run(&f->loop, UV_RUN_ONCE);
  assert_int_equal(f->requests, 1);
  assert_int_equal(nh_op_cancel(&r.t.op), 0);
  assert_int_equal(r.calls, 0); /* delivered through the ready queue */
  wait_for(f, &r);
  assert_int_equal(r.status, NH_ECANCELED);
  assert_int_equal(nh_http_client_active(c), 0);
  assert_int_equal(nh_op_cancel(&r.t.op), NH_EINVAL);
  nh_http_transfer_cleanup(&r.t);
  finish(f, c);
}

/* Closing the client with transfers in flight cancels them; nothing leaks. */
static void test_close_active(void **state) {
  fixture_t *f = *state;
  nh_http_client_t *c;
  req_t r[20];
  char url[64];
  nh_http_request_t rq = {0};
  int i, j;
  nh_http_limits_t lim = {2, 0, 0};
  f->mode = SILENT;
  memset(r, 0, sizeof(r));
  assert_int_equal(nh_http_client_new(&f->loop, &lim, &c), 0);
  url_of(f, url, sizeof(url), "/");
  rq.url = url;
  for (i = 0; i < 20; i++) assert_int_equal(nh_http_transfer_start(c, &r[i].t, &rq, done_cb), 0);
  for (j = 0; j < 300 && f->requests < 2; j++) nh_loop_run(&f->loop, UV_RUN_ONCE);
  /* The per-host cap of 2: only two requests reached the server. */
  for (j = 0; j < 20; j++) nh_loop_run(&f->loop, UV_RUN_NOWAIT);
  assert_int_equal(f->requests, 2);
  assert_true(nh_http_client_peak_sockets(c) <= 2);
  nh_http_client_close(c);
  for (j = 0; j < 10; j++) nh_loop_run(&f->loop, UV_RUN_NOWAIT);
  for (i = 0; i < 20; i++) {
    assert_int_equal(r[i].calls, 1);
    assert_int_equal(r[i].status, NH_ECANCELED);
    nh_http_transfer_cleanup(&r[i].t);
  }
  close_conns(f);
}

NH_TEST_MAIN(NULL, NULL, NH_TEST(test_get), NH_TEST(test_failures), NH_TEST(test_cancel),
             NH_TEST(test_close_active))
