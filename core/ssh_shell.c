/* nethost core: PTY shells — a channel with a pseudo-terminal and a shell, read all the
 * time (so the channel window keeps moving even when nobody waits), written and matched by
 * expect requests.
 *
 * The shell owns its pending write: a cancelled expect leaves a half-sent write to finish
 * with the same arguments, as libssh2 requires after EAGAIN.
 */
#include "ssh_internal.h"
#include "error.h"
#include "nethost/plugin.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(NH_SSH_SHELL_WIDTH == NH_PLUGIN_SHELL_WIDTH, "one default shell width");

#define DEFAULT_MAX_BUFFER (64u << 20)
#define LOOKBACK           1024 /* bytes a new search re-examines before the new data */

enum { SH_OPEN, SH_PTY, SH_SHELL, SH_LIVE, SH_CLOSE, SH_FREE };

struct nh_ssh_shell_s {
  nh_ssh_job_t job; /* first member */
  nh_ssh_shell_open_t *open_req;
  nh_ssh_expect_t *expect;
  LIBSSH2_CHANNEL *ch;
  int state;
  int width, height;
  int detached; /* the user closed it: the job frees itself when done */
  int dead;     /* the connection is gone: nothing left but memory */
  int eof;
  int lost; /* the connection died; what libssh2 still held is being drained */
  char *buf;
  size_t len, cap, max;
  char *wbuf;
  size_t wlen, wsent;
  pcre2_match_data *md;
};

static void shell_free(nh_ssh_shell_t *sh) {
  free(sh->buf);
  free(sh->wbuf);
  if (sh->md) pcre2_match_data_free(sh->md);
  free(sh);
}

static void expect_done(nh_ssh_shell_t *sh, int status) {
  nh_ssh_expect_t *req = sh->expect;
  if (!req) return;
  sh->expect = NULL;
  nh__op_done(&req->op, status);
}

static void open_done(nh_ssh_shell_t *sh, int status) {
  nh_ssh_shell_open_t *req = sh->open_req;
  if (!req) return;
  sh->open_req = NULL;
  if (status < 0) {
    req->shell = NULL;
    sh->detached = 1; /* nobody will own it: close and free it in the background */
  }
  nh__op_done(&req->op, status);
}

/* Tries the pending expect's patterns on the buffer; completes it on a match. */
static void try_match(nh_ssh_shell_t *sh) {
  nh_ssh_expect_t *req = sh->expect;
  size_t from, best_start = (size_t)-1, best_end = 0;
  int i, best = -1;
  if (!req) return;
  if (sh->wsent < sh->wlen) return; /* answers come after the question is sent */
  if (req->npatterns == 0) {
    expect_done(sh, 0);
    return;
  }
  from = req->scanned > LOOKBACK ? req->scanned - LOOKBACK : 0;
  for (i = 0; i < req->npatterns; i++) {
    int rc =
        pcre2_match(req->patterns[i]->code, (PCRE2_SPTR)sh->buf, sh->len, from, 0, sh->md, NULL);
    if (rc > 0) {
      PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sh->md);
      if (ov[0] < best_start) {
        best_start = ov[0];
        best_end = ov[1];
        best = i;
      }
    }
  }
  req->scanned = sh->len;
  if (best < 0) return;
  req->data = malloc(best_end + 1);
  if (!req->data) {
    expect_done(sh, NH_ENOMEM);
    return;
  }
  memcpy(req->data, sh->buf, best_end);
  req->data[best_end] = 0;
  req->len = best_end;
  req->which = best;
  req->match_start = best_start;
  memmove(sh->buf, sh->buf + best_end, sh->len - best_end);
  sh->len -= best_end;
  expect_done(sh, 0);
}

/* Reads what is available. Returns 0 (EAGAIN or buffer full) or a negative libssh2 code. */
static int read_all(nh_ssh_shell_t *sh) {
  for (;;) {
    ssize_t n;
    if (sh->cap - sh->len < 4096) {
      size_t ncap = sh->cap ? sh->cap * 2 : 16384;
      char *p;
      if (ncap > sh->max + 1) ncap = sh->max + 1;
      if (ncap <= sh->len + 1) return 0; /* full: the window stalls until consumed */
      if (!(p = realloc(sh->buf, ncap))) return LIBSSH2_ERROR_ALLOC;
      sh->buf = p;
      sh->cap = ncap;
    }
    n = libssh2_channel_read(sh->ch, sh->buf + sh->len, sh->cap - sh->len - 1);
    nh__ssh_trace(sh->job.ssh, "channel_read", (int)n);
    if (n == LIBSSH2_ERROR_EAGAIN) return sh->lost;
    if (n < 0) {
      if (!sh->lost && nh__ssh_lost(sh->job.ssh, (int)n)) {
        sh->lost = (int)n; /* drain what libssh2 held, then report the loss */
        continue;
      }
      return sh->lost ? sh->lost : (int)n;
    }
    if (n == 0) {
      if (libssh2_channel_eof(sh->ch)) sh->eof = 1;
      return 0;
    }
    sh->len += (size_t)n;
    sh->buf[sh->len] = 0;
    sh->job.ssh->progress++;
  }
}

static int shell_step(nh_ssh_job_t *job) {
  nh_ssh_shell_t *sh = (nh_ssh_shell_t *)job;
  nh_ssh_t *ssh = job->ssh;
  int rc;
  for (;;) {
    switch (sh->state) {
    case SH_OPEN:
      sh->ch = libssh2_channel_open_session(ssh->session);
      if (!sh->ch) {
        rc = libssh2_session_last_errno(ssh->session);
        if (rc == LIBSSH2_ERROR_EAGAIN) goto blocked;
        if (nh__ssh_fatal(rc)) return NH_ECLOSED;
        nh__ssh_fail_detail(ssh, "channel", NH_ECHANNEL, "cannot open a channel: %s",
                            nh__ssh_errmsg(ssh));
        open_done(sh, NH_ECHANNEL);
        nh__ssh_job_remove(job);
        shell_free(sh);
        return 0;
      }
      /* A device that writes to stderr in a PTY shell: read it with the output, or its
       * queued data would hold back the channel's EOF (libssh2_channel_eof) for good. */
      libssh2_channel_handle_extended_data2(sh->ch, LIBSSH2_CHANNEL_EXTENDED_DATA_MERGE);
      sh->state = sh->detached ? SH_CLOSE : SH_PTY;
      break;
    case SH_PTY:
      rc = libssh2_channel_request_pty_ex(sh->ch, "vt100", 5, NULL, 0, sh->width, sh->height, 0, 0);
      if (rc == LIBSSH2_ERROR_EAGAIN) goto blocked;
      if (rc < 0) {
        if (nh__ssh_fatal(rc)) return NH_ECLOSED;
        nh__ssh_fail_detail(ssh, "shell", NH_ECHANNEL, "PTY request refused: %s",
                            nh__ssh_errmsg(ssh));
        open_done(sh, NH_ECHANNEL);
        sh->state = SH_CLOSE;
        break;
      }
      sh->state = sh->detached ? SH_CLOSE : SH_SHELL;
      break;
    case SH_SHELL:
      rc = libssh2_channel_shell(sh->ch);
      if (rc == LIBSSH2_ERROR_EAGAIN) goto blocked;
      if (rc < 0) {
        if (nh__ssh_fatal(rc)) return NH_ECLOSED;
        nh__ssh_fail_detail(ssh, "shell", NH_ECHANNEL, "shell request refused: %s",
                            nh__ssh_errmsg(ssh));
        open_done(sh, NH_ECHANNEL);
        sh->state = SH_CLOSE;
        break;
      }
      open_done(sh, 0);
      sh->state = sh->detached ? SH_CLOSE : SH_LIVE;
      break;
    case SH_LIVE:
      while (sh->wsent < sh->wlen) {
        ssize_t n = libssh2_channel_write(sh->ch, sh->wbuf + sh->wsent, sh->wlen - sh->wsent);
        nh__ssh_trace(ssh, "channel_write", (int)n);
        if (n == LIBSSH2_ERROR_EAGAIN) goto blocked;
        if (n < 0) {
          if (nh__ssh_fatal((int)n)) return NH_ECLOSED;
          nh__ssh_fail_detail(ssh, "channel", NH_ECLOSED, "write failed: %s", nh__ssh_errmsg(ssh));
          sh->eof = 1;
          sh->wsent = sh->wlen;
          break;
        }
        sh->wsent += (size_t)n;
      }
      if (sh->wsent >= sh->wlen) sh->wsent = sh->wlen = 0;
      if (sh->detached) {
        sh->state = SH_CLOSE;
        break;
      }
      if (!sh->eof && (rc = read_all(sh)) < 0) {
        if (nh__ssh_fatal(rc)) {
          try_match(sh); /* what arrived before the connection died still answers */
          return NH_ECLOSED;
        }
        sh->eof = 1;
      }
      try_match(sh);
      if (sh->expect && sh->len >= sh->max) {
        nh__ssh_fail_detail(ssh, "read", NH_ETOOBIG, "output exceeds the limit of %zu bytes",
                            sh->max);
        expect_done(sh, NH_ETOOBIG);
      }
      if (sh->eof) {
        if (sh->expect) {
          nh__ssh_fail_detail(ssh, "channel", NH_ECLOSED, "the device closed the session");
          expect_done(sh, NH_ECLOSED);
        }
        sh->state = SH_CLOSE; /* the buffer stays readable */
        break;
      }
      goto blocked;
    case SH_CLOSE:
      rc = libssh2_channel_close(sh->ch);
      if (rc == LIBSSH2_ERROR_EAGAIN) goto blocked;
      if (rc < 0 && nh__ssh_fatal(rc)) return NH_ECLOSED;
      sh->state = SH_FREE;
      break;
    case SH_FREE:
      rc = libssh2_channel_free(sh->ch);
      if (rc == LIBSSH2_ERROR_EAGAIN) goto blocked;
      sh->ch = NULL;
      nh__ssh_job_remove(job);
      if (sh->detached) {
        shell_free(sh);
      } else {
        sh->dead = 1;
      }
      return 0;
    }
    ssh->progress++; /* a call completed: the job moved on */
  }
blocked:
  nh__ssh_job_blocked(job);
  return 0;
}

static void shell_abort(nh_ssh_job_t *job, int status) {
  nh_ssh_shell_t *sh = (nh_ssh_shell_t *)job;
  open_done(sh, status);
  expect_done(sh, status);
  sh->ch = NULL; /* freed with the session */
  sh->dead = 1;
  if (sh->detached) shell_free(sh);
}

static void open_cancel(nh_op_t *op) {
  nh_ssh_shell_open_t *req = (nh_ssh_shell_open_t *)op;
  nh_ssh_shell_t *sh = req->shell;
  if (sh && sh->open_req == req) {
    sh->open_req = NULL;
    sh->detached = 1;
    req->shell = NULL;
    nh__ssh_kick(sh->job.ssh);
  }
  nh__op_done(op, op->reason);
}

static const nh_op_type_t open_type = {"ssh.shell", open_cancel};

int nh_ssh_shell_open(nh_ssh_shell_open_t *req, nh_ssh_t *ssh, int width, int height,
                      size_t max_buffer, uint64_t timeout_ms, nh_op_cb cb) {
  nh_ssh_shell_t *sh;
  req->shell = NULL;
  if (!nh_ssh_is_ready(ssh)) return NH_ECLOSED;
  ssh->failure.stage = NULL;
  ssh->failure.detail[0] = 0;
  if (!(sh = calloc(1, sizeof(*sh)))) return NH_ENOMEM;
  if (!(sh->md = pcre2_match_data_create(1, NULL))) {
    free(sh);
    return NH_ENOMEM;
  }
  sh->width = width > 0 ? width : NH_SSH_SHELL_WIDTH;
  sh->height = height > 0 ? height : 24;
  sh->max = max_buffer ? max_buffer : DEFAULT_MAX_BUFFER;
  sh->state = SH_OPEN;
  sh->open_req = req;
  sh->job.step = shell_step;
  sh->job.abort = shell_abort;
  req->shell = sh;
  nh__op_init(&req->op, ssh->loop, &open_type);
  nh__ssh_job_add(ssh, &sh->job);
  nh__op_begin(&req->op, cb, timeout_ms);
  return 0;
}

void nh_ssh_shell_close(nh_ssh_shell_t *sh) {
  if (!sh) return;
  expect_done(sh, NH_ECANCELED);
  if (sh->dead) {
    shell_free(sh);
    return;
  }
  sh->detached = 1;
  if (sh->state == SH_LIVE && sh->wsent >= sh->wlen) sh->state = SH_CLOSE;
  if (!sh->job.next) { /* finished reading at EOF but never unlinked: cannot happen */
    shell_free(sh);
    return;
  }
  nh__ssh_kick(sh->job.ssh);
}

const char *nh_ssh_shell_buffer(const nh_ssh_shell_t *sh, size_t *len) {
  *len = sh->len;
  return sh->buf ? sh->buf : "";
}

void nh_ssh_shell_discard(nh_ssh_shell_t *sh) {
  if (!sh->expect) sh->len = 0;
  if (!sh->dead) nh__ssh_kick(sh->job.ssh); /* reading may have stalled on a full buffer */
}

static void expect_cancel(nh_op_t *op) {
  nh_ssh_expect_t *req = (nh_ssh_expect_t *)op;
  if (req->shell && req->shell->expect == req && op->reason == NH_ETIMEDOUT && !req->shell->dead)
    nh__ssh_trace_dump(req->shell->job.ssh, req->shell->ch, "expect reached its deadline");
  if (req->shell && req->shell->expect == req) req->shell->expect = NULL;
  nh__op_done(op, op->reason);
}

static const nh_op_type_t expect_type = {"ssh.expect", expect_cancel};

int nh_ssh_expect(nh_ssh_expect_t *req, nh_ssh_shell_t *sh, const char *send, size_t send_len,
                  const nh_pattern_t *const *patterns, int npatterns, uint64_t timeout_ms,
                  nh_op_cb cb) {
  memset(req, 0, sizeof(*req));
  if (sh->dead || sh->detached || sh->eof || sh->state != SH_LIVE) return NH_ECLOSED;
  if (sh->expect) return NH_EBUSY;
  sh->job.ssh->failure.stage = NULL;
  sh->job.ssh->failure.detail[0] = 0;
  if (send_len) {
    char *p = realloc(sh->wbuf, sh->wlen + send_len);
    if (!p) return NH_ENOMEM;
    memcpy(p + sh->wlen, send, send_len);
    sh->wbuf = p;
    sh->wlen += send_len;
  }
  req->shell = sh;
  req->patterns = patterns;
  req->npatterns = npatterns;
  req->which = -1;
  sh->expect = req;
  nh__op_init(&req->op, sh->job.ssh->loop, &expect_type);
  nh__ssh_kick(sh->job.ssh);
  nh__op_begin(&req->op, cb, timeout_ms);
  return 0;
}

void nh_ssh_expect_cleanup(nh_ssh_expect_t *req) {
  free(req->data);
  req->data = NULL;
  req->len = 0;
}
