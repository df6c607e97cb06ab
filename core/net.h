/* nethost core: reachability probes — name resolution, TCP connect probes, ICMP echo.
 *
 * Three operations, each an nh_op_t with a deadline and cancel (core/op.h):
 *
 * - nh_resolve: uv_getaddrinfo, results copied into the request;
 * - nh_tcp_probe: resolve (unless given an address literal), then uv_tcp_connect; the
 *   verdict is open / refused / unreachable, or a timeout by the op's deadline;
 * - nh_ping: ICMP echo requests through one shared socket per address family and loop
 *   (unprivileged datagram ICMP sockets where net.ipv4.ping_group_range allows them, else a
 *   raw socket when the process may open one). Replies are matched by sequence number and a
 *   per-ping token in the payload, because the kernel rewrites the identifier of datagram
 *   ICMP sockets to the socket's port.
 *
 * Requests are allocated by the caller and must stay alive until their callback returned.
 */
#ifndef NH_NET_H
#define NH_NET_H

#include "op.h"

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

/* One resolved address. */
typedef struct {
  struct sockaddr_storage sa;
  socklen_t len;
} nh_addr_t;

/* Parses an IPv4 or IPv6 literal (an IPv6 one may be in brackets) into addr with port.
 * Returns 0 or NH_EINVAL when text is no address literal. */
int nh_addr_parse(const char *text, int port, nh_addr_t *addr);

/* Writes addr's numeric form (no port) into buf. Returns 0 or NH_EINVAL. */
int nh_addr_format(const nh_addr_t *addr, char *buf, size_t size);

/* Name resolution ------------------------------------------------------------------------ */

typedef struct {
  nh_op_t op; /* first member */
  /* results, valid in the callback when status is 0; release with nh_resolve_cleanup */
  nh_addr_t *addrs;
  size_t count;
  int gai_status; /* the libuv getaddrinfo code when status is NH_ERESOLVE */
  /* private */
  uv_getaddrinfo_t gai;
  int family;
} nh_resolve_t;

/* Resolves name (host name or literal) for family AF_UNSPEC/AF_INET/AF_INET6. Completes with
 * 0 (at least one address), NH_ERESOLVE, NH_ETIMEDOUT or NH_ECANCELED. Duplicates are
 * dropped; order is the resolver's. */
int nh_resolve_start(nh_loop_t *loop, nh_resolve_t *req, const char *name, int family,
                     uint64_t timeout_ms, nh_op_cb cb);

/* Frees the result list (harmless when there is none). */
void nh_resolve_cleanup(nh_resolve_t *req);

/* TCP probe ------------------------------------------------------------------------------ */

typedef enum {
  NH_PROBE_OPEN = 0,
  NH_PROBE_REFUSED,
  NH_PROBE_TIMEOUT,
  NH_PROBE_UNREACHABLE,
} nh_probe_state_t;

typedef struct {
  nh_op_t op; /* first member */
  /* results, valid in the callback */
  nh_addr_t addr;      /* the address probed; family 0 while a name is unresolved */
  uint64_t elapsed_ns; /* from start until the verdict (connect phase only) */
  int connect_status;  /* 0 or the libuv code of the failed connect */
  /* private */
  nh_resolve_t resolve;
  uv_tcp_t tcp;
  uv_connect_t connect;
  uint64_t connect_ns;
  int close_status;
  int port;
  int phase; /* 0 idle, 1 resolving, 2 connecting, 3 closing */
} nh_tcp_probe_t;

/* Probes host:port (a literal or a name) within timeout_ms (0: no deadline). The callback's
 * status is 0 when a verdict was reached (see nh_tcp_probe_state), NH_ETIMEDOUT when the
 * deadline passed, NH_ERESOLVE when the name did not resolve, NH_ECANCELED. */
int nh_tcp_probe_start(nh_loop_t *loop, nh_tcp_probe_t *req, const char *host, int port,
                       uint64_t timeout_ms, nh_op_cb cb);

/* The verdict for a completed probe with the given callback status. Returns -1 for a status
 * that is no verdict (NH_ERESOLVE, NH_ECANCELED, ...). */
int nh_tcp_probe_state(const nh_tcp_probe_t *req, int status);

/* The state's name: "open", "refused", "timeout", "unreachable". */
const char *nh_probe_state_name(int state);

/* ICMP echo ------------------------------------------------------------------------------ */

typedef struct nh_icmp_sock_s nh_icmp_sock_t;

typedef struct {
  nh_op_t op; /* first member */
  /* results, valid in the callback when status is 0 */
  nh_addr_t addr; /* the address pinged */
  unsigned sent, received;
  uint64_t rtt_sum_ns; /* over the received replies */
  uint64_t rtt_min_ns, rtt_max_ns;
  int send_error; /* last send failure (libuv code), e.g. NH_ENETUNREACH, else 0 */
  /* private */
  nh_resolve_t resolve;
  nh_icmp_sock_t *sock;
  nh_timer_t timer;
  uint64_t token;
  uint64_t interval_ms, reply_timeout_ms;
  unsigned count;
  uint16_t *seqs; /* the sequence numbers this ping holds in its socket's table */
  int phase;
} nh_ping_t;

/* How ICMP sockets are opened (for messages): "datagram", "raw", or NULL before the first. */
const char *nh_ping_socket_kind(int family);

/* Whether this process may open an ICMP socket of family (AF_INET or AF_INET6): 0, with
 * *kind (may be NULL) set to "datagram" or "raw", or UV_EACCES / UV_EPERM / another code. */
int nh_ping_permitted(int family, const char **kind);

/* Sends count (>= 1) echo requests to host, interval_ms apart, and completes once every
 * request is answered or reply_timeout_ms passed after the last one. Replies slower than
 * reply_timeout_ms do not count. Completes with 0 (see sent/received), NH_ERESOLVE,
 * NH_ECANCELED, or a socket error: UV_EACCES/UV_EPERM when the process may open no ICMP
 * socket (neither datagram nor raw). */
int nh_ping_start(nh_loop_t *loop, nh_ping_t *req, const char *host, unsigned count,
                  uint64_t interval_ms, uint64_t reply_timeout_ms, nh_op_cb cb);

#endif
