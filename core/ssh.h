/* nethost core: SSH connections (libssh2 driven by the loop).
 *
 * An nh_ssh_t is one SSH connection to one device: name resolution, TCP connect, banner,
 * key exchange, host-key verification and authentication, then any number of channels
 * (exec commands, PTY shells) multiplexed on it. Everything is non-blocking: libssh2 runs
 * in non-blocking mode, one uv_poll_t watches the socket for the directions libssh2 says
 * it is blocked on, and every call that returned LIBSSH2_ERROR_EAGAIN is repeated later
 * with the same arguments. libssh2 has no timeouts of its own: each stage (connect,
 * banner, kex, hostkey, auth, channel, command) has a deadline here.
 *
 * Ownership: the caller allocates the nh_ssh_t (or uses nh_ssh_new) and the requests.
 * nh_ssh_close() tears the connection down; the memory may be released once its close
 * callback has run. The configuration is copied at nh_ssh_connect(); secrets in it are
 * wiped from memory when the connection closes and never appear in error messages.
 */
#ifndef NH_SSH_H
#define NH_SSH_H

#include "op.h"
#include "pattern.h"

#include <stddef.h>
#include <stdint.h>

typedef struct nh_ssh_s nh_ssh_t;

/* Host key policies, as OpenSSH's StrictHostKeyChecking. */
typedef enum {
  NH_HOSTKEY_STRICT = 0, /* the key must be in known_hosts already (the default) */
  NH_HOSTKEY_ACCEPT_NEW, /* unknown hosts are pinned on first use; changed keys fail */
  NH_HOSTKEY_OFF         /* no verification at all (must be asked for explicitly) */
} nh_hostkey_policy_t;

/* Algorithm preference slots (comma-separated lists, most preferred first). */
enum { NH_SSH_ALG_KEX, NH_SSH_ALG_HOSTKEY, NH_SSH_ALG_CIPHER, NH_SSH_ALG_MAC, NH_SSH_ALG_COUNT };

typedef struct nh_ssh_config_s nh_ssh_config_t;

struct nh_ssh_config_s {
  const char *name; /* the host's name for messages (inventory name); NULL: address */
  const char *address;
  int port; /* 0: 22 */
  const char *user;
  const char *password; /* password and keyboard-interactive answers; may be NULL */
  const char *key_file; /* private key file; may be NULL */
  const char *key_passphrase;
  int use_agent;           /* try ssh-agent keys (SSH_AUTH_SOCK) */
  const char *known_hosts; /* NULL: ~/.ssh/known_hosts */
  nh_hostkey_policy_t host_key_policy;
  const char *algorithms[NH_SSH_ALG_COUNT]; /* NULL: nethost's modern defaults */
  uint64_t connect_timeout_ms;              /* each of connect/banner/kex/auth; 0: 10 s */
  unsigned keepalive_s;                     /* 0: no keepalives */
  /* Jump hosts (ProxyJump): the hops to go through, the one nearest to us first; the
   * connection is then tunnelled through a direct-tcpip channel of the last hop. Each hop
   * is verified and authenticated under its own configuration (its own jumps are
   * ignored). Connections to a hop are shared by every connection going through the same
   * chain of hops (see core/ssh_jump.c). */
  const nh_ssh_config_t *jumps;
  size_t njumps;
  /* As a jump host: tunnels carried by one connection (OpenSSH's MaxSessions; 0: 10),
   * and connections opened to it at most (0: 10). */
  unsigned max_sessions;
  unsigned max_connections;
};

/* What went wrong, for error messages: the stage that failed and a detail line (the
 * host-key fingerprints, the server's auth methods, the libssh2 message, ...). */
typedef struct {
  const char *stage; /* "connect", "banner", "kex", "hostkey", "auth", "channel", ... */
  char detail[512];
} nh_ssh_failure_t;

typedef struct {
  nh_op_t op; /* first member */
  nh_ssh_t *ssh;
} nh_ssh_connect_t;

/* Allocates a connection object for loop (free it with nh_ssh_close then nh_ssh_free, or
 * just nh_ssh_close with free_on_close set). NULL when out of memory. */
nh_ssh_t *nh_ssh_new(nh_loop_t *loop);

/* Starts connecting and authenticating. cb receives 0 once the connection is usable, or
 * a negative code: NH_ERESOLVE, NH_ECONNREFUSED (and other socket errors), NH_EBANNER,
 * NH_EKEX, NH_EHOSTKEY, NH_EAUTH, NH_ETIMEDOUT (each stage has connect_timeout_ms),
 * NH_ECANCELED. nh_ssh_failure() then says which stage and why. A connection can be
 * connected once. */
int nh_ssh_connect(nh_ssh_connect_t *req, nh_ssh_t *ssh, const nh_ssh_config_t *cfg, nh_op_cb cb);

/* The last failure of the connection or one of its channels. */
const nh_ssh_failure_t *nh_ssh_failure(const nh_ssh_t *ssh);

/* The host's display name (the config's name, else its address). */
const char *nh_ssh_host(const nh_ssh_t *ssh);

/* Whether the connection is authenticated and not closed or broken. */
int nh_ssh_is_ready(const nh_ssh_t *ssh);

/* The server's host key fingerprint ("SHA256:...") once known, else "". */
const char *nh_ssh_fingerprint(const nh_ssh_t *ssh);

typedef void (*nh_ssh_close_cb)(nh_ssh_t *ssh);

/* Cancels every operation on ssh (their callbacks get NH_ECANCELED), disconnects and
 * releases the socket. close_cb (may be NULL) runs once everything is released; if
 * free_on_close, the nh_ssh_t is freed right after it. Calling it twice is harmless (the
 * second call only updates free_on_close when the first close is still running). */
void nh_ssh_close(nh_ssh_t *ssh, nh_ssh_close_cb close_cb, int free_on_close);

/* Frees an nh_ssh_t that was never connected or whose close callback has run. */
void nh_ssh_free(nh_ssh_t *ssh);

void *nh_ssh_get_data(const nh_ssh_t *ssh);
void nh_ssh_set_data(nh_ssh_t *ssh, void *data);

/* Limits. */

/* Allows at most per_second new TCP connections per second across all SSH connections of
 * loop (0: unlimited, the default). Connects beyond the rate wait their turn; that wait is
 * not counted in their connect deadline. The setting and its queue belong to the loop and
 * go with nh_loop_close(). Returns 0 or NH_ENOMEM. */
int nh_ssh_set_connect_rate(nh_loop_t *loop, double per_second);

/* Raises the soft open-file limit as far as the hard limit allows (done automatically by
 * the first nh_ssh_connect). Returns the new soft limit. */
long nh_ssh_raise_nofile(void);

/* Statistics: connections of loop currently open (socket held). */
size_t nh_ssh_open_count(nh_loop_t *loop);

/* Exec channels */

typedef struct {
  nh_op_t op; /* first member */
  nh_ssh_t *ssh;
  /* results, owned by the request until nh_ssh_exec_cleanup() */
  char *out;
  size_t out_len;
  char *err;
  size_t err_len;
  int exit_status;   /* -1 when the server sent none */
  char *exit_signal; /* NULL unless the command died of a signal */
  /* private */
  void *job;
  size_t max_output;
  size_t out_cap, err_cap;
} nh_ssh_exec_t;

/* Runs command on an exec channel of ssh and collects stdout and stderr until the channel
 * closes. timeout_ms bounds the whole command (0: none); max_output bounds stdout+stderr
 * (0: 64 MB), exceeding it fails with NH_ETOOBIG. Other failures: NH_ECHANNEL, NH_ECLOSED
 * (connection broken), NH_ETIMEDOUT, NH_ECANCELED. Call nh_ssh_exec_cleanup() after the
 * callback to release the buffers. */
int nh_ssh_exec(nh_ssh_exec_t *req, nh_ssh_t *ssh, const char *command, uint64_t timeout_ms,
                size_t max_output, nh_op_cb cb);
void nh_ssh_exec_cleanup(nh_ssh_exec_t *req);

/* PTY shells */

typedef struct nh_ssh_shell_s nh_ssh_shell_t;

typedef struct {
  nh_op_t op; /* first member */
  nh_ssh_shell_t *shell;
} nh_ssh_shell_open_t;

/* The PTY width a shell gets when the caller asks for none (width <= 0): wide enough that
 * CLIs do not wrap command lines. It is the plugin ABI's NH_PLUGIN_SHELL_WIDTH, which
 * platforms send in `terminal width` commands (a static assertion in ssh_shell.c ties them). */
#define NH_SSH_SHELL_WIDTH 511

/* Opens a PTY (term "vt100", width x height characters) with a shell on ssh. On success
 * req->shell is the shell; nh_ssh_shell_close() releases it. Output that arrives while no
 * one waits is kept (up to max_buffer bytes, 0: 64 MB) so the channel window keeps moving. */
int nh_ssh_shell_open(nh_ssh_shell_open_t *req, nh_ssh_t *ssh, int width, int height,
                      size_t max_buffer, uint64_t timeout_ms, nh_op_cb cb);

/* Closes the shell channel (in the background) and frees the shell. An expect pending on
 * it completes with NH_ECANCELED. */
void nh_ssh_shell_close(nh_ssh_shell_t *shell);

/* The bytes received and not yet consumed by an expect. */
const char *nh_ssh_shell_buffer(const nh_ssh_shell_t *shell, size_t *len);

/* Drops the received, unconsumed bytes (stale prompts before a new command). */
void nh_ssh_shell_discard(nh_ssh_shell_t *shell);

typedef struct {
  nh_op_t op; /* first member */
  nh_ssh_shell_t *shell;
  /* results, owned by the request until nh_ssh_expect_cleanup() */
  char *data; /* what was consumed: everything up to the end of the match */
  size_t len;
  int which;          /* index of the pattern that matched */
  size_t match_start; /* offset of the match in data */
  /* private */
  const nh_pattern_t *const *patterns; /* caller-owned */
  int npatterns;
  size_t scanned;
} nh_ssh_expect_t;

/* Writes send (send_len bytes, may be 0), then waits until one of the npatterns compiled
 * patterns (caller-owned, alive until the callback) matches the received
 * data, and consumes the data up to the end of the match. timeout_ms 0: none. On
 * NH_ETIMEDOUT, NH_ECLOSED (the channel ended) and NH_ETOOBIG the unconsumed data is
 * still readable with nh_ssh_shell_buffer() for the error message. */
int nh_ssh_expect(nh_ssh_expect_t *req, nh_ssh_shell_t *shell, const char *send, size_t send_len,
                  const nh_pattern_t *const *patterns, int npatterns, uint64_t timeout_ms,
                  nh_op_cb cb);
void nh_ssh_expect_cleanup(nh_ssh_expect_t *req);

#endif
