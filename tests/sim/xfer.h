/* File transfer services of a device session: the "sftp" subsystem (sftp.c) and the
 * classic SCP protocol run by `exec scp -t|-f PATH` (scp.c). Both read and write the
 * device's flash (flash.h) and speak to the channel through the same sink as terminals
 * (sim_term_io_t: write, done, enter, leave), so server.c only dispatches to them. */
#ifndef SIM_XFER_H
#define SIM_XFER_H

#include "sim.h"
#include "term.h"

typedef struct sim_xfer sim_xfer_t;

/* Output a service may leave unsent before it stops reading requests: a client that asks
 * for data faster than it reads it (or never opens its window) is held to this much of the
 * lab's memory, plus one reply and the requests libssh holds within the channel window. */
#define XFER_OUT_BOUND (1024u * 1024u)

typedef struct sim_xfer_ops {
  /* Takes all of data and returns len, or takes nothing and returns 0 when the service's
   * output is above XFER_OUT_BOUND: the caller keeps the bytes (libssh's channel buffer,
   * which then stops growing the client's window) and offers them again once the output
   * drained (server.c's chan_resume). len 0 only lets the service go on with requests it
   * took earlier. */
  size_t (*input)(sim_xfer_t *x, const char *data, size_t len);
  void (*eof)(sim_xfer_t *x);
  void (*free)(sim_xfer_t *x);
} sim_xfer_ops_t;

/* Each service's state starts with this. */
struct sim_xfer {
  const sim_xfer_ops_t *ops;
};

/* An SFTP v3 server on a channel that asked for the "sftp" subsystem. */
sim_xfer_t *sftp_new(sim_device_t *dev, const sim_term_io_t *io, void *ctx);
/* An SCP sink or source when command is an scp command line ("scp -t flash:x",
 * "scp -pf 'x'"), else NULL (the command is for the CLI). */
sim_xfer_t *scp_new(sim_device_t *dev, const char *command, const sim_term_io_t *io, void *ctx);

static inline size_t xfer_input(sim_xfer_t *x, const char *data, size_t len) {
  return x->ops->input(x, data, len);
}
/* The client sent EOF. */
static inline void xfer_eof(sim_xfer_t *x) {
  x->ops->eof(x);
}
static inline void xfer_free(sim_xfer_t *x) {
  x->ops->free(x);
}

#endif
