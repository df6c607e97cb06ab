/* The terminal side of a device session: line editing and echo on a PTY, the enable
 * secret prompt, paging with the personality's --More-- prompt, typeahead, per-command
 * latency, and exec channels (one command, then an exit status). The bytes go to an
 * output sink (the SSH channel in server.c). */
#ifndef SIM_TERM_H
#define SIM_TERM_H

#include "sim.h"

typedef struct sim_term sim_term_t;

typedef struct sim_term_io {
  /* Writes bytes to the client. `first` is 1 for the first chunk of a command's output
   * (where output faults are decided), 0 otherwise. */
  void (*write)(void *ctx, const char *data, size_t len, int first);
  /* Writes bytes that stay valid as long as the process runs, by reference (the huge
   * fault's shared padding); never the first chunk of an output. */
  void (*write_shared)(void *ctx, const char *data, size_t len);
  /* The session is over (exit, logout, exec done): send `status` and close. */
  void (*done)(void *ctx, int status);
  /* Bracket the work the terminal starts on its own (its latency timer), so the sink
   * does not free itself, or the terminal, while that work is on the stack. */
  void (*enter)(void *ctx);
  void (*leave)(void *ctx);
  /* Optional: the bytes written and not yet sent to the client. The SFTP server stops
   * reading requests while this is above XFER_OUT_BOUND (xfer.h). NULL: never full. */
  size_t (*pending)(void *ctx);
} sim_term_io_t;

sim_term_t *term_new(sim_device_t *dev, int pty, int width, int height, const sim_term_io_t *io,
                     void *ctx);
void term_start_shell(sim_term_t *t);
void term_exec(sim_term_t *t, const char *command);
void term_input(sim_term_t *t, const char *data, size_t len);
void term_resize(sim_term_t *t, int width, int height);
/* Client EOF: finish what is queued, then close. */
void term_eof(sim_term_t *t);
/* Stops timers and frees the terminal once libuv released its handles. */
void term_free(sim_term_t *t);

#endif
