/* The SSH side of the lab: one listening socket per device on its own loopback address,
 * libssh server sessions in non-blocking mode driven by libuv (one uv_poll per
 * connection; libssh's per-session ssh_event does the reading and writing when libuv says
 * the socket is ready). Authentication, channels, output flow control and output faults
 * live here; what a device says lives in term.c and the personalities. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "forward.h"
#include "netconf.h"
#include "stats.h"
#include "term.h"
#include "xfer.h"

typedef struct conn conn_t;

typedef struct chan {
  conn_t *c;
  ssh_channel ch;
  struct ssh_channel_callbacks_struct cb;
  struct chan *next;
  sim_term_t *term;
  sim_nc_t *nc; /* a netconf subsystem channel */
  /* An sftp subsystem or an scp exec channel. */
  sim_xfer_t *xfer;
  /* Bytes of the client's that the xfer service did not take (its output was full): they
   * stay in libssh's channel buffer, which then stops opening the client's window, until
   * chan_resume hands them over. eof_held: the client's EOF came after them. */
  size_t held;
  int eof_held, in_xfer;
  int pty, width, height;
  sbuf_t out;
  size_t out_off;  /* out's bytes before this were sent */
  const char *ref; /* shared output after out (write_shared), not owned */
  size_t ref_len;
  int close_after, exit_status; /* send exit status and close once out is drained */
  int hung, drop_after, slow, garbage;
  uv_timer_t slow_timer;
  int slow_timer_on;
  int dead;
  sim_fwd_t *fwd;   /* a direct-tcpip channel to another device (forward.c) */
  size_t fwd_bytes; /* bytes it carried from the device */
} chan_t;

struct conn {
  sim_lab_t *lab;
  sim_device_t *dev;
  ssh_session ssh;
  ssh_event ev;
  uv_poll_t poll;
  uv_timer_t timer; /* the handshake's latency */
  uv_timer_t grace; /* --login-grace-s */
  int fd;
  int poll_events;
  int handles; /* libuv handles still open */
  struct ssh_server_callbacks_struct scb;
  int kex_started, kex_done, authed, hang, auth_fault;
  int netconf_only; /* accepted on the NETCONF port: the netconf subsystem and nothing else */
  int dead, closing, abrupt;
  int dispatch; /* depth of conn_enter brackets on the stack */
  char kbd_user[64];
  chan_t *chans;
  size_t log_index;
  conn_t *prev, *next; /* every live connection, so shutdown can close them */
};

static conn_t *live_conns;

static int fault_hit(sim_lab_t *lab, sim_device_t *dev, enum sim_fault f) {
  if (dev->faults & (1 << f)) return 1;
  double rate = lab->opt.faults[f].rate;
  if (rate <= 0) return 0;
  return (double)(sim_rand(&lab->rng) >> 11) / 9007199254740992.0 < rate;
}

int sim_device_has_fault(sim_device_t *dev, enum sim_fault f) {
  return fault_hit(dev->lab, dev, f);
}

static void conn_enter(conn_t *c);
static void conn_leave(conn_t *c);
static void on_conn_poll(uv_poll_t *p, int status, int events);

/* ---- channels ---- */

static void free_chan_cb(uv_handle_t *t) {
  free(t->data); /* the channel the timer belongs to */
}

static void chan_free(chan_t *h) {
  if (h->fwd) fwd_free(h->fwd);
  h->fwd = NULL;
  if (h->term) term_free(h->term);
  h->term = NULL;
  if (h->nc) nc_free(h->nc);
  h->nc = NULL;
  if (h->xfer) xfer_free(h->xfer);
  h->xfer = NULL;
  sb_free(&h->out);
  if (h->ch) {
    ssh_remove_channel_callbacks(h->ch, &h->cb);
    ssh_channel_free(h->ch);
    h->ch = NULL;
  }
  if (h->slow_timer_on) {
    h->slow_timer_on = 0;
    h->slow_timer.data = h;
    uv_close((uv_handle_t *)&h->slow_timer, free_chan_cb);
  } else {
    free(h);
  }
}

static void chan_pump(chan_t *h);

static size_t chan_pending(const chan_t *h) {
  return h->out.len - h->out_off + h->ref_len;
}

/* Output leaves from an offset, so a multi-megabyte answer sent in 32 KB chunks (or 64
 * bytes at a time, slow) costs one pass over it, not a memmove per chunk. */
static void chan_sent(chan_t *h, size_t n) {
  if (h->out_off == h->out.len) { /* it came from ref */
    h->ref += n;
    h->ref_len -= n;
    return;
  }
  h->out_off += n;
  if (h->out_off == h->out.len) {
    sb_clear(&h->out);
    h->out_off = 0;
  } else if (h->out_off > 65536 && h->out_off > h->out.len / 2) {
    sb_consume(&h->out, h->out_off);
    h->out_off = 0;
  }
}

/* Hands the xfer service what it left while its output was full, once the output drained
 * under the bound: first the requests it had taken, then the bytes libssh holds. Never
 * from inside the service (in_xfer), which may be writing the output that pumps. Reading
 * a buffered channel does not make libssh handle packets, so no callback runs in here. */
static void chan_resume(chan_t *h) {
  char buf[32768];
  if (!h->xfer || h->in_xfer || h->dead || !h->ch || chan_pending(h) > XFER_OUT_BOUND) return;
  h->in_xfer = 1;
  xfer_input(h->xfer, "", 0); /* the requests it took before */
  while (h->held > 0 && !h->dead && chan_pending(h) <= XFER_OUT_BOUND) {
    uint32_t want = h->held < sizeof buf ? (uint32_t)h->held : (uint32_t)sizeof buf;
    int n = ssh_channel_read_nonblocking(h->ch, buf, want, 0);
    if (n <= 0) { /* not what the data callback left: nothing more to trust */
      h->held = 0;
      break;
    }
    h->held -= (size_t)n;
    xfer_input(h->xfer, buf, (size_t)n); /* the output has room: it takes everything */
  }
  if (h->eof_held && h->held == 0 && !h->dead) {
    h->eof_held = 0;
    xfer_eof(h->xfer);
  }
  h->in_xfer = 0;
}

static void on_slow_tick(uv_timer_t *t) {
  chan_t *h = t->data;
  conn_t *c = h->c;
  conn_enter(c);
  chan_pump(h);
  conn_leave(c);
}

/* Moves buffered output into the channel as far as the peer's window allows. It only marks
 * the channel (or the connection) dead; the outermost conn_leave frees what died, so
 * callers up the stack may go on using the channel. */
static void chan_pump(chan_t *h) {
  conn_t *c = h->c;
  if (h->dead || !h->ch || c->closing || c->dead) return;
  /* A slow channel sends one piece per tick, however often it is pumped: window adjusts,
   * the socket turning writable and the command's end all pump, and each used to send. */
  int paced = h->slow && h->slow_timer_on && uv_is_active((uv_handle_t *)&h->slow_timer);
  while (chan_pending(h) > 0 && !paced) {
    /* Writing only once libssh flushed what it already holds keeps its socket buffer at
     * one chunk per session, however big the output and however slow the reader: a
     * thousand clients of the huge fault must not make the lab hold their windows. */
    if (ssh_get_poll_flags(c->ssh) & SSH_WRITE_PENDING) break;
    uint32_t win = ssh_channel_window_size(h->ch);
    if (win == 0) break;
    const char *src = h->out.data + h->out_off;
    size_t n = h->out.len - h->out_off;
    if (n == 0) {
      src = h->ref;
      n = h->ref_len;
    }
    if (n > win) n = win;
    if (n > 32768) n = 32768;
    if (h->slow && n > 64) n = 64;
    int w = ssh_channel_write(h->ch, src, (uint32_t)n);
    if (w < 0) {
      h->dead = 1;
      break;
    }
    if (w == 0) break;
    chan_sent(h, (size_t)w);
    if (h->slow && chan_pending(h) > 0) {
      if (!h->slow_timer_on) {
        uv_timer_init(c->lab->loop, &h->slow_timer);
        h->slow_timer.data = h;
        h->slow_timer_on = 1;
      }
      uv_timer_start(&h->slow_timer, on_slow_tick, 50, 0);
      break;
    }
  }
  if (h->xfer) chan_resume(h); /* cheap when the service waits for nothing */
  /* A hung channel has sent its prefix and then neither says more nor closes. */
  if (chan_pending(h) == 0 && !h->dead && !h->hung) {
    if (h->drop_after) {
      /* The connection dies under the client without an SSH disconnect. */
      c->abrupt = 1;
      c->dead = 1;
    } else if (h->close_after) {
      if (!h->fwd) ssh_channel_request_send_exit_status(h->ch, h->exit_status);
      ssh_channel_send_eof(h->ch);
      ssh_channel_close(h->ch);
      h->dead = 1;
    }
  }
  if (h->fwd) fwd_room(h->fwd, chan_pending(h));
}

static void garble(sim_lab_t *lab, sbuf_t *b, const char *data, size_t len) {
  static const char junk[] = "\x1b[6n\x00\xff\xfe~}|\x07\x1b[2J#$%&\x8f\xa0";
  size_t cut = len / 3;
  sb_add(b, data, cut);
  for (int i = 0; i < 48; i++) sb_putc(b, junk[sim_rand(&lab->rng) % (sizeof junk - 1)]);
  sb_add(b, data + cut, len - cut);
}

static void term_write(void *ctx, const char *data, size_t len, int first) {
  chan_t *h = ctx;
  if (h->dead || h->hung) return;
  sim_device_t *dev = h->c->dev;
  if (first) {
    if (fault_hit(h->c->lab, dev, FAULT_HANG_OUTPUT) && len > 1) {
      /* The first half goes out; then the device says nothing more, ever. */
      sb_add(&h->out, data, len / 2);
      h->hung = 1;
      chan_pump(h);
      return;
    }
    if (fault_hit(h->c->lab, dev, FAULT_DROP) && len > 1) {
      sb_add(&h->out, data, len / 2);
      h->drop_after = 1;
      chan_pump(h);
      return;
    }
    if (fault_hit(h->c->lab, dev, FAULT_SLOW)) h->slow = 1;
    h->garbage = fault_hit(h->c->lab, dev, FAULT_GARBAGE);
    if (h->garbage) {
      garble(h->c->lab, &h->out, data, len);
      chan_pump(h);
      return;
    }
  }
  if (h->ref_len) { /* later bytes follow the reference */
    sb_add(&h->out, h->ref, h->ref_len);
    h->ref_len = 0;
  }
  sb_add(&h->out, data, len);
  chan_pump(h);
}

static void term_write_shared(void *ctx, const char *data, size_t len) {
  chan_t *h = ctx;
  if (h->dead || h->hung || len == 0) return;
  if (h->ref_len) { /* keep the order: the earlier reference goes into the buffer */
    sb_add(&h->out, h->ref, h->ref_len);
    h->ref_len = 0;
  }
  h->ref = data;
  h->ref_len = len;
  chan_pump(h);
}

static void term_done(void *ctx, int status) {
  chan_t *h = ctx;
  h->close_after = 1;
  h->exit_status = status;
  chan_pump(h);
}

static void term_enter(void *ctx) {
  conn_enter(((chan_t *)ctx)->c);
}

static void term_leave(void *ctx) {
  conn_leave(((chan_t *)ctx)->c);
}

static size_t term_pending(void *ctx) {
  return chan_pending(ctx);
}

static const sim_term_io_t chan_io = {term_write, term_write_shared, term_done,
                                      term_enter, term_leave,        term_pending};

static int on_chan_data(ssh_session s, ssh_channel ch, void *data, uint32_t len, int is_stderr,
                        void *ud) {
  chan_t *h = ud;
  if (h->fwd && !h->dead) return fwd_input(h->fwd, data, len);
  if (h->term && !h->dead) term_input(h->term, data, len);
  if (h->nc && !h->dead) {
    conn_enter(h->c);
    nc_input(h->nc, data, len);
    conn_leave(h->c);
  }
  if (h->xfer && !h->dead) {
    /* libssh offers everything it holds for the channel: what the service leaves stays
     * there (see chan_resume). */
    conn_enter(h->c);
    h->in_xfer = 1;
    size_t took = xfer_input(h->xfer, data, len);
    h->in_xfer = 0;
    h->held = len - took;
    conn_leave(h->c);
    return (int)took;
  }
  return (int)len;
}

static void on_chan_eof(ssh_session s, ssh_channel ch, void *ud) {
  chan_t *h = ud;
  if (h->fwd) fwd_eof(h->fwd);
  if (h->term) term_eof(h->term);
  if (h->nc) nc_eof(h->nc);
  if (h->xfer && h->held) {
    h->eof_held = 1; /* after the requests libssh still holds */
  } else if (h->xfer) {
    conn_enter(h->c);
    h->in_xfer = 1;
    xfer_eof(h->xfer);
    h->in_xfer = 0;
    conn_leave(h->c);
  }
}

static void on_chan_close(ssh_session s, ssh_channel ch, void *ud) {
  chan_t *h = ud;
  h->dead = 1;
}

static int on_pty(ssh_session s, ssh_channel ch, const char *term, int w, int hgt, int pxw, int pxh,
                  void *ud) {
  chan_t *h = ud;
  h->pty = 1;
  h->width = w;
  h->height = hgt;
  return SSH_OK;
}

static int on_window_change(ssh_session s, ssh_channel ch, int w, int hgt, int pxw, int pxh,
                            void *ud) {
  chan_t *h = ud;
  h->width = w;
  h->height = hgt;
  if (h->term) term_resize(h->term, w, hgt);
  return SSH_OK;
}

static int on_shell(ssh_session s, ssh_channel ch, void *ud) {
  chan_t *h = ud;
  if (h->term || h->c->netconf_only) return SSH_ERROR;
  if (h->c->hang) return SSH_OK; /* accepted, and then nothing ever comes */
  h->term = term_new(h->c->dev, 1, h->width, h->height, &chan_io, h);
  term_start_shell(h->term);
  return SSH_OK;
}

static int on_exec(ssh_session s, ssh_channel ch, const char *command, void *ud) {
  chan_t *h = ud;
  if (h->term || h->xfer || h->c->netconf_only) return SSH_ERROR;
  if (h->c->hang) return SSH_OK;
  /* "scp -t PATH" / "scp -f PATH" copy into and out of the device's flash (scp.c). */
  conn_enter(h->c);
  h->xfer = scp_new(h->c->dev, command, &chan_io, h);
  conn_leave(h->c);
  if (h->xfer) return SSH_OK;
  h->term = term_new(h->c->dev, h->pty, h->width, h->height, &chan_io, h);
  term_exec(h->term, command);
  return SSH_OK;
}

/* The netconf subsystem (RFC 6242) on cisco_ios and juniper_junos devices, on the SSH port
 * and on the NETCONF port (830). */
static int on_subsystem(ssh_session s, ssh_channel ch, const char *subsystem, void *ud) {
  chan_t *h = ud;
  if (h->term || h->nc || h->xfer) return SSH_ERROR;
  if (h->c->netconf_only && strcmp(subsystem, "netconf") != 0) return SSH_ERROR;
  if (strcmp(subsystem, "sftp") == 0) { /* into the device's flash (sftp.c) */
    if (!h->c->hang) h->xfer = sftp_new(h->c->dev, &chan_io, h);
    return SSH_OK;
  }
  if (strcmp(subsystem, "netconf") != 0) return SSH_ERROR;
  if (h->c->hang) return SSH_OK;
  conn_enter(h->c);
  h->nc = nc_new(h->c->dev, &chan_io, h);
  conn_leave(h->c);
  return h->nc ? SSH_OK : SSH_ERROR;
}

static int on_wontblock(ssh_session s, ssh_channel ch, uint32_t bytes, void *ud) {
  chan_t *h = ud;
  if (chan_pending(h)) chan_pump(h);
  return 0;
}

/* A channel of the connection: a session channel, or a forwarded one (no requests). */
static chan_t *chan_new(conn_t *c, int session) {
  chan_t *h = sim_calloc(1, sizeof *h);
  h->c = c;
  h->width = 80;
  h->height = 24;
  h->ch = ssh_channel_new(c->ssh);
  if (!h->ch) {
    free(h);
    return NULL;
  }
  ssh_callbacks_init(&h->cb);
  h->cb.userdata = h;
  h->cb.channel_data_function = on_chan_data;
  h->cb.channel_eof_function = on_chan_eof;
  h->cb.channel_close_function = on_chan_close;
  h->cb.channel_write_wontblock_function = on_wontblock;
  if (session) {
    h->cb.channel_pty_request_function = on_pty;
    h->cb.channel_pty_window_change_function = on_window_change;
    h->cb.channel_shell_request_function = on_shell;
    h->cb.channel_exec_request_function = on_exec;
    h->cb.channel_subsystem_request_function = on_subsystem;
  }
  ssh_set_channel_callbacks(h->ch, &h->cb);
  h->next = c->chans;
  c->chans = h;
  return h;
}

static ssh_channel on_channel_open(ssh_session s, void *ud) {
  conn_t *c = ud;
  if (!c->authed) return NULL;
  chan_t *h = chan_new(c, 1);
  return h ? h->ch : NULL;
}

/* Device bytes of a forwarded channel. A bastion listed in --fault drop dies under its
 * client (no SSH disconnect) once a channel has carried 1 MB: a jump host lost mid-run. */
static void fwd_chan_write(void *ctx, const char *data, size_t len, int first) {
  chan_t *h = ctx;
  if (h->dead) return;
  h->fwd_bytes += len;
  if ((h->c->dev->faults & (1 << FAULT_DROP)) && h->fwd_bytes > (1 << 20)) {
    h->c->abrupt = 1;
    h->c->dead = 1;
    return;
  }
  sb_add(&h->out, data, len);
  chan_pump(h);
}

static void fwd_chan_done(void *ctx, int status) {
  chan_t *h = ctx;
  h->close_after = 1;
  chan_pump(h);
}

static const sim_term_io_t fwd_io = {
    .write = fwd_chan_write, .done = fwd_chan_done, .enter = term_enter, .leave = term_leave};

/* A direct-tcpip channel (the lab as a jump host): accepted only on a --bastions device,
 * only to another lab device's listener (fwd_target), refused otherwise. libssh refuses a
 * channel only as "administratively prohibited", and must answer before the TCP connect
 * completes; a target that then fails ends the accepted channel at once. Returns 1 for
 * libssh's default reply (the refusal). */
static int on_direct_tcpip(conn_t *c, ssh_message m) {
  const char *host = ssh_message_channel_request_open_destination(m);
  int port = ssh_message_channel_request_open_destination_port(m);
  const sim_device_t *to = c->authed && c->dev->bastion ? fwd_target(c->lab, host, port) : NULL;
  if (!to) {
    c->lab->forwards_refused++;
    if (!c->lab->opt.quiet)
      fprintf(stderr, "nethost-sim: %s: refused direct-tcpip to %s port %d%s\n", c->dev->name,
              host ? host : "?", port,
              !c->dev->bastion ? " (not a --bastions device)" : " (not a lab device's listener)");
    return 1;
  }
  chan_t *h = chan_new(c, 0);
  if (!h) return 1;
  h->fwd = fwd_new(c->lab, to, port, h->ch, &fwd_io, h);
  if (!h->fwd) {
    h->dead = 1; /* never confirmed: reaped by the outermost conn_leave */
    return 1;
  }
  if (ssh_message_channel_request_open_reply_accept_channel(m, h->ch) != SSH_OK) h->dead = 1;
  c->lab->forwards++;
  return 0;
}

/* ---- authentication ---- */

static int credentials_ok(conn_t *c, const char *user, const char *pass) {
  return !c->auth_fault && user && pass && strcmp(user, "admin") == 0 && strcmp(pass, "admin") == 0;
}

static void authed(conn_t *c) {
  c->authed = 1;
  uv_timer_stop(&c->grace);
  c->hang = fault_hit(c->lab, c->dev, FAULT_HANG);
}

static int on_auth_password(ssh_session s, const char *user, const char *pass, void *ud) {
  conn_t *c = ud;
  if (!credentials_ok(c, user, pass)) {
    c->lab->auth_failures++;
    return SSH_AUTH_DENIED;
  }
  authed(c);
  return SSH_AUTH_SUCCESS;
}

static int on_auth_pubkey(ssh_session s, const char *user, struct ssh_key_struct *key, char state,
                          void *ud) {
  conn_t *c = ud;
  /* The lab trusts any key offered for "admin": it tests clients, not key management. */
  if (c->auth_fault || !user || strcmp(user, "admin") != 0) return SSH_AUTH_DENIED;
  if (state == SSH_PUBLICKEY_STATE_NONE) return SSH_AUTH_SUCCESS;
  if (state == SSH_PUBLICKEY_STATE_VALID) {
    authed(c);
    return SSH_AUTH_SUCCESS;
  }
  return SSH_AUTH_DENIED;
}

static int on_message(ssh_session s, ssh_message m, void *ud) {
  conn_t *c = ud;
  if (ssh_message_type(m) == SSH_REQUEST_CHANNEL_OPEN &&
      ssh_message_subtype(m) == SSH_CHANNEL_DIRECT_TCPIP)
    return on_direct_tcpip(c, m);
  if (ssh_message_type(m) != SSH_REQUEST_AUTH ||
      ssh_message_subtype(m) != SSH_AUTH_METHOD_INTERACTIVE)
    return 1;
  if (!ssh_message_auth_kbdint_is_response(m)) {
    const char *user = ssh_message_auth_user(m);
    snprintf(c->kbd_user, sizeof c->kbd_user, "%s", user ? user : "");
    const char *prompts[] = {"Password: "};
    char echo[] = {0};
    ssh_message_auth_interactive_request(m, "", "", 1, prompts, echo);
    return 0;
  }
  if (ssh_userauth_kbdint_getnanswers(s) == 1 &&
      credentials_ok(c, c->kbd_user, ssh_userauth_kbdint_getanswer(s, 0))) {
    authed(c);
    ssh_message_auth_reply_success(m, 0);
    return 0;
  }
  c->lab->auth_failures++;
  ssh_message_auth_set_methods(m, SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE |
                                      SSH_AUTH_METHOD_PUBLICKEY);
  ssh_message_reply_default(m);
  return 0;
}

/* ---- connections ---- */

static void reject(int fd) {
  struct linger lg = {1, 0}; /* reset, as a refusing device does */
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
}

static void conn_handle_closed(uv_handle_t *hd) {
  conn_t *c = hd->data;
  if (--c->handles > 0) return;
  while (c->chans) {
    chan_t *h = c->chans;
    c->chans = h->next;
    chan_free(h);
  }
  if (c->ssh) {
    if (c->kex_done) ssh_event_remove_session(c->ev, c->ssh);
    if (!c->abrupt && c->kex_done) ssh_disconnect(c->ssh);
    ssh_free(c->ssh); /* closes libssh's descriptor, if libssh has not already */
  }
  /* Ours last, now that libuv no longer watches it. */
  close(c->fd);
  if (c->ev) ssh_event_free(c->ev);
  if (c->prev)
    c->prev->next = c->next;
  else
    live_conns = c->next;
  if (c->next) c->next->prev = c->prev;
  c->lab->open_conns--;
  free(c);
}

static void conn_close(conn_t *c) {
  if (c->closing) return;
  c->closing = 1;
  stats_session_end(c->dev, c->log_index);
  if (c->abrupt) {
    /* What the device "said" before dying must reach the client: push libssh's queued
     * output to the socket (it fits the socket buffer), then cut without a disconnect. */
    if (c->ssh) ssh_blocking_flush(c->ssh, 100);
    shutdown(c->fd, SHUT_RDWR);
  }
  uv_close((uv_handle_t *)&c->poll, conn_handle_closed);
  uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
  uv_close((uv_handle_t *)&c->grace, conn_handle_closed);
}

/* Frees dead channels, closes a dead connection and sets the poll interest. Only the
 * outermost conn_leave calls it, so nothing it frees is still in use up the stack. */
static void conn_reap(conn_t *c) {
  if (c->closing) return;
  for (chan_t **pp = &c->chans; *pp;) {
    chan_t *h = *pp;
    if (h->dead) {
      *pp = h->next;
      chan_free(h);
    } else {
      pp = &h->next;
    }
  }
  if (c->kex_started && c->ssh) {
    int st = ssh_get_status(c->ssh);
    if (st & (SSH_CLOSED | SSH_CLOSED_ERROR)) c->dead = 1;
    if (ssh_get_fd(c->ssh) == SSH_INVALID_SOCKET) c->dead = 1; /* libssh closed its copy */
  }
  if (c->dead) {
    conn_close(c);
    return;
  }
  if (!c->kex_started) return; /* the handshake's latency has not passed yet */
  int want = UV_READABLE;
  if (ssh_get_poll_flags(c->ssh) & SSH_WRITE_PENDING) want |= UV_WRITABLE;
  if (want != c->poll_events) {
    c->poll_events = want;
    uv_poll_start(&c->poll, want, on_conn_poll);
  }
}

/* Every way the loop enters a connection (its poll, its timers, its channels' and
 * terminals' timers, the accept that created it) is bracketed by conn_enter and
 * conn_leave. In between, code only marks channels and the connection dead; the
 * outermost conn_leave reaps. The connection itself is freed only by its close callbacks,
 * so it outlives every bracket. */
static void conn_enter(conn_t *c) {
  c->dispatch++;
}

static void conn_leave(conn_t *c) {
  if (--c->dispatch == 0) conn_reap(c);
}

static void conn_kex_step(conn_t *c) {
  int rc = ssh_handle_key_exchange(c->ssh);
  if (rc == SSH_OK) {
    c->kex_done = 1;
    c->lab->handshakes++;
    ssh_event_add_session(c->ev, c->ssh);
  } else if (rc == SSH_ERROR) {
    c->dead = 1;
  }
}

static void on_conn_poll(uv_poll_t *p, int status, int events) {
  conn_t *c = p->data;
  if (c->closing) return;
  conn_enter(c);
  if (status < 0) {
    c->dead = 1;
  } else if (!c->kex_done) {
    conn_kex_step(c);
  } else if (ssh_event_dopoll(c->ev, 0) == SSH_ERROR) {
    c->dead = 1;
  }
  /* Output written from callbacks is flushed by the next writable event. */
  for (chan_t *h = c->chans; h; h = h->next)
    if (chan_pending(h) && !h->dead) chan_pump(h);
  conn_leave(c);
}

/* Starts the key exchange; brackets itself (conn_enter/leave) since it also runs from the
 * handshake-delay timer, where nobody up the stack does. */
static void conn_begin(conn_t *c) {
  conn_enter(c);
  c->kex_started = 1;
  c->poll_events = UV_READABLE;
  uv_poll_start(&c->poll, UV_READABLE, on_conn_poll);
  conn_kex_step(c);
  conn_leave(c);
}

static void on_handshake_delay(uv_timer_t *t) {
  conn_begin(t->data);
}

/* Like sshd's LoginGraceTime: a client that has not logged in by now is disconnected, so
 * half-open handshakes cannot pile up until the lab runs out of file descriptors. */
static void on_login_grace(uv_timer_t *t) {
  conn_t *c = t->data;
  if (c->authed) return;
  conn_enter(c);
  c->lab->grace_timeouts++;
  c->dead = 1;
  conn_leave(c);
}

static void conn_start(sim_device_t *dev, int fd, int netconf_only) {
  sim_lab_t *lab = dev->lab;
  conn_t *c = sim_calloc(1, sizeof *c);
  c->lab = lab;
  c->dev = dev;
  c->fd = fd;
  c->netconf_only = netconf_only;
  if (uv_poll_init(lab->loop, &c->poll, fd) != 0) {
    /* Nothing of the connection is registered yet. */
    free(c);
    reject(fd);
    dev->rejected++;
    return;
  }
  c->next = live_conns;
  if (live_conns) live_conns->prev = c;
  live_conns = c;
  lab->open_conns++;
  uv_timer_init(lab->loop, &c->timer);
  uv_timer_init(lab->loop, &c->grace);
  c->poll.data = c->timer.data = c->grace.data = c;
  c->handles = 3;
  c->log_index = stats_session_start(dev);
  conn_enter(c);
  c->ssh = ssh_new();
  c->ev = ssh_event_new();
  /* libssh closes its socket by itself when a read or write fails, while libuv may still
   * watch it: epoll_ctl on the closed descriptor then fails and libuv aborts, or the
   * number is reused by the next accept and one connection's poll drives another's.
   * So libssh gets a duplicate; the connection owns `fd`, which libuv watches and
   * conn_handle_closed closes after libuv let go of it. */
  int sfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (sfd < 0 || !c->ssh || !c->ev || ssh_bind_accept_fd(dev->bind, c->ssh, sfd) != SSH_OK) {
    /* ssh_bind_accept_fd may fail before or after it took the descriptor. */
    if (sfd >= 0 && (!c->ssh || ssh_get_fd(c->ssh) != sfd)) close(sfd);
    c->dead = 1;
    conn_leave(c);
    return;
  }
  ssh_set_blocking(c->ssh, 0);
  ssh_callbacks_init(&c->scb);
  c->scb.userdata = c;
  c->scb.auth_password_function = on_auth_password;
  c->scb.auth_pubkey_function = on_auth_pubkey;
  c->scb.channel_open_request_session_function = on_channel_open;
  ssh_set_server_callbacks(c->ssh, &c->scb);
  ssh_set_message_callback(c->ssh, on_message, c);
  ssh_set_auth_methods(c->ssh, SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE |
                                   SSH_AUTH_METHOD_PUBLICKEY);
  c->auth_fault = fault_hit(lab, dev, FAULT_AUTH);
  if (lab->opt.login_grace_s > 0)
    uv_timer_start(&c->grace, on_login_grace, (uint64_t)lab->opt.login_grace_s * 1000, 0);
  int delay = lab->opt.latency_ms;
  if (lab->opt.jitter_ms > 0) delay += (int)(sim_rand(&lab->rng) % (uint64_t)lab->opt.jitter_ms);
  if (delay > 0)
    uv_timer_start(&c->timer, on_handshake_delay, (uint64_t)delay, 0);
  else
    conn_begin(c);
  conn_leave(c);
}

static int conn_rate_ok(sim_device_t *dev) {
  int rate = dev->lab->opt.conn_rate;
  if (rate <= 0) return 1;
  uint64_t now = sim_now_ms();
  if (dev->tokens_at == 0)
    dev->tokens = rate;
  else
    dev->tokens += (double)(now - dev->tokens_at) * rate / 1000.0;
  if (dev->tokens > rate) dev->tokens = rate;
  dev->tokens_at = now;
  if (dev->tokens < 1) return 0;
  dev->tokens -= 1;
  return 1;
}

static void on_listen(uv_poll_t *p, int status, int events);

static void listeners_start(sim_lab_t *lab) {
  for (int i = 0; i < lab->ndevs; i++) {
    if (lab->devs[i].listen_fd >= 0)
      uv_poll_start(&lab->devs[i].listen_poll, UV_READABLE, on_listen);
    if (lab->devs[i].nc_fd >= 0) uv_poll_start(&lab->devs[i].nc_poll, UV_READABLE, on_listen);
  }
}

static void on_accept_resume(uv_timer_t *t) {
  sim_lab_t *lab = t->data;
  lab->accept_paused = 0;
  if (!lab->stopping) listeners_start(lab);
}

/* Out of file descriptors (or kernel memory), accept fails while the listening socket stays
 * readable, so a level-triggered poll would spin. Like nginx, the lab stops accepting on
 * every listener for a while (the descriptor table is shared by all of them) and lets the
 * backlogs hold the clients; the pause doubles while the shortage lasts, up to 1.6 s. */
static void accept_pause(sim_lab_t *lab, int err) {
  if (lab->accept_paused) return;
  lab->accept_paused = 1;
  lab->accept_pauses++;
  unsigned ms = lab->accept_backoff_ms ? lab->accept_backoff_ms * 2 : 100;
  if (ms > 1600) ms = 1600;
  lab->accept_backoff_ms = ms;
  if (!lab->opt.quiet || lab->accept_pauses == 1)
    fprintf(stderr, "nethost-sim: accept: %s with %lu connections open: pausing for %u ms\n",
            strerror(err), lab->open_conns, ms);
  for (int i = 0; i < lab->ndevs; i++) {
    if (lab->devs[i].listen_fd >= 0) uv_poll_stop(&lab->devs[i].listen_poll);
    if (lab->devs[i].nc_fd >= 0) uv_poll_stop(&lab->devs[i].nc_poll);
  }
  uv_timer_start(&lab->accept_timer, on_accept_resume, ms, 0);
}

static void on_listen(uv_poll_t *p, int status, int events) {
  sim_device_t *dev = p->data;
  sim_lab_t *lab = dev->lab;
  int netconf_only = p == &dev->nc_poll;
  int lfd = netconf_only ? dev->nc_fd : dev->listen_fd;
  for (int i = 0; i < 64 && !lab->accept_paused; i++) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue; /* this one only */
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM)
        accept_pause(lab, err);
      else if (err != EAGAIN && err != EWOULDBLOCK)
        fprintf(stderr, "nethost-sim: %s: accept: %s\n", dev->name, strerror(err));
      break;
    }
    lab->accept_backoff_ms = 0;
    lab->connections++;
    dev->accepted++;
    if (lab->stopping || fault_hit(lab, dev, FAULT_REFUSE) || !conn_rate_ok(dev) ||
        (lab->opt.max_sessions > 0 && dev->cur_sessions >= (unsigned long)lab->opt.max_sessions)) {
      dev->rejected++;
      reject(fd);
      continue;
    }
    conn_start(dev, fd, netconf_only);
  }
}

int sim_listen_socket(struct in_addr addr, int port, char *err, size_t errsz) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, errsz, "socket: %s", strerror(errno));
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {
      .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = addr};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 512) < 0) {
    char a[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr, a, sizeof a);
    int e = errno;
    snprintf(err, errsz, "%s:%d: %s", a, port, strerror(e));
    close(fd);
    errno = e; /* for callers that fall back on EACCES or EADDRINUSE */
    return -1;
  }
  return fd;
}

static int speaks_netconf(const sim_device_t *dev) {
  return dev->pers == &sim_cisco_ios || dev->pers == &sim_juniper_junos;
}

static void netconf_listeners_close(sim_lab_t *lab) {
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *dev = &lab->devs[i];
    if (dev->nc_fd < 0) continue;
    uv_poll_stop(&dev->nc_poll);
    uv_close((uv_handle_t *)&dev->nc_poll, NULL);
    close(dev->nc_fd);
    dev->nc_fd = -1;
  }
}

/* With auto, the lab does without the NETCONF port (the subsystem stays on the SSH port)
 * and says why, rather than fail to start: the inventory tells clients which port to use. */
static void netconf_fallback(sim_lab_t *lab, const char *why) {
  netconf_listeners_close(lab);
  lab->nc_port = 0;
  if (!lab->opt.quiet)
    fprintf(stderr, "nethost-sim: NETCONF on the SSH port only (not 830: %s)\n", why);
}

/* The NETCONF port: a second listener on each cisco_ios and juniper_junos device's own
 * address, as real devices serve NETCONF on 830. Listeners cost descriptors, so auto opens
 * them only while all the lab's listeners take at most half the open-file limit (10,000
 * devices under a 20,000 limit keep the subsystem on the SSH port, and the other half of
 * the descriptors for sessions). Returns -1 after printing why when an explicit port
 * cannot be bound. */
static int netconf_listen(sim_lab_t *lab) {
  int want = lab->opt.netconf_port, autop = want == NC_PORT_AUTO;
  int port = autop ? 830 : want;
  long listeners = 0, count = 0;
  char err[256];
  lab->nc_port = 0;
  if (want == NC_PORT_SAME || port == lab->opt.port) return 0;
  for (int i = 0; i < lab->ndevs; i++) {
    const sim_device_t *dev = &lab->devs[i];
    if (dev->faults & (1 << FAULT_REFUSE)) continue;
    listeners += lab->opt.http ? 2 : 1;
    count += speaks_netconf(dev);
  }
  if (count == 0) return 0;
  struct rlimit rl;
  if (autop && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      (rlim_t)(listeners + count) > rl.rlim_cur / 2) {
    char why[128];
    snprintf(why, sizeof why, "%ld listeners would take more than half the open-file limit %llu",
             listeners + count, (unsigned long long)rl.rlim_cur);
    netconf_fallback(lab, why);
    return 0;
  }
  lab->nc_port = port;
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *dev = &lab->devs[i];
    if (!speaks_netconf(dev) || (dev->faults & (1 << FAULT_REFUSE))) continue;
    int fd = sim_listen_socket(dev->in, port, err, sizeof err);
    if (fd < 0) {
      if (autop && (errno == EACCES || errno == EADDRINUSE || errno == EPERM)) {
        netconf_fallback(lab, err);
        return 0;
      }
      fprintf(stderr, "nethost-sim: %s: cannot listen on %s (NETCONF port)\n", dev->name, err);
      return -1;
    }
    dev->nc_fd = fd;
    uv_poll_init(lab->loop, &dev->nc_poll, fd);
    dev->nc_poll.data = dev;
  }
  return 0;
}

int server_start(sim_lab_t *lab) {
  char err[256];
  uv_timer_init(lab->loop, &lab->accept_timer);
  lab->accept_timer.data = lab;
  lab->accept_timer_on = 1;
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *dev = &lab->devs[i];
    dev->listen_fd = -1;
    /* A refusing device has no listener at all: the kernel answers with a reset. */
    if (dev->faults & (1 << FAULT_REFUSE)) continue;
    int fd = sim_listen_socket(dev->in, lab->opt.port, err, sizeof err);
    if (fd < 0) {
      fprintf(stderr, "nethost-sim: %s: cannot listen on %s\n", dev->name, err);
      return -1;
    }
    dev->listen_fd = fd;
    uv_poll_init(lab->loop, &dev->listen_poll, fd);
    dev->listen_poll.data = dev;
  }
  if (netconf_listen(lab)) return -1;
  listeners_start(lab);
  return 0;
}

void server_stop(sim_lab_t *lab) {
  for (int i = 0; i < lab->ndevs; i++) {
    sim_device_t *dev = &lab->devs[i];
    if (dev->listen_fd >= 0) {
      uv_poll_stop(&dev->listen_poll);
      uv_close((uv_handle_t *)&dev->listen_poll, NULL);
      close(dev->listen_fd);
      dev->listen_fd = -1;
    }
  }
  netconf_listeners_close(lab);
  if (lab->accept_timer_on) {
    lab->accept_timer_on = 0;
    uv_close((uv_handle_t *)&lab->accept_timer, NULL);
  }
}

void server_close_all(sim_lab_t *lab) {
  for (conn_t *c = live_conns; c; c = c->next) conn_close(c);
}
