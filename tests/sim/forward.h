/* The lab as a jump host (forward.c): a `direct-tcpip` channel opened on one device's SSH
 * connection is carried over a real TCP connection to another lab device's listener. */
#ifndef SIM_FORWARD_H
#define SIM_FORWARD_H

#include <libssh/libssh.h>

#include "sim.h"
#include "term.h"

typedef struct sim_fwd sim_fwd_t;

/* The device a direct-tcpip request may reach: `host` is a lab device's address or name
 * and `port` one the lab serves on it (its SSH port, its NETCONF port, and its HTTP port
 * with --http) while it listens there. Anything else is NULL: the lab never connects outside
 * itself. */
const sim_device_t *fwd_target(const sim_lab_t *lab, const char *host, int port);

/* Starts connecting to dev:port for the accepted channel `ch`. Bytes from the device go
 * out through io->write (first 0) and the end of the connection through io->done; every
 * libuv callback is bracketed by io->enter / io->leave on ctx. NULL if the connection
 * cannot even be started. */
sim_fwd_t *fwd_new(sim_lab_t *lab, const sim_device_t *dev, int port, ssh_channel ch,
                   const sim_term_io_t *io, void *ctx);
/* The client's bytes: returns how many were taken. The rest stays in libssh's channel
 * buffer (so its window closes) until the device's socket takes more. */
int fwd_input(sim_fwd_t *f, const char *data, size_t len);
/* The client sent EOF: the device's socket is shut for writing once all is written. */
void fwd_eof(sim_fwd_t *f);
/* Channel output not yet sent, after each pump: reading from the device pauses above a
 * high mark and resumes below a low one. */
void fwd_room(sim_fwd_t *f, size_t pending);
/* The channel is gone: what was written reaches the device, then the socket closes. */
void fwd_free(sim_fwd_t *f);

#endif
