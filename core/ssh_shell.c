/* nethost core: PTY shells — a channel with a pseudo-terminal and a shell, read all the
 * time (so the channel window keeps moving even when nobody waits), written and matched by
 * expect requests.
 *
 * The shell owns its pending write: a cancelled expect leaves a half-sent write to finish
 * with the same arguments, as libssh2 requires after EAGAIN.
 */
#include "ssh_channel.h"
#include "error.h"
#include "nethost/plugin.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(NH_SSH_SHELL_WIDTH == NH_PLUGIN_SHELL_WIDTH, "one default shell width");

#define DEFAULT_MAX_BUFFER (64u << 20)
#define LOOKBACK           1024 /* bytes a new search re-examines before the new data */

struct nh_ssh_shell_s {
  nh_ssh_channel_t c; /* first member; detached: the user closed it, the job frees itself
                       * when done */
  nh_ssh_expect_t *expect;
  int width, height;
  char *buf;
  size_t len, cap, max;
  pcre2_match_data *md;
};

static void shell_release(nh_ssh_channel_t *c) {
  nh_ssh_shell_t *sh = (nh_ssh_shell_t *)c;
  free(sh->buf);
  nh__ssh_channel_release(c);
  if (sh->md) pcre2_match_data_free(sh->md);
  free(sh);
}

static void expect_done(nh_ssh_shell_t *sh, int status) {
  nh_ssh_expect_t *req = sh->expect;
  if (!req) return;
  sh->expect = NULL;
  nh__op_done(&req->op, status);
}

/* The channel's end: a read still waiting gets no answer, whatever ended the channel. */
static void shell_finish(nh_ssh_channel_t *c, int status) {
  expect_done((nh_ssh_shell_t *)c, status ? status : NH_ECLOSED);
}

static void open_forget(nh_op_t *op) {
  ((nh_ssh_shell_open_t *)op)->shell = NULL;
}

/* Tries the pending expect's patterns on the buffer; completes it on a match. */
static void try_match(nh_ssh_shell_t *sh) {
  nh_ssh_expect_t *req = sh->expect;
  size_t from, best_start = (size_t)-1, best_end = 0;
  int i, best = -1;
  if (!req) return;
  if (sh->c.wsent < sh->c.wlen) return; /* answers come after the question is sent */
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
    n = nh__ssh_channel_read(&sh->c, sh->buf + sh->len, sh->cap - sh->len - 1);
    if (n <= 0) return (int)n;
    sh->len += (size_t)n;
    sh->buf[sh->len] = 0;
  }
}

static int pty_call(nh_ssh_channel_t *c) {
  nh_ssh_shell_t *sh = (nh_ssh_shell_t *)c;
  return libssh2_channel_request_pty_ex(c->ch, "vt100", 5, NULL, 0, sh->width, sh->height, 0, 0);
}

static int shell_call(nh_ssh_channel_t *c) {
  return libssh2_channel_shell(c->ch);
}

static int shell_live(nh_ssh_channel_t *c) {
  nh_ssh_shell_t *sh = (nh_ssh_shell_t *)c;
  nh_ssh_t *ssh = c->job.ssh;
  int rc;
  if (!c->eof && (rc = read_all(sh)) < 0) {
    if (nh__ssh_fatal(rc)) {
      try_match(sh); /* what arrived before the connection died still answers */
      return NH_ECLOSED;
    }
    c->eof = 1;
  }
  try_match(sh);
  if (sh->expect && sh->len >= sh->max) {
    nh__ssh_fail_detail(ssh, "read", NH_ETOOBIG, "output exceeds the limit of %zu bytes", sh->max);
    expect_done(sh, NH_ETOOBIG);
  }
  if (!c->eof) return NH_SSH_AGAIN;
  if (sh->expect) {
    nh__ssh_fail_detail(ssh, "channel", NH_ECLOSED, "the device closed the session");
    expect_done(sh, NH_ECLOSED);
  }
  return 0; /* the buffer stays readable */
}

/* A device that writes to stderr in a PTY shell: read it with the output, or its queued
 * data would hold back the channel's EOF (libssh2_channel_eof) for good. */
static const nh_ssh_channel_type_t shell_channel = {
    .requests = {{"channel_pty", "shell", "PTY request refused", pty_call},
                 {"channel_shell", "shell", "shell request refused", shell_call}},
    .merge_stderr = 1,
    .live = shell_live,
    .finish = shell_finish,
    .forget = open_forget,
    .release = shell_release,
};

static void open_cancel(nh_op_t *op) {
  nh__ssh_channel_cancel_open((nh_ssh_channel_t *)((nh_ssh_shell_open_t *)op)->shell, op);
}

static const nh_op_type_t open_type = {"ssh.shell", open_cancel};

int nh_ssh_shell_open(nh_ssh_shell_open_t *req, nh_ssh_t *ssh, int width, int height,
                      size_t max_buffer, uint64_t timeout_ms, nh_op_cb cb) {
  nh_ssh_shell_t *sh;
  req->shell = NULL;
  if (!nh_ssh_is_ready(ssh)) return NH_ECLOSED;
  nh__ssh_failure_clear(ssh);
  if (!(sh = calloc(1, sizeof(*sh)))) return NH_ENOMEM;
  if (!(sh->md = pcre2_match_data_create(1, NULL))) {
    free(sh);
    return NH_ENOMEM;
  }
  sh->width = width > 0 ? width : NH_SSH_SHELL_WIDTH;
  sh->height = height > 0 ? height : 24;
  sh->max = max_buffer ? max_buffer : DEFAULT_MAX_BUFFER;
  nh__ssh_channel_init(&sh->c, &shell_channel, &req->op);
  req->shell = sh;
  nh__ssh_op_begin(&req->op, ssh, &open_type, &sh->c.job, cb, timeout_ms);
  return 0;
}

void nh_ssh_shell_close(nh_ssh_shell_t *sh) {
  if (!sh) return;
  expect_done(sh, NH_ECANCELED);
  nh__ssh_channel_detach(&sh->c);
}

const char *nh_ssh_shell_buffer(const nh_ssh_shell_t *sh, size_t *len) {
  *len = sh->len;
  return sh->buf ? sh->buf : "";
}

void nh_ssh_shell_discard(nh_ssh_shell_t *sh) {
  if (!sh->expect) sh->len = 0;
  if (!sh->c.dead) nh__ssh_kick(sh->c.job.ssh); /* reading may have stalled on a full buffer */
}

static void expect_cancel(nh_op_t *op) {
  nh_ssh_expect_t *req = (nh_ssh_expect_t *)op;
  if (req->shell && req->shell->expect == req && op->reason == NH_ETIMEDOUT && !req->shell->c.dead)
    nh__ssh_trace_dump(req->shell->c.job.ssh, req->shell->c.ch, "expect reached its deadline");
  if (req->shell && req->shell->expect == req) req->shell->expect = NULL;
  nh__op_done(op, op->reason);
}

static const nh_op_type_t expect_type = {"ssh.expect", expect_cancel};

int nh_ssh_expect(nh_ssh_expect_t *req, nh_ssh_shell_t *sh, const char *send, size_t send_len,
                  const nh_pattern_t *const *patterns, int npatterns, uint64_t timeout_ms,
                  nh_op_cb cb) {
  memset(req, 0, sizeof(*req));
  if (sh->c.dead || sh->c.detached || sh->c.eof || sh->c.phase != NH_CH_LIVE) return NH_ECLOSED;
  if (sh->expect) return NH_EBUSY;
  nh__ssh_failure_clear(sh->c.job.ssh);
  if (nh__ssh_channel_queue(&sh->c, send, send_len) < 0) return NH_ENOMEM;
  req->shell = sh;
  req->patterns = patterns;
  req->npatterns = npatterns;
  req->which = -1;
  sh->expect = req;
  nh__ssh_op_begin(&req->op, sh->c.job.ssh, &expect_type, NULL, cb, timeout_ms);
  return 0;
}

void nh_ssh_expect_cleanup(nh_ssh_expect_t *req) {
  free(req->data);
  req->data = NULL;
  req->len = 0;
}
