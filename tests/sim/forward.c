/* The lab as a jump host. A client's direct-tcpip channel on one device's connection gets
 * a real TCP connection (uv_tcp, non-blocking on the lab's loop) to the target device's
 * listener, and the bytes are pumped both ways with flow control at each end:
 *
 * - client to device: the channel data callback takes bytes only while the socket's write
 *   queue is short; what it leaves stays in libssh's channel buffer, which keeps the SSH
 *   window closed, and is pulled with ssh_channel_read_nonblocking once the queue drains
 *   (or the connection is up);
 * - device to client: bytes go to the channel's output buffer in server.c, which sends
 *   them as the window allows; reading the socket stops while that buffer is long.
 *
 * Only the lab's own devices are reachable (fwd_target), so a lab on loopback never opens
 * a connection anywhere else. A real TCP connection rather than an internal splice keeps
 * the target device's side exactly what a direct client sees: accept, faults, vty limit. */
#include "forward.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* Client bytes queued for the device's socket before the channel stops taking more. */
#define IN_HIGH (256 * 1024)
/* Device bytes waiting for the SSH window before the socket is no longer read, and the
 * level at which reading resumes. */
#define OUT_HIGH (256 * 1024)
#define OUT_LOW  (64 * 1024)

struct sim_fwd {
  uv_tcp_t tcp;
  uv_connect_t connect_req;
  uv_shutdown_t shutdown_req;
  ssh_channel ch; /* NULL once the channel is gone */
  const sim_term_io_t *io;
  void *ctx;
  int connected, reading, held, draining, in_eof, out_eof, shut_sent, shut_pending, closing;
};

typedef struct wreq {
  uv_write_t req;
  char data[];
} wreq_t;

static void drain_held(sim_fwd_t *f);

static int device_index(const sim_lab_t *lab, const char *host) {
  struct in_addr a;
  if (inet_pton(AF_INET, host, &a) == 1) {
    uint64_t i = (uint64_t)ntohl(a.s_addr) - (uint64_t)ntohl(lab->opt.base.s_addr);
    return ntohl(a.s_addr) >= ntohl(lab->opt.base.s_addr) && i < (uint64_t)lab->ndevs ? (int)i : -1;
  }
  /* Names are sw-NNNN / r-NNNN by index, so the lab resolves its own names as a
   * bastion's resolver would. */
  const char *dash = strrchr(host, '-');
  if (!dash || !dash[1]) return -1;
  char *end;
  long n = strtol(dash + 1, &end, 10);
  if (*end || n < 1 || n > lab->ndevs) return -1;
  return strcmp(lab->devs[n - 1].name, host) == 0 ? (int)(n - 1) : -1;
}

const sim_device_t *fwd_target(const sim_lab_t *lab, const char *host, int port) {
  if (!host || lab->stopping) return NULL;
  int i = device_index(lab, host);
  if (i < 0) return NULL;
  const sim_device_t *d = &lab->devs[i];
  if (port == lab->opt.port && d->listen_fd >= 0) return d;
  if (lab->opt.http && port == lab->opt.http_port) return d; /* every device listens */
  if (lab->nc_port && port == lab->nc_port && d->nc_fd >= 0) return d;
  return NULL;
}

static void on_closed(uv_handle_t *h) {
  free(h->data);
}

static void on_shutdown(uv_shutdown_t *r, int status) {
  sim_fwd_t *f = r->data;
  f->shut_pending = 0;
  if (f->closing && !uv_is_closing((uv_handle_t *)&f->tcp))
    uv_close((uv_handle_t *)&f->tcp, on_closed);
}

static void shut_write(sim_fwd_t *f) {
  if (f->shut_sent || !f->connected) return;
  f->shut_sent = 1;
  f->shutdown_req.data = f;
  if (uv_shutdown(&f->shutdown_req, (uv_stream_t *)&f->tcp, on_shutdown) == 0) f->shut_pending = 1;
}

/* The device side ended (EOF, reset, a failed write or connect): the channel ends once its
 * buffered output is sent. */
static void device_gone(sim_fwd_t *f) {
  if (f->out_eof) return;
  f->out_eof = 1;
  if (f->reading) uv_read_stop((uv_stream_t *)&f->tcp);
  f->reading = 0;
  f->io->done(f->ctx, 0);
}

static void on_written(uv_write_t *r, int status) {
  wreq_t *w = (wreq_t *)r;
  sim_fwd_t *f = r->data;
  free(w);
  if (f->closing) return;
  f->io->enter(f->ctx);
  if (status < 0) device_gone(f);
  if (f->held) drain_held(f);
  f->io->leave(f->ctx);
}

static size_t queued(const sim_fwd_t *f) {
  return uv_stream_get_write_queue_size((const uv_stream_t *)&f->tcp);
}

static void tcp_write(sim_fwd_t *f, const char *data, size_t len) {
  if (f->out_eof) return; /* the device is gone: the bytes have nowhere to go */
  uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
  int n = queued(f) == 0 ? uv_try_write((uv_stream_t *)&f->tcp, &b, 1) : UV_EAGAIN;
  if (n == (int)len) return;
  if (n < 0 && n != UV_EAGAIN) {
    device_gone(f);
    return;
  }
  if (n < 0) n = 0;
  wreq_t *w = malloc(sizeof *w + len - (size_t)n);
  if (!w) abort();
  memcpy(w->data, data + n, len - (size_t)n);
  w->req.data = f;
  b = uv_buf_init(w->data, (unsigned)(len - (size_t)n));
  if (uv_write(&w->req, (uv_stream_t *)&f->tcp, &b, 1, on_written) != 0) {
    free(w);
    device_gone(f);
  }
}

/* Pulls the client bytes libssh holds for the channel into the socket while its queue is
 * short. Reading may handle more packets of the connection; the data callback then leaves
 * its bytes in the buffer (draining), and this loop reads them in order. */
static void drain_held(sim_fwd_t *f) {
  if (f->draining || !f->connected || !f->ch) return;
  f->draining = 1;
  char buf[32768];
  while (queued(f) < IN_HIGH && f->ch) {
    int n = ssh_channel_read_nonblocking(f->ch, buf, sizeof buf, 0);
    if (n <= 0) {
      f->held = 0; /* nothing left in libssh's buffer (or the channel is over) */
      break;
    }
    tcp_write(f, buf, (size_t)n);
  }
  f->draining = 0;
  if (f->in_eof && !f->held) shut_write(f);
}

int fwd_input(sim_fwd_t *f, const char *data, size_t len) {
  if (!f->connected || f->draining || f->held || queued(f) >= IN_HIGH) {
    f->held = 1;
    return 0;
  }
  tcp_write(f, data, len);
  return (int)len;
}

void fwd_eof(sim_fwd_t *f) {
  f->in_eof = 1;
  if (!f->held && !f->draining) shut_write(f);
}

static void on_alloc(uv_handle_t *h, size_t want, uv_buf_t *b) {
  static char buf[65536]; /* copied into the channel's buffer before the next read */
  *b = uv_buf_init(buf, sizeof buf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  sim_fwd_t *f = s->data;
  if (f->closing || n == 0) return;
  f->io->enter(f->ctx);
  if (n > 0)
    f->io->write(f->ctx, b->base, (size_t)n, 0);
  else
    device_gone(f);
  f->io->leave(f->ctx);
}

void fwd_room(sim_fwd_t *f, size_t pending) {
  if (f->closing || !f->connected || f->out_eof) return;
  if (pending > OUT_HIGH && f->reading) {
    uv_read_stop((uv_stream_t *)&f->tcp);
    f->reading = 0;
  } else if (pending <= OUT_LOW && !f->reading) {
    if (uv_read_start((uv_stream_t *)&f->tcp, on_alloc, on_read) == 0) f->reading = 1;
  }
}

static void on_connect(uv_connect_t *r, int status) {
  sim_fwd_t *f = r->data;
  if (f->closing) return;
  f->io->enter(f->ctx);
  if (status < 0) {
    device_gone(f);
  } else {
    f->connected = 1;
    uv_tcp_nodelay(&f->tcp, 1); /* keystrokes and prompts, not bulk */
    fwd_room(f, 0);
    drain_held(f); /* what the client sent while connecting (its SSH banner) */
  }
  f->io->leave(f->ctx);
}

sim_fwd_t *fwd_new(sim_lab_t *lab, const sim_device_t *dev, int port, ssh_channel ch,
                   const sim_term_io_t *io, void *ctx) {
  sim_fwd_t *f = sim_calloc(1, sizeof *f);
  f->ch = ch;
  f->io = io;
  f->ctx = ctx;
  if (uv_tcp_init(lab->loop, &f->tcp) != 0) {
    free(f);
    return NULL;
  }
  f->tcp.data = f;
  f->connect_req.data = f;
  struct sockaddr_in sa = {
      .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = dev->in};
  if (uv_tcp_connect(&f->connect_req, &f->tcp, (const struct sockaddr *)&sa, on_connect) != 0) {
    f->closing = 1;
    uv_close((uv_handle_t *)&f->tcp, on_closed);
    return NULL;
  }
  return f;
}

void fwd_free(sim_fwd_t *f) {
  if (f->closing) return;
  f->closing = 1;
  f->ch = NULL;
  f->ctx = NULL;
  if (f->reading) uv_read_stop((uv_stream_t *)&f->tcp);
  f->reading = 0;
  /* Bytes still queued for the device (the client's last ones, its disconnect) go out
   * before the socket closes; a shutdown already under way closes it when done. */
  if (f->shut_pending) return;
  if (f->connected && !f->out_eof && !f->shut_sent) {
    f->shut_sent = 1;
    f->shutdown_req.data = f;
    if (uv_shutdown(&f->shutdown_req, (uv_stream_t *)&f->tcp, on_shutdown) == 0) {
      f->shut_pending = 1;
      return;
    }
  }
  uv_close((uv_handle_t *)&f->tcp, on_closed);
}
