/* nethost core: serves a metrics registry at /metrics over HTTP/1.1 on the loop. */
#ifndef NH_METRICS_HTTP_H
#define NH_METRICS_HTTP_H

#include "loop.h"
#include "metrics.h"

typedef struct nh_metrics_server_s nh_metrics_server_t;

/* Called before each scrape is rendered, to refresh figures read on demand. */
typedef void (*nh_metrics_collect_cb)(void *data);

/* Listens on addr:port (IPv4 or IPv6 literal; port 0 picks a free one) and answers GET
 * /metrics with metrics rendered. The server holds no reference that keeps the loop alive.
 * Returns 0 and *out, or a negative code (NH_EINVAL for a bad address, libuv's for bind
 * errors such as UV_EADDRINUSE); on failure nothing is left to stop. metrics must outlive
 * the server. */
int nh_metrics_server_start(nh_loop_t *loop, nh_metrics_t *metrics, const char *addr, int port,
                            nh_metrics_collect_cb collect, void *data, nh_metrics_server_t **out);

/* The port it listens on, or -1. */
int nh_metrics_server_port(const nh_metrics_server_t *s);

/* Closes the listener and every connection; the memory goes once the loop has run the
 * close callbacks. */
void nh_metrics_server_stop(nh_metrics_server_t *s);

#endif
