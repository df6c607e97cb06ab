/* nethost core: a byte channel between two nethost processes (see channel.h). */
#include "channel.h"
#include "error.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct nh_channel_s {
  nh_loop_t *loop;
  int pipe_closed;
  uv_pipe_t pipe;
  uv_process_t proc;
  int has_proc;
  int exited;
  int exit_status;
  int closing;
  int open_handles; /* handles whose close callback has not run yet */
  int reading;      /* uv_read_start is in effect */
  int ended;        /* the read side ended: 0, or NH_EOF / a read error */
  int write_failed;
  char *buf; /* bytes read and not yet handed to a read operation */
  size_t len, cap;
  nh_channel_read_t *pending;
  /* The child's stderr when the caller does not show it: a pipe whose write end does not
   * block (a child writing faster than this loop reads loses lines, never time), drained
   * as it comes, its last bytes kept to say why a child died. */
  uv_pipe_t err_pipe;
  int has_err_pipe;
  int err_ended; /* the child's stderr reached its end (it exited, or closed it) */
  char err_chunk[4096];
  char err_tail[NH_CHANNEL_STDERR_TAIL];
  size_t err_len;
};

typedef struct {
  uv_write_t req;
  nh_channel_t *ch;
  char data[];
} chan_write_t;

static void release(nh_channel_t *ch) {
  free(ch->buf);
  free(ch);
}

static void handle_closed(uv_handle_t *h) {
  nh_channel_t *ch = h->data;
  if (--ch->open_handles == 0) release(ch);
}

/* Hands what was read (or the end) to the waiting read operation, if there is one. */
static void deliver(nh_channel_t *ch) {
  nh_channel_read_t *req = ch->pending;
  if (!req) return;
  if (ch->len > 0) {
    req->data = ch->buf;
    req->len = ch->len;
    ch->buf = NULL;
    ch->len = ch->cap = 0;
    ch->pending = NULL;
    nh__op_done(&req->op, 0);
  } else if (ch->ended) {
    ch->pending = NULL;
    nh__op_done(&req->op, ch->ended);
  } else {
    return;
  }
  /* Nobody waits now: stop reading, so an idle channel does not keep the loop alive. */
  if (ch->reading) {
    uv_read_stop((uv_stream_t *)&ch->pipe);
    ch->reading = 0;
  }
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  nh_channel_t *ch = h->data;
  (void)hint;
  if (ch->cap - ch->len < 65536) {
    size_t cap = ch->cap ? ch->cap * 2 : 65536;
    char *p;
    while (cap - ch->len < 65536) cap *= 2;
    p = realloc(ch->buf, cap);
    if (!p) {
      *buf = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS to read_cb */
      return;
    }
    ch->buf = p;
    ch->cap = cap;
  }
  *buf = uv_buf_init(ch->buf + ch->len, (unsigned)(ch->cap - ch->len));
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  nh_channel_t *ch = s->data;
  (void)buf;
  if (nread > 0) {
    ch->len += (size_t)nread;
  } else if (nread < 0) {
    ch->ended = nread == UV_EOF ? NH_EOF : (int)nread;
    uv_read_stop(s);
    ch->reading = 0;
  }
  deliver(ch);
}

static void read_cancel(nh_op_t *op) {
  nh_channel_read_t *req = (nh_channel_read_t *)op;
  nh_channel_t *ch = req->chan;
  if (ch && ch->pending == req) {
    ch->pending = NULL;
    if (ch->reading) {
      uv_read_stop((uv_stream_t *)&ch->pipe);
      ch->reading = 0;
    }
  }
  nh__op_done(op, NH_ECANCELED);
}

static const nh_op_type_t read_type = {"channel.read", read_cancel};

int nh_channel_read_start(nh_channel_t *ch, nh_channel_read_t *req, nh_op_cb cb) {
  int rc;
  if (ch->closing || ch->pipe_closed) return NH_ECLOSED;
  if (ch->pending) return NH_EBUSY;
  nh__op_init(&req->op, ch->loop, &read_type);
  req->chan = ch;
  req->data = NULL;
  req->len = 0;
  if (ch->len == 0 && !ch->ended && !ch->reading) {
    if ((rc = uv_read_start((uv_stream_t *)&ch->pipe, alloc_cb, read_cb)) < 0) return rc;
    ch->reading = 1;
  }
  nh__op_begin(&req->op, cb, 0);
  ch->pending = req;
  deliver(ch); /* nh__op_done defers the callback past this call */
  return 0;
}

static void write_cb(uv_write_t *req, int status) {
  chan_write_t *w = (chan_write_t *)req;
  if (status < 0 && w->ch) w->ch->write_failed = 1;
  free(w);
}

int nh_channel_write(nh_channel_t *ch, const char *data, size_t len) {
  chan_write_t *w;
  uv_buf_t buf;
  int rc;
  if (ch->closing || ch->pipe_closed || ch->write_failed) return NH_ECLOSED;
  if (len == 0) return 0;
  if (!(w = malloc(sizeof(*w) + len))) return NH_ENOMEM;
  memcpy(w->data, data, len);
  w->ch = ch;
  buf = uv_buf_init(w->data, (unsigned)len);
  if ((rc = uv_write(&w->req, (uv_stream_t *)&ch->pipe, &buf, 1, write_cb)) < 0) {
    free(w);
    ch->write_failed = 1;
    return NH_ECLOSED;
  }
  return 0;
}

/* A channel with its pipe handle initialised (open_handles 1), or NULL and *rc. Either end
 * ignores SIGPIPE: the other end going away (a worker that died, a coordinator that is
 * gone) must be a write error to handle, not a signal that ends this process (core/ssh.c
 * does the same for sockets); in a worker, libuv's spawn had reset it to the default. */
static nh_channel_t *channel_new(nh_loop_t *loop, int *rc) {
  nh_channel_t *ch = calloc(1, sizeof(*ch));
  if (!ch) {
    *rc = NH_ENOMEM;
    return NULL;
  }
  signal(SIGPIPE, SIG_IGN);
  if ((*rc = uv_pipe_init(loop->uv, &ch->pipe, 0)) < 0) {
    free(ch);
    return NULL;
  }
  ch->loop = loop;
  ch->pipe.data = ch;
  ch->open_handles = 1;
  return ch;
}

int nh_channel_open(nh_loop_t *loop, int fd, nh_channel_t **out) {
  int rc;
  nh_channel_t *ch = channel_new(loop, &rc);
  if (!ch) return rc;
  if ((rc = uv_pipe_open(&ch->pipe, fd)) < 0) {
    ch->closing = 1;
    uv_close((uv_handle_t *)&ch->pipe, handle_closed);
    return rc;
  }
  *out = ch;
  return 0;
}

static void err_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  nh_channel_t *ch = h->data;
  (void)hint;
  *buf = uv_buf_init(ch->err_chunk, sizeof(ch->err_chunk));
}

/* Keeps the last NH_CHANNEL_STDERR_TAIL bytes the child wrote on stderr. */
static void err_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  nh_channel_t *ch = s->data;
  size_t n, keep;
  if (nread < 0) {
    ch->err_ended = 1;
    uv_read_stop(s);
    return;
  }
  n = (size_t)nread;
  if (n >= sizeof(ch->err_tail)) {
    memcpy(ch->err_tail, buf->base + n - sizeof(ch->err_tail), sizeof(ch->err_tail));
    ch->err_len = sizeof(ch->err_tail);
    return;
  }
  keep = ch->err_len + n > sizeof(ch->err_tail) ? sizeof(ch->err_tail) - n : ch->err_len;
  memmove(ch->err_tail, ch->err_tail + ch->err_len - keep, keep);
  memcpy(ch->err_tail + keep, buf->base, n);
  ch->err_len = keep + n;
}

size_t nh_channel_stderr_tail(const nh_channel_t *ch, const char **data, int *ended) {
  *data = ch->err_tail;
  *ended = !ch->has_err_pipe || ch->err_ended;
  return ch->err_len;
}

/* The pipe for a child's stderr: *child_fd is the write end, made non-blocking, for the
 * child; the read end goes to ch->err_pipe. 0, or -1 (the child's stderr is then dropped). */
static int err_pipe_open(nh_channel_t *ch, int *child_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return -1;
  if (fcntl(fds[1], F_SETFL, O_NONBLOCK) < 0 || uv_pipe_init(ch->loop->uv, &ch->err_pipe, 0) < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  ch->has_err_pipe = 1;
  ch->err_pipe.data = ch;
  ch->open_handles++;
  if (uv_pipe_open(&ch->err_pipe, fds[0]) < 0) close(fds[0]);
  *child_fd = fds[1];
  return 0;
}

static void exit_cb(uv_process_t *p, int64_t status, int signum) {
  nh_channel_t *ch = p->data;
  ch->exited = 1;
  ch->exit_status = signum ? 128 + signum : (int)status;
}

int nh_channel_spawn(nh_loop_t *loop, const char *file, char *const *argv, int keep_stderr,
                     nh_channel_t **out) {
  uv_process_options_t opts;
  uv_stdio_container_t stdio[4];
  int rc, err_fd = -1;
  nh_channel_t *ch = channel_new(loop, &rc);
  if (!ch) return rc;
  ch->proc.data = ch;
  memset(&opts, 0, sizeof(opts));
  memset(stdio, 0, sizeof(stdio));
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_IGNORE;
  if (keep_stderr) {
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = 2;
  } else if (err_pipe_open(ch, &err_fd) == 0) {
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = err_fd;
  } else {
    stdio[2].flags = UV_IGNORE;
  }
  stdio[3].flags = UV_CREATE_PIPE | UV_READABLE_PIPE | UV_WRITABLE_PIPE;
  stdio[3].data.stream = (uv_stream_t *)&ch->pipe;
  opts.file = file;
  opts.args = (char **)argv;
  opts.exit_cb = exit_cb;
  opts.flags = UV_PROCESS_DETACHED;
  opts.stdio = stdio;
  opts.stdio_count = 4;
  rc = uv_spawn(loop->uv, &ch->proc, &opts);
  if (err_fd >= 0) close(err_fd); /* the child has its copy */
  /* uv_spawn initialises the process handle even when it fails: it must be closed. */
  ch->has_proc = 1;
  ch->open_handles++;
  if (rc < 0) {
    ch->closing = 1;
    ch->exited = 1;
    uv_close((uv_handle_t *)&ch->pipe, handle_closed);
    uv_close((uv_handle_t *)&ch->proc, handle_closed);
    if (ch->has_err_pipe) uv_close((uv_handle_t *)&ch->err_pipe, handle_closed);
    return rc;
  }
  /* The child's life does not keep the loop running; waiting on the channel does. */
  uv_unref((uv_handle_t *)&ch->proc);
  if (ch->has_err_pipe &&
      uv_read_start((uv_stream_t *)&ch->err_pipe, err_alloc_cb, err_read_cb) == 0)
    uv_unref((uv_handle_t *)&ch->err_pipe);
  *out = ch;
  return 0;
}

int nh_channel_pid(const nh_channel_t *ch) {
  return ch->has_proc ? ch->proc.pid : 0;
}

int nh_channel_exited(const nh_channel_t *ch, int *status) {
  if (ch->exited && status) *status = ch->exit_status;
  return ch->exited;
}

int nh_channel_kill(nh_channel_t *ch, int signum) {
  if (!ch->has_proc || ch->exited || ch->closing) return NH_EINVAL;
  return uv_process_kill(&ch->proc, signum);
}

void nh_channel_hangup(nh_channel_t *ch) {
  nh_channel_read_t *req;
  if (!ch || ch->pipe_closed) return;
  ch->pipe_closed = 1;
  if ((req = ch->pending)) {
    ch->pending = NULL;
    req->chan = NULL;
    nh__op_done(&req->op, NH_ECANCELED);
  }
  if (ch->reading) uv_read_stop((uv_stream_t *)&ch->pipe);
  ch->reading = 0;
  uv_close((uv_handle_t *)&ch->pipe, handle_closed);
}

void nh_channel_close(nh_channel_t *ch) {
  if (!ch || ch->closing) return;
  nh_channel_hangup(ch);
  ch->closing = 1;
  if (ch->has_proc) {
    if (!ch->exited) uv_process_kill(&ch->proc, SIGTERM);
    uv_close((uv_handle_t *)&ch->proc, handle_closed);
  }
  if (ch->has_err_pipe) uv_close((uv_handle_t *)&ch->err_pipe, handle_closed);
}
