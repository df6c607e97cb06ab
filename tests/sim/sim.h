/* nethost-sim: shared types of the simulated lab. One process, one libuv loop, thousands of
 * devices; each device has a personality (cisco_ios, arista_eos, juniper_junos) that owns
 * its CLI and its configuration state. */
#ifndef SIM_H
#define SIM_H

#include <netinet/in.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#include "conf.h"
#include "sbuf.h"

typedef struct sim_lab sim_lab_t;
typedef struct sim_device sim_device_t;
typedef struct sim_cli sim_cli_t;

/* Fault kinds, each enabled for a device list or by rate per connection / command. */
enum sim_fault {
  FAULT_REFUSE,      /* connection refused (device list) or reset at accept (rate) */
  FAULT_AUTH,        /* authentication always fails */
  FAULT_HANG,        /* after auth the device never answers */
  FAULT_HANG_OUTPUT, /* command output stops half way and nothing follows */
  FAULT_DROP,        /* the connection drops half way through command output */
  FAULT_SLOW,        /* command output trickles (64 bytes every 50 ms) */
  FAULT_GARBAGE,     /* command output is mixed with garbage bytes */
  FAULT_HUGE,        /* show commands answer with multi-megabyte output */
  FAULT_COUNT
};

typedef struct sim_fault_spec {
  double rate;    /* probability per connection or command */
  char **devices; /* names; NULL-terminated */
} sim_fault_spec_t;

/* A personality: one per file (ios.c, eos.c, junos.c). */
typedef struct sim_personality {
  const char *platform;    /* inventory platform name */
  const char *name_prefix; /* "sw" or "r" */
  const char *more;        /* paging prompt */
  /* Draws model, version and the initial configuration from the device's seed. */
  void (*init)(sim_device_t *dev);
  void (*destroy)(sim_device_t *dev);
  /* The greeting a shell shows before the first prompt. */
  void (*banner)(sim_cli_t *cli, sbuf_t *out);
  void (*prompt)(sim_cli_t *cli, sbuf_t *out);
  /* Runs one command line (pipes already removed) and appends its output. Sets cli->error
   * when the device answered with an error marker. */
  void (*command)(sim_cli_t *cli, const char *line, sbuf_t *out);
  /* The running configuration as text (state dump, HTTP API). */
  void (*running_config)(sim_device_t *dev, sbuf_t *out);
  /* Loads a running configuration dumped by running_config (state-dir). */
  void (*load_config)(sim_device_t *dev, const char *text);
  /* What the code a family of personalities shares reads (ioslike.h's profile), or NULL. */
  const void *profile;
} sim_personality_t;

extern const sim_personality_t sim_cisco_ios;
extern const sim_personality_t sim_arista_eos;
extern const sim_personality_t sim_juniper_junos;

typedef struct sim_session_log {
  double start, end; /* unix seconds; end 0 while open */
} sim_session_log_t;

struct sim_device {
  sim_lab_t *lab;
  int index; /* 1-based */
  char name[32];
  char addr[INET_ADDRSTRLEN];
  struct in_addr in;
  const sim_personality_t *pers;
  uint64_t seed;
  const char *model;
  const char *version;
  char serial[16];
  char mac[16]; /* xxxx.xxxx.xxxx */
  const char *site, *role;
  char pair[16];
  time_t boot_time;
  int faults;      /* bit per enum sim_fault, from the device lists */
  int alt_hostkey; /* --host-key-change */
  int bastion;     /* --bastions: accepts direct-tcpip channels to other lab devices */
  /* The SSH bind (host key) this device presents and the public key the lab's known_hosts
   * lists for it: the lab's, or the device's own with --host-keys device. The bind it
   * presents is borrowed (a --host-key-change device presents the lab's alternate bind even
   * when it has its own); own_bind is the one it owns and frees. */
  void *bind;
  void *own_bind;
  const char *hostkey_pub;
  char *own_hostkey_pub; /* owned; NULL unless the device has its own key */
  void *pstate;          /* the personality's state */

  /* Files put by SFTP and SCP (flash.c); NULL until the first. */
  struct sim_flash *flash;

  /* listeners */
  uv_poll_t listen_poll;
  int listen_fd;
  uv_poll_t http_poll;
  int http_fd;
  uv_poll_t nc_poll; /* the NETCONF port (--netconf-port), cisco_ios and juniper_junos only */
  int nc_fd;
  /* conn-rate token bucket */
  double tokens;
  uint64_t tokens_at;

  /* statistics */
  unsigned long sessions, cur_sessions, peak_sessions, accepted, rejected;
  sim_session_log_t *log;
  size_t nlog, caplog;
};

typedef struct sim_options {
  int devices;
  struct in_addr base;
  int port;
  int mix[3]; /* ios, eos, junos weights */
  uint64_t seed;
  const char *inventory_out;
  const char *ready_file;
  const char *state_dir;
  const char *stats_file;
  int latency_ms, jitter_ms;
  sim_fault_spec_t faults[FAULT_COUNT];
  int http, https, http_port;
  /* --netconf-port: NC_PORT_AUTO (830 when it can be bound and the listeners fit the
   * open-file limit, else the SSH port), NC_PORT_SAME (the subsystem on the SSH port
   * only), or a port number every NETCONF device also listens on. */
  int netconf_port;
  int netconf_base10; /* --netconf-base 1.0: servers advertise base:1.0 only (end-of-message
                         framing) */
  int max_sessions;
  int conn_rate;
  char **host_key_change;
  char **bastions;         /* --bastions A,B: these devices forward (NULL: see bastions_all) */
  int bastions_all;        /* every device forwards (the default; --bastions none clears it) */
  char **inventory_jump;   /* --inventory-jump A,B: the inventory reaches devices through these */
  int host_key_per_device; /* --host-keys device */
  int confirm_unit_ms;     /* a Junos "commit confirmed" minute, shortened for tests */
  int login_grace_s;       /* seconds to log in before the lab hangs up (0: forever) */
  int quiet;
  int exit_with; /* stop once this process is gone (0: never) */

  /* The capacity of each device's flash (--flash-mb). */
  uint64_t flash_bytes;
} sim_options_t;

enum { NC_PORT_SAME = 0, NC_PORT_AUTO = -1 };

struct sim_lab {
  uv_loop_t *loop;
  sim_options_t opt;
  sim_device_t *devs;
  int ndevs;
  char hostkey_pub[128];     /* "ssh-ed25519 AAAA..." */
  char alt_hostkey_pub[128]; /* the key --host-key-change devices present */
  void *bind;                /* ssh_bind */
  void *alt_bind;
  uint64_t rng;
  unsigned long connections, handshakes, auth_failures;
  unsigned long open_conns;       /* accepted and not yet freed */
  unsigned long grace_timeouts;   /* connections closed by --login-grace-s */
  unsigned long accept_pauses;    /* times accept ran out of descriptors (or memory) */
  unsigned long forwards;         /* direct-tcpip channels accepted (forward.c) */
  unsigned long forwards_refused; /* and refused (not a lab target, not a bastion) */
  uv_timer_t accept_timer;        /* ends an accept pause */
  int accept_timer_on, accept_paused;
  unsigned accept_backoff_ms;
  double start_time;
  uv_signal_t sigint, sigterm;
  uv_timer_t watchdog; /* --exit-with */
  int stopping;
  int nc_port; /* the port NETCONF devices listen on besides the SSH port; 0: none */
};

/* CLI session state: one per shell or exec channel. */
enum sim_mode { MODE_USER, MODE_PRIV, MODE_CONFIG, MODE_SUB };

struct sim_cli {
  sim_device_t *dev;
  int mode;
  char sub_header[128]; /* section header of MODE_SUB ("interface Ethernet1") */
  char sub_prompt[48];  /* "config-if", "config-if-Et1", "config-vlan" */
  int interactive;      /* PTY shell (paging, prompts) */
  int paging;           /* paging still on (terminal length not 0) */
  int page_len, width;
  int want_secret; /* the next line is the enable secret */
  int secret_tries;
  int no_more;     /* this command disables paging ("| no-more") */
  int display_set; /* Junos "| display set" */
  int exit;        /* close the session after this output */
  int error;       /* the last command answered with an error marker */
  int prompt_len;  /* width of the prompt shown before the current line */
  int in_session;  /* EOS: config lines go to the device's configuration session */
  void *pdata;     /* personality's per-session data */
};

/* Shared helpers. */
uint64_t sim_rand(uint64_t *state);
/* One entry of a NULL-terminated list, drawn with the generator state (a model, a version). */
const char *sim_pick(const char *const *list, uint64_t *state);
uint64_t sim_hash(uint64_t a, uint64_t b);
double sim_now(void);
uint64_t sim_now_ms(void);
int sim_device_has_fault(sim_device_t *dev, enum sim_fault f);
/* The other member of the device's redundancy pair (its LLDP neighbour); the last device of
 * an odd-sized lab pairs with the one before it. */
const sim_device_t *sim_pair_partner(const sim_device_t *dev);
void sim_uptime(const sim_device_t *dev, sbuf_t *out, int eos_style);

/* cli.c: runs a line with its pipes, appending the (filtered) output. */
void cli_execute(sim_cli_t *cli, const char *line, sbuf_t *out);
/* Keyword matching with abbreviations: returns 1 when every token of `input` (from tok on)
 * is a prefix of the corresponding word of `pattern`. "*" in the pattern matches any word
 * and "..." matches the rest. */
int cli_match(const char *input, const char *pattern);
/* Splits a line into at most max tokens (copied into buf). */
int cli_tokens(const char *line, char **tok, int max, char *buf, size_t bufsz);
/* IOS-style invalid input marker under the word at `col` of the line. */
void cli_invalid(sim_cli_t *cli, size_t col, sbuf_t *out);
/* Column of the first token that does not prefix-match the pattern list. */
size_t cli_bad_column(const char *line, const char *const *patterns);

/* ioslike.c: config commands shared by IOS and EOS. */
typedef struct ioslike {
  conf_node_t *running, *startup;
  struct {
    char *name;
    conf_node_t *conf;
  } files[16];
  int nfiles;
  time_t last_change;
} ioslike_t;

#endif
