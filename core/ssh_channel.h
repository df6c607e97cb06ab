/* nethost core: the life of a session channel, shared by the jobs that hold one (an exec, a
 * PTY shell, a NETCONF session): open the channel, make its setup requests, hand it to the
 * job while it is live, then close it (waiting for the server's close) and free it.
 *
 * Each step is one libssh2 call that the connection's pump repeats after EAGAIN with the
 * same arguments; the job's type supplies only what differs (its requests, what it does
 * while live, what it completes at the end), the way libuv's one stream I/O path serves
 * TCP, pipes and TTYs. Not for use outside core/ssh*.c and core/netconf.c. */
#ifndef NH_SSH_CHANNEL_H
#define NH_SSH_CHANNEL_H

#include "ssh_internal.h"

typedef struct nh_ssh_channel_s nh_ssh_channel_t;

/* Results of the steps below besides 0 and negative NH_E* codes. */
#define NH_SSH_AGAIN 1 /* libssh2 returned EAGAIN: wait, then make the same call again */
#define NH_SSH_DROP                                               \
  2 /* the job has ended (live: the connection was lost after the \
     * channel's end, and the channel goes with the session) */

#define NH_SSH_REQUESTS 2 /* requests a channel type makes at the most */

/* A request made on the channel once it is open (exec, pty, shell, subsystem). */
typedef struct {
  const char *what;                 /* the libssh2 call, for the trace */
  const char *stage;                /* the failure's stage when the server refuses it */
  const char *refused;              /* the failure's detail, before libssh2's message */
  int (*call)(nh_ssh_channel_t *c); /* makes the call: libssh2's result */
} nh_ssh_request_t;

typedef struct {
  /* The requests, made in order (an exec; a pty and a shell); unused ones have no call. */
  nh_ssh_request_t requests[NH_SSH_REQUESTS];
  /* Read the channel's stderr with its output (libssh2's EXTENDED_DATA_MERGE). */
  int merge_stderr;
  /* The open request completes later than the setup (NETCONF: with the server's hello),
   * through nh__ssh_channel_opened. */
  int opens_later;
  /* The live phase, called after the queued bytes are sent: reads and writes as far as it
   * goes. Returns NH_SSH_AGAIN to wait, 0 when the channel is done with (it closes next),
   * NH_SSH_DROP when the connection is lost after the channel's end (the channel goes with
   * the session: closed() runs and the job ends now), or NH_ECLOSED when the connection is
   * broken. */
  int (*live)(nh_ssh_channel_t *c);
  /* The server closed the channel: its exit status is readable until the free (may be
   * NULL). */
  void (*closed)(nh_ssh_channel_t *c);
  /* The job ends with status (c->status, or the connection's end): complete the requests
   * that still wait, apart from the open request. */
  void (*finish)(nh_ssh_channel_t *c, int status);
  /* The open request failed or was cancelled: it hands over no channel (may be NULL when
   * there is no open request). */
  void (*forget)(nh_op_t *open);
  /* Frees the job's memory (nh__ssh_channel_release with it). */
  void (*release)(nh_ssh_channel_t *c);
} nh_ssh_channel_type_t;

enum { NH_CH_OPEN, NH_CH_SETUP, NH_CH_LIVE, NH_CH_CLOSE, NH_CH_FREE };

struct nh_ssh_channel_s {
  nh_ssh_job_t job; /* first member */
  const nh_ssh_channel_type_t *type;
  LIBSSH2_CHANNEL *ch;
  nh_op_t *open_op; /* the request waiting for the channel to be set up, if any */
  /* The channel was opened for a request that hands it to the user (a shell, a NETCONF
   * session), who frees it with its close: when the channel ends first, the job only
   * marks itself dead. Otherwise (an exec) the job frees itself when the channel ends. */
  int kept;
  int phase;    /* NH_CH_* */
  int request;  /* index of the request being made (NH_CH_SETUP) */
  int status;   /* what the job ends with (a refused request: NH_ECHANNEL) */
  int detached; /* nobody waits for the channel any more: it closes at the next chance */
  int dead;     /* the job ended (a kept channel): nothing left but memory */
  int eof;      /* the channel's input ended, or writing to it failed */
  int lost;     /* the connection died; what libssh2 still held is being drained */
  char *wbuf;   /* bytes queued for the channel, of which wsent are sent */
  size_t wlen, wsent;
};

/* Makes c a job of type, for open (the request waiting for the channel, or NULL); c is
 * added to a connection with nh__ssh_op_begin. */
void nh__ssh_channel_init(nh_ssh_channel_t *c, const nh_ssh_channel_type_t *type, nh_op_t *open);
/* Releases what c holds apart from its channel (which goes with the session). */
void nh__ssh_channel_release(nh_ssh_channel_t *c);
/* Queues len bytes of data to be sent in the live phase. Returns 0 or NH_ENOMEM. */
int nh__ssh_channel_queue(nh_ssh_channel_t *c, const char *data, size_t len);
/* Reads up to len bytes of the channel's output. Returns the count (> 0); 0 when nothing
 * more is there now (c->eof is set when the output ended); or a negative libssh2 code when
 * the channel or the connection failed (a lost connection once what libssh2 still held has
 * been read). */
ssize_t nh__ssh_channel_read(nh_ssh_channel_t *c, char *buf, size_t len);
/* Closes ch, waiting for the server's close (a close that fails leaves the channel closed
 * as far as libssh2 is concerned). Returns 0, NH_SSH_AGAIN, or NH_ECLOSED when the
 * connection is broken. */
int nh__ssh_channel_close(nh_ssh_t *ssh, LIBSSH2_CHANNEL *ch);
/* Frees ch (closed first). Returns 0 or NH_SSH_AGAIN. */
int nh__ssh_channel_free(nh_ssh_t *ssh, LIBSSH2_CHANNEL *ch);
/* Nobody waits for c any more: it closes its channel once its pending libssh2 call and
 * queued bytes are through, then frees itself (at once if it is dead already). */
void nh__ssh_channel_detach(nh_ssh_channel_t *c);
/* Completes c's open request, if it still waits, with status; a failed open leaves c to
 * close and free itself. */
void nh__ssh_channel_opened(nh_ssh_channel_t *c, int status);
/* The cancel of an open request: op stops waiting for c (NULL: it has no channel any
 * more), which closes and frees itself. */
void nh__ssh_channel_cancel_open(nh_ssh_channel_t *c, nh_op_t *op);

#endif
