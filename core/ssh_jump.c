/* nethost core: SSH through jump hosts (OpenSSH's ProxyJump), in the loop.
 *
 * A connection through a jump host is an ordinary nh_ssh_t whose libssh2 session sends and
 * receives through a direct-tcpip channel of a connection to the jump host instead of a
 * socket (libssh2's LIBSSH2_CALLBACK_SEND / _RECV). That channel is a job of the jump
 * host's connection like an exec; two buffers sit between them:
 *
 *   device session --send--> out --(tunnel job: channel write)--> jump host
 *   device session <--recv-- in  <--(tunnel job: channel read)--- jump host
 *
 * The tunnel job wakes the device's pump whenever it moved bytes, and the device's send
 * and recv callbacks kick the jump host's pump; so neither side needs a socket of its own
 * and nothing blocks. A jump host reached through another jump host is the same again, so
 * any number of hops works.
 *
 * Connections to a hop are pooled per chain of hops (a jump_t, one per loop and chain):
 * each carries up to max_sessions tunnels, and up to max_connections are opened; device
 * connections beyond that wait in the entry's queue. A pooled connection closes when its
 * last tunnel is gone. A hop that fails, while connecting or later, fails the device
 * connections it carries with its own stage and detail, naming the hop; the next device
 * connection opens a new one.
 */
#include "ssh_channel.h"
#include "container.h"
#include "error.h"
#include "list.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_SESSIONS    10
#define DEFAULT_MAX_CONNECTIONS 10
/* Bytes buffered each way per tunnel: a little more than libssh2's largest packet. */
#define TUNNEL_BUF (64u * 1024)

typedef struct jconn_s jconn_t;

struct nh_ssh_jump_s {
  nh_ssh_jump_t *next; /* every entry of the loop's pool */
  nh_loop_t *loop;
  int refs;
  char *key; /* "user@address:port" of each hop, joined by ">" */
  nh_ssh_config_t cfg;
  char label[160]; /* "bastion1 (127.0.0.1:22)" for messages */
  nh_ssh_jump_t *via;
  unsigned max_sessions, max_connections;
  jconn_t *conns; /* usable connections: connecting or ready */
  unsigned nconns;
  nh_list_t waiting; /* device connections waiting for room (nh_ssh_tunnel_t.wait_link) */
  nh_ready_t dispatch;
};

struct jconn_s {
  jconn_t *next;
  nh_ssh_jump_t *jump; /* NULL once out of the entry's list */
  nh_ssh_t *ssh;
  nh_ssh_connect_t req;
  unsigned users; /* tunnels attached */
  int connecting; /* the connect callback has not run yet */
  int closing;
  nh_ready_t close_later;
};

enum { T_WAIT, T_OPEN, T_RUN, T_CLOSE, T_FREE };

struct nh_ssh_tunnel_s {
  nh_ssh_job_t job; /* first member; linked on conn->ssh from attach to finish */
  nh_list_t wait_link;
  nh_ssh_t *dev; /* NULL once the device let go */
  nh_ssh_jump_t *jump;
  jconn_t *conn; /* NULL while waiting, and after the connection died */
  LIBSSH2_CHANNEL *ch;
  int state;
  int calling; /* a libssh2 call returned EAGAIN: it must be repeated before anything else */
  int eof, dead;
  char *host;
  int port;
  char in[TUNNEL_BUF], out[TUNNEL_BUF];
  size_t in_off, in_len, out_off, out_len;
};

/* The pool entries of one loop: connections of two loops never share a hop connection.
 * Entries are freed with their last reference, before their loop closes. */
typedef struct {
  nh_loop_state_t base; /* first member */
  nh_ssh_jump_t *entries;
} pool_t;

static const char pool_key;

static void pool_close(nh_loop_state_t *base) {
  free(base);
}

static pool_t *pool_of(nh_loop_t *loop) {
  return (pool_t *)nh_loop_state_get(loop, &pool_key, sizeof(pool_t), pool_close);
}

static void dispatch_later(nh_ssh_jump_t *j);
static void conn_release(jconn_t *c);
static void conn_unlist(jconn_t *c);

/* Configurations */

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

static void cfg_free(nh_ssh_config_t *c) {
  int i;
  free((char *)c->name);
  free((char *)c->address);
  free((char *)c->user);
  if (c->password) {
    memset((char *)c->password, 0, strlen(c->password));
    free((char *)c->password);
  }
  free((char *)c->key_file);
  if (c->key_passphrase) {
    memset((char *)c->key_passphrase, 0, strlen(c->key_passphrase));
    free((char *)c->key_passphrase);
  }
  free((char *)c->known_hosts);
  for (i = 0; i < NH_SSH_ALG_COUNT; i++) free((char *)c->algorithms[i]);
  memset(c, 0, sizeof(*c));
}

static int cfg_copy(nh_ssh_config_t *d, const nh_ssh_config_t *s) {
  int i, ok = 1;
  *d = *s;
  d->jumps = NULL;
  d->njumps = 0;
#define COPY(f)                \
  do {                         \
    d->f = dup_or_null(s->f);  \
    if (s->f && !d->f) ok = 0; \
  } while (0)
  COPY(name);
  COPY(address);
  COPY(user);
  COPY(password);
  COPY(key_file);
  COPY(key_passphrase);
  COPY(known_hosts);
  for (i = 0; i < NH_SSH_ALG_COUNT; i++) COPY(algorithms[i]);
#undef COPY
  if (!ok) cfg_free(d);
  return ok ? 0 : NH_ENOMEM;
}

/* Pool entries */

void nh__jump_ref(nh_ssh_jump_t *j) {
  j->refs++;
}

void nh__jump_unref(nh_ssh_jump_t *j) {
  nh_ssh_jump_t **pp;
  if (!j || --j->refs > 0) return;
  for (pp = &pool_of(j->loop)->entries; *pp; pp = &(*pp)->next) {
    if (*pp == j) {
      *pp = j->next;
      break;
    }
  }
  nh_loop_unpost(&j->dispatch);
  /* Connections still closing point at their entry no more. */
  while (j->conns) {
    jconn_t *c = j->conns;
    j->conns = c->next;
    c->jump = NULL;
  }
  if (j->via) nh__jump_unref(j->via);
  cfg_free(&j->cfg);
  free(j->key);
  free(j);
}

static nh_ssh_jump_t *entry_get(nh_loop_t *loop, const nh_ssh_config_t *hop, nh_ssh_jump_t *via) {
  char key[1024];
  nh_ssh_jump_t *j;
  pool_t *pool;
  int port = hop->port ? hop->port : 22;
  if (!hop->address || !*hop->address || !hop->user || port < 0 || port > 65535) return NULL;
  if (!(pool = pool_of(loop))) return NULL;
  snprintf(key, sizeof(key), "%s%s%s@%s:%d", via ? via->key : "", via ? ">" : "", hop->user,
           hop->address, port);
  for (j = pool->entries; j; j = j->next) {
    if (!strcmp(j->key, key)) {
      j->refs++;
      return j;
    }
  }
  if (!(j = calloc(1, sizeof(*j)))) return NULL;
  if (!(j->key = strdup(key)) || cfg_copy(&j->cfg, hop) < 0) {
    free(j->key);
    free(j);
    return NULL;
  }
  j->loop = loop;
  j->refs = 1;
  nh_list_init(&j->waiting);
  j->max_sessions = hop->max_sessions ? hop->max_sessions : DEFAULT_MAX_SESSIONS;
  j->max_connections = hop->max_connections ? hop->max_connections : DEFAULT_MAX_CONNECTIONS;
  if (hop->name && *hop->name && strstr(hop->name, hop->address))
    snprintf(j->label, sizeof(j->label), "%s", hop->name); /* a ProxyJump string */
  else if (hop->name && *hop->name)
    snprintf(j->label, sizeof(j->label), "%s (%s:%d)", hop->name, hop->address, port);
  else
    snprintf(j->label, sizeof(j->label), "%s:%d", hop->address, port);
  if (via) {
    via->refs++;
    j->via = via;
  }
  j->next = pool->entries;
  pool->entries = j;
  return j;
}

int nh__jump_chain(nh_loop_t *loop, const nh_ssh_config_t *hops, size_t n, nh_ssh_jump_t **out) {
  nh_ssh_jump_t *via = NULL, *j = NULL;
  size_t i;
  for (i = 0; i < n; i++) {
    j = entry_get(loop, &hops[i], via);
    if (via) nh__jump_unref(via);
    if (!j) return hops[i].address && hops[i].user ? NH_ENOMEM : NH_EINVAL;
    via = j;
  }
  *out = j;
  return 0;
}

/* Tunnels: the job on the jump host's connection */

static void tunnel_free(nh_ssh_tunnel_t *t) {
  free(t->host);
  free(t);
}

/* The job is done with its channel: detach from the connection, free unless the device
 * still owns the tunnel. */
static void tunnel_finish(nh_ssh_tunnel_t *t) {
  jconn_t *c = t->conn;
  nh__ssh_job_remove(&t->job);
  t->conn = NULL;
  t->ch = NULL;
  t->dead = 1;
  if (c) conn_release(c);
  if (!t->dev) tunnel_free(t);
}

/* Tells the device its tunnel failed, with the failure of the jump host (hop) or detail. */
static void tunnel_fail_dev(nh_ssh_tunnel_t *t, nh_ssh_t *hop, int code) {
  nh_ssh_t *dev = t->dev;
  const nh_ssh_failure_t *f = hop ? nh_ssh_failure(hop) : NULL;
  if (!dev) return;
  if (f && f->stage)
    nh__ssh_fail_detail(dev, f->stage, code, "jump %s: %s", t->jump->label, f->detail);
  else
    nh__ssh_fail_detail(dev, "connection", code, "jump %s: connection lost", t->jump->label);
  nh__ssh_transport_failed(dev, code);
}

/* Moves bytes both ways. Returns 0 (wait), or a negative libssh2 code. */
static int tunnel_move(nh_ssh_tunnel_t *t) {
  nh_ssh_t *b = t->job.ssh;
  int moved = 0;
  ssize_t n;
  while (t->out_len) {
    n = libssh2_channel_write(t->ch, t->out + t->out_off, t->out_len);
    if (n == LIBSSH2_ERROR_EAGAIN) {
      t->calling = 1;
      break;
    }
    t->calling = 0;
    if (n < 0) return (int)n;
    t->out_off += (size_t)n;
    t->out_len -= (size_t)n;
    moved = 1;
  }
  if (!t->out_len) t->out_off = 0;
  while (!t->eof && t->dev) {
    size_t room;
    if (t->in_off && t->in_off + t->in_len == sizeof(t->in)) {
      memmove(t->in, t->in + t->in_off, t->in_len);
      t->in_off = 0;
    }
    room = sizeof(t->in) - t->in_off - t->in_len;
    if (!room) break;
    n = libssh2_channel_read(t->ch, t->in + t->in_off + t->in_len, room);
    if (n == LIBSSH2_ERROR_EAGAIN) break;
    if (n < 0) return (int)n;
    if (n == 0) {
      if (libssh2_channel_eof(t->ch)) {
        t->eof = 1;
        moved = 1;
      }
      break;
    }
    t->in_len += (size_t)n;
    moved = 1;
  }
  if (!t->eof && libssh2_channel_eof(t->ch) && t->in_len == 0) {
    t->eof = 1;
    moved = 1;
  }
  if (moved) {
    b->progress++;
    if (t->dev) nh__ssh_wake(t->dev);
  }
  return 0;
}

static int tunnel_step(nh_ssh_job_t *job) {
  nh_ssh_tunnel_t *t = (nh_ssh_tunnel_t *)job;
  nh_ssh_t *b = job->ssh;
  int rc;
  for (;;) {
    switch (t->state) {
    case T_OPEN:
      if (!t->calling) {
        if (!t->dev) {
          tunnel_finish(t);
          return 0;
        }
        /* The hop is ready: from now on the device's connect stage has its deadline. */
        nh__ssh_stage_begin(t->dev, "connect");
        if (!t->dev) continue;
      }
      t->ch = libssh2_channel_direct_tcpip_ex(b->session, t->host, t->port, "127.0.0.1", 22);
      if (!t->ch) {
        rc = libssh2_session_last_errno(b->session);
        if (rc == LIBSSH2_ERROR_EAGAIN) {
          t->calling = 1;
          goto blocked;
        }
        t->calling = 0;
        if (nh__ssh_fatal(rc)) return NH_ECLOSED;
        if (t->dev) {
          nh__ssh_fail_detail(t->dev, "connect", NH_ECONNREFUSED,
                              "TCP connect to %s port %d via jump %s failed: %s", t->host, t->port,
                              t->jump->label, nh__ssh_errmsg(b));
          nh__ssh_transport_failed(t->dev, NH_ECONNREFUSED);
        }
        tunnel_finish(t);
        return 0;
      }
      t->calling = 0;
      b->progress++;
      if (!t->dev) {
        t->state = T_CLOSE;
        break;
      }
      t->state = T_RUN;
      nh__ssh_transport_ready(t->dev);
      break;
    case T_RUN:
      rc = tunnel_move(t);
      if (rc < 0) {
        if (nh__ssh_fatal(rc)) return NH_ECLOSED;
        t->dead = 1;
        if (t->dev) {
          nh__ssh_fail_detail(t->dev, "connection", NH_ECLOSED, "jump %s: tunnel failed: %s",
                              t->jump->label, nh__ssh_errmsg(b));
          nh__ssh_wake(t->dev);
        }
        t->state = T_CLOSE;
        break;
      }
      /* After the device let go, what it still sent (its disconnect) goes out first. */
      if (!t->dev && !t->calling) {
        t->state = T_CLOSE;
        break;
      }
      if (t->eof && t->dev) nh__ssh_wake(t->dev);
      goto blocked;
    case T_CLOSE:
      if ((rc = nh__ssh_channel_close(b, t->ch)) == NH_SSH_AGAIN) goto blocked;
      if (rc < 0) return rc;
      t->state = T_FREE;
      break;
    case T_FREE:
      if (nh__ssh_channel_free(b, t->ch) == NH_SSH_AGAIN) goto blocked;
      tunnel_finish(t);
      return 0;
    default:
      goto blocked;
    }
  }
blocked:
  nh__ssh_job_blocked(job);
  return 0;
}

/* The jump host's connection is gone (failed to connect, dropped, or closed). */
static void tunnel_abort(nh_ssh_job_t *job, int status) {
  nh_ssh_tunnel_t *t = (nh_ssh_tunnel_t *)job;
  nh_ssh_t *b = job->ssh;
  jconn_t *c = t->conn;
  int code = b->fail_code ? b->fail_code : status == NH_ECANCELED ? NH_ECANCELED : NH_ECLOSED;
  t->ch = NULL; /* freed with the session */
  t->dead = 1;
  t->conn = NULL;
  if (c) {
    conn_unlist(c); /* a connection that lost its tunnels this way takes no new ones */
    conn_release(c);
  }
  if (!t->dev) {
    tunnel_free(t);
    return;
  }
  /* The device now owns t alone; failing it may free t (through nh__jump_close). */
  if (t->dev->deaf)
    nh__ssh_wake(t->dev);
  else
    tunnel_fail_dev(t, b, code);
}

/* Pooled connections */

static void conn_free(jconn_t *c) {
  free(c);
}

static void conn_closed_cb(nh_ssh_t *ssh) {
  jconn_t *c = nh_ssh_get_data(ssh);
  c->ssh = NULL;
  if (!c->connecting) conn_free(c);
}

static void conn_close_cb(nh_ready_t *ready) {
  jconn_t *c = nh_container_of(ready, jconn_t, close_later);
  nh_ssh_close(c->ssh, conn_closed_cb, 1);
}

static void conn_unlist(jconn_t *c) {
  jconn_t **pp;
  if (!c->jump) return;
  for (pp = &c->jump->conns; *pp; pp = &(*pp)->next) {
    if (*pp == c) {
      *pp = c->next;
      c->jump->nconns--;
      break;
    }
  }
  dispatch_later(c->jump);
  c->jump = NULL;
}

/* A tunnel left c. The last one closes it (later: this may run inside c's own teardown). */
static void conn_release(jconn_t *c) {
  if (c->users) c->users--;
  if (c->jump) dispatch_later(c->jump);
  if (c->users == 0 && !c->closing) {
    c->closing = 1;
    conn_unlist(c);
    nh_loop_post(c->ssh->loop, &c->close_later, conn_close_cb);
  }
}

static void conn_connect_cb(nh_op_t *op, int status) {
  jconn_t *c = nh_container_of((nh_ssh_connect_t *)op, jconn_t, req);
  c->connecting = 0;
  if (!c->ssh) {
    conn_free(c); /* closed meanwhile */
    return;
  }
  if (status < 0) conn_unlist(c); /* its tunnels were failed by the teardown */
}

static jconn_t *conn_open(nh_ssh_jump_t *j) {
  jconn_t *c = calloc(1, sizeof(*c));
  int rc;
  if (!c) return NULL;
  if (!(c->ssh = nh_ssh_new(j->loop))) {
    free(c);
    return NULL;
  }
  nh_ssh_set_data(c->ssh, c);
  c->jump = j;
  rc = nh__ssh_connect_via(&c->req, c->ssh, &j->cfg, j->via, conn_connect_cb);
  if (rc < 0) {
    nh_ssh_close(c->ssh, NULL, 1);
    free(c);
    return NULL;
  }
  c->connecting = 1;
  c->next = j->conns;
  j->conns = c;
  j->nconns++;
  return c;
}

/* Gives waiting device connections a place on a connection with room, opening new
 * connections up to the limit. */
static void dispatch_cb(nh_ready_t *ready) {
  nh_ssh_jump_t *j = nh_container_of(ready, nh_ssh_jump_t, dispatch);
  while (!nh_list_empty(&j->waiting)) {
    nh_ssh_tunnel_t *t = nh_container_of(j->waiting.next, nh_ssh_tunnel_t, wait_link);
    jconn_t *c, *best = NULL;
    for (c = j->conns; c; c = c->next) {
      if (c->closing || c->users >= j->max_sessions) continue;
      if (!best || (nh_ssh_is_ready(c->ssh) && !nh_ssh_is_ready(best->ssh))) best = c;
    }
    if (!best && j->nconns < j->max_connections) best = conn_open(j);
    if (!best) {
      if (j->nconns == 0) {
        /* Out of memory with nothing open: fail rather than wait forever. */
        nh_list_remove(&t->wait_link);
        t->state = T_FREE;
        t->dead = 1;
        if (t->dev) {
          nh__ssh_fail_detail(t->dev, "connect", NH_ENOMEM, "jump %s: out of memory", j->label);
          nh__ssh_transport_failed(t->dev, NH_ENOMEM);
        }
        continue;
      }
      return;
    }
    nh_list_remove(&t->wait_link);
    t->conn = best;
    best->users++;
    t->state = T_OPEN;
    nh__ssh_job_add(best->ssh, &t->job);
  }
}

static void dispatch_later(nh_ssh_jump_t *j) {
  if (!nh_list_empty(&j->waiting)) nh_loop_post(j->loop, &j->dispatch, dispatch_cb);
}

/* The device's side */

int nh__jump_open(nh_ssh_t *ssh) {
  nh_ssh_jump_t *j = ssh->jump;
  nh_ssh_tunnel_t *t = calloc(1, sizeof(*t));
  if (!t) return NH_ENOMEM;
  if (!(t->host = strdup(ssh->address))) {
    free(t);
    return NH_ENOMEM;
  }
  t->port = ssh->port;
  t->dev = ssh;
  t->jump = j;
  t->state = T_WAIT;
  t->job.step = tunnel_step;
  t->job.abort = tunnel_abort;
  ssh->tunnel = t;
  nh_list_append(&j->waiting, &t->wait_link);
  nh_loop_post(j->loop, &j->dispatch, dispatch_cb);
  return 0;
}

void nh__jump_close(nh_ssh_t *ssh) {
  nh_ssh_tunnel_t *t = ssh->tunnel;
  ssh->tunnel = NULL;
  t->dev = NULL;
  if (t->state == T_WAIT) {
    nh_list_remove(&t->wait_link);
    tunnel_free(t);
    return;
  }
  if (t->dead || !t->conn) {
    /* The job already finished or was aborted (and kept the tunnel for us). */
    if (!t->job.next) tunnel_free(t);
    return;
  }
  /* The job finishes its libssh2 call, then closes the channel. */
  nh__ssh_kick(t->conn->ssh);
}

static ssize_t tunnel_send(libssh2_socket_t fd, const void *buf, size_t len, int flags,
                           void **abstract) {
  nh_ssh_t *ssh = *abstract;
  nh_ssh_tunnel_t *t = ssh->tunnel;
  size_t room;
  (void)fd;
  (void)flags;
  if (!t || t->dead || !t->conn) return -ECONNRESET;
  if (t->out_off && t->out_off + t->out_len > sizeof(t->out) / 2) {
    memmove(t->out, t->out + t->out_off, t->out_len);
    t->out_off = 0;
  }
  room = sizeof(t->out) - t->out_off - t->out_len;
  if (!room) return -EAGAIN;
  if (len > room) len = room;
  memcpy(t->out + t->out_off + t->out_len, buf, len);
  t->out_len += len;
  nh__ssh_sent(ssh, len);
  nh__ssh_kick(t->conn->ssh);
  return (ssize_t)len;
}

static ssize_t tunnel_recv(libssh2_socket_t fd, void *buf, size_t len, int flags, void **abstract) {
  nh_ssh_t *ssh = *abstract;
  nh_ssh_tunnel_t *t = ssh->tunnel;
  (void)fd;
  (void)flags;
  if (!t) return -ECONNRESET;
  if (t->in_len) {
    int was_full = t->in_off + t->in_len == sizeof(t->in);
    if (len > t->in_len) len = t->in_len;
    memcpy(buf, t->in + t->in_off, len);
    t->in_off += len;
    t->in_len -= len;
    if (!t->in_len) t->in_off = 0;
    if (was_full && t->conn) nh__ssh_kick(t->conn->ssh);
    nh__ssh_received(ssh, len);
    return (ssize_t)len;
  }
  if (t->eof) return 0;
  if (t->dead || !t->conn) return -ECONNRESET;
  return -EAGAIN;
}

int nh__jump_fd(void) {
  /* Non-blocking already, so libssh2 leaves its flags alone; shared by every tunnel. */
  static int fd = -1;
  if (fd < 0) fd = open("/dev/null", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  return fd;
}

void nh__jump_install(nh_ssh_t *ssh) {
  libssh2_session_callback_set(ssh->session, LIBSSH2_CALLBACK_SEND, (void *)tunnel_send);
  libssh2_session_callback_set(ssh->session, LIBSSH2_CALLBACK_RECV, (void *)tunnel_recv);
}
