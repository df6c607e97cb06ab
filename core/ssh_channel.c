/* nethost core: the life of a session channel (see ssh_channel.h). */
#include "ssh_channel.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

/* Sends the queued bytes. Returns 0 when they are all sent (or dropped: writing failed,
 * which ends the channel's input too), NH_SSH_AGAIN, or NH_ECLOSED. */
static int flush(nh_ssh_channel_t *c) {
  nh_ssh_t *ssh = c->job.ssh;
  while (c->wsent < c->wlen) {
    ssize_t n = libssh2_channel_write(c->ch, c->wbuf + c->wsent, c->wlen - c->wsent);
    nh__ssh_trace(ssh, "channel_write", (int)n);
    if (n == LIBSSH2_ERROR_EAGAIN) return NH_SSH_AGAIN;
    if (n < 0) {
      if (nh__ssh_fatal((int)n)) return NH_ECLOSED;
      nh__ssh_fail_detail(ssh, "channel", NH_ECLOSED, "write failed: %s", nh__ssh_errmsg(ssh));
      c->eof = 1;
      break;
    }
    c->wsent += (size_t)n;
  }
  c->wsent = c->wlen = 0;
  return 0;
}

int nh__ssh_channel_close(nh_ssh_t *ssh, LIBSSH2_CHANNEL *ch) {
  int rc = libssh2_channel_close(ch);
  nh__ssh_trace(ssh, "channel_close", rc);
  if (rc == LIBSSH2_ERROR_EAGAIN) return NH_SSH_AGAIN;
  return rc < 0 && nh__ssh_fatal(rc) ? NH_ECLOSED : 0;
}

int nh__ssh_channel_free(nh_ssh_t *ssh, LIBSSH2_CHANNEL *ch) {
  int rc = libssh2_channel_free(ch);
  nh__ssh_trace(ssh, "channel_free", rc);
  return rc == LIBSSH2_ERROR_EAGAIN ? NH_SSH_AGAIN : 0;
}

/* The job ends with status: the channel is freed, was never opened, or goes with the
 * session. Whoever waits is told; the memory goes unless the user still holds it. */
static void end(nh_ssh_channel_t *c, int status) {
  nh__ssh_job_remove(&c->job);
  c->ch = NULL;
  c->dead = 1;
  nh__ssh_channel_opened(c, status);
  c->type->finish(c, status);
  if (c->detached || !c->kept) c->type->release(c);
}

/* The connection is gone: the channel goes with the session. */
static void channel_abort(nh_ssh_job_t *job, int status) {
  end((nh_ssh_channel_t *)job, status);
}

/* Makes the libssh2 call of c's phase. Returns 0 when it completed (the phase moved on),
 * NH_SSH_AGAIN, NH_ECLOSED, or NH_SSH_DROP when the job has ended. */
static int call(nh_ssh_channel_t *c) {
  nh_ssh_t *ssh = c->job.ssh;
  const nh_ssh_request_t *r;
  int rc;
  switch (c->phase) {
  case NH_CH_OPEN:
    c->ch = libssh2_channel_open_session(ssh->session);
    rc = c->ch ? 0 : libssh2_session_last_errno(ssh->session);
    nh__ssh_trace(ssh, "channel_open_session", rc);
    if (rc == LIBSSH2_ERROR_EAGAIN) return NH_SSH_AGAIN;
    if (rc < 0) {
      if (nh__ssh_fatal(rc)) return NH_ECLOSED;
      nh__ssh_fail_detail(ssh, "channel", NH_ECHANNEL, "cannot open a channel: %s",
                          nh__ssh_errmsg(ssh));
      end(c, c->status = NH_ECHANNEL);
      return NH_SSH_DROP;
    }
    if (c->type->merge_stderr)
      libssh2_channel_handle_extended_data2(c->ch, LIBSSH2_CHANNEL_EXTENDED_DATA_MERGE);
    c->phase = c->detached ? NH_CH_CLOSE : NH_CH_SETUP;
    return 0;
  case NH_CH_SETUP:
    r = &c->type->requests[c->request];
    rc = r->call(c);
    nh__ssh_trace(ssh, r->what, rc);
    if (rc == LIBSSH2_ERROR_EAGAIN) return NH_SSH_AGAIN;
    if (rc < 0) {
      if (nh__ssh_fatal(rc)) return NH_ECLOSED;
      nh__ssh_fail_detail(ssh, r->stage, NH_ECHANNEL, "%s: %s", r->refused, nh__ssh_errmsg(ssh));
      nh__ssh_channel_opened(c, c->status = NH_ECHANNEL);
      c->phase = NH_CH_CLOSE;
      return 0;
    }
    if (++c->request == NH_SSH_REQUESTS || !c->type->requests[c->request].call) {
      if (!c->type->opens_later) nh__ssh_channel_opened(c, 0);
      c->phase = NH_CH_LIVE;
    }
    if (c->detached) c->phase = NH_CH_CLOSE;
    return 0;
  case NH_CH_LIVE:
    if ((rc = flush(c)) != 0) return rc;
    rc = c->detached ? 0 : c->type->live(c);
    if (rc == NH_SSH_DROP) {
      if (c->type->closed) c->type->closed(c);
      end(c, c->status);
    }
    if (rc != 0) return rc;
    c->phase = NH_CH_CLOSE;
    return 0;
  case NH_CH_CLOSE:
    if ((rc = nh__ssh_channel_close(ssh, c->ch)) != 0) return rc;
    if (c->type->closed) c->type->closed(c);
    c->phase = NH_CH_FREE;
    return 0;
  default: /* NH_CH_FREE */
    if ((rc = nh__ssh_channel_free(ssh, c->ch)) != 0) return rc;
    end(c, c->status);
    return NH_SSH_DROP;
  }
}

static int channel_step(nh_ssh_job_t *job) {
  nh_ssh_channel_t *c = (nh_ssh_channel_t *)job;
  for (;;) {
    int rc = call(c);
    if (rc == NH_SSH_AGAIN) {
      nh__ssh_job_blocked(job);
      return 0;
    }
    if (rc == NH_SSH_DROP) return 0; /* the job may be freed */
    if (rc < 0) return rc;
    job->ssh->progress++; /* a call completed: the job moved on */
  }
}

void nh__ssh_channel_init(nh_ssh_channel_t *c, const nh_ssh_channel_type_t *type, nh_op_t *open) {
  c->type = type;
  c->open_op = open;
  c->kept = open != NULL;
  c->phase = NH_CH_OPEN;
  c->job.step = channel_step;
  c->job.abort = channel_abort;
}

void nh__ssh_channel_release(nh_ssh_channel_t *c) {
  free(c->wbuf);
  c->wbuf = NULL;
  c->wlen = c->wsent = 0;
}

int nh__ssh_channel_queue(nh_ssh_channel_t *c, const char *data, size_t len) {
  char *p;
  if (!len) return 0;
  if (c->wsent >= c->wlen) c->wsent = c->wlen = 0;
  if (!(p = realloc(c->wbuf, c->wlen + len))) return NH_ENOMEM;
  memcpy(p + c->wlen, data, len);
  c->wbuf = p;
  c->wlen += len;
  return 0;
}

ssize_t nh__ssh_channel_read(nh_ssh_channel_t *c, char *buf, size_t len) {
  for (;;) {
    ssize_t n = libssh2_channel_read(c->ch, buf, len);
    nh__ssh_trace(c->job.ssh, "channel_read", (int)n);
    if (n == LIBSSH2_ERROR_EAGAIN) return c->lost;
    if (n < 0) {
      if (!c->lost && nh__ssh_lost(c->job.ssh, (int)n)) {
        c->lost = (int)n; /* drain what libssh2 held, then report the loss */
        continue;
      }
      return c->lost ? c->lost : n;
    }
    if (n == 0 && libssh2_channel_eof(c->ch)) c->eof = 1;
    if (n > 0) c->job.ssh->progress++;
    return n;
  }
}

void nh__ssh_channel_detach(nh_ssh_channel_t *c) {
  if (c->dead) {
    c->type->release(c);
    return;
  }
  c->detached = 1;
  if (c->phase == NH_CH_LIVE && c->wsent >= c->wlen) c->phase = NH_CH_CLOSE;
  nh__ssh_kick(c->job.ssh);
}

void nh__ssh_channel_opened(nh_ssh_channel_t *c, int status) {
  nh_op_t *op = c->open_op;
  if (!op) return;
  c->open_op = NULL;
  if (status < 0) {
    c->type->forget(op);
    c->detached = 1; /* nobody will own it: close and free it in the background */
  }
  nh__op_done(op, status);
}

void nh__ssh_channel_cancel_open(nh_ssh_channel_t *c, nh_op_t *op) {
  if (c && c->open_op == op) {
    c->open_op = NULL;
    c->type->forget(op);
    nh__ssh_channel_detach(c);
  }
  nh__op_done(op, op->reason);
}
