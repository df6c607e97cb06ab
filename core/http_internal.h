/* nethost core: what core/http_client.c and core/http_transfer.c share (private). */
#ifndef NH_HTTP_INTERNAL_H
#define NH_HTTP_INTERNAL_H

#include "http.h"

#include <curl/curl.h>

struct nh_http_client_s {
  nh_loop_t *loop;
  CURLM *multi;
  nh_timer_t timer; /* libcurl's single timeout */
  nh_list_t active; /* the attached transfers */
  nh_list_t socks;  /* every poll context not yet closed */
  size_t nactive;
  size_t nsocks, peak_socks;
  size_t connects;
  size_t closing_socks; /* poll handles whose close callback is pending */
  int closed;           /* nh_http_client_close() was called */
  CURL **pool;          /* reset easy handles kept for reuse */
  size_t npool, pool_cap;
};

/* How the client reports to a transfer. The client is the lower layer: it drives libcurl
 * and calls these, and knows no transfer code (http_transfer.c passes them to attach). */
typedef struct nh__http_events_s {
  /* libcurl finished t with code; t is still attached (the callback detaches it). */
  void (*finished)(nh_http_transfer_t *t, CURLcode code);
  /* A socket of t could not be watched: fail t with rc on the next loop iteration (it is
   * called from inside a libcurl callback, where t may not be detached). */
  void (*fail_later)(nh_http_transfer_t *t, int rc);
} nh__http_events_t;

/* Adds t's easy handle to the multi handle and to the active list; the client reports
 * t's end through events. */
int nh__http_client_attach(nh_http_client_t *client, nh_http_transfer_t *t,
                           const nh__http_events_t *events);

/* Removes t's easy handle (if attached). Never call it from inside a libcurl callback. */
void nh__http_client_detach(nh_http_client_t *client, nh_http_transfer_t *t);

/* An easy handle from the pool, or a new one (NULL: out of memory). */
CURL *nh__http_client_easy(nh_http_client_t *client);

/* Returns an easy handle to the pool (reset), or cleans it up when the pool is full. */
void nh__http_client_release(nh_http_client_t *client, CURL *easy);

#endif
