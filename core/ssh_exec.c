/* nethost core: exec channels — open, exec, read stdout and stderr until the channel
 * closes, collect the exit status, free. The channel's life is core/ssh_channel.c's; this
 * file gives its exec request, its reading and its result.
 *
 * The job is allocated apart from the request: when the request is cancelled or times out,
 * the request completes at once and the job stays with the connection as a "closer" that
 * finishes the libssh2 call it was in (libssh2 must see the same call again after EAGAIN)
 * and then closes and frees the channel in the background.
 */
#include "ssh_channel.h"
#include "error.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_OUTPUT (64u << 20)

typedef struct {
  nh_ssh_channel_t c; /* first member; c.status: the result to deliver after close */
  nh_ssh_exec_t *req; /* NULL once detached */
  char *command;
} exec_job_t;

/* Completes the request (if still attached) with status. */
static void exec_finish(nh_ssh_channel_t *c, int status) {
  exec_job_t *x = (exec_job_t *)c;
  nh_ssh_exec_t *req = x->req;
  if (!req) return;
  x->req = NULL;
  req->job = NULL;
  nh__op_done(&req->op, status);
}

static void exec_release(nh_ssh_channel_t *c) {
  exec_job_t *x = (exec_job_t *)c;
  free(x->command);
  free(x);
}

/* Reads everything available from both streams. Returns 1 at EOF, 0 on EAGAIN, or a
 * negative libssh2 / NH_E* code. */
static int read_streams(exec_job_t *x) {
  nh_ssh_exec_t *req = x->req;
  char scratch[16384];
  for (;;) {
    int progress = 0, stream;
    uint64_t rx = x->c.job.ssh->rx_bytes;
    for (stream = 0; stream < 2; stream++) {
      char **buf = stream ? &req->err : &req->out;
      size_t *len = stream ? &req->err_len : &req->out_len;
      size_t *cap = stream ? &req->err_cap : &req->out_cap;
      ssize_t n;
      char *dst = scratch;
      size_t room = sizeof(scratch);
      if (req) {
        if (req->out_len + req->err_len >= req->max_output) return NH_ETOOBIG;
        /* A large output, whose buffer doubles, is read straight into it while it has a
         * scratch buffer's worth of room. Otherwise the read goes to the stack and only
         * what came is kept: growing the buffer to 4 KB of room before each read made a
         * 1 KB answer hold 12 KB (8 KB stdout, 4 KB empty stderr) per open session
         * (tests/bench/ssh/README.md). */
        if (*cap - *len >= sizeof(scratch)) {
          dst = *buf + *len;
          room = *cap - *len;
        }
        if (room > req->max_output - req->out_len - req->err_len + 1)
          room = req->max_output - req->out_len - req->err_len + 1;
      }
      n = libssh2_channel_read_ex(x->c.ch, stream, dst, room);
      nh__ssh_trace(x->c.job.ssh, stream ? "channel_read(stderr)" : "channel_read(stdout)", (int)n);
      if (n == LIBSSH2_ERROR_EAGAIN) continue;
      if (n < 0) {
        if (!x->c.lost && nh__ssh_lost(x->c.job.ssh, (int)n)) {
          x->c.lost = (int)n;
          progress = 1;
          continue;
        }
        return x->c.lost ? x->c.lost : (int)n;
      }
      if (n > 0) {
        progress = 1;
        x->c.job.ssh->progress++;
        if (req) {
          if (dst == scratch) {
            if (nh_grow((void **)buf, cap, *len + (size_t)n, 1, 512) < 0) return NH_ENOMEM;
            memcpy(*buf + *len, scratch, (size_t)n);
          }
          *len += (size_t)n;
        }
      }
    }
    /* A read of one stream takes every packet off the socket, the other stream's data
     * and the EOF and close with it (a stderr read that finds EOF returns 0): read again
     * whenever libssh2 received anything, or that data waits on a drained socket. */
    if (x->c.job.ssh->rx_bytes != rx) progress = 1;
    if (libssh2_channel_eof(x->c.ch)) {
      nh__ssh_trace(x->c.job.ssh, "channel_eof", 1);
      /* Drain what is still queued before EOF counts. */
      if (!progress) return 1;
      continue;
    }
    if (!progress) return x->c.lost; /* 0 (wait for more), or the loss once drained */
  }
}

/* Copies the exit status or signal the server sent (no I/O). */
static void take_exit(nh_ssh_channel_t *c) {
  exec_job_t *x = (exec_job_t *)c;
  char *sig = NULL;
  size_t siglen = 0;
  if (!x->req) return;
  x->req->exit_status = libssh2_channel_get_exit_status(x->c.ch);
  if (libssh2_channel_get_exit_signal(x->c.ch, &sig, &siglen, NULL, NULL, NULL, NULL) == 0 && sig) {
    x->req->exit_signal = strdup(sig);
    x->req->exit_status = -1;
  }
  if (sig) libssh2_free(x->c.job.ssh->session, sig);
}

static int exec_call(nh_ssh_channel_t *c) {
  exec_job_t *x = (exec_job_t *)c;
  return libssh2_channel_process_startup(c->ch, "exec", 4, x->command,
                                         (unsigned)strlen(x->command));
}

static int exec_live(nh_ssh_channel_t *c) {
  exec_job_t *x = (exec_job_t *)c;
  nh_ssh_t *ssh = c->job.ssh;
  int rc = read_streams(x);
  if (rc == 0) return NH_SSH_AGAIN;
  /* The device sent its output and EOF, then the connection went (a server that
   * disconnects right after answering): the result is complete. The channel cannot be
   * closed any more (its close would wait for a peer that is gone) and goes with the
   * session, which the pump fails next (the connection is deaf). */
  if (rc == 1 && c->lost) return NH_SSH_DROP;
  if (rc == 1) return 0;
  if (rc == NH_ETOOBIG) {
    nh__ssh_fail_detail(ssh, "read", NH_ETOOBIG, "output exceeds the limit of %zu bytes",
                        x->req->max_output);
    c->status = NH_ETOOBIG;
  } else if (rc == NH_ENOMEM) {
    c->status = NH_ENOMEM;
  } else if (nh__ssh_fatal(rc)) {
    return NH_ECLOSED;
  } else {
    nh__ssh_fail_detail(ssh, "channel", NH_ECHANNEL, "read failed: %s", nh__ssh_errmsg(ssh));
    c->status = NH_ECHANNEL;
  }
  /* A failed request completes now; the channel closes in the background. */
  exec_finish(c, c->status);
  return 0;
}

static const nh_ssh_channel_type_t exec_channel = {
    .requests = {{"channel_exec", "exec", "exec request refused", exec_call}},
    .live = exec_live,
    .closed = take_exit,
    .finish = exec_finish,
    .release = exec_release,
};

static void exec_cancel(nh_op_t *op) {
  nh_ssh_exec_t *req = (nh_ssh_exec_t *)op;
  exec_job_t *x = req->job;
  if (x) {
    if (op->reason == NH_ETIMEDOUT)
      nh__ssh_trace_dump(x->c.job.ssh, x->c.ch, "exec reached its deadline");
    /* Detach: the job finishes its libssh2 call, then closes the channel. */
    x->req = NULL;
    req->job = NULL;
    nh__ssh_channel_detach(&x->c);
  }
  nh__op_done(op, op->reason);
}

static const nh_op_type_t exec_type = {"ssh.exec", exec_cancel};

int nh_ssh_exec(nh_ssh_exec_t *req, nh_ssh_t *ssh, const char *command, uint64_t timeout_ms,
                size_t max_output, nh_op_cb cb) {
  exec_job_t *x;
  memset(req, 0, sizeof(*req));
  req->exit_status = -1;
  if (!nh_ssh_is_ready(ssh)) return NH_ECLOSED;
  nh__ssh_failure_clear(ssh);
  if (!(x = calloc(1, sizeof(*x)))) return NH_ENOMEM;
  if (!(x->command = strdup(command))) {
    free(x);
    return NH_ENOMEM;
  }
  req->ssh = ssh;
  req->max_output = max_output ? max_output : DEFAULT_MAX_OUTPUT;
  req->job = x;
  x->req = req;
  nh__ssh_channel_init(&x->c, &exec_channel, NULL);
  nh__ssh_op_begin(&req->op, ssh, &exec_type, &x->c.job, cb, timeout_ms);
  return 0;
}

void nh_ssh_exec_cleanup(nh_ssh_exec_t *req) {
  free(req->out);
  free(req->err);
  free(req->exit_signal);
  req->out = req->err = req->exit_signal = NULL;
  req->out_len = req->err_len = req->out_cap = req->err_cap = 0;
}
