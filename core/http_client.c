/* nethost core: the HTTP client — one libcurl multi handle driven by the libuv loop.
 *
 * The wiring follows curl's docs/examples/multi-uv.c (socket callback -> uv_poll, timer
 * callback -> a timer, curl_multi_socket_action on events) and adds what the example leaves
 * out:
 *
 * - libcurl may report a socket it has already closed, or whose number was reused: the fd is
 *   checked before it reaches epoll (libuv aborts when epoll_ctl fails with EBADF);
 * - a poll handle is closed (stopped at once, freed in its close callback) when libcurl says
 *   CURL_POLL_REMOVE, so a new socket with the same number can be watched right away;
 * - uv_poll_init_socket / uv_poll_start failures fail the one transfer that owns the socket,
 *   on the next loop iteration (libcurl forbids removing a handle from inside its callback),
 *   instead of aborting the whole multi handle;
 * - poll errors are passed to libcurl as CURL_CSELECT_ERR so the transfer fails cleanly;
 * - CURLM_* errors of socket_action are not fatal: CURLM_BAD_SOCKET (an event for a socket
 *   libcurl has just dropped) is expected and ignored.
 */
#include "http_internal.h"
#include "error.h"
#include "timer.h"

#include <fcntl.h>
#include <stdlib.h>

typedef struct sock_s {
  uv_poll_t poll;
  nh_http_client_t *client;
  curl_socket_t fd;
  nh_list_t link; /* in the client's socks */
} sock_t;

static void check_done(nh_http_client_t *c) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
    nh_http_transfer_t *t = NULL;
    CURLcode code;
    if (msg->msg != CURLMSG_DONE) continue;
    code = msg->data.result;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
    if (t) t->events->finished(t, code);
  }
}

static void maybe_free(nh_http_client_t *c) {
  if (c->closed && c->closing_socks == 0 && nh_list_empty(&c->socks)) free(c);
}

/* Easy handles are pooled: creating and destroying one per request costs more CPU than the
 * request itself at thousands of requests per second (allocations of its buffers). */
#define POOL_MAX             4096
#define NH_HTTP_DEFAULT_IDLE 4096

CURL *nh__http_client_easy(nh_http_client_t *c) {
  if (c->npool) return c->pool[--c->npool];
  return curl_easy_init();
}

void nh__http_client_release(nh_http_client_t *c, CURL *easy) {
  if (!c->closed && c->npool == c->pool_cap && c->pool_cap < POOL_MAX) {
    size_t ncap = c->pool_cap ? c->pool_cap * 2 : 64;
    CURL **np = realloc(c->pool, ncap * sizeof(*np));
    if (np) {
      c->pool = np;
      c->pool_cap = ncap;
    }
  }
  if (!c->closed && c->npool < c->pool_cap) {
    curl_easy_reset(easy);
    c->pool[c->npool++] = easy;
  } else {
    curl_easy_cleanup(easy);
  }
}

static void sock_closed_cb(uv_handle_t *h) {
  sock_t *s = h->data;
  nh_http_client_t *c = s->client;
  free(s);
  c->closing_socks--;
  maybe_free(c);
}

/* Unlinks s and closes its poll handle; the memory goes in the close callback. */
static void sock_close(sock_t *s) {
  nh_http_client_t *c = s->client;
  nh_list_remove(&s->link);
  c->nsocks--;
  c->closing_socks++;
  uv_close((uv_handle_t *)&s->poll, sock_closed_cb);
}

static void poll_cb(uv_poll_t *h, int status, int events) {
  sock_t *s = h->data;
  nh_http_client_t *c = s->client;
  int flags = 0, running;
  if (status < 0) {
    flags = CURL_CSELECT_ERR;
  } else {
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  }
  /* s stays valid through this call even if libcurl removes the socket: its memory is only
   * freed in the close callback. */
  curl_multi_socket_action(c->multi, s->fd, flags, &running);
  check_done(c);
}

static nh_http_transfer_t *transfer_of(CURL *easy) {
  nh_http_transfer_t *t = NULL;
  if (easy) curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
  return t;
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
  nh_http_client_t *c = userp;
  sock_t *s = socketp;
  int events = 0, rc;

  if (what == CURL_POLL_REMOVE) {
    if (s) {
      curl_multi_assign(c->multi, fd, NULL);
      sock_close(s);
    }
    return 0;
  }
  /* A socket libcurl already closed would make epoll_ctl fail, and libuv abort. */
  if (fcntl(fd, F_GETFD) < 0) {
    nh_http_transfer_t *t = transfer_of(easy);
    if (s) {
      curl_multi_assign(c->multi, fd, NULL);
      sock_close(s);
    }
    if (t) t->events->fail_later(t, NH_ECLOSED);
    return 0;
  }
  if (!s) {
    if (c->closed || !(s = malloc(sizeof(*s)))) {
      nh_http_transfer_t *t = transfer_of(easy);
      if (t) t->events->fail_later(t, NH_ENOMEM);
      return 0;
    }
    if ((rc = uv_poll_init_socket(c->loop->uv, &s->poll, fd)) < 0) {
      nh_http_transfer_t *t = transfer_of(easy);
      free(s);
      if (t) t->events->fail_later(t, rc);
      return 0;
    }
    s->poll.data = s;
    s->client = c;
    s->fd = fd;
    nh_list_append(&c->socks, &s->link);
    if (++c->nsocks > c->peak_socks) c->peak_socks = c->nsocks;
    curl_multi_assign(c->multi, fd, s);
  }
  if (what & CURL_POLL_IN) events |= UV_READABLE;
  if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
  if ((rc = uv_poll_start(&s->poll, events, poll_cb)) < 0) {
    nh_http_transfer_t *t = transfer_of(easy);
    curl_multi_assign(c->multi, fd, NULL);
    sock_close(s);
    if (t) t->events->fail_later(t, rc);
  }
  return 0;
}

static void timeout_cb(nh_timer_t *timer) {
  nh_http_client_t *c = timer->data;
  int running;
  curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_done(c);
}

/* libcurl asks to be called back after timeout_ms (-1: never). Calling socket_action from
 * here is forbidden, so even 0 goes through the timer (it fires on the next iteration). */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp) {
  nh_http_client_t *c = userp;
  if (timeout_ms < 0) {
    nh_timer_stop(&c->timer);
    return 0;
  }
  return nh_timer_start(&c->timer, timeout_cb, (uint64_t)timeout_ms) < 0 ? -1 : 0;
}

static int apply_limits(nh_http_client_t *c, const nh_http_limits_t *l) {
  CURLMcode mc = CURLM_OK;
  if (!l) return 0;
  if (l->max_host_connections > 0)
    mc = curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, l->max_host_connections);
  if (mc == CURLM_OK && l->max_total_connections > 0)
    mc = curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, l->max_total_connections);
  if (mc == CURLM_OK && l->max_idle_connections > 0)
    mc = curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, l->max_idle_connections);
  return mc == CURLM_OK ? 0 : NH_EINVAL;
}

int nh_http_client_new(nh_loop_t *loop, const nh_http_limits_t *limits, nh_http_client_t **out) {
  static int global_done;
  nh_http_client_t *c;
  int rc;
  *out = NULL;
  if (!global_done) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NH_EHTTP;
    global_done = 1;
  }
  if (!(c = calloc(1, sizeof(*c)))) return NH_ENOMEM;
  c->loop = loop;
  nh_list_init(&c->active);
  nh_list_init(&c->socks);
  nh_timer_init(loop, &c->timer);
  c->timer.data = c;
  if (!(c->multi = curl_multi_init())) {
    free(c);
    return NH_ENOMEM;
  }
  curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
  curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
  /* HTTP/2 streams share a connection where the server offers h2 (over TLS). */
  curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  /* libcurl's default cache (4 x the transfers added) drops the idle connections of a
   * fleet polled at a concurrency below its size; keep one per device for typical labs. */
  curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)NH_HTTP_DEFAULT_IDLE);
  if ((rc = apply_limits(c, limits)) < 0) {
    curl_multi_cleanup(c->multi);
    free(c);
    return rc;
  }
  *out = c;
  return 0;
}

int nh_http_client_set_limits(nh_http_client_t *client, const nh_http_limits_t *limits) {
  return apply_limits(client, limits);
}

size_t nh_http_client_active(const nh_http_client_t *client) {
  return client->nactive;
}

size_t nh_http_client_peak_sockets(const nh_http_client_t *client) {
  return client->peak_socks;
}

size_t nh_http_client_connects(const nh_http_client_t *client) {
  return client->connects;
}

int nh__http_client_attach(nh_http_client_t *c, nh_http_transfer_t *t,
                           const nh__http_events_t *events) {
  CURLMcode mc;
  if (c->closed) return NH_ECLOSED;
  t->events = events;
  mc = curl_multi_add_handle(c->multi, t->easy);
  if (mc != CURLM_OK) return mc == CURLM_OUT_OF_MEMORY ? NH_ENOMEM : NH_EHTTP;
  nh_list_append(&c->active, &t->link);
  c->nactive++;
  return 0;
}

void nh__http_client_detach(nh_http_client_t *c, nh_http_transfer_t *t) {
  if (!nh_list_linked(&t->link)) return;
  nh_list_remove(&t->link);
  c->nactive--;
  /* May call socket_cb (CURL_POLL_REMOVE) and timer_cb: both are safe here. */
  curl_multi_remove_handle(c->multi, t->easy);
}

void nh_http_client_close(nh_http_client_t *c) {
  if (!c || c->closed) return;
  /* Cancelling detaches each transfer; their callbacks still run from the ready queue. */
  while (!nh_list_empty(&c->active)) {
    nh_http_transfer_t *t = nh_container_of(c->active.next, nh_http_transfer_t, link);
    if (nh_op_cancel(&t->op) < 0) nh__http_client_detach(c, t);
  }
  c->closed = 1;
  nh_timer_stop(&c->timer);
  while (c->npool) curl_easy_cleanup(c->pool[--c->npool]);
  free(c->pool);
  c->pool = NULL;
  /* Closes the cached connections; libcurl may report their sockets as removed. */
  curl_multi_cleanup(c->multi);
  c->multi = NULL;
  while (!nh_list_empty(&c->socks)) sock_close(nh_container_of(c->socks.next, sock_t, link));
  maybe_free(c);
}
