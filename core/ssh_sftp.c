/* nethost core: file transfer over an SSH connection — SFTP (libssh2's SFTP client) by
 * default, SCP (libssh2_scp_send64 / libssh2_scp_recv2) when the server offers no SFTP
 * subsystem or the caller asks for it.
 *
 * A transfer is a job on the connection like an exec (core/ssh_exec.c): the pump steps it
 * whenever the socket is ready, and every libssh2 call that returned EAGAIN is repeated
 * with the same arguments. The file streams through one fixed buffer, so memory does not
 * grow with the file. A transfer is made of passes: the data pass (local to remote, or
 * remote to a temporary local file) and, with verify, a pass that reads the remote file
 * again into a SHA-256 digest to compare with the digest of the bytes that were moved.
 *
 * Local files are read and written with plain read(2)/write(2) on the loop's thread, one
 * buffer at a time: a local disk answers in microseconds, and the remote side sets the
 * pace. A received file is written to a temporary file next to its destination, flushed,
 * and renamed over it only once complete (and verified), so a failed or cancelled download
 * never leaves a truncated file under the destination's name.
 *
 * When the request is cancelled or reaches its deadline it completes at once; the job
 * stays with the connection until the libssh2 call it was in has finished, then closes the
 * remote file and the channel in the background (libssh2 forbids starting another call
 * on the session while a packet is half sent).
 */
#include "ssh_channel.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2_sftp.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK      (128u * 1024u) /* the buffer: libssh2 pipelines SFTP writes within it */
#define STEP_BYTES (1u << 20)     /* bytes one step moves before letting other jobs run */

enum {
  T_SFTP_INIT,
  T_SFTP_OPEN,
  T_SFTP_DATA,
  T_SFTP_SETSTAT,
  T_SFTP_CLOSE,
  T_SFTP_SHUTDOWN,
  T_SCP_OPEN,
  T_SCP_DATA,
  T_SCP_END,
  T_SCP_EOF,
  T_SCP_WAIT_EOF,
  T_SCP_WAIT_CLOSED,
  T_SCP_FREE,
  T_DONE
};

/* What a pass does with the bytes. */
enum { P_PUT, P_GET, P_VERIFY };

typedef struct {
  nh_ssh_job_t job;   /* first member */
  nh_ssh_xfer_t *req; /* NULL once detached */
  int state;
  int pass;
  int scp;      /* the protocol in use: 0 SFTP, 1 SCP */
  int fallback; /* SCP may replace SFTP when the server has no SFTP subsystem */
  int verify;
  int mode;
  int status;   /* the result to deliver once everything is closed */
  int inflight; /* the last call returned EAGAIN: it must be repeated as it was, even
                 * after a cancel (libssh2 keeps its half-done state in the session) */
  int stopping; /* detached or failed: close what is open and free the job */
  int fd;       /* the local file */
  char *local, *remote, *tmp;
  LIBSSH2_SFTP *sftp;
  LIBSSH2_SFTP_HANDLE *handle;
  LIBSSH2_CHANNEL *ch;
  uint64_t size; /* put, SCP get: the file's size */
  uint64_t done; /* bytes of the current pass */
  char *buf;
  size_t blen, boff; /* put: bytes in buf, bytes of them sent */
  EVP_MD_CTX *moved, *again;
  unsigned char digest[32];
} xfer_job_t;

/* Errors */

static int fx_code(unsigned long fx) {
  switch (fx) {
  case LIBSSH2_FX_NO_SUCH_FILE:
  case LIBSSH2_FX_NO_SUCH_PATH:
    return NH_ENOENT;
  case LIBSSH2_FX_PERMISSION_DENIED:
  case LIBSSH2_FX_WRITE_PROTECT:
    return NH_EACCES;
  case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
  case LIBSSH2_FX_QUOTA_EXCEEDED:
    return NH_ENOSPC;
  default:
    return NH_EPROTO;
  }
}

static const char *fx_text(unsigned long fx) {
  switch (fx) {
  case LIBSSH2_FX_EOF:
    return "end of file";
  case LIBSSH2_FX_NO_SUCH_FILE:
    return "no such file";
  case LIBSSH2_FX_PERMISSION_DENIED:
    return "permission denied";
  case LIBSSH2_FX_FAILURE:
    return "failure";
  case LIBSSH2_FX_OP_UNSUPPORTED:
    return "operation unsupported";
  case LIBSSH2_FX_NO_SUCH_PATH:
    return "no such path";
  case LIBSSH2_FX_FILE_ALREADY_EXISTS:
    return "file already exists";
  case LIBSSH2_FX_WRITE_PROTECT:
    return "write protected";
  case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
    return "no space left on the file system";
  case LIBSSH2_FX_QUOTA_EXCEEDED:
    return "quota exceeded";
  case LIBSSH2_FX_NOT_A_DIRECTORY:
    return "not a directory";
  case LIBSSH2_FX_INVALID_FILENAME:
    return "invalid file name";
  default:
    return "SFTP error";
  }
}

/* SCP reports the remote scp's message ("scp: /x: No such file or directory") as text. */
static int scp_code(const char *msg) {
  if (strstr(msg, "No such file") || strstr(msg, "not a regular file")) return NH_ENOENT;
  if (strstr(msg, "ermission denied")) return NH_EACCES;
  if (strstr(msg, "No space") || strstr(msg, "quota")) return NH_ENOSPC;
  return NH_EPROTO;
}

static int errno_code(int e) {
  switch (e) {
  case ENOENT:
  case ENOTDIR:
    return NH_ENOENT;
  case EACCES:
  case EPERM:
  case EROFS:
    return NH_EACCES;
  case ENOSPC:
  case EDQUOT:
    return NH_ENOSPC;
  case ENOMEM:
    return NH_ENOMEM;
  default:
    return NH_EPROTO;
  }
}

/* Completion */

static void release(xfer_job_t *x) {
  if (x->fd >= 0) close(x->fd);
  if (x->tmp) unlink(x->tmp); /* still set: the download did not complete */
  free(x->tmp);
  free(x->local);
  free(x->remote);
  free(x->buf);
  EVP_MD_CTX_free(x->moved);
  EVP_MD_CTX_free(x->again);
  free(x);
}

/* Completes the request (if still attached) with status. */
static void deliver(xfer_job_t *x, int status) {
  nh_ssh_xfer_t *req = x->req;
  if (!req) return;
  x->req = NULL;
  req->job = NULL;
  nh__op_done(&req->op, status);
}

/* Records a failure and starts closing: the request completes once the remote side is
 * closed (or at once, if it was detached). */
static void fail(xfer_job_t *x, const char *stage, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(xfer_job_t *x, const char *stage, int code, const char *fmt, ...) {
  char detail[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof(detail), fmt, ap);
  va_end(ap);
  if (x->req) nh__ssh_fail_detail(x->job.ssh, stage, code, "%s", detail);
  if (!x->status) x->status = code;
  x->stopping = 1;
}

/* The download is complete: flush the temporary file and rename it over the destination.
 * Returns 0 or the errno of the step that failed. */
static int commit_local(xfer_job_t *x) {
  int e = fsync(x->fd) < 0 ? errno : 0;
  if (close(x->fd) < 0 && !e) e = errno;
  x->fd = -1;
  if (!e && rename(x->tmp, x->local) < 0) e = errno;
  if (e) return e;
  free(x->tmp);
  x->tmp = NULL;
  return 0;
}

/* Where the job goes once the current pass has closed its remote side. */
static void next_pass(xfer_job_t *x) {
  if (!x->stopping && x->verify && x->pass != P_VERIFY) {
    x->pass = P_VERIFY;
    x->done = 0;
    if (!(x->again = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(x->again, EVP_sha256(), NULL)) {
      fail(x, "verify", NH_ENOMEM, "cannot start a SHA-256 digest");
    } else {
      x->state = x->scp ? T_SCP_OPEN : T_SFTP_OPEN;
      return;
    }
  }
  if (!x->stopping && x->pass == P_VERIFY) {
    unsigned char again[32];
    unsigned int n = 0;
    EVP_DigestFinal_ex(x->again, again, &n);
    if (memcmp(again, x->digest, sizeof(again)) != 0)
      fail(x, "verify", NH_EPROTO,
           "%s: the remote file's SHA-256 differs from the bytes transferred (%llu bytes "
           "read back)",
           x->remote, (unsigned long long)x->done);
  }
  if (!x->stopping && x->tmp) {
    int e = commit_local(x);
    if (e) fail(x, "local", errno_code(e), "%s: %s", x->local, strerror(e));
  }
  x->state = x->sftp ? T_SFTP_SHUTDOWN : T_DONE;
}

/* The data pass ended (all bytes moved): finish the digest of what was moved. */
static void data_done(xfer_job_t *x) {
  unsigned int n = 0;
  if (x->pass == P_VERIFY) return;
  EVP_DigestFinal_ex(x->moved, x->digest, &n);
  if (x->req) {
    static const char hex[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < 32; i++) {
      x->req->sha256[2 * i] = hex[x->digest[i] >> 4];
      x->req->sha256[2 * i + 1] = hex[x->digest[i] & 15];
    }
    x->req->sha256[64] = 0;
  }
}

/* Takes n received bytes of the current pass: into the local file, or the digest. */
static int take(xfer_job_t *x, const char *data, size_t n) {
  x->done += n;
  if (x->pass == P_VERIFY) return EVP_DigestUpdate(x->again, data, n) ? 0 : NH_ENOMEM;
  EVP_DigestUpdate(x->moved, data, n);
  if (x->req) x->req->bytes = x->done;
  while (n > 0) {
    ssize_t w = write(x->fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      fail(x, "local", errno_code(errno), "%s: %s", x->local, strerror(errno));
      return -1;
    }
    data += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Fills the buffer from the local file (put). Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t fill(xfer_job_t *x) {
  ssize_t n;
  do n = read(x->fd, x->buf, CHUNK);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    fail(x, "local", errno_code(errno), "%s: %s", x->local, strerror(errno));
    return -1;
  }
  EVP_DigestUpdate(x->moved, x->buf, (size_t)n);
  x->blen = (size_t)n;
  x->boff = 0;
  return n;
}

/* A libssh2 error of the SFTP side: the SFTP status when the server sent one. */
static void sftp_fail(xfer_job_t *x, const char *stage, int rc, const char *what) {
  if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && x->sftp) {
    unsigned long fx = libssh2_sftp_last_error(x->sftp);
    fail(x, stage, fx_code(fx), "%s %s: %s", what, x->remote, fx_text(fx));
  } else {
    fail(x, stage, NH_EPROTO, "%s %s: %s", what, x->remote, nh__ssh_errmsg(x->job.ssh));
  }
}

/* Where a stopping transfer (detached, or failed) goes from a state once no call is half
 * done: to closing what that state has open. States not listed close things themselves. */
static const unsigned char stop_to[T_DONE + 1] = {
    [T_SFTP_INIT] = T_DONE,          [T_SFTP_OPEN] = T_SFTP_SHUTDOWN, [T_SFTP_DATA] = T_SFTP_CLOSE,
    [T_SFTP_SETSTAT] = T_SFTP_CLOSE, [T_SCP_OPEN] = T_DONE,           [T_SCP_DATA] = T_SCP_FREE,
    [T_SCP_END] = T_SCP_FREE,
};

/* Whether a stopping transfer may leave its state now: libssh2 must see a call that
 * returned EAGAIN again, with the same arguments, even after a cancel. */
static int may_stop(const xfer_job_t *x) {
  return x->stopping && !x->inflight;
}

/* Takes the result rc of the libssh2 call what (traced). Returns 1 when the call is
 * through (rc >= 0, or a failure of this transfer for the caller to report), 0 when it
 * returned EAGAIN and must be made again, or NH_ECLOSED when the connection is broken. */
static int settle(xfer_job_t *x, const char *what, int rc) {
  nh__ssh_trace(x->job.ssh, what, rc);
  if ((x->inflight = rc == LIBSSH2_ERROR_EAGAIN)) return 0;
  return rc < 0 && nh__ssh_fatal(rc) ? NH_ECLOSED : 1;
}

/* One step of SFTP work. Returns 1 to go on, 0 when blocked, or a negative NH_E* code when
 * the connection is broken. */
static int sftp_step(xfer_job_t *x) {
  nh_ssh_t *ssh = x->job.ssh;
  int rc, step;
  switch (x->state) {
  case T_SFTP_INIT:
    x->sftp = libssh2_sftp_init(ssh->session);
    rc = x->sftp ? 0 : libssh2_session_last_errno(ssh->session);
    if ((step = settle(x, "sftp_init", rc)) != 1) return step;
    if (rc < 0) {
      if (x->fallback) {
        /* No SFTP subsystem (a refused subsystem request): SCP needs only a shell's scp. */
        x->scp = 1;
        x->state = T_SCP_OPEN;
        if (x->req) x->req->protocol = "scp";
        return 1;
      }
      fail(x, "sftp", NH_ECHANNEL, "the server offers no SFTP subsystem: %s", nh__ssh_errmsg(ssh));
      x->state = T_DONE;
      return 1;
    }
    x->state = T_SFTP_OPEN;
    return 1;
  case T_SFTP_OPEN: {
    unsigned long flags = x->pass == P_PUT
                              ? LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC
                              : LIBSSH2_FXF_READ;
    x->handle = libssh2_sftp_open_ex(x->sftp, x->remote, (unsigned)strlen(x->remote), flags,
                                     x->mode, LIBSSH2_SFTP_OPENFILE);
    rc = x->handle ? 0 : libssh2_session_last_errno(ssh->session);
    if ((step = settle(x, "sftp_open", rc)) != 1) return step;
    if (rc < 0) {
      sftp_fail(x, "open", rc, x->pass == P_PUT ? "cannot create" : "cannot open");
      x->state = T_SFTP_SHUTDOWN;
      return 1;
    }
    x->state = T_SFTP_DATA;
    return 1;
  }
  case T_SFTP_DATA: {
    size_t moved = 0;
    while (moved < STEP_BYTES && !may_stop(x)) {
      if (x->pass == P_PUT) {
        ssize_t n;
        if (x->boff == x->blen && !x->inflight) {
          n = fill(x);
          if (n < 0) return 1; /* failed: stopping */
          if (n == 0) {
            data_done(x);
            x->state = T_SFTP_SETSTAT;
            return 1;
          }
        }
        n = libssh2_sftp_write(x->handle, x->buf + x->boff, x->blen - x->boff);
        nh__ssh_trace(ssh, "sftp_write", (int)(n < 0 ? n : 0));
        if (n == LIBSSH2_ERROR_EAGAIN || n == 0) {
          x->inflight = 1;
          return 0;
        }
        x->inflight = 0;
        if (n < 0) {
          if (nh__ssh_fatal((int)n)) return NH_ECLOSED;
          sftp_fail(x, "write", (int)n, "cannot write");
          return 1;
        }
        x->boff += (size_t)n;
        x->done += (uint64_t)n;
        if (x->req) x->req->bytes = x->done;
        moved += (size_t)n;
        ssh->progress++;
      } else {
        ssize_t n = libssh2_sftp_read(x->handle, x->buf, CHUNK);
        nh__ssh_trace(ssh, "sftp_read", (int)(n < 0 ? n : 0));
        if (n == LIBSSH2_ERROR_EAGAIN) {
          x->inflight = 1;
          return 0;
        }
        x->inflight = 0;
        if (n < 0) {
          if (nh__ssh_fatal((int)n)) return NH_ECLOSED;
          sftp_fail(x, x->pass == P_VERIFY ? "verify" : "read", (int)n, "cannot read");
          return 1;
        }
        if (n == 0) {
          data_done(x);
          x->state = T_SFTP_CLOSE;
          return 1;
        }
        if (take(x, x->buf, (size_t)n) < 0) return 1;
        moved += (size_t)n;
        ssh->progress++;
      }
    }
    return 1; /* enough for one step, or stopping: xfer_step goes on */
  }
  case T_SFTP_SETSTAT: {
    LIBSSH2_SFTP_ATTRIBUTES attrs;
    /* The open's mode went through the server's umask: set the bits asked for. */
    memset(&attrs, 0, sizeof(attrs));
    attrs.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
    attrs.permissions = (unsigned long)x->mode;
    rc = libssh2_sftp_fsetstat(x->handle, &attrs);
    if ((step = settle(x, "sftp_fsetstat", rc)) != 1) return step;
    if (rc < 0) sftp_fail(x, "write", rc, "cannot set the mode of");
    x->state = T_SFTP_CLOSE;
    return 1;
  }
  case T_SFTP_CLOSE:
    rc = libssh2_sftp_close_handle(x->handle);
    if ((step = settle(x, "sftp_close", rc)) != 1) return step;
    x->handle = NULL;
    if (rc < 0 && !x->stopping) sftp_fail(x, "write", rc, "cannot close");
    next_pass(x);
    return 1;
  case T_SFTP_SHUTDOWN:
    if ((step = settle(x, "sftp_shutdown", libssh2_sftp_shutdown(x->sftp))) != 1) return step;
    x->sftp = NULL;
    x->state = T_DONE;
    return 1;
  }
  return 1;
}

/* One step of SCP work, as sftp_step. */
static int scp_step(xfer_job_t *x) {
  nh_ssh_t *ssh = x->job.ssh;
  int rc, step;
  switch (x->state) {
  case T_SCP_OPEN:
    if (x->pass == P_PUT) {
      x->ch = libssh2_scp_send64(ssh->session, x->remote, x->mode & 0777, (libssh2_int64_t)x->size,
                                 0, 0);
    } else {
      libssh2_struct_stat st;
      memset(&st, 0, sizeof(st));
      x->ch = libssh2_scp_recv2(ssh->session, x->remote, &st);
      if (x->ch) x->size = (uint64_t)st.st_size;
    }
    rc = x->ch ? 0 : libssh2_session_last_errno(ssh->session);
    if ((step = settle(x, x->pass == P_PUT ? "scp_send" : "scp_recv", rc)) != 1) return step;
    if (rc < 0) {
      const char *msg = nh__ssh_errmsg(ssh);
      /* libssh2 1.10 drops the server's reason for refusing a file ("Failed to recv
       * file", "failed to send file"): say what it can be. */
      fail(x, x->pass == P_VERIFY ? "verify" : "open",
           rc == LIBSSH2_ERROR_SCP_PROTOCOL ? scp_code(msg) : NH_ECHANNEL, "scp %s: %s%s",
           x->remote, msg,
           !strcmp(msg, "Failed to recv file") ? " (no such file, or permission denied)"
           : !strcmp(msg, "failed to send file")
               ? " (permission denied, no such directory, or no space)"
               : "");
      x->state = T_DONE;
      return 1;
    }
    x->done = 0;
    x->state = T_SCP_DATA;
    return 1;
  case T_SCP_DATA: {
    size_t moved = 0;
    while (moved < STEP_BYTES && !may_stop(x)) {
      ssize_t n;
      if (x->pass == P_PUT) {
        if (x->boff == x->blen && !x->inflight) {
          if (x->done == x->size) {
            data_done(x);
            x->state = T_SCP_END;
            return 1;
          }
          n = fill(x);
          if (n < 0) return 1;
          if (n == 0 || x->done + (uint64_t)n > x->size) {
            /* The file changed size under us: SCP announced the size first. */
            fail(x, "local", NH_EPROTO, "%s changed size during the transfer", x->local);
            return 1;
          }
        }
        n = libssh2_channel_write(x->ch, x->buf + x->boff, x->blen - x->boff);
        nh__ssh_trace(ssh, "channel_write", (int)(n < 0 ? n : 0));
        if (n == LIBSSH2_ERROR_EAGAIN || n == 0) { /* 0: the window is closed */
          x->inflight = 1;
          return 0;
        }
        x->inflight = 0;
        if (n < 0) {
          if (nh__ssh_fatal((int)n)) return NH_ECLOSED;
          fail(x, "write", NH_ECHANNEL, "scp %s: %s", x->remote, nh__ssh_errmsg(ssh));
          return 1;
        }
        x->boff += (size_t)n;
        x->done += (uint64_t)n;
        if (x->req) x->req->bytes = x->done;
      } else {
        size_t want = CHUNK;
        if (x->done == x->size) {
          data_done(x);
          x->state = T_SCP_FREE; /* the server's final status byte goes with the channel */
          return 1;
        }
        if (x->size - x->done < want) want = (size_t)(x->size - x->done);
        n = libssh2_channel_read(x->ch, x->buf, want);
        nh__ssh_trace(ssh, "channel_read", (int)(n < 0 ? n : 0));
        if (n == LIBSSH2_ERROR_EAGAIN) return 0; /* reads may be abandoned */
        if (n < 0) {
          if (nh__ssh_fatal((int)n)) return NH_ECLOSED;
          fail(x, x->pass == P_VERIFY ? "verify" : "read", NH_ECHANNEL, "scp %s: %s", x->remote,
               nh__ssh_errmsg(ssh));
          return 1;
        }
        if (n == 0) {
          if (libssh2_channel_eof(x->ch)) {
            fail(x, x->pass == P_VERIFY ? "verify" : "read", NH_EPROTO,
                 "scp %s: the server ended after %llu of %llu bytes", x->remote,
                 (unsigned long long)x->done, (unsigned long long)x->size);
            return 1;
          }
          return 0;
        }
        if (take(x, x->buf, (size_t)n) < 0) return 1;
      }
      moved += (size_t)n;
      ssh->progress++;
    }
    return 1;
  }
  case T_SCP_END:
    /* The protocol ends a file with a zero byte; a remote scp that meets EOF instead
     * reports a lost connection and exits with status 1. */
    rc = (int)libssh2_channel_write(x->ch, "", 1);
    nh__ssh_trace(ssh, "channel_write", rc);
    if ((x->inflight = rc == LIBSSH2_ERROR_EAGAIN || rc == 0)) return 0;
    if (rc < 0 && nh__ssh_fatal(rc)) return NH_ECLOSED;
    if (rc < 0) fail(x, "write", NH_ECHANNEL, "scp %s: %s", x->remote, nh__ssh_errmsg(ssh));
    x->state = rc < 0 ? T_SCP_FREE : T_SCP_EOF;
    return 1;
  case T_SCP_EOF:
    rc = libssh2_channel_send_eof(x->ch);
    if ((step = settle(x, "channel_send_eof", rc)) != 1) return step;
    x->state = rc < 0 ? T_SCP_FREE : T_SCP_WAIT_EOF;
    return 1;
  case T_SCP_WAIT_EOF:
    /* The remote scp acknowledges the data and exits: its exit status says whether the
     * file was written. */
    if ((step = settle(x, "channel_wait_eof", libssh2_channel_wait_eof(x->ch))) != 1) return step;
    x->state = T_SCP_WAIT_CLOSED;
    return 1;
  case T_SCP_WAIT_CLOSED:
    if ((step = settle(x, "channel_wait_closed", libssh2_channel_wait_closed(x->ch))) != 1)
      return step;
    if (!x->stopping && libssh2_channel_get_exit_status(x->ch) != 0)
      fail(x, "write", NH_EPROTO, "scp %s: the remote scp exited with status %d", x->remote,
           libssh2_channel_get_exit_status(x->ch));
    x->state = T_SCP_FREE;
    return 1;
  case T_SCP_FREE:
    if (nh__ssh_channel_free(ssh, x->ch) == NH_SSH_AGAIN) return 0;
    x->ch = NULL;
    next_pass(x);
    return 1;
  }
  return 1;
}

static int xfer_step(nh_ssh_job_t *job) {
  xfer_job_t *x = (xfer_job_t *)job;
  for (;;) {
    int rc;
    if (may_stop(x) && stop_to[x->state]) x->state = stop_to[x->state];
    if (x->state == T_DONE) {
      nh__ssh_job_remove(&x->job);
      deliver(x, x->status);
      release(x);
      return 0;
    }
    rc = x->state >= T_SCP_OPEN ? scp_step(x) : sftp_step(x);
    if (rc < 0) return rc;
    if (rc == 0) {
      nh__ssh_job_blocked(job);
      return 0;
    }
    job->ssh->progress++; /* a call completed: the job moved on */
  }
}

static void xfer_abort(nh_ssh_job_t *job, int status) {
  xfer_job_t *x = (xfer_job_t *)job;
  deliver(x, status);
  release(x); /* the SFTP handle and channels go with the session */
}

static void xfer_cancel(nh_op_t *op) {
  nh_ssh_xfer_t *req = (nh_ssh_xfer_t *)op;
  xfer_job_t *x = req->job;
  if (x && op->reason == NH_ETIMEDOUT)
    nh__ssh_trace_dump(x->job.ssh, x->ch, "file transfer reached its deadline");
  if (x) {
    /* Detach: the job finishes its libssh2 call, then closes the file and the channel. A
     * download's temporary file goes now. */
    x->req = NULL;
    req->job = NULL;
    x->stopping = 1;
    if (x->tmp) {
      unlink(x->tmp);
      free(x->tmp);
      x->tmp = NULL;
    }
    nh__ssh_kick(x->job.ssh);
  }
  nh__op_done(op, op->reason);
}

static const nh_op_type_t xfer_type = {"ssh.transfer", xfer_cancel};

/* Opens the local side: the source of an upload, or a temporary file next to the
 * destination of a download. Returns 0 or an NH_E* code with the failure recorded. */
static int open_local(xfer_job_t *x, nh_ssh_t *ssh, const nh_ssh_xfer_opts_t *o) {
  struct stat st;
  if (o->put) {
    if ((x->fd = open(o->local, O_RDONLY | O_CLOEXEC)) < 0 || fstat(x->fd, &st) < 0)
      return nh__ssh_fail_detail(ssh, "local", errno_code(errno), "%s: %s", o->local,
                                 strerror(errno));
    if (!S_ISREG(st.st_mode))
      return nh__ssh_fail_detail(ssh, "local", NH_EINVAL, "%s: not a regular file", o->local);
    x->size = (uint64_t)st.st_size;
    x->mode = o->mode >= 0 ? o->mode : (int)(st.st_mode & 0777);
  } else {
    size_t n = strlen(o->local) + 16;
    x->mode = o->mode >= 0 ? o->mode : 0600;
    if (!(x->tmp = malloc(n))) return NH_ENOMEM;
    snprintf(x->tmp, n, "%s.nhtmpXXXXXX", o->local);
    if ((x->fd = mkostemp(x->tmp, O_CLOEXEC)) < 0) {
      int e = errno;
      free(x->tmp);
      x->tmp = NULL;
      return nh__ssh_fail_detail(ssh, "local", errno_code(e), "%s: %s", o->local, strerror(e));
    }
    if (fchmod(x->fd, (mode_t)x->mode) < 0)
      return nh__ssh_fail_detail(ssh, "local", errno_code(errno), "%s: %s", o->local,
                                 strerror(errno));
  }
  return 0;
}

int nh_ssh_transfer(nh_ssh_xfer_t *req, nh_ssh_t *ssh, const nh_ssh_xfer_opts_t *o,
                    uint64_t timeout_ms, nh_op_cb cb) {
  xfer_job_t *x;
  int rc;
  memset(req, 0, sizeof(*req));
  if (!o->local || !o->remote || !*o->local || !*o->remote) return NH_EINVAL;
  if (o->mode > 07777) return NH_EINVAL;
  if (!nh_ssh_is_ready(ssh)) return NH_ECLOSED;
  nh__ssh_failure_clear(ssh);
  if (!(x = calloc(1, sizeof(*x)))) return NH_ENOMEM;
  x->fd = -1;
  if (!(x->local = strdup(o->local)) || !(x->remote = strdup(o->remote)) ||
      !(x->buf = malloc(CHUNK)) || !(x->moved = EVP_MD_CTX_new()) ||
      !EVP_DigestInit_ex(x->moved, EVP_sha256(), NULL)) {
    release(x);
    return NH_ENOMEM;
  }
  if ((rc = open_local(x, ssh, o)) < 0) {
    release(x);
    return rc;
  }
  x->pass = o->put ? P_PUT : P_GET;
  x->verify = o->verify;
  x->scp = o->protocol == NH_XFER_SCP;
  x->fallback = o->protocol == NH_XFER_AUTO;
  x->state = x->scp ? T_SCP_OPEN : T_SFTP_INIT;
  req->ssh = ssh;
  req->protocol = x->scp ? "scp" : "sftp";
  req->job = x;
  x->req = req;
  x->job.step = xfer_step;
  x->job.abort = xfer_abort;
  nh__ssh_op_begin(&req->op, ssh, &xfer_type, &x->job, cb, timeout_ms);
  return 0;
}
