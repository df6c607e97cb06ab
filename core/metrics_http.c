/* nethost core: /metrics over HTTP/1.1 on the run's own loop.
 *
 * A scrape is one GET answered from memory, so a tiny responder on uv_tcp serves it without
 * a thread: the numbers are read where they live, with no locking. Why not libmicrohttpd:
 * it runs its own threads, and every figure would then need a lock or a copy. Each
 * connection answers one request and closes (Connection: close), which Prometheus and curl
 * handle as a matter of course. Handles are unreferenced: a scraper never keeps a finished
 * run alive. */
#include "metrics_http.h"
#include "error.h"
#include "list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REQUEST 8192

typedef struct client_s {
  uv_tcp_t tcp;
  uv_write_t write;
  nh_metrics_server_t *server;
  nh_list_t link; /* in the server's clients until closed */
  char *response;
  size_t len;
  char request[MAX_REQUEST + 1];
  int closing;
} client_t;

struct nh_metrics_server_s {
  uv_tcp_t listener;
  nh_metrics_t *metrics;
  nh_metrics_collect_cb collect;
  void *data;
  nh_list_t clients;
  int stopping;
  int open_handles; /* the listener and the clients not yet closed */
};

static void server_release(nh_metrics_server_t *s) {
  if (--s->open_handles == 0) free(s);
}

static void client_closed(uv_handle_t *h) {
  client_t *c = h->data;
  nh_metrics_server_t *s = c->server;
  nh_list_remove(&c->link);
  free(c->response);
  free(c);
  server_release(s);
}

static void client_close(client_t *c) {
  if (c->closing) return;
  c->closing = 1;
  uv_close((uv_handle_t *)&c->tcp, client_closed);
}

static void written(uv_write_t *w, int status) {
  (void)status;
  client_close(w->data);
}

static void respond(client_t *c, const char *status, const char *type, const char *body,
                    size_t body_len, int head_only) {
  char head[256];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                   "Connection: close\r\n\r\n",
                   status, type, body_len);
  uv_buf_t buf;
  size_t total = (size_t)n + (head_only ? 0 : body_len);
  uv_read_stop((uv_stream_t *)&c->tcp);
  if (!(c->response = malloc(total))) {
    client_close(c);
    return;
  }
  memcpy(c->response, head, (size_t)n);
  if (!head_only && body_len) memcpy(c->response + n, body, body_len);
  c->len = total;
  buf = uv_buf_init(c->response, (unsigned)total);
  c->write.data = c;
  if (uv_write(&c->write, (uv_stream_t *)&c->tcp, &buf, 1, written) < 0) client_close(c);
}

static void serve(client_t *c) {
  char method[8] = "", path[64] = "";
  const char *text = "not found: the metrics are at /metrics\n";
  if (sscanf(c->request, "%7s %63s HTTP/1.", method, path) != 2) {
    respond(c, "400 Bad Request", "text/plain", "bad request\n", 12, 0);
    return;
  }
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
    respond(c, "405 Method Not Allowed", "text/plain", "GET only\n", 9, 0);
    return;
  }
  if (strcmp(path, "/metrics") != 0 && strncmp(path, "/metrics?", 9) != 0) {
    respond(c, "404 Not Found", "text/plain", text, strlen(text), strcmp(method, "HEAD") == 0);
    return;
  }
  {
    nh_metrics_server_t *s = c->server;
    char *body = NULL;
    size_t len = 0;
    if (s->collect) s->collect(s->data);
    if (nh_metrics_render(s->metrics, &body, &len) < 0) {
      respond(c, "500 Internal Server Error", "text/plain", "out of memory\n", 14, 0);
      return;
    }
    respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body, len,
            strcmp(method, "HEAD") == 0);
    free(body);
  }
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  client_t *c = h->data;
  (void)suggested;
  buf->base = c->request + c->len;
  buf->len = MAX_REQUEST - c->len;
}

static void read_cb(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf) {
  client_t *c = stream->data;
  (void)buf;
  if (n < 0) {
    client_close(c);
    return;
  }
  c->len += (size_t)n;
  c->request[c->len] = '\0';
  if (strstr(c->request, "\r\n\r\n") || strstr(c->request, "\n\n")) {
    c->len = 0;
    serve(c);
  } else if (c->len >= MAX_REQUEST) {
    c->len = 0;
    respond(c, "431 Request Header Fields Too Large", "text/plain", "too large\n", 10, 0);
  }
}

static void connection_cb(uv_stream_t *listener, int status) {
  nh_metrics_server_t *s = listener->data;
  client_t *c;
  if (status < 0 || s->stopping) return;
  if (!(c = calloc(1, sizeof(*c)))) return;
  c->server = s;
  uv_tcp_init(listener->loop, &c->tcp);
  c->tcp.data = c;
  s->open_handles++;
  nh_list_append(&s->clients, &c->link);
  uv_unref((uv_handle_t *)&c->tcp);
  if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) < 0)
    client_close(c);
}

static void free_unstarted(uv_handle_t *h) {
  free(h->data);
}

int nh_metrics_server_start(nh_loop_t *loop, nh_metrics_t *metrics, const char *addr, int port,
                            nh_metrics_collect_cb collect, void *data, nh_metrics_server_t **out) {
  struct sockaddr_storage sa;
  nh_metrics_server_t *s;
  int rc;
  *out = NULL;
  if (port < 0 || port > 65535) return NH_EINVAL;
  if (uv_ip4_addr(addr, port, (struct sockaddr_in *)&sa) != 0 &&
      uv_ip6_addr(addr, port, (struct sockaddr_in6 *)&sa) != 0)
    return NH_EINVAL;
  if (!(s = calloc(1, sizeof(*s)))) return NH_ENOMEM;
  s->metrics = metrics;
  s->collect = collect;
  s->data = data;
  nh_list_init(&s->clients);
  if ((rc = uv_tcp_init(loop->uv, &s->listener)) < 0) {
    free(s);
    return rc;
  }
  s->listener.data = s;
  s->open_handles = 1;
  if ((rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&sa, 0)) < 0 ||
      (rc = uv_listen((uv_stream_t *)&s->listener, 64, connection_cb)) < 0) {
    s->stopping = 1;
    uv_close((uv_handle_t *)&s->listener, free_unstarted);
    return rc;
  }
  uv_unref((uv_handle_t *)&s->listener);
  *out = s;
  return 0;
}

int nh_metrics_server_port(const nh_metrics_server_t *s) {
  struct sockaddr_storage sa;
  int len = sizeof sa;
  if (uv_tcp_getsockname((const uv_tcp_t *)&s->listener, (struct sockaddr *)&sa, &len) < 0)
    return -1;
  if (sa.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&sa)->sin_port);
  return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
}

static void listener_closed(uv_handle_t *h) {
  server_release(h->data);
}

void nh_metrics_server_stop(nh_metrics_server_t *s) {
  nh_list_t *l;
  if (!s || s->stopping) return;
  s->stopping = 1;
  for (l = s->clients.next; l != &s->clients; l = l->next)
    client_close(nh_container_of(l, client_t, link));
  uv_close((uv_handle_t *)&s->listener, listener_closed);
}
