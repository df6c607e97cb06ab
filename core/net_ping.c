/* nethost core: ICMP echo through one shared socket per loop and address family.
 *
 * Unprivileged datagram ICMP sockets (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)) are used when
 * the kernel allows them (net.ipv4.ping_group_range includes the process's group); otherwise a
 * raw socket when the process may open one (root, CAP_NET_RAW). Setting NETHOST_ICMP=datagram
 * in the environment forbids the raw fallback.
 *
 * The kernel rewrites the identifier of a datagram ICMP socket's requests to the socket's
 * port, so replies are matched by sequence number (one table slot per request in flight)
 * and a per-ping token carried in the payload with the send time. A raw socket sees every
 * echo reply the host receives, so there the identifier is checked too.
 *
 * A socket is opened by the first ping that needs it and closed when its last ping ends, so
 * nothing stays open between sweeps and no handle outlives the loop's users.
 */
#include "error.h"
#include "net.h"
#include "timer.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEQ_SLOTS 65536
#define PAYLOAD   16 /* token (8 bytes) + send time in ns (8 bytes) */

struct nh_icmp_sock_s {
  nh_icmp_sock_t *next; /* in the list of open sockets */
  nh_loop_t *loop;
  int family;
  int raw;
  uv_os_sock_t fd;
  uv_poll_t poll;
  uint16_t ident; /* raw sockets: ours; datagram sockets: the kernel's */
  uint16_t next_seq;
  unsigned users;
  nh_ping_t **table; /* SEQ_SLOTS entries: the ping waiting for each sequence number */
};

enum { PHASE_IDLE, PHASE_RESOLVING, PHASE_PINGING };

static uv_once_t list_once = UV_ONCE_INIT;
static uv_mutex_t list_lock;
static nh_icmp_sock_t *open_socks;
static const char *sock_kind[2];
static uint64_t token_counter;

static void list_init(void) {
  if (uv_mutex_init(&list_lock) != 0) abort();
}

const char *nh_ping_socket_kind(int family) {
  return sock_kind[family == AF_INET6];
}

static void sock_closed(uv_handle_t *handle) {
  nh_icmp_sock_t *s = (nh_icmp_sock_t *)handle->data;
  close(s->fd);
  free(s->table);
  free(s);
}

static void sock_release(nh_icmp_sock_t *s) {
  nh_icmp_sock_t **p;
  if (--s->users) return;
  uv_mutex_lock(&list_lock);
  for (p = &open_socks; *p; p = &(*p)->next) {
    if (*p == s) {
      *p = s->next;
      break;
    }
  }
  uv_mutex_unlock(&list_lock);
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, sock_closed);
}

static uint16_t checksum(const void *data, size_t len) {
  const uint8_t *p = data;
  uint32_t sum = 0;
  for (; len > 1; p += 2, len -= 2) sum += (uint32_t)(p[0] << 8 | p[1]);
  if (len) sum += (uint32_t)(p[0] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons((uint16_t)~sum);
}

static void finish(nh_ping_t *req, int status) {
  unsigned i;
  nh_timer_stop(&req->timer);
  if (req->sock) {
    for (i = 0; i < req->sent; i++)
      if (req->sock->table[req->seqs[i]] == req) req->sock->table[req->seqs[i]] = NULL;
    sock_release(req->sock);
    req->sock = NULL;
  }
  free(req->seqs);
  req->seqs = NULL;
  req->phase = PHASE_IDLE;
  nh__op_done(&req->op, status);
}

/* Handles one datagram: an echo reply of one of our pings, or something to ignore. */
static void on_packet(nh_icmp_sock_t *s, const uint8_t *buf, size_t len, uint64_t now) {
  uint8_t type;
  uint16_t ident, seq;
  uint64_t token, sent_ns, rtt;
  nh_ping_t *req;
  if (s->family == AF_INET && s->raw) {
    size_t hl;
    if (len < 20) return;
    hl = (size_t)(buf[0] & 0x0f) * 4;
    if (hl < 20 || len < hl) return;
    buf += hl;
    len -= hl;
  }
  if (len < 8 + PAYLOAD) return;
  type = buf[0];
  if (type != (s->family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY)) return;
  ident = (uint16_t)(buf[4] << 8 | buf[5]);
  seq = (uint16_t)(buf[6] << 8 | buf[7]);
  if (s->raw && ident != s->ident) return;
  req = s->table[seq];
  if (!req) return;
  memcpy(&token, buf + 8, 8);
  memcpy(&sent_ns, buf + 16, 8);
  if (token != req->token || sent_ns > now) return;
  s->table[seq] = NULL; /* a duplicate reply counts once */
  rtt = now - sent_ns;
  if (rtt > req->reply_timeout_ms * 1000000u) return;
  if (!req->received || rtt < req->rtt_min_ns) req->rtt_min_ns = rtt;
  if (rtt > req->rtt_max_ns) req->rtt_max_ns = rtt;
  req->rtt_sum_ns += rtt;
  req->received++;
  if (req->received == req->count) finish(req, 0);
}

static void poll_cb(uv_poll_t *poll, int status, int events) {
  nh_icmp_sock_t *s = (nh_icmp_sock_t *)poll->data;
  uint8_t buf[1500];
  int budget = 256; /* replies per wakeup, so a flood cannot starve the loop */
  (void)events;
  if (status < 0) return;
  /* Hold the socket: a reply may finish its last ping, which would close it under us. */
  s->users++;
  while (budget-- > 0) {
    ssize_t n = recv(s->fd, buf, sizeof(buf), 0);
    if (n < 0) break; /* EAGAIN, or an error queued for the socket: try again later */
    on_packet(s, buf, (size_t)n, uv_hrtime());
  }
  sock_release(s);
}

/* Opens an ICMP socket of family: datagram if permitted, else raw (unless NETHOST_ICMP is
 * "datagram"). Returns the descriptor or a negative libuv code; *raw says which it is. */
static int icmp_socket(int family, int *raw) {
  int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
  const char *mode = getenv("NETHOST_ICMP");
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  *raw = 0;
  if (fd < 0 && (errno == EACCES || errno == EPERM) && !(mode && strcmp(mode, "datagram") == 0)) {
    int dgram_errno = errno;
    fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    /* Report the datagram socket's refusal: that is the one the user can fix without root. */
    if (fd < 0 && (errno == EACCES || errno == EPERM)) errno = dgram_errno;
    *raw = 1;
  }
  return fd < 0 ? -errno : fd;
}

int nh_ping_permitted(int family, const char **kind) {
  int raw, fd = icmp_socket(family, &raw);
  if (fd < 0) return fd;
  close(fd);
  if (kind) *kind = raw ? "raw" : "datagram";
  return 0;
}

static int sock_open(nh_loop_t *loop, int family, nh_icmp_sock_t **out) {
  nh_icmp_sock_t *s;
  int raw, rc, fd = icmp_socket(family, &raw);
  if (fd < 0) return fd;
  /* A raw socket gets a copy of every ICMP message the host receives (our own requests too,
   * on loopback): let the kernel drop all but echo replies. ICMP_FILTER is Linux's
   * SOL_RAW option 1, a mask of the types to block; <linux/icmp.h> clashes with glibc's. */
  if (raw && family == AF_INET) {
    uint32_t block = ~(UINT32_C(1) << ICMP_ECHOREPLY);
    setsockopt(fd, SOL_RAW, 1, &block, sizeof(block));
  }
  /* Bursts from a large sweep must not overflow the buffers (best effort). */
  {
    int size = 4 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  }
  if (raw && family == AF_INET6) {
    struct icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
  }
  s = calloc(1, sizeof(*s));
  if (s) s->table = calloc(SEQ_SLOTS, sizeof(*s->table));
  if (!s || !s->table) {
    if (s) free(s);
    close(fd);
    return NH_ENOMEM;
  }
  s->loop = loop;
  s->family = family;
  s->raw = raw;
  s->fd = fd;
  s->ident = (uint16_t)(getpid() ^ (uv_hrtime() >> 10));
  s->next_seq = (uint16_t)(uv_hrtime() >> 20);
  if ((rc = uv_poll_init_socket(loop->uv, &s->poll, fd)) < 0) {
    close(fd);
    free(s->table);
    free(s);
    return rc;
  }
  s->poll.data = s;
  if ((rc = uv_poll_start(&s->poll, UV_READABLE, poll_cb)) < 0) {
    uv_close((uv_handle_t *)&s->poll, sock_closed);
    return rc;
  }
  sock_kind[family == AF_INET6] = raw ? "raw" : "datagram";
  *out = s;
  return 0;
}

/* The loop's open socket for family, opened if need be, with one more user. */
static int sock_acquire(nh_loop_t *loop, int family, nh_icmp_sock_t **out) {
  nh_icmp_sock_t *s;
  int rc;
  uv_once(&list_once, list_init);
  uv_mutex_lock(&list_lock);
  for (s = open_socks; s && !(s->loop == loop && s->family == family); s = s->next) {
  }
  uv_mutex_unlock(&list_lock);
  if (!s) {
    if ((rc = sock_open(loop, family, &s)) < 0) return rc;
    uv_mutex_lock(&list_lock);
    s->next = open_socks;
    open_socks = s;
    uv_mutex_unlock(&list_lock);
  }
  s->users++;
  *out = s;
  return 0;
}

static void send_next(nh_ping_t *req);

static void timer_cb(nh_timer_t *timer) {
  nh_ping_t *req = (nh_ping_t *)timer->data;
  if (req->sent < req->count)
    send_next(req);
  else
    finish(req, 0); /* the last reply window has passed */
}

static void send_next(nh_ping_t *req) {
  nh_icmp_sock_t *s = req->sock;
  uint8_t pkt[8 + PAYLOAD];
  uint64_t now;
  unsigned tries;
  uint16_t seq = 0;
  for (tries = 0; tries < SEQ_SLOTS; tries++) {
    seq = s->next_seq++;
    if (!s->table[seq]) break;
  }
  if (tries == SEQ_SLOTS) {
    finish(req, NH_EAGAIN); /* 65,536 echoes in flight on one socket */
    return;
  }
  memset(pkt, 0, sizeof(pkt));
  pkt[0] = req->addr.sa.ss_family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
  pkt[4] = (uint8_t)(s->ident >> 8);
  pkt[5] = (uint8_t)s->ident;
  pkt[6] = (uint8_t)(seq >> 8);
  pkt[7] = (uint8_t)seq;
  memcpy(pkt + 8, &req->token, 8);
  now = uv_hrtime();
  memcpy(pkt + 16, &now, 8);
  /* ICMPv6 checksums cover a pseudo-header: the kernel computes them. */
  if (req->addr.sa.ss_family == AF_INET)
    memcpy(pkt + 2, &(uint16_t){checksum(pkt, sizeof(pkt))}, 2);
  req->seqs[req->sent++] = seq;
  if (sendto(s->fd, pkt, sizeof(pkt), 0, (const struct sockaddr *)&req->addr.sa, req->addr.len) < 0)
    req->send_error = -errno; /* counted as sent and lost, as ping(8) does */
  else
    s->table[seq] = req;
  if (nh_timer_start(&req->timer, timer_cb,
                     req->sent < req->count ? req->interval_ms : req->reply_timeout_ms) < 0)
    finish(req, NH_ENOMEM);
}

static int start_pinging(nh_ping_t *req) {
  int rc;
  if ((rc = sock_acquire(req->op.loop, req->addr.sa.ss_family, &req->sock)) < 0) return rc;
  req->phase = PHASE_PINGING;
  return 0;
}

static void ping_cancel(nh_op_t *op) {
  nh_ping_t *req = (nh_ping_t *)op;
  if (req->phase == PHASE_RESOLVING)
    nh_op_cancel(&req->resolve.op);
  else if (req->phase == PHASE_PINGING)
    finish(req, NH_ECANCELED);
}

static const nh_op_type_t ping_type = {"net.ping", ping_cancel};

static void resolved_cb(nh_op_t *op, int status) {
  nh_ping_t *req = (nh_ping_t *)op->data;
  int rc;
  req->phase = PHASE_IDLE;
  if (status == 0) memcpy(&req->addr, &req->resolve.addrs[0], sizeof(req->addr));
  nh_resolve_cleanup(&req->resolve);
  if (status < 0 || nh__op_stopping(&req->op)) {
    finish(req, status);
    return;
  }
  if ((rc = start_pinging(req)) < 0) {
    finish(req, rc);
    return;
  }
  send_next(req);
}

int nh_ping_start(nh_loop_t *loop, nh_ping_t *req, const char *host, unsigned count,
                  uint64_t interval_ms, uint64_t reply_timeout_ms, nh_op_cb cb) {
  int rc;
  nh__op_init(&req->op, loop, &ping_type);
  /* The results and the private state start from zero (PHASE_IDLE, no socket); the op, with
   * the caller's data pointer, stays as it is. */
  memset((char *)req + sizeof(nh_op_t), 0, sizeof(*req) - sizeof(nh_op_t));
  nh_timer_init(loop, &req->timer);
  req->timer.data = req;
  req->count = count;
  req->interval_ms = interval_ms;
  req->reply_timeout_ms = reply_timeout_ms;
  if (!host || count < 1 || count > SEQ_SLOTS) return NH_EINVAL;
  req->token = (++token_counter * 0x9e3779b97f4a7c15ull) ^ uv_hrtime();
  if (!(req->seqs = calloc(count, sizeof(*req->seqs)))) return NH_ENOMEM;
  if (nh_addr_parse(host, 0, &req->addr) == 0) {
    if ((rc = start_pinging(req)) < 0) {
      free(req->seqs);
      req->seqs = NULL;
      return rc;
    }
    nh__op_begin(&req->op, cb, 0);
    /* The first request goes out from the loop, never from inside this call's caller's
     * stack, so that a synchronous send failure still completes through the callback. */
    if (nh_timer_start(&req->timer, timer_cb, 0) < 0) finish(req, NH_ENOMEM);
    return 0;
  }
  if ((rc = nh_resolve_start(loop, &req->resolve, host, AF_UNSPEC, 0, resolved_cb)) < 0) {
    free(req->seqs);
    req->seqs = NULL;
    return rc;
  }
  req->resolve.op.data = req;
  req->phase = PHASE_RESOLVING;
  nh__op_begin(&req->op, cb, 0);
  return 0;
}
