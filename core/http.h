/* nethost core: HTTP(S) transfers on libcurl's multi_socket interface, driven by libuv.
 *
 * One nh_http_client_t per loop holds the one CURLM handle every transfer shares, so
 * connections are kept alive and reused per host and HTTP/2 streams are multiplexed where a
 * server offers h2 over TLS. libcurl tells the client which sockets to watch (each gets a
 * uv_poll_t) and when to call it back (one nh_timer_t on the loop's heap).
 *
 * A transfer is an operation (core/op.h): the caller allocates an nh_http_transfer_t, starts
 * it with a request whose strings are copied at start, and reads the response in the
 * callback. The operation's deadline covers the whole transfer (queueing behind the
 * connection caps included); cancelling removes the easy handle from the multi handle, so
 * libcurl closes (or keeps, when reusable) the connection at once.
 */
#ifndef NH_HTTP_H
#define NH_HTTP_H

#include "list.h"
#include "op.h"

#include <stddef.h>
#include <stdint.h>

typedef struct nh_http_client_s nh_http_client_t;

/* Connection limits of a client. 0 keeps libcurl's default (unlimited for the caps). */
typedef struct {
  long max_host_connections;  /* open connections per host:port (controllers rate-limit) */
  long max_total_connections; /* open connections in all */
  long max_idle_connections;  /* size of the keep-alive cache (default 4096) */
} nh_http_limits_t;

/* Creates a client on loop. limits may be NULL. Returns 0 or a negative NH_E* code. */
int nh_http_client_new(nh_loop_t *loop, const nh_http_limits_t *limits, nh_http_client_t **out);

/* Changes the limits; they apply to connections opened from now on. */
int nh_http_client_set_limits(nh_http_client_t *client, const nh_http_limits_t *limits);

/* Transfers started and not yet completed. */
size_t nh_http_client_active(const nh_http_client_t *client);

/* Most sockets open at once so far, and connections opened in all (statistics: they show
 * whether the caps and keep-alive work). */
size_t nh_http_client_peak_sockets(const nh_http_client_t *client);
size_t nh_http_client_connects(const nh_http_client_t *client);

/* Closes the client: pending transfers are cancelled (their callbacks still run, with
 * NH_ECANCELED), every connection is closed, and the memory is freed once libuv has closed
 * the poll handles (run the loop afterwards). */
void nh_http_client_close(nh_http_client_t *client);

/* A request header. */
typedef struct {
  const char *name;
  const char *value;
} nh_http_field_t;

/* What to send. Every string is copied at start; the caller may free them afterwards. */
typedef struct {
  const char *method; /* NULL: "GET", or "POST" when there is a body */
  const char *url;    /* http:// or https:// */
  const nh_http_field_t *headers;
  size_t nheaders;
  const char *body; /* NULL: no body */
  size_t body_len;
  const char *username; /* basic auth, with password */
  const char *password;
  const char *bearer;          /* Authorization: Bearer */
  uint64_t timeout_ms;         /* the whole transfer; 0: no deadline */
  uint64_t connect_timeout_ms; /* connect and TLS handshake; 0: libcurl's default */
  int insecure;                /* 1: do not verify the server's certificate and name */
  const char *ca_file;         /* PEM bundle to verify the server with */
  const char *client_cert;     /* PEM client certificate (mutual TLS) */
  const char *client_key;
  int follow;         /* follow redirects */
  long max_redirects; /* with follow; 0: 10 */
  size_t max_body;    /* a larger response body fails with NH_ETOOBIG; 0: no limit */
} nh_http_request_t;

/* A transfer: allocate it, start it, read the results in the callback, then call
 * nh_http_transfer_cleanup() and free it. */
typedef struct nh_http_transfer_s {
  nh_op_t op; /* first member */
  /* Results, valid in the callback. On success (status 0) the response: */
  long status;       /* HTTP status code of the last response */
  long http_version; /* 1 (1.0 and 1.1), 2 or 3 */
  char *body;        /* NUL-terminated for convenience; body_len counts the bytes */
  size_t body_len;
  nh_http_field_t *headers; /* of the last response, in order, names as sent */
  size_t nheaders;
  double elapsed; /* seconds from start to completion */
  /* On failure: which stage failed ("resolve", "connect", "tls", "send", "receive" or
   * "request" for a request libcurl refused), and a message naming no credentials. The
   * URL shown in messages never carries user:password nor the query string. */
  const char *stage;
  char error[256];
  char *display_url;
  /* private */
  nh_http_client_t *client;
  const struct nh__http_events_s *events; /* how the client reports back (http_internal.h) */
  void *easy;                             /* CURL * */
  void *slist;
  char *hbuf; /* header storage: "name\0value\0" pairs */
  size_t hbuf_len, hbuf_cap;
  size_t body_cap;
  size_t max_body;
  int prereq_done; /* connected and about to send the request */
  int got_header;  /* the first response byte arrived */
  int too_big;
  int is_https;
  int fail_code; /* socket setup failure to deliver */
  nh_ready_t fail;
  nh_list_t link; /* in the client's active list while attached */
} nh_http_transfer_t;

/* Starts t on client. Returns 0, or a negative NH_E* code (NH_EINVAL for a bad URL or a
 * header with CR/LF in it; then cb never fires and t needs no cleanup). */
int nh_http_transfer_start(nh_http_client_t *client, nh_http_transfer_t *t,
                           const nh_http_request_t *req, nh_op_cb cb);

/* Frees the results of a completed transfer. */
void nh_http_transfer_cleanup(nh_http_transfer_t *t);

/* The value of the first response header named name (case-insensitive), or NULL. */
const char *nh_http_transfer_header(const nh_http_transfer_t *t, const char *name);

#endif
