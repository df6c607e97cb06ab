/* nethost core: what the SSH files share (core/ssh.c, ssh_channel.c, ssh_exec.c,
 * ssh_shell.c, ssh_sftp.c, ssh_jump.c, ssh_knownhosts.c, ssh_limits.c, netconf.c). Not for
 * use outside them. */
#ifndef NH_SSH_INTERNAL_H
#define NH_SSH_INTERNAL_H

#include "list.h"
#include "ssh.h"

#include <libssh2.h>
#include <stddef.h>
#include <uv.h>

typedef struct nh_ssh_job_s nh_ssh_job_t;
typedef struct nh_ssh_jump_s nh_ssh_jump_t;
typedef struct nh_ssh_tunnel_s nh_ssh_tunnel_t;

/* A job is one piece of channel work on a connection (an exec, a shell). The connection's
 * pump steps every job whenever the socket is ready, so a job repeats its pending libssh2
 * call with the same arguments until it stops returning EAGAIN. */
struct nh_ssh_job_s {
  nh_ssh_job_t *next, *prev;
  nh_ssh_t *ssh;
  /* Advances the job as far as it goes without blocking. Returns 0 (the job may have
   * unlinked and freed itself), or a negative NH_E* code when the connection itself is
   * broken: the pump then fails the connection, which aborts every job. */
  int (*step)(nh_ssh_job_t *job);
  /* The connection is gone (status NH_ECLOSED or NH_ECANCELED): complete any pending
   * operation with status and release the job if nobody else owns it. No I/O: the
   * channels are freed with the session. The job is already unlinked. */
  void (*abort)(nh_ssh_job_t *job, int status);
};

/* NETHOST_SSH_TRACE=1 keeps, per connection, a ring of the last libssh2 calls of its
 * jobs; an operation that reaches its deadline prints it with the connection's state, so a
 * session that waits for nothing can be read after the fact (docs/ssh.md, contributors). */
#define NH_SSH_TRACE_LEN 48
typedef struct {
  const char *what; /* the libssh2 call */
  int rc;           /* what it returned */
  int dirs;         /* libssh2_session_block_directions after it */
  uint64_t rx, tx;  /* the connection's byte counters after it */
  uint64_t ms;      /* the loop's clock (uv_now) */
} nh_ssh_trace_entry_t;
typedef struct nh_ssh_trace_s {
  unsigned next; /* entries written so far (the ring index is next % NH_SSH_TRACE_LEN) */
  nh_ssh_trace_entry_t ring[NH_SSH_TRACE_LEN];
} nh_ssh_trace_t;

typedef enum {
  SSH_IDLE,
  SSH_RATE,      /* waiting for a connect-rate token */
  SSH_RESOLVE,   /* uv_getaddrinfo */
  SSH_CONNECT,   /* TCP connect */
  SSH_HANDSHAKE, /* banner + kex */
  SSH_AUTH,
  SSH_READY,
  SSH_FAILED, /* socket released; waiting for nh_ssh_close */
  SSH_CLOSING,
  SSH_CLOSED
} nh_ssh_state_t;

/* Header of every block libssh2 allocates for a session: the session keeps a list of them,
 * so what libssh2 1.10 leaks when a session is freed mid-handshake (its curve25519 key
 * buffers, for one) is released with the session. */
typedef union nh_ssh_block_u {
  struct {
    union nh_ssh_block_u *next, *prev;
    size_t size; /* bytes asked for (after the header) */
  } link;
  max_align_t align;
} nh_ssh_block_t;

struct nh_ssh_s {
  nh_loop_t *loop;
  nh_ssh_block_t blocks; /* sentinel of the list of libssh2's allocations */
  void *data;
  nh_ssh_state_t state;
  LIBSSH2_SESSION *session;
  uv_os_sock_t fd;
  uv_poll_t poll;
  int poll_open;        /* poll initialised and not yet closing */
  int poll_events;      /* events the poll is started for (0: stopped) */
  int pending_uv;       /* libuv requests/handles whose callbacks are outstanding */
  nh_ssh_job_t jobs;    /* sentinel of a circular list */
  nh_ssh_job_t *writer; /* a job holding a partially sent packet: only it may send */
  nh_ready_t kick;      /* deferred pump */
  unsigned progress;    /* bumped by jobs whenever a libssh2 call got somewhere */
  int deaf;             /* the peer is gone; libssh2 receives from nowhere (nh__ssh_lost) */
  int sock_err;         /* the poll reported POLLERR: libuv stopped it; errno-style code */
  uint64_t rx_bytes;    /* bytes libssh2 took off the socket (nh__ssh_recv) */
  uint64_t tx_bytes;    /* bytes libssh2 put on the socket (nh__ssh_send) */
  /* The server's banner line, taken off the socket in one read for libssh2's one-byte
   * banner reads (nh__ssh_recv): what is left of it, from line[line_pos] to line_len. */
  unsigned char line[256];
  unsigned short line_pos, line_len;
  nh_ssh_trace_t *trace; /* NETHOST_SSH_TRACE: the last libssh2 calls, else NULL */
  nh_timer_t stage_timer;
  nh_timer_t keepalive_timer;
  nh_ssh_failure_t failure;
  char fingerprint[80];
  nh_ssh_connect_t *connect_req;
  nh_ssh_close_cb close_cb;
  int free_on_close;
  int counted_open; /* counted in nh_ssh_open_count */
  /* connecting */
  uv_getaddrinfo_t gai;
  struct addrinfo *addrs, *addr_next;
  struct sockaddr_storage numeric;
  int have_numeric;
  int auth_step; /* index into the auth methods tried */
  int auth_tried_any;
  char *auth_methods; /* the server's list, copied */
  char auth_tried[64];
  LIBSSH2_AGENT *agent;
  struct libssh2_agent_publickey *agent_prev, *agent_cur;
  const char *stage; /* the stage the stage timer guards */
  int last_connect_err;
  char auth_note[160];
  void (*after_poll_close)(nh_ssh_t *ssh);
  int agent_state;
  nh_list_t rate_link; /* in the connect-rate queue (ssh_limits.c) */
  int fail_code;       /* the code the connection failed with (0: none) */
  /* Through jump hosts (ssh_jump.c): the chain of hops (a reference), and the tunnel that
   * carries the session's bytes instead of a socket. */
  nh_ssh_jump_t *jump;
  nh_ssh_tunnel_t *tunnel;
  /* the copied configuration */
  char *name, *address, *user, *password, *key_file, *key_passphrase, *known_hosts;
  char *algorithms[NH_SSH_ALG_COUNT];
  int port, use_agent;
  nh_hostkey_policy_t policy;
  uint64_t connect_timeout_ms;
  unsigned keepalive_s;
};

/* libssh2's allocator for ssh's session (use it for memory libssh2 will free). */
void *nh__ssh_alloc(size_t size, void **abstract);

/* Adds job to ssh and schedules a pump so it starts on a later loop iteration. */
void nh__ssh_job_add(nh_ssh_t *ssh, nh_ssh_job_t *job);
/* Starts op, of type, on ssh: job (when not NULL) joins ssh's jobs, else ssh's pump is
 * scheduled for a job already there; the deadline (timeout_ms, 0: none) starts now. */
void nh__ssh_op_begin(nh_op_t *op, nh_ssh_t *ssh, const nh_op_type_t *type, nh_ssh_job_t *job,
                      nh_op_cb cb, uint64_t timeout_ms);
/* Forgets ssh's last failure: a new operation starts, and its failure is the one to tell. */
void nh__ssh_failure_clear(nh_ssh_t *ssh);
/* Unlinks job (releases the writer slot if it held it). */
void nh__ssh_job_remove(nh_ssh_job_t *job);
/* Schedules a pump of ssh on the ready queue. */
void nh__ssh_kick(nh_ssh_t *ssh);
/* After a call returned EAGAIN: if libssh2 is blocked sending, job holds the writer slot. */
void nh__ssh_job_blocked(nh_ssh_job_t *job);
/* Whether job may call into libssh2 now (no other job holds a half-sent packet). */
int nh__ssh_job_may_run(const nh_ssh_job_t *job);
/* Records a failure of stage with a formatted detail. Returns code. */
int nh__ssh_fail_detail(nh_ssh_t *ssh, const char *stage, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* libssh2's last error message for ssh ("" if none). */
const char *nh__ssh_errmsg(nh_ssh_t *ssh);
/* Whether a libssh2 error code means the transport is broken. */
int nh__ssh_fatal(int rc);
/* libssh2's channel reads give up on a socket error before handing over the packets they
 * had already received, so the last output of a device that drops its TCP connection
 * would be lost. Given such an error (rc), this makes libssh2 receive from nowhere: the
 * caller's next reads drain what libssh2 holds, then see EAGAIN, and the caller reports rc
 * (the session is broken and torn down before any other job runs). Returns 1 when the
 * caller should read again, 0 when rc is not a lost connection or it was done already. */
int nh__ssh_lost(nh_ssh_t *ssh, int rc);

/* libssh2 took n bytes from the connection's transport (socket or jump tunnel): counted,
 * and counted as progress, since they may hold packets of any job (see the pump). */
void nh__ssh_received(nh_ssh_t *ssh, size_t n);
/* libssh2 handed n bytes to the connection's transport. */
void nh__ssh_sent(nh_ssh_t *ssh, size_t n);
/* Records a libssh2 call and its result in ssh's trace ring (no-op without a trace). */
void nh__ssh_trace(nh_ssh_t *ssh, const char *what, int rc);
/* Prints ssh's state, its trace ring and, given a channel, the channel's to stderr, headed
 * by why (an operation that reached its deadline). No-op without a trace. */
void nh__ssh_trace_dump(nh_ssh_t *ssh, LIBSSH2_CHANNEL *ch, const char *why);

/* Known hosts (ssh_knownhosts.c). Verifies the session's host key against path under
 * policy; pins it for accept-new. Fills ssh->fingerprint. Returns 0 or NH_EHOSTKEY (with
 * the failure detail set). */
int nh__knownhosts_verify(nh_ssh_t *ssh);
/* Flushes loop's pending accept-new writes now (tests, exit). */
void nh__knownhosts_flush(nh_loop_t *loop);

/* Limits (ssh_limits.c). Asks for a connect-rate token: returns 1 if ssh may connect now,
 * else 0 and calls resume(ssh) later (on loop). */
int nh__ssh_rate_acquire(nh_ssh_t *ssh, void (*resume)(nh_ssh_t *ssh));
/* Removes ssh from the rate queue (close while waiting). */
void nh__ssh_rate_forget(nh_ssh_t *ssh);
/* Counts a connection of loop opened (+1) or closed (-1). Returns 0 or NH_ENOMEM (then
 * the connection is not counted). */
int nh__ssh_count_open(nh_loop_t *loop, int delta);

/* Memory (ssh_mem.c). Gives the whole pages of [ptr, ptr + len) that are all zero back to
 * the kernel; they read as zero again when touched. */
void nh__ssh_trim_zero_pages(void *ptr, size_t len);

/* The transport of a connection through jump hosts (ssh_jump.c, calling back into ssh.c). */

/* Finds or makes the pool entry of the chain of hops (nearest first); *out holds a
 * reference. Returns 0 or NH_ENOMEM / NH_EINVAL. */
int nh__jump_chain(nh_loop_t *loop, const nh_ssh_config_t *hops, size_t n, nh_ssh_jump_t **out);
void nh__jump_ref(nh_ssh_jump_t *jump);
void nh__jump_unref(nh_ssh_jump_t *jump);
/* Starts getting a tunnel to ssh's address and port through ssh->jump. Reports later with
 * nh__ssh_transport_ready or nh__ssh_transport_failed (with ssh's failure set). */
int nh__jump_open(nh_ssh_t *ssh);
/* Makes ssh's libssh2 session send and receive through its tunnel. */
void nh__jump_install(nh_ssh_t *ssh);
/* The descriptor a tunnelled session hands libssh2, which insists on one (never read). */
int nh__jump_fd(void);
/* ssh lets go of its tunnel (the channel closes in the background). */
void nh__jump_close(nh_ssh_t *ssh);
/* Connects ssh as nh_ssh_connect does, through the hops of via (NULL: directly). */
int nh__ssh_connect_via(nh_ssh_connect_t *req, nh_ssh_t *ssh, const nh_ssh_config_t *cfg,
                        nh_ssh_jump_t *via, nh_op_cb cb);
void nh__ssh_transport_ready(nh_ssh_t *ssh);
void nh__ssh_transport_failed(nh_ssh_t *ssh, int code);
/* Starts the deadline of a connecting stage. */
void nh__ssh_stage_begin(nh_ssh_t *ssh, const char *stage);
/* Schedules a pump of ssh while it is handshaking, authenticating or ready. */
void nh__ssh_wake(nh_ssh_t *ssh);

#endif
