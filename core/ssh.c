/* nethost core: SSH connections — resolve, connect, handshake, host key, auth, the pump
 * that drives channel jobs, keepalives and close. See core/ssh.h. */
#include "ssh_internal.h"
#include "error.h"
#include "metrics.h"
#include "timer.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container.h"
#define DEFAULT_CONNECT_TIMEOUT_MS 10000

/* Modern defaults; libssh2 drops the names it does not implement from each list.
 * ecdh-sha2-nistp256 comes before curve25519: with libssh2 1.10 on OpenSSL 3 it costs the
 * client about 35 us less per connection (OpenSSL's P-256 code is assembly, and libssh2's
 * curve25519 code does three X25519 scalar multiplications where two would do: it rebuilds
 * the private key with EVP_PKEY_new_raw_private_key, which recomputes the public key). Both
 * are modern; tests/bench/ssh/README.md has the figures. */
static const char *const default_algorithms[NH_SSH_ALG_COUNT] = {
    "ecdh-sha2-nistp256,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp384,"
    "ecdh-sha2-nistp521,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
    "diffie-hellman-group14-sha256,diffie-hellman-group-exchange-sha256",
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,"
    "rsa-sha2-256",
    "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,"
    "aes192-ctr,aes256-ctr",
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,"
    "hmac-sha2-512"};

static void pump(nh_ssh_t *ssh);
static void connect_next(nh_ssh_t *ssh);
static void maybe_finish_close(nh_ssh_t *ssh);
static void poll_cb(uv_poll_t *handle, int status, int events);
static int start_session(nh_ssh_t *ssh);
static void stage_begin(nh_ssh_t *ssh, const char *stage);

/* Small helpers */

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

static void wipe_free(char *s) {
  if (!s) return;
  /* Secrets do not outlive the connection in freed heap memory. */
  volatile char *p = s;
  while (*p) *p++ = 0;
  free(s);
}

const char *nh__ssh_errmsg(nh_ssh_t *ssh) {
  char *msg = NULL;
  if (!ssh->session) return "";
  libssh2_session_last_error(ssh->session, &msg, NULL, 0);
  return msg ? msg : "";
}

int nh__ssh_fail_detail(nh_ssh_t *ssh, const char *stage, int code, const char *fmt, ...) {
  va_list ap;
  ssh->failure.stage = stage;
  va_start(ap, fmt);
  vsnprintf(ssh->failure.detail, sizeof(ssh->failure.detail), fmt, ap);
  va_end(ap);
  return code;
}

static ssize_t recv_nothing(libssh2_socket_t fd, void *buf, size_t len, int flags,
                            void **abstract) {
  (void)fd;
  (void)buf;
  (void)len;
  (void)flags;
  (void)abstract;
  return -EAGAIN;
}

/* libssh2's socket I/O goes through these two so the connection knows when libssh2 took
 * bytes off the socket: the pump must not wait on the socket after that (see pump). They
 * return what libssh2's own send/recv return: a count, or -errno. */
/* libssh2 1.10 reads the server's banner one byte per recv call: 20-40 system calls per
 * connection. When it asks for one byte during the handshake, the whole line is taken off
 * the socket in two calls instead (a peek to find its end, a read of exactly that much)
 * and libssh2's one-byte reads are served from it. Only bytes up to the line's end are
 * taken, and libssh2 reads the line to its end before it does anything else, so nothing is
 * left over when libssh2 returns: the pump never waits on the socket with bytes held here. */
static ssize_t read_banner_line(nh_ssh_t *ssh, libssh2_socket_t fd, int flags) {
  const unsigned char *nl;
  ssize_t n = recv(fd, ssh->line, sizeof(ssh->line), flags | MSG_PEEK);
  if (n <= 0) return n;
  nl = memchr(ssh->line, '\n', (size_t)n);
  n = recv(fd, ssh->line, nl ? (size_t)(nl - ssh->line) + 1 : (size_t)n, flags);
  if (n <= 0) return n;
  nh__ssh_received(ssh, (size_t)n);
  ssh->line_pos = 0;
  ssh->line_len = (unsigned short)n;
  return n;
}

static ssize_t nh__ssh_recv(libssh2_socket_t fd, void *buf, size_t len, int flags,
                            void **abstract) {
  nh_ssh_t *ssh = *abstract;
  ssize_t n;
  if (ssh->line_pos == ssh->line_len && len == 1 && ssh->state == SSH_HANDSHAKE) {
    n = read_banner_line(ssh, fd, flags);
    if (n < 0) return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    if (n == 0) return 0;
  }
  if (ssh->line_pos < ssh->line_len) {
    n = ssh->line_len - ssh->line_pos;
    if ((size_t)n > len) n = (ssize_t)len;
    memcpy(buf, ssh->line + ssh->line_pos, (size_t)n);
    ssh->line_pos = (unsigned short)(ssh->line_pos + n);
    return n;
  }
  n = recv(fd, buf, len, flags);
  if (n < 0) return errno == EWOULDBLOCK ? -EAGAIN : -errno;
  nh__ssh_received(ssh, (size_t)n);
  return n;
}

static ssize_t nh__ssh_send(libssh2_socket_t fd, const void *buf, size_t len, int flags,
                            void **abstract) {
  nh_ssh_t *ssh = *abstract;
  ssize_t n = send(fd, buf, len, flags | MSG_NOSIGNAL);
  if (n < 0) return errno == EWOULDBLOCK ? -EAGAIN : -errno;
  nh__ssh_sent(ssh, (size_t)n);
  return n;
}

void nh__ssh_received(nh_ssh_t *ssh, size_t n) {
  ssh->rx_bytes += n;
  /* The run's byte counters are fed from here and nh__ssh_sent, where every byte the
   * transport moves is already counted (through a jump host too). */
  if (ssh->loop->metrics && n > 0) nh_metrics_ssh_bytes(ssh->loop->metrics, 1, n);
  /* Packets taken off the transport may be another job's (or another stream's): the pump
   * passes over the jobs again before it waits for the transport. */
  if (n > 0) ssh->progress++;
}

void nh__ssh_sent(nh_ssh_t *ssh, size_t n) {
  ssh->tx_bytes += n;
  if (ssh->loop->metrics && n > 0) nh_metrics_ssh_bytes(ssh->loop->metrics, 0, n);
}

void nh__ssh_trace(nh_ssh_t *ssh, const char *what, int rc) {
  nh_ssh_trace_entry_t *e;
  if (!ssh->trace) return;
  e = &ssh->trace->ring[ssh->trace->next++ % NH_SSH_TRACE_LEN];
  e->what = what;
  e->rc = rc;
  e->dirs = ssh->session ? libssh2_session_block_directions(ssh->session) : 0;
  e->rx = ssh->rx_bytes;
  e->tx = ssh->tx_bytes;
  e->ms = uv_now(ssh->loop->uv);
}

void nh__ssh_trace_dump(nh_ssh_t *ssh, LIBSSH2_CHANNEL *ch, const char *why) {
  nh_ssh_trace_t *t = ssh->trace;
  unsigned i, first;
  struct sockaddr_storage local;
  socklen_t local_len = sizeof(local);
  int port = 0, unread = -1;
  if (!t) return;
  /* Bytes the kernel holds for libssh2: with the poll armed for reading, a hang with
   * nothing here and nothing queued in libssh2 is the peer's, not ours. */
  if (ssh->fd >= 0 && ioctl(ssh->fd, FIONREAD, &unread) < 0) unread = -1;
  /* The local port names the session in the server's logs. */
  if (ssh->fd >= 0 && getsockname(ssh->fd, (struct sockaddr *)&local, &local_len) == 0)
    port = ntohs(local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&local)->sin6_port
                                             : ((struct sockaddr_in *)&local)->sin_port);
  fprintf(stderr,
          "nethost ssh trace %s (local port %d): %s: state %d, poll %s (events %d), deaf %d, "
          "sock_err %d, unread in the socket %d, "
          "block dirs %d, rx %llu, tx %llu, jobs %s, writer %s\n",
          nh_ssh_host(ssh), port, why, (int)ssh->state, ssh->poll_open ? "open" : "closed",
          ssh->poll_events, ssh->deaf, ssh->sock_err, unread,
          ssh->session ? libssh2_session_block_directions(ssh->session) : -1,
          (unsigned long long)ssh->rx_bytes, (unsigned long long)ssh->tx_bytes,
          ssh->jobs.next != &ssh->jobs ? "some" : "none", ssh->writer ? "held" : "free");
  if (ch) {
    unsigned long read_avail = 0, window_initial = 0, write_window = 0;
    unsigned long rwindow = libssh2_channel_window_read_ex(ch, &read_avail, &window_initial);
    unsigned long wwindow = libssh2_channel_window_write_ex(ch, &write_window);
    fprintf(stderr,
            "  channel: eof %d, data queued (stdout %d, any %d), read window %lu (read_avail "
            "%lu, initial %lu), write window %lu\n",
            libssh2_channel_eof(ch), libssh2_poll_channel_read(ch, 0),
            libssh2_poll_channel_read(ch, 1), rwindow, read_avail, window_initial, wwindow);
  }
  first = t->next > NH_SSH_TRACE_LEN ? t->next - NH_SSH_TRACE_LEN : 0;
  for (i = first; i < t->next; i++) {
    const nh_ssh_trace_entry_t *e = &t->ring[i % NH_SSH_TRACE_LEN];
    fprintf(stderr, "  #%u %s -> %d (dirs %d, rx %llu, tx %llu, %lld ms ago)\n", i, e->what, e->rc,
            e->dirs, (unsigned long long)e->rx, (unsigned long long)e->tx,
            (long long)(uv_now(ssh->loop->uv) - e->ms));
  }
}

int nh__ssh_lost(nh_ssh_t *ssh, int rc) {
  if (ssh->deaf || !ssh->session) return 0;
  if (rc != LIBSSH2_ERROR_SOCKET_RECV && rc != LIBSSH2_ERROR_SOCKET_DISCONNECT) return 0;
  ssh->deaf = 1;
  /* Say why now: once deaf, libssh2's last error is only "would block". */
  if (!ssh->failure.stage)
    nh__ssh_fail_detail(ssh, "read", NH_ECLOSED, "connection lost: %s", nh__ssh_errmsg(ssh));
  libssh2_session_callback_set(ssh->session, LIBSSH2_CALLBACK_RECV, (void *)recv_nothing);
  return 1;
}

int nh__ssh_fatal(int rc) {
  switch (rc) {
  case LIBSSH2_ERROR_SOCKET_NONE:
  case LIBSSH2_ERROR_SOCKET_SEND:
  case LIBSSH2_ERROR_SOCKET_RECV:
  case LIBSSH2_ERROR_SOCKET_DISCONNECT:
  case LIBSSH2_ERROR_SOCKET_TIMEOUT:
  case LIBSSH2_ERROR_TIMEOUT:
  case LIBSSH2_ERROR_DECRYPT:
  case LIBSSH2_ERROR_ENCRYPT:
  case LIBSSH2_ERROR_INVALID_MAC:
  case LIBSSH2_ERROR_PROTO:
  case LIBSSH2_ERROR_BAD_USE:
  case LIBSSH2_ERROR_BAD_SOCKET:
  case LIBSSH2_ERROR_KEX_FAILURE:
  case LIBSSH2_ERROR_ALLOC:
    return 1;
  default:
    return 0;
  }
}

const nh_ssh_failure_t *nh_ssh_failure(const nh_ssh_t *ssh) {
  return &ssh->failure;
}

const char *nh_ssh_host(const nh_ssh_t *ssh) {
  if (ssh->name && *ssh->name) return ssh->name;
  return ssh->address ? ssh->address : "?";
}

int nh_ssh_is_ready(const nh_ssh_t *ssh) {
  return ssh->state == SSH_READY;
}

const char *nh_ssh_fingerprint(const nh_ssh_t *ssh) {
  return ssh->fingerprint;
}

void *nh_ssh_get_data(const nh_ssh_t *ssh) {
  return ssh->data;
}

void nh_ssh_set_data(nh_ssh_t *ssh, void *data) {
  ssh->data = data;
}

/* The session allocator (see nh_ssh_block_t). */

void *nh__ssh_alloc(size_t size, void **abstract) {
  nh_ssh_t *ssh = *abstract;
  nh_ssh_block_t *b = malloc(sizeof(*b) + size);
  if (!b) return NULL;
  b->link.size = size;
  b->link.next = ssh->blocks.link.next;
  b->link.prev = &ssh->blocks;
  ssh->blocks.link.next->link.prev = b;
  ssh->blocks.link.next = b;
  return b + 1;
}

static LIBSSH2_FREE_FUNC(block_free) {
  nh_ssh_block_t *b;
  (void)abstract;
  if (!ptr) return;
  b = (nh_ssh_block_t *)ptr - 1;
  b->link.prev->link.next = b->link.next;
  b->link.next->link.prev = b->link.prev;
  free(b);
}

static LIBSSH2_REALLOC_FUNC(block_realloc) {
  nh_ssh_block_t *b, *nb;
  if (!ptr) return nh__ssh_alloc(count, abstract);
  b = (nh_ssh_block_t *)ptr - 1;
  nb = realloc(b, sizeof(*b) + count);
  if (!nb) return NULL;
  nb->link.size = count;
  nb->link.prev->link.next = nb;
  nb->link.next->link.prev = nb;
  return nb + 1;
}

static LIBSSH2_ALLOC_FUNC(block_alloc) {
  return nh__ssh_alloc(count, abstract);
}

/* Frees whatever libssh2 left allocated after libssh2_session_free. */
static void free_blocks(nh_ssh_t *ssh) {
  while (ssh->blocks.link.next != &ssh->blocks) {
    nh_ssh_block_t *b = ssh->blocks.link.next;
    ssh->blocks.link.next = b->link.next;
    free(b);
  }
  ssh->blocks.link.prev = &ssh->blocks;
}

nh_ssh_t *nh_ssh_new(nh_loop_t *loop) {
  nh_ssh_t *ssh = calloc(1, sizeof(*ssh));
  if (!ssh) return NULL;
  ssh->blocks.link.next = ssh->blocks.link.prev = &ssh->blocks;
  ssh->loop = loop;
  ssh->fd = -1;
  ssh->jobs.next = ssh->jobs.prev = &ssh->jobs;
  nh_timer_init(loop, &ssh->stage_timer);
  nh_timer_init(loop, &ssh->keepalive_timer);
  return ssh;
}

/* Jobs */

static void kick_cb(nh_ready_t *ready) {
  pump(nh_container_of(ready, nh_ssh_t, kick));
}

static void post_pump(nh_ssh_t *ssh) {
  if (ssh->state == SSH_READY) nh_loop_post(ssh->loop, &ssh->kick, kick_cb);
}

void nh__ssh_kick(nh_ssh_t *ssh) {
  post_pump(ssh);
}

void nh__ssh_wake(nh_ssh_t *ssh) {
  if (ssh->state == SSH_HANDSHAKE || ssh->state == SSH_AUTH || ssh->state == SSH_READY)
    nh_loop_post(ssh->loop, &ssh->kick, kick_cb);
}

void nh__ssh_job_add(nh_ssh_t *ssh, nh_ssh_job_t *job) {
  job->ssh = ssh;
  job->prev = ssh->jobs.prev;
  job->next = &ssh->jobs;
  ssh->jobs.prev->next = job;
  ssh->jobs.prev = job;
  post_pump(ssh);
}

void nh__ssh_op_begin(nh_op_t *op, nh_ssh_t *ssh, const nh_op_type_t *type, nh_ssh_job_t *job,
                      nh_op_cb cb, uint64_t timeout_ms) {
  nh__op_init(op, ssh->loop, type);
  if (job)
    nh__ssh_job_add(ssh, job);
  else
    nh__ssh_kick(ssh);
  nh__op_begin(op, cb, timeout_ms);
}

void nh__ssh_failure_clear(nh_ssh_t *ssh) {
  ssh->failure.stage = NULL;
  ssh->failure.detail[0] = 0;
}

void nh__ssh_job_remove(nh_ssh_job_t *job) {
  nh_ssh_t *ssh = job->ssh;
  if (!job->next) return;
  job->prev->next = job->next;
  job->next->prev = job->prev;
  job->next = job->prev = NULL;
  if (ssh && ssh->writer == job) ssh->writer = NULL;
}

void nh__ssh_job_blocked(nh_ssh_job_t *job) {
  nh_ssh_t *ssh = job->ssh;
  if (libssh2_session_block_directions(ssh->session) & LIBSSH2_SESSION_BLOCK_OUTBOUND)
    ssh->writer = job;
  else if (ssh->writer == job)
    ssh->writer = NULL;
}

int nh__ssh_job_may_run(const nh_ssh_job_t *job) {
  return job->ssh->writer == NULL || job->ssh->writer == job;
}

static void abort_jobs(nh_ssh_t *ssh, int status) {
  nh_ssh_job_t *job;
  while ((job = ssh->jobs.next) != &ssh->jobs) {
    nh__ssh_job_remove(job);
    job->abort(job, status);
  }
  ssh->writer = NULL;
}

/* The socket */

static void poll_closed_cb(uv_handle_t *handle) {
  nh_ssh_t *ssh = nh_container_of((uv_poll_t *)handle, nh_ssh_t, poll);
  void (*after)(nh_ssh_t *) = ssh->after_poll_close;
  if (ssh->fd >= 0) close(ssh->fd);
  ssh->fd = -1;
  ssh->pending_uv--;
  ssh->after_poll_close = NULL;
  if (after && ssh->state != SSH_CLOSING) after(ssh);
  maybe_finish_close(ssh);
}

/* Closes the poll handle and then the socket; after(ssh) runs once both are released. */
static void release_socket(nh_ssh_t *ssh, void (*after)(nh_ssh_t *ssh)) {
  if (ssh->poll_open) {
    ssh->poll_open = 0;
    ssh->poll_events = 0;
    ssh->after_poll_close = after;
    ssh->pending_uv++;
    uv_close((uv_handle_t *)&ssh->poll, poll_closed_cb);
  } else {
    if (ssh->fd >= 0) close(ssh->fd);
    ssh->fd = -1;
    if (after) after(ssh);
  }
}

static void update_poll(nh_ssh_t *ssh) {
  int events = 0;
  if (!ssh->poll_open) return;
  if (ssh->state == SSH_CONNECT) {
    events = UV_WRITABLE;
  } else if (ssh->session && (ssh->state == SSH_HANDSHAKE || ssh->state == SSH_AUTH ||
                              (ssh->state == SSH_READY && ssh->jobs.next != &ssh->jobs))) {
    int dirs = libssh2_session_block_directions(ssh->session);
    events = UV_READABLE;
    if (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) events |= UV_WRITABLE;
  }
  nh__ssh_trace(ssh, "poll events", events);
  if (events == ssh->poll_events) return;
  ssh->poll_events = events;
  if (events == 0)
    uv_poll_stop(&ssh->poll);
  else
    uv_poll_start(&ssh->poll, events, poll_cb);
}

/* Frees libssh2 state: agent, session (channels with it). The socket is shut down first so
 * libssh2 cannot block or wait for the peer while freeing. */
static void free_session(nh_ssh_t *ssh) {
  int i;
  if (ssh->agent) {
    libssh2_agent_disconnect(ssh->agent);
    libssh2_agent_free(ssh->agent);
    ssh->agent = NULL;
  }
  if (!ssh->session) return;
  if (ssh->fd >= 0) shutdown(ssh->fd, SHUT_RDWR);
  for (i = 0; i < 4 && libssh2_session_free(ssh->session) == LIBSSH2_ERROR_EAGAIN; i++) {
  }
  ssh->session = NULL;
  free_blocks(ssh);
}

static void teardown(nh_ssh_t *ssh, int job_status) {
  nh_timer_stop(&ssh->stage_timer);
  nh_timer_stop(&ssh->keepalive_timer);
  nh_loop_unpost(&ssh->kick);
  abort_jobs(ssh, job_status);
  free_session(ssh);
  if (ssh->tunnel) nh__jump_close(ssh);
  release_socket(ssh, NULL);
  if (ssh->addrs) {
    uv_freeaddrinfo(ssh->addrs);
    ssh->addrs = ssh->addr_next = NULL;
  }
  if (ssh->counted_open) {
    ssh->counted_open = 0;
    nh__ssh_count_open(ssh->loop, -1);
  }
}

static void connect_fail(nh_ssh_t *ssh, int code) {
  nh_ssh_connect_t *req = ssh->connect_req;
  if (ssh->state == SSH_RATE) nh__ssh_rate_forget(ssh);
  if (ssh->state == SSH_RESOLVE) uv_cancel((uv_req_t *)&ssh->gai);
  ssh->state = SSH_FAILED;
  ssh->fail_code = code;
  teardown(ssh, NH_ECLOSED);
  ssh->connect_req = NULL;
  if (req) nh__op_done(&req->op, code);
}

/* The connection broke while in use. */
static void ready_fail(nh_ssh_t *ssh, int code) {
  if (!ssh->failure.stage)
    nh__ssh_fail_detail(ssh, "read", code, "connection lost: %s", nh__ssh_errmsg(ssh));
  ssh->state = SSH_FAILED;
  ssh->fail_code = code;
  teardown(ssh, NH_ECLOSED);
}

/* The socket failed (POLLERR) or the peer is gone (deaf) and a stage or job still waits
 * on it: fail the connection with the stage it was in, since no wakeup will come. */
static void socket_failed(nh_ssh_t *ssh) {
  const char *why = ssh->sock_err ? strerror(ssh->sock_err) : "the peer closed the connection";
  if (ssh->state == SSH_READY) {
    if (!ssh->failure.stage)
      nh__ssh_fail_detail(ssh, "read", NH_ECLOSED, "connection lost: %s", why);
    ready_fail(ssh, NH_ECLOSED);
    return;
  }
  if (ssh->state == SSH_HANDSHAKE) {
    const char *banner = ssh->session ? libssh2_session_banner_get(ssh->session) : NULL;
    int have = banner && *banner;
    nh__ssh_fail_detail(ssh, have ? "kex" : "banner", have ? NH_EKEX : NH_EBANNER,
                        "connection lost during the %s stage: %s", have ? "kex" : "banner", why);
    connect_fail(ssh, have ? NH_EKEX : NH_EBANNER);
    return;
  }
  nh__ssh_fail_detail(ssh, "auth", NH_ECLOSED, "connection lost during authentication: %s", why);
  connect_fail(ssh, NH_ECLOSED);
}

/* The jump-host transport (ssh_jump.c) reports. */

void nh__ssh_transport_ready(nh_ssh_t *ssh) {
  int rc;
  if (ssh->state != SSH_CONNECT) return;
  nh_timer_stop(&ssh->stage_timer);
  if ((rc = start_session(ssh)) < 0) {
    connect_fail(ssh, rc);
    return;
  }
  nh__jump_install(ssh);
  ssh->state = SSH_HANDSHAKE;
  stage_begin(ssh, "banner");
  nh__ssh_wake(ssh);
}

void nh__ssh_transport_failed(nh_ssh_t *ssh, int code) {
  switch (ssh->state) {
  case SSH_RATE:
  case SSH_RESOLVE:
  case SSH_CONNECT:
  case SSH_HANDSHAKE:
  case SSH_AUTH:
    connect_fail(ssh, code);
    break;
  case SSH_READY:
    /* Jobs first drain what the tunnel still holds, then see the loss themselves. */
    if (ssh->jobs.next == &ssh->jobs)
      ready_fail(ssh, code);
    else
      nh__ssh_wake(ssh);
    break;
  default:
    break;
  }
}

/* Stage deadlines */

static void stage_timeout_cb(nh_timer_t *timer) {
  nh_ssh_t *ssh = nh_container_of(timer, nh_ssh_t, stage_timer);
  const char *stage = ssh->stage;
  if (ssh->state == SSH_HANDSHAKE) {
    const char *banner = ssh->session ? libssh2_session_banner_get(ssh->session) : NULL;
    stage = banner && *banner ? "kex" : "banner";
  }
  nh__ssh_fail_detail(ssh, stage, NH_ETIMEDOUT, "no progress in the %s stage for %llu ms", stage,
                      (unsigned long long)ssh->connect_timeout_ms);
  connect_fail(ssh, NH_ETIMEDOUT);
}

static void stage_begin(nh_ssh_t *ssh, const char *stage) {
  ssh->stage = stage;
  if (nh_timer_start(&ssh->stage_timer, stage_timeout_cb, ssh->connect_timeout_ms) < 0) {
    nh__ssh_fail_detail(ssh, stage, NH_ENOMEM, "out of memory");
    connect_fail(ssh, NH_ENOMEM);
  }
}

void nh__ssh_stage_begin(nh_ssh_t *ssh, const char *stage) {
  stage_begin(ssh, stage);
}

/* Keepalives: only on idle connections, so a keepalive never interleaves with a job's
 * half-sent packet. */

static void keepalive_cb(nh_timer_t *timer) {
  nh_ssh_t *ssh = nh_container_of(timer, nh_ssh_t, keepalive_timer);
  int next = (int)ssh->keepalive_s;
  if (ssh->state != SSH_READY) return;
  if (ssh->jobs.next == &ssh->jobs && ssh->writer == NULL) {
    int rc = libssh2_keepalive_send(ssh->session, &next);
    if (rc < 0 && rc != LIBSSH2_ERROR_EAGAIN && nh__ssh_fatal(rc)) {
      ready_fail(ssh, NH_ECLOSED);
      return;
    }
    if (next <= 0) next = (int)ssh->keepalive_s;
  }
  nh_timer_start(&ssh->keepalive_timer, keepalive_cb, (uint64_t)next * 1000);
}

/* Authentication */

enum { A_LIST, A_KEY, A_AGENT, A_PASSWORD, A_KBDINT, A_END };

static int offered(const char *list, const char *method) {
  size_t n = strlen(method);
  const char *p = list;
  while (p && *p) {
    if (strncmp(p, method, n) == 0 && (p[n] == ',' || p[n] == 0)) return 1;
    p = strchr(p, ',');
    if (p) p++;
  }
  return 0;
}

static void note_tried(nh_ssh_t *ssh, const char *method) {
  size_t len = strlen(ssh->auth_tried);
  snprintf(ssh->auth_tried + len, sizeof(ssh->auth_tried) - len, "%s%s", len ? "," : "", method);
  ssh->auth_tried_any = 1;
}

static LIBSSH2_USERAUTH_KBDINT_RESPONSE_FUNC(kbdint_cb) {
  nh_ssh_t *ssh = *abstract;
  int i;
  (void)name;
  (void)name_len;
  (void)instruction;
  (void)instruction_len;
  for (i = 0; i < num_prompts; i++) {
    const char *answer = ssh->password ? ssh->password : "";
    /* An echoed prompt asks for something public (a user name), never the secret. */
    if (prompts[i].echo && prompts[i].length >= 4) {
      char buf[64];
      size_t n = prompts[i].length < sizeof(buf) - 1 ? prompts[i].length : sizeof(buf) - 1;
      memcpy(buf, prompts[i].text, n);
      buf[n] = 0;
      if (strcasestr(buf, "user") || strcasestr(buf, "login")) answer = ssh->user;
    }
    /* libssh2 frees the answers with the session's allocator. */
    responses[i].text = nh__ssh_alloc(strlen(answer) + 1, abstract);
    if (responses[i].text) strcpy(responses[i].text, answer);
    responses[i].length = responses[i].text ? (unsigned)strlen(answer) : 0;
  }
}

/* Returns 0 when authenticated, NH_EAGAIN to wait, or a negative code. */
static int step_auth(nh_ssh_t *ssh) {
  LIBSSH2_SESSION *s = ssh->session;
  unsigned ulen = (unsigned)strlen(ssh->user);
  int rc;
  if (ssh->auth_step == A_LIST) {
    char *list = libssh2_userauth_list(s, ssh->user, ulen);
    if (!list) {
      if (libssh2_userauth_authenticated(s)) return 0; /* "none" was accepted */
      rc = libssh2_session_last_errno(s);
      if (rc == LIBSSH2_ERROR_EAGAIN) return NH_EAGAIN;
      return nh__ssh_fail_detail(ssh, "auth", nh__ssh_fatal(rc) ? NH_ECLOSED : NH_EAUTH,
                                 "could not list authentication methods: %s", nh__ssh_errmsg(ssh));
    }
    ssh->auth_methods = strdup(list);
    if (!ssh->auth_methods) return NH_ENOMEM;
    ssh->auth_step = A_KEY;
  }
  while (ssh->auth_step < A_END) {
    switch (ssh->auth_step) {
    case A_KEY:
      if (ssh->key_file && offered(ssh->auth_methods, "publickey")) {
        rc = libssh2_userauth_publickey_fromfile_ex(s, ssh->user, ulen, NULL, ssh->key_file,
                                                    ssh->key_passphrase);
        if (rc == LIBSSH2_ERROR_EAGAIN) return NH_EAGAIN;
        if (rc == 0) return 0;
        note_tried(ssh, "publickey");
        if (rc == LIBSSH2_ERROR_FILE)
          snprintf(ssh->auth_note, sizeof(ssh->auth_note),
                   "; key file %s unreadable or wrong passphrase", ssh->key_file);
        if (nh__ssh_fatal(rc)) goto broken;
      }
      ssh->auth_step = A_AGENT;
      break;
    case A_AGENT:
      if (ssh->use_agent && offered(ssh->auth_methods, "publickey")) {
        if (ssh->agent_state == 0) {
          ssh->agent = libssh2_agent_init(s);
          if (!ssh->agent || libssh2_agent_connect(ssh->agent) != 0 ||
              libssh2_agent_list_identities(ssh->agent) != 0) {
            ssh->auth_step = A_PASSWORD;
            break;
          }
          ssh->agent_state = 1;
          ssh->agent_prev = NULL;
        }
        if (ssh->agent_state == 1) {
          if (libssh2_agent_get_identity(ssh->agent, &ssh->agent_cur, ssh->agent_prev) != 0) {
            ssh->auth_step = A_PASSWORD;
            break;
          }
          ssh->agent_state = 2;
        }
        rc = libssh2_agent_userauth(ssh->agent, ssh->user, ssh->agent_cur);
        if (rc == LIBSSH2_ERROR_EAGAIN) return NH_EAGAIN;
        if (rc == 0) return 0;
        if (!strstr(ssh->auth_tried, "agent")) note_tried(ssh, "agent");
        if (nh__ssh_fatal(rc)) goto broken;
        ssh->agent_prev = ssh->agent_cur;
        ssh->agent_state = 1;
        break;
      }
      ssh->auth_step = A_PASSWORD;
      break;
    case A_PASSWORD:
      if (ssh->password && offered(ssh->auth_methods, "password")) {
        rc = libssh2_userauth_password_ex(s, ssh->user, ulen, ssh->password,
                                          (unsigned)strlen(ssh->password), NULL);
        if (rc == LIBSSH2_ERROR_EAGAIN) return NH_EAGAIN;
        if (rc == 0) return 0;
        note_tried(ssh, "password");
        if (rc == LIBSSH2_ERROR_PASSWORD_EXPIRED)
          snprintf(ssh->auth_note, sizeof(ssh->auth_note), "; password expired");
        if (nh__ssh_fatal(rc)) goto broken;
      }
      ssh->auth_step = A_KBDINT;
      break;
    case A_KBDINT:
      if (ssh->password && offered(ssh->auth_methods, "keyboard-interactive")) {
        rc = libssh2_userauth_keyboard_interactive_ex(s, ssh->user, ulen, kbdint_cb);
        if (rc == LIBSSH2_ERROR_EAGAIN) return NH_EAGAIN;
        if (rc == 0) return 0;
        note_tried(ssh, "keyboard-interactive");
        if (nh__ssh_fatal(rc)) goto broken;
      }
      ssh->auth_step = A_END;
      break;
    default:
      ssh->auth_step = A_END;
    }
  }
  return nh__ssh_fail_detail(ssh, "auth", NH_EAUTH, "user %s: tried %s; server offers %s%s",
                             ssh->user,
                             ssh->auth_tried_any ? ssh->auth_tried : "nothing (no credentials)",
                             ssh->auth_methods, ssh->auth_note);
broken:
  return nh__ssh_fail_detail(ssh, "auth", NH_EAUTH,
                             "user %s: server closed the connection after %s failed%s", ssh->user,
                             ssh->auth_tried, ssh->auth_note);
}

/* The pump: one step of whatever the connection is doing. */

static int handshake_error(nh_ssh_t *ssh, int rc) {
  const char *banner = libssh2_session_banner_get(ssh->session);
  int have_banner = banner && *banner;
  switch (rc) {
  case LIBSSH2_ERROR_BANNER_RECV:
  case LIBSSH2_ERROR_BANNER_SEND:
    return nh__ssh_fail_detail(ssh, "banner", NH_EBANNER, "no SSH banner: %s", nh__ssh_errmsg(ssh));
  case LIBSSH2_ERROR_SOCKET_RECV:
  case LIBSSH2_ERROR_SOCKET_SEND:
  case LIBSSH2_ERROR_SOCKET_DISCONNECT:
  case LIBSSH2_ERROR_SOCKET_NONE:
    if (!have_banner)
      return nh__ssh_fail_detail(ssh, "banner", NH_EBANNER,
                                 "connection closed before the SSH banner: %s",
                                 nh__ssh_errmsg(ssh));
    /* fall through */
  default:
    return nh__ssh_fail_detail(ssh, "kex", NH_EKEX, "key exchange failed: %s", nh__ssh_errmsg(ssh));
  }
}

static void became_ready(nh_ssh_t *ssh) {
  nh_ssh_connect_t *req = ssh->connect_req;
  nh_timer_stop(&ssh->stage_timer);
  ssh->state = SSH_READY;
  ssh->stage = NULL;
  if (ssh->keepalive_s) {
    libssh2_keepalive_config(ssh->session, 1, ssh->keepalive_s);
    nh_timer_start(&ssh->keepalive_timer, keepalive_cb, (uint64_t)ssh->keepalive_s * 1000);
  }
  ssh->connect_req = NULL;
  if (req) nh__op_done(&req->op, 0);
}

static void pump(nh_ssh_t *ssh) {
  int rc;
  if (ssh->state == SSH_HANDSHAKE) {
    rc = libssh2_session_handshake(ssh->session, ssh->tunnel ? nh__jump_fd() : ssh->fd);
    if (rc == LIBSSH2_ERROR_EAGAIN) goto wait;
    if (rc < 0) {
      connect_fail(ssh, handshake_error(ssh, rc));
      return;
    }
    if ((rc = nh__knownhosts_verify(ssh)) < 0) {
      connect_fail(ssh, rc);
      return;
    }
    ssh->state = SSH_AUTH;
    stage_begin(ssh, "auth");
    if (ssh->state != SSH_AUTH) return;
  }
  if (ssh->state == SSH_AUTH) {
    rc = step_auth(ssh);
    if (rc == NH_EAGAIN) goto wait;
    if (rc < 0) {
      connect_fail(ssh, rc);
      return;
    }
    became_ready(ssh);
  }
  if (ssh->state == SSH_READY) {
    nh_ssh_job_t *job, *next;
    unsigned before;
    int passes = 0;
    /* Any libssh2 call may take packets off the socket into libssh2's queue, those of
     * other channels and other streams included (nh__ssh_recv counts that as progress);
     * with the socket drained, no poll event would wake the job they belong to. So pass
     * over the jobs again while the last pass got anywhere: the pump waits on the socket
     * only after a pass in which no job moved and libssh2 received nothing. */
    do {
      before = ssh->progress;
      for (job = ssh->jobs.next; job != &ssh->jobs; job = next) {
        next = job->next;
        if (!nh__ssh_job_may_run(job)) continue;
        rc = job->step(job);
        if (rc < 0) {
          ready_fail(ssh, rc);
          return;
        }
        if (ssh->state != SSH_READY) return;
      }
      /* Even one job left needs another pass: the job that read its packets may have been
       * an earlier one that has finished and unlinked itself since. */
    } while (ssh->progress != before && ssh->jobs.next != &ssh->jobs && ++passes < 8);
    if (ssh->progress != before && ssh->jobs.next != &ssh->jobs) {
      /* Still moving after many passes: go on in the next loop iteration rather than wait
       * for a socket event that the data already in libssh2 will never cause. */
      post_pump(ssh);
    }
    /* A connection whose peer is gone can make no more progress: the jobs have drained
     * what libssh2 held (nh__ssh_lost), and a job still waiting (a channel close waiting
     * for the peer's close) would wait for a wakeup that cannot come. */
    if (ssh->jobs.next != &ssh->jobs && (ssh->deaf || ssh->sock_err)) {
      socket_failed(ssh);
      return;
    }
  }
wait:
  if (ssh->sock_err && (ssh->state == SSH_HANDSHAKE || ssh->state == SSH_AUTH)) {
    socket_failed(ssh);
    return;
  }
  update_poll(ssh);
}

static void poll_cb(uv_poll_t *handle, int status, int events) {
  nh_ssh_t *ssh = nh_container_of(handle, nh_ssh_t, poll);
  (void)events;
  if (status < 0 && ssh->state != SSH_CONNECT) {
    /* POLLERR (a reset connection): libuv has stopped the poll itself before calling us
     * with UV_EBADF, so the events we think it watches are none. One more pump lets the
     * jobs read what the kernel still holds (the device's last output) and meet the
     * error; whatever still waits after it is failed (pump), never left on a dead poll. */
    int err = 0;
    socklen_t len = sizeof(err);
    ssh->poll_events = 0;
    if (getsockopt(ssh->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || !err) err = ECONNRESET;
    ssh->sock_err = err;
  }
  if (ssh->state == SSH_CONNECT) {
    int err = 0;
    socklen_t len = sizeof(err);
    /* libuv reports POLLERR as UV_EBADF: the socket's own error says what happened. */
    if (getsockopt(ssh->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (!err && status < 0) err = ECONNREFUSED;
    if (err == EINPROGRESS) return;
    if (err) {
      ssh->last_connect_err = uv_translate_sys_error(err);
      release_socket(ssh, connect_next);
      return;
    }
    nh_timer_stop(&ssh->stage_timer);
    ssh->state = SSH_HANDSHAKE;
    stage_begin(ssh, "banner");
    if (ssh->state != SSH_HANDSHAKE) return;
  }
  pump(ssh);
}

/* Connecting */

/* Copies the names of pref that libssh2 supports for method_type into out. */
static void filter_supported(LIBSSH2_SESSION *session, int method_type, const char *pref, char *out,
                             size_t outlen) {
  const char **algs = NULL;
  int n = libssh2_session_supported_algs(session, method_type, &algs), i;
  size_t used = 0;
  const char *p = pref;
  out[0] = 0;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    for (i = 0; i < n; i++) {
      if (strlen(algs[i]) == len && strncmp(algs[i], p, len) == 0 && used + len + 2 < outlen) {
        if (used) out[used++] = ',';
        memcpy(out + used, p, len);
        used += len;
        out[used] = 0;
        break;
      }
    }
    p += len;
    if (*p == ',') p++;
  }
  if (n > 0) libssh2_free(session, algs);
}

static int start_session(nh_ssh_t *ssh) {
  static const int slots[NH_SSH_ALG_COUNT][2] = {{LIBSSH2_METHOD_KEX, -1},
                                                 {LIBSSH2_METHOD_HOSTKEY, -1},
                                                 {LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_CRYPT_SC},
                                                 {LIBSSH2_METHOD_MAC_CS, LIBSSH2_METHOD_MAC_SC}};
  static const char *const slot_names[NH_SSH_ALG_COUNT] = {"kex", "hostkey", "cipher", "mac"};
  int i, j;
  ssh->line_pos = ssh->line_len = 0;
  ssh->session = libssh2_session_init_ex(block_alloc, block_free, block_realloc, ssh);
  if (!ssh->session) return NH_ENOMEM;
  /* The session is one zeroed 55 KB block, mostly buffers a session hardly uses (ssh_mem.c). */
  nh__ssh_trim_zero_pages(ssh->session, ((nh_ssh_block_t *)(void *)ssh->session - 1)->link.size);
  libssh2_session_callback_set(ssh->session, LIBSSH2_CALLBACK_RECV, (void *)nh__ssh_recv);
  libssh2_session_callback_set(ssh->session, LIBSSH2_CALLBACK_SEND, (void *)nh__ssh_send);
  if (!ssh->trace && getenv("NETHOST_SSH_TRACE") && *getenv("NETHOST_SSH_TRACE") == '1')
    ssh->trace = calloc(1, sizeof(*ssh->trace));
  libssh2_session_set_blocking(ssh->session, 0);
  for (i = 0; i < NH_SSH_ALG_COUNT; i++) {
    const char *pref = ssh->algorithms[i] ? ssh->algorithms[i] : default_algorithms[i];
    for (j = 0; j < 2 && slots[i][j] >= 0; j++) {
      char filtered[1024];
      /* libssh2 1.10 removes unknown names with an overlapping memcpy: hand it only names
       * it implements. */
      filter_supported(ssh->session, slots[i][j], pref, filtered, sizeof(filtered));
      if (!filtered[0] || libssh2_session_method_pref(ssh->session, slots[i][j], filtered) < 0)
        return nh__ssh_fail_detail(ssh, "kex", NH_EKEX,
                                   "none of the %s algorithms is supported by libssh2: %s",
                                   slot_names[i], pref);
    }
  }
  return 0;
}

static void connect_next(nh_ssh_t *ssh) {
  const struct sockaddr *sa = NULL;
  socklen_t salen = 0;
  int fd, one = 1, rc;
  if (ssh->state != SSH_CONNECT) return;
  if (ssh->have_numeric) {
    ssh->have_numeric = 0;
    sa = (const struct sockaddr *)&ssh->numeric;
    salen = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  } else if (ssh->addr_next) {
    sa = ssh->addr_next->ai_addr;
    salen = ssh->addr_next->ai_addrlen;
    ssh->addr_next = ssh->addr_next->ai_next;
  }
  if (!sa) {
    int err = ssh->last_connect_err ? ssh->last_connect_err : NH_EHOSTUNREACH;
    nh__ssh_fail_detail(ssh, "connect", err, "TCP connect to %s port %d failed: %s", ssh->address,
                        ssh->port, nh_strerror(err));
    connect_fail(ssh, err);
    return;
  }
  fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = uv_translate_sys_error(errno);
    nh__ssh_fail_detail(ssh, "connect", err, "socket: %s", nh_strerror(err));
    connect_fail(ssh, err);
    return;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ssh->fd = fd;
  if (connect(fd, sa, salen) < 0 && errno != EINPROGRESS) {
    ssh->last_connect_err = uv_translate_sys_error(errno);
    release_socket(ssh, connect_next);
    return;
  }
  if ((rc = uv_poll_init_socket(ssh->loop->uv, &ssh->poll, fd)) < 0) {
    nh__ssh_fail_detail(ssh, "connect", rc, "uv_poll_init: %s", nh_strerror(rc));
    connect_fail(ssh, rc);
    return;
  }
  ssh->poll_open = 1;
  ssh->poll_events = UV_WRITABLE;
  uv_poll_start(&ssh->poll, UV_WRITABLE, poll_cb);
  if (!ssh->counted_open) ssh->counted_open = nh__ssh_count_open(ssh->loop, 1) == 0;
  if ((rc = start_session(ssh)) < 0) connect_fail(ssh, rc);
}

static void gai_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  nh_ssh_t *ssh = nh_container_of(req, nh_ssh_t, gai);
  ssh->pending_uv--;
  if (ssh->state != SSH_RESOLVE) {
    if (res) uv_freeaddrinfo(res);
    maybe_finish_close(ssh);
    return;
  }
  if (status < 0 || !res) {
    nh__ssh_fail_detail(ssh, "connect", NH_ERESOLVE, "cannot resolve %s: %s", ssh->address,
                        uv_strerror(status));
    connect_fail(ssh, NH_ERESOLVE);
    return;
  }
  ssh->addrs = ssh->addr_next = res;
  ssh->state = SSH_CONNECT;
  connect_next(ssh);
}

static void start_resolve(nh_ssh_t *ssh) {
  struct sockaddr_in *v4 = (struct sockaddr_in *)&ssh->numeric;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ssh->numeric;
  struct addrinfo hints;
  char port[16];
  int rc;
  if (ssh->jump) {
    /* Through jump hosts: the last hop resolves and connects; the connect stage's
     * deadline starts once that hop is ready to open the channel. */
    ssh->state = SSH_CONNECT;
    ssh->stage = "connect";
    if ((rc = nh__jump_open(ssh)) < 0) {
      nh__ssh_fail_detail(ssh, "connect", rc, "cannot set up the jump host tunnel: %s",
                          nh_strerror(rc));
      connect_fail(ssh, rc);
    }
    return;
  }
  stage_begin(ssh, "connect");
  if (ssh->state != SSH_RESOLVE) return;
  /* A literal address needs no resolver thread. */
  if (uv_ip4_addr(ssh->address, ssh->port, v4) == 0 ||
      uv_ip6_addr(ssh->address, ssh->port, v6) == 0) {
    ssh->have_numeric = 1;
    ssh->state = SSH_CONNECT;
    connect_next(ssh);
    return;
  }
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  snprintf(port, sizeof(port), "%d", ssh->port);
  rc = uv_getaddrinfo(ssh->loop->uv, &ssh->gai, gai_cb, ssh->address, port, &hints);
  if (rc < 0) {
    nh__ssh_fail_detail(ssh, "connect", NH_ERESOLVE, "cannot resolve %s: %s", ssh->address,
                        uv_strerror(rc));
    connect_fail(ssh, NH_ERESOLVE);
    return;
  }
  ssh->pending_uv++;
}

static void rate_resume(nh_ssh_t *ssh) {
  if (ssh->state != SSH_RATE) return;
  ssh->state = SSH_RESOLVE;
  start_resolve(ssh);
}

static void connect_cancel(nh_op_t *op) {
  nh_ssh_connect_t *req = (nh_ssh_connect_t *)op;
  nh_ssh_t *ssh = req->ssh;
  if (ssh->connect_req == req) {
    nh__ssh_fail_detail(ssh, ssh->stage ? ssh->stage : "connect", op->reason,
                        "%s during the %s stage", nh_strerror(op->reason),
                        ssh->stage ? ssh->stage : "connect");
    connect_fail(ssh, op->reason);
  } else {
    nh__op_done(op, op->reason);
  }
}

static const nh_op_type_t connect_type = {"ssh.connect", connect_cancel};

static void global_init(void) {
  static int done;
  if (done) return;
  done = 1;
  libssh2_init(0);
  /* A peer that resets the connection must give an error, not kill the process. */
  signal(SIGPIPE, SIG_IGN);
  nh_ssh_raise_nofile();
}

int nh_ssh_connect(nh_ssh_connect_t *req, nh_ssh_t *ssh, const nh_ssh_config_t *cfg, nh_op_cb cb) {
  nh_ssh_jump_t *via = NULL;
  int rc;
  if (ssh->state != SSH_IDLE || !cfg->address || !*cfg->address || !cfg->user) return NH_EINVAL;
  if (cfg->port < 0 || cfg->port > 65535) return NH_EINVAL;
  if (cfg->njumps && (rc = nh__jump_chain(ssh->loop, cfg->jumps, cfg->njumps, &via)) < 0) return rc;
  rc = nh__ssh_connect_via(req, ssh, cfg, via, cb);
  if (via) nh__jump_unref(via); /* the connection holds its own reference */
  return rc;
}

int nh__ssh_connect_via(nh_ssh_connect_t *req, nh_ssh_t *ssh, const nh_ssh_config_t *cfg,
                        nh_ssh_jump_t *via, nh_op_cb cb) {
  int i;
  if (ssh->state != SSH_IDLE || !cfg->address || !*cfg->address || !cfg->user) return NH_EINVAL;
  if (cfg->port < 0 || cfg->port > 65535) return NH_EINVAL;
  global_init();
  ssh->name = dup_or_null(cfg->name);
  ssh->address = strdup(cfg->address);
  ssh->user = strdup(cfg->user);
  ssh->password = dup_or_null(cfg->password);
  ssh->key_file = dup_or_null(cfg->key_file);
  ssh->key_passphrase = dup_or_null(cfg->key_passphrase);
  ssh->known_hosts = dup_or_null(cfg->known_hosts);
  for (i = 0; i < NH_SSH_ALG_COUNT; i++) ssh->algorithms[i] = dup_or_null(cfg->algorithms[i]);
  ssh->port = cfg->port ? cfg->port : 22;
  ssh->use_agent = cfg->use_agent;
  ssh->policy = cfg->host_key_policy;
  ssh->connect_timeout_ms =
      cfg->connect_timeout_ms ? cfg->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
  ssh->keepalive_s = cfg->keepalive_s;
  if (!ssh->address || !ssh->user) return NH_ENOMEM; /* freed by nh_ssh_free */
  if (via) {
    nh__jump_ref(via);
    ssh->jump = via;
  }
  nh__op_init(&req->op, ssh->loop, &connect_type);
  req->ssh = ssh;
  ssh->connect_req = req;
  nh__op_begin(&req->op, cb, 0);
  if (nh__ssh_rate_acquire(ssh, rate_resume)) {
    ssh->state = SSH_RESOLVE;
    start_resolve(ssh);
  } else {
    ssh->state = SSH_RATE;
  }
  return 0;
}

/* Closing */

static void free_config(nh_ssh_t *ssh) {
  int i;
  free(ssh->name);
  free(ssh->address);
  free(ssh->user);
  wipe_free(ssh->password);
  free(ssh->key_file);
  wipe_free(ssh->key_passphrase);
  free(ssh->known_hosts);
  free(ssh->auth_methods);
  for (i = 0; i < NH_SSH_ALG_COUNT; i++) free(ssh->algorithms[i]);
  if (ssh->jump) {
    nh__jump_unref(ssh->jump);
    ssh->jump = NULL;
  }
  ssh->name = ssh->address = ssh->user = ssh->password = ssh->key_file = NULL;
  ssh->key_passphrase = ssh->known_hosts = ssh->auth_methods = NULL;
  memset(ssh->algorithms, 0, sizeof(ssh->algorithms));
}

static void finish_close_cb(nh_ready_t *ready) {
  nh_ssh_t *ssh = nh_container_of(ready, nh_ssh_t, kick);
  nh_ssh_close_cb cb = ssh->close_cb;
  ssh->state = SSH_CLOSED;
  if (cb) cb(ssh);
  if (ssh->free_on_close) nh_ssh_free(ssh);
}

static void maybe_finish_close(nh_ssh_t *ssh) {
  if (ssh->state == SSH_CLOSING && ssh->pending_uv == 0)
    nh_loop_post(ssh->loop, &ssh->kick, finish_close_cb);
}

void nh_ssh_close(nh_ssh_t *ssh, nh_ssh_close_cb close_cb, int free_on_close) {
  nh_ssh_state_t prev = ssh->state;
  if (prev == SSH_CLOSING || prev == SSH_CLOSED) {
    ssh->free_on_close = free_on_close;
    if (prev == SSH_CLOSED && free_on_close) nh_ssh_free(ssh);
    return;
  }
  ssh->close_cb = close_cb;
  ssh->free_on_close = free_on_close;
  if (ssh->connect_req) {
    nh_ssh_connect_t *req = ssh->connect_req;
    ssh->connect_req = NULL;
    nh__op_done(&req->op, NH_ECANCELED);
  }
  if (prev == SSH_RATE) nh__ssh_rate_forget(ssh);
  if (prev == SSH_RESOLVE) uv_cancel((uv_req_t *)&ssh->gai);
  ssh->state = SSH_CLOSING;
  if (prev == SSH_READY) {
    abort_jobs(ssh, NH_ECANCELED);
    /* One polite attempt; a connection that cannot take it now is just dropped. */
    if (!ssh->writer) libssh2_session_disconnect(ssh->session, "nethost: closing");
  }
  teardown(ssh, NH_ECANCELED);
  free_config(ssh);
  maybe_finish_close(ssh);
}

void nh_ssh_free(nh_ssh_t *ssh) {
  if (!ssh) return;
  free_config(ssh);
  free(ssh->trace);
  free(ssh);
}
