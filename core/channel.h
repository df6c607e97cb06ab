/* nethost core: a byte channel between two nethost processes.
 *
 * `nethost run --workers N` runs hosts in worker processes (docs/architecture.md, Workers).
 * The coordinator spawns each worker with nh_channel_spawn(): the child gets one end of a
 * socket pair as file descriptor 3 and /dev/null as stdin and stdout, so a playbook's
 * print() in a worker can never corrupt the messages. The worker opens its end with
 * nh_channel_open(3). Both ends then exchange bytes: writes are queued and copied, reads are
 * operations (op.h) that complete with whatever arrived since the last read, so a reading
 * task can be cancelled like any other wait. The message format is the Lua layer's.
 *
 * The pipe is read only while a read operation waits, and the child's process handle does
 * not keep the loop alive: a channel nobody waits on never stops the loop from ending.
 */
#ifndef NH_CHANNEL_H
#define NH_CHANNEL_H

#include "op.h"

typedef struct nh_channel_s nh_channel_t;

typedef struct {
  nh_op_t op; /* first member */
  nh_channel_t *chan;
  char *data; /* on status 0: the bytes read (malloc'd, the caller frees them) */
  size_t len;
} nh_channel_read_t;

/* How much of a child's stderr a channel keeps (nh_channel_stderr_tail). */
#define NH_CHANNEL_STDERR_TAIL 2048

/* Spawns file with argv (NULL-terminated) as a child in a session of its own (a Ctrl-C on
 * the terminal reaches only the caller, which decides what the children do). The child's
 * stderr is the caller's when keep_stderr is set; else it is read and dropped as it comes
 * but for its last NH_CHANNEL_STDERR_TAIL bytes (nh_channel_stderr_tail). Returns 0 and
 * *out, or a negative NH_E* code. */
int nh_channel_spawn(nh_loop_t *loop, const char *file, char *const *argv, int keep_stderr,
                     nh_channel_t **out);

/* Opens the inherited descriptor fd (a worker's 3) as a channel. */
int nh_channel_open(nh_loop_t *loop, int fd, nh_channel_t **out);

/* Queues len bytes (copied) for the other end. NH_ECLOSED once the channel is closed or
 * a write failed (the other end has gone). */
int nh_channel_write(nh_channel_t *ch, const char *data, size_t len);

/* Completes req with status 0 and the bytes that arrived (at least one), NH_EOF when the
 * other end has closed and everything was read, or another negative code on a read error.
 * One read at a time per channel (NH_EBUSY otherwise). */
int nh_channel_read_start(nh_channel_t *ch, nh_channel_read_t *req, nh_op_cb cb);

/* The child's process id (0 for a channel from nh_channel_open). */
int nh_channel_pid(const nh_channel_t *ch);

/* Whether the child has exited, and its exit status (or 128 + the signal that ended it). */
int nh_channel_exited(const nh_channel_t *ch, int *status);

/* The last bytes the child wrote on stderr (at most NH_CHANNEL_STDERR_TAIL; none when the
 * caller kept stderr): what says why a child died. Sets *data and *ended (whether the
 * child's stderr has reached its end, so nothing more will come), returns the length. */
size_t nh_channel_stderr_tail(const nh_channel_t *ch, const char **data, int *ended);

/* Sends signum to the child, if it is still running. */
int nh_channel_kill(nh_channel_t *ch, int signum);

/* Closes the pipe only: the other end reads its end (a worker then exits), while the
 * child's exit is still reaped and its status kept. A waiting read completes with
 * NH_ECANCELED; writes fail from now on. nh_channel_close() is still needed. */
void nh_channel_hangup(nh_channel_t *ch);

/* Closes the channel: a waiting read completes with NH_ECANCELED, queued writes are dropped,
 * a child still running gets SIGTERM. Memory goes once libuv has closed the handles. */
void nh_channel_close(nh_channel_t *ch);

#endif
