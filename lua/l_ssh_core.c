/* nethost Lua layer: the C part of the ssh module (require "nethost.ssh_core").
 *
 * The primitives lua/nethost/ssh.lua builds the ssh module on: run(host, command, opts),
 * open(host, opts) -> session, the session's run/close/host/info and the raw PTY shell
 * (_shell_open, _expect, _buffer, _discard) the interactive CLI (lua/nethost/ssh_shell.lua)
 * drives. This file knows nothing of the runner: check mode, `changed` and timings are the
 * façade's business, through lua/nethost/hooks.lua.
 *
 * A session userdata holds a pointer to the core connection (core/ssh.h), never the
 * connection itself: closing hands the connection to the core with free_on_close, so the
 * GC never frees memory libuv still uses. Every request is allocated apart and freed by
 * the continuation that receives its result.
 */
#include "class.h"
#include "runtime.h"
#include "error.h"
#include "regex.h"
#include "ssh.h"
#include "ssh_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_MT         "nethost.ssh.session"
#define SHELL_MT           "nethost.ssh.shell"
#define DEFAULT_TIMEOUT_MS 60000
#define MAX_HOPS           8

/* The host a call is about, as parsed from an inventory host or a plain table. */
typedef struct {
  nh_ssh_config_t cfg;
  const char *name;
  uint64_t timeout_ms;
  size_t max_output;
  int check;
  nh_ssh_config_t hops[MAX_HOPS]; /* jump hosts, nearest first (cfg.jumps points here) */
  size_t njumps;
  int depth; /* of hops given as hosts with their own jump hosts */
} host_args_t;

typedef struct {
  nh_ssh_t *ssh;
  uint64_t timeout_ms;
  size_t max_output;
  int check;
  const char *name; /* the host's name, anchored in the userdata's third user value */
} session_t;

/* Reading hosts */

/* Fields of hosts and options are read with lua/args.h. */

/* The first of the keys that idx has as a string (or number), left on the stack either
 * way; NULL if none. */
static const char *get_str(lua_State *L, int idx, const char *k1, const char *k2) {
  int t = nhl_opt_get(L, idx, k1);
  if ((t == LUA_TNIL || t == LUA_TNONE) && k2) {
    lua_pop(L, 1);
    return nhl_opt_cstring(L, idx, k2, "ssh");
  }
  return t == LUA_TSTRING || t == LUA_TNUMBER ? nhl_tocstring(L, -1, "ssh", k1) : NULL;
}

/* host:secret(which) when the host has that method; the value stays on the stack. */
static const char *get_secret(lua_State *L, int host, const char *which) {
  if (lua_type(L, host) == LUA_TTABLE || lua_type(L, host) == LUA_TUSERDATA) {
    if (lua_getfield(L, host, "secret") == LUA_TFUNCTION) {
      lua_pushvalue(L, host);
      lua_pushstring(L, which);
      lua_call(L, 2, 1);
      if (lua_type(L, -1) == LUA_TSTRING) return nhl_tocstring(L, -1, "ssh", which);
      return NULL;
    }
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  return NULL;
}

/* Algorithm list: a string or a list of names, as one comma-separated string. */
static const char *get_algorithms(lua_State *L, int algs, const char *k) {
  int t = nhl_opt_get(L, algs, k);
  if (t == LUA_TSTRING) return nhl_tocstring(L, -1, "ssh", k);
  if (t == LUA_TTABLE) {
    int i, n = (int)luaL_len(L, -1), tbl = lua_gettop(L);
    luaL_Buffer b;
    if (n == 0) return NULL;
    luaL_buffinit(L, &b);
    for (i = 1; i <= n; i++) {
      if (i > 1) luaL_addchar(&b, ',');
      lua_geti(L, tbl, i);
      luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return nhl_tocstring(L, -1, "ssh", k);
  }
  return NULL;
}

static int warned_off;

static void parse_host(lua_State *L, int host, int opts, host_args_t *a);

static void add_hop(lua_State *L, host_args_t *a, const nh_ssh_config_t *hop) {
  if (a->njumps == MAX_HOPS)
    luaL_error(L, "ssh: host %s: more than %d jump hosts (do the hops jump through each other?)",
               a->name, MAX_HOPS);
  a->hops[a->njumps++] = *hop;
}

/* The hop's credentials from the inventory's defaults (host:_defaults): user, key file,
 * known_hosts and policy, with ssh-agent. */
static void use_defaults(lua_State *L, int host, nh_ssh_config_t *hop) {
  const char *pol;
  int d;
  lua_Number n;
  if (lua_getfield(L, host, "_defaults") != LUA_TFUNCTION) {
    lua_pop(L, 1);
    return;
  }
  lua_pushvalue(L, host);
  lua_call(L, 1, 1);
  d = lua_gettop(L); /* stays on the stack: the strings below point into it */
  hop->user = get_str(L, d, "username", NULL);
  if (!hop->user) hop->user = getenv("USER") ? getenv("USER") : "root";
  hop->key_file = get_str(L, d, "key_file", NULL);
  hop->key_passphrase = NULL;
  hop->known_hosts = get_str(L, d, "known_hosts", NULL);
  pol = get_str(L, d, "host_key_policy", NULL);
  hop->host_key_policy = !pol                         ? NH_HOSTKEY_STRICT
                         : !strcmp(pol, "accept-new") ? NH_HOSTKEY_ACCEPT_NEW
                         : !strcmp(pol, "off")        ? NH_HOSTKEY_OFF
                                                      : NH_HOSTKEY_STRICT;
  hop->use_agent = getenv("SSH_AUTH_SOCK") != NULL;
  if (nhl_opt_getnumber(L, d, "connect_timeout", &n) && n > 0)
    hop->connect_timeout_ms = nhl_seconds_to_ms(n);
}

/* A hop written in OpenSSH's ProxyJump syntax, [user@]host[:port] (an IPv6 address in
 * brackets), as a configuration. For an inventory host it logs in with the inventory
 * defaults' credentials and ssh-agent (docs/ssh.md); for a plain host table, which has no
 * defaults, with the key, known_hosts and policy of the host being reached. Never with the
 * device's password, which a jump host must not see. */
static void add_string_hop(lua_State *L, int host, host_args_t *a, const char *s, size_t len) {
  nh_ssh_config_t hop = a->cfg;
  const char *at = memchr(s, '@', len), *h = s, *end = s + len, *colon = NULL;
  char *stop;
  if (lua_type(L, host) == LUA_TTABLE) use_defaults(L, host, &hop);
  if (at) {
    hop.user = lua_pushlstring(L, s, (size_t)(at - s));
    h = at + 1;
  }
  if (h < end && *h == '[') {
    const char *rb = memchr(h, ']', (size_t)(end - h));
    if (!rb) luaL_error(L, "ssh: host %s: bad jump host '%s'", a->name, lua_pushlstring(L, s, len));
    hop.address = lua_pushlstring(L, h + 1, (size_t)(rb - h - 1));
    if (rb + 1 < end && rb[1] == ':') colon = rb + 1;
  } else {
    const char *c = memchr(h, ':', (size_t)(end - h));
    if (c && !memchr(c + 1, ':', (size_t)(end - c - 1))) colon = c;
    hop.address = lua_pushlstring(L, h, (size_t)((colon ? colon : end) - h));
  }
  hop.port = 0;
  if (colon) {
    const char *ps = lua_pushlstring(L, colon + 1, (size_t)(end - colon - 1));
    long p = strtol(ps, &stop, 10);
    if (*stop || stop == ps || p < 1 || p > 65535)
      luaL_error(L, "ssh: host %s: bad port in jump host '%s'", a->name,
                 lua_pushlstring(L, s, len));
    hop.port = (int)p;
  }
  if (!*hop.address || !*hop.user)
    luaL_error(L, "ssh: host %s: bad jump host '%s'", a->name, lua_pushlstring(L, s, len));
  hop.name = lua_pushlstring(L, s, len);
  hop.password = NULL;
  hop.jumps = NULL;
  hop.njumps = 0;
  hop.max_sessions = hop.max_connections = 0;
  memset(hop.algorithms, 0, sizeof(hop.algorithms));
  add_hop(L, a, &hop);
}

/* A hop given as a host (inventory host or table): its own jump hosts come first. */
static void add_host_hop(lua_State *L, host_args_t *a, int hop) {
  host_args_t *h;
  size_t i;
  hop = lua_absindex(L, hop);
  h = lua_newuserdatauv(L, sizeof(*h), 0); /* too big for the C stack */
  if (a->depth >= MAX_HOPS)
    luaL_error(L, "ssh: host %s: more than %d jump hosts (do the hops jump through each other?)",
               a->name, MAX_HOPS);
  h->depth = a->depth + 1;
  parse_host(L, hop, 0, h);
  for (i = 0; i < h->njumps; i++) add_hop(L, a, &h->hops[i]);
  h->cfg.jumps = NULL;
  h->cfg.njumps = 0;
  add_hop(L, a, &h->cfg);
}

/* One element of a jump list: a host, or a string naming an inventory host (through
 * host:_peer) or written as [user@]host[:port]. Several in one string are comma-separated. */
static void add_hops_from(lua_State *L, int host, host_args_t *a, int v) {
  v = lua_absindex(L, v);
  if (lua_type(L, v) == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, v, &len), *p = s, *end = s + len;
    while (p < end) {
      const char *comma = memchr(p, ',', (size_t)(end - p));
      size_t n = (size_t)((comma ? comma : end) - p);
      while (n && *p == ' ') p++, n--;
      while (n && p[n - 1] == ' ') n--;
      if (n) {
        int found = 0;
        /* The host itself in its own list (inherited from a group it shares with the
         * devices behind it) ends the list: what came before reaches it. */
        if (a->name && strlen(a->name) == n && !memcmp(a->name, p, n)) return;
        if ((lua_type(L, host) == LUA_TTABLE) && lua_getfield(L, host, "_peer") == LUA_TFUNCTION) {
          lua_pushvalue(L, host);
          lua_pushlstring(L, p, n);
          lua_call(L, 2, 1);
          if (lua_type(L, -1) == LUA_TTABLE) {
            add_host_hop(L, a, -1);
            found = 1;
          }
        }
        if (!found) add_string_hop(L, host, a, p, n);
      }
      p += n;
      while (p < end && *p != ',') p++;
      if (p < end) p++;
    }
  } else if (lua_type(L, v) == LUA_TTABLE || lua_type(L, v) == LUA_TUSERDATA) {
    if (lua_type(L, v) == LUA_TTABLE && lua_rawlen(L, v) > 0) {
      lua_Integer i, n = (lua_Integer)lua_rawlen(L, v);
      for (i = 1; i <= n; i++) {
        lua_rawgeti(L, v, i);
        add_hops_from(L, host, a, -1);
      }
    } else {
      add_host_hop(L, a, v);
    }
  } else {
    luaL_error(L, "ssh: host %s: 'jump' must be a host, a name, or a list of them", a->name);
  }
}

/* Where parse_host looks for a setting, first to last: the call's options, the host's ssh
 * table and the host itself (stack indexes; 0 for one that is absent). */
enum { LAYER_OPTS, LAYER_SSH, LAYER_HOST, NLAYERS };

/* Pushes the first non-nil t[key] of the layers (nil when none has it); returns its type. */
static int layers_get(lua_State *L, const int *layers, const char *key) {
  int i, t = LUA_TNIL;
  for (i = 0; i < NLAYERS && t == LUA_TNIL; i++) {
    if (i) lua_pop(L, 1);
    t = nhl_opt_get(L, layers[i], key);
  }
  return t;
}

/* The first text t[key] of the layers (see get_str), or NULL. */
static const char *layers_str(lua_State *L, const int *layers, const char *key) {
  const char *s = NULL;
  int i;
  for (i = 0; i < NLAYERS && !s; i++) s = get_str(L, layers[i], key, NULL);
  return s;
}

/* The first positive number t[key] of the layers in *n (see nhl_opt_positive); 0 if none. */
static int layers_positive(lua_State *L, const int *layers, const char *key, lua_Number *n) {
  int i;
  for (i = 0; i < NLAYERS; i++)
    if (nhl_opt_positive(L, layers[i], key, n)) return 1;
  return 0;
}

/* Fills a from host (stack index) and opts (0 or index). Pushes values it points into;
 * the caller restores the stack top after the operation has started. */
static void parse_host(lua_State *L, int host, int opts, host_args_t *a) {
  const char *s;
  lua_Number n;
  int sshcfg, algs, t, depth = a->depth, layers[NLAYERS];
  memset(a, 0, sizeof(*a));
  a->depth = depth;
  /* Every value read stays on the stack until the operation has started. */
  luaL_checkstack(L, 64, "ssh: reading the host");
  luaL_argexpected(L, lua_type(L, host) == LUA_TTABLE || lua_type(L, host) == LUA_TUSERDATA, host,
                   "host (inventory host or {host=, user=, ...})");
  if (lua_type(L, host) == LUA_TSTRING) luaL_argerror(L, host, "a host table is needed");
  t = nhl_opt_get(L, host, "ssh");
  sshcfg = t == LUA_TTABLE || t == LUA_TUSERDATA ? lua_gettop(L) : 0;
  layers[LAYER_OPTS] = opts;
  layers[LAYER_SSH] = sshcfg;
  layers[LAYER_HOST] = host;
  t = nhl_opt_get(L, sshcfg, "algorithms");
  algs = t == LUA_TTABLE || t == LUA_TUSERDATA ? lua_gettop(L) : 0;
  if (!algs) {
    t = nhl_opt_get(L, host, "algorithms"); /* plain tables carry it at the top */
    if (t == LUA_TTABLE) algs = lua_gettop(L);
  }
  if (opts) {
    t = nhl_opt_get(L, opts, "algorithms");
    if (t == LUA_TTABLE) algs = lua_gettop(L);
  }
  a->cfg.address = get_str(L, host, "address", "host");
  a->name = get_str(L, host, "name", NULL);
  if (!a->cfg.address) a->cfg.address = a->name;
  if (!a->name) a->name = a->cfg.address;
  if (!a->cfg.address) luaL_error(L, "ssh: the host has no address (give host= or address=)");
  a->cfg.name = a->name;
  /* opts.port: the same host on another service's port (netconf.open uses 830). */
  if (nhl_opt_getnumber(L, opts, "port", &n) || nhl_opt_getnumber(L, host, "port", &n)) {
    /* Checked as a double: casting 1e300 to int is undefined. */
    if (!(n >= 0 && n <= 65535)) luaL_error(L, "ssh: host %s: bad port %f", a->name, n);
    a->cfg.port = (int)n;
  }
  a->cfg.user = get_str(L, opts, "user", "username");
  if (!a->cfg.user) a->cfg.user = get_str(L, host, "user", "username");
  if (!a->cfg.user) a->cfg.user = getenv("USER") ? getenv("USER") : "root";
  a->cfg.password = get_str(L, host, "password", NULL);
  if (!a->cfg.password) a->cfg.password = get_secret(L, host, "password");
  a->cfg.key_file = layers_str(L, layers, "key_file");
  a->cfg.key_passphrase = get_str(L, host, "key_passphrase", NULL);
  if (!a->cfg.key_passphrase) a->cfg.key_passphrase = get_secret(L, host, "key_passphrase");
  a->cfg.known_hosts = layers_str(L, layers, "known_hosts");
  s = layers_str(L, layers, "host_key_policy");
  if (!s || !strcmp(s, "strict") || !strcmp(s, "yes")) {
    a->cfg.host_key_policy = NH_HOSTKEY_STRICT;
  } else if (!strcmp(s, "accept-new") || !strcmp(s, "accept_new")) {
    a->cfg.host_key_policy = NH_HOSTKEY_ACCEPT_NEW;
  } else if (!strcmp(s, "off") || !strcmp(s, "no")) {
    a->cfg.host_key_policy = NH_HOSTKEY_OFF;
    if (!warned_off) {
      warned_off = 1;
      fprintf(stderr,
              "nethost: warning: host key verification is OFF (host_key_policy = "
              "\"off\") for %s and possibly other hosts: connections can be "
              "intercepted\n",
              a->name);
    }
  } else {
    luaL_error(L, "ssh: host %s: unknown host_key_policy '%s' (strict, accept-new or off)", a->name,
               s);
  }
  t = layers_get(L, layers, "agent");
  a->cfg.use_agent = t == LUA_TNIL ? getenv("SSH_AUTH_SOCK") != NULL : lua_toboolean(L, -1);
  if (layers_positive(L, layers, "connect_timeout", &n))
    a->cfg.connect_timeout_ms = nhl_seconds_to_ms(n);
  a->timeout_ms = DEFAULT_TIMEOUT_MS;
  if (layers_positive(L, layers, "timeout", &n)) a->timeout_ms = nhl_seconds_to_ms(n);
  if (nhl_opt_getnumber(L, opts, "keepalive", &n) || nhl_opt_getnumber(L, sshcfg, "keepalive", &n))
    a->cfg.keepalive_s = n > 0 ? (unsigned)(n < 1e9 ? n : 1e9) : 0;
  if (nhl_opt_positive(L, opts, "max_output", &n) || nhl_opt_positive(L, sshcfg, "max_output", &n))
    a->max_output = nhl_size_option(n);
  if (opts) {
    nhl_opt_get(L, opts, "check");
    a->check = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  a->cfg.algorithms[NH_SSH_ALG_KEX] = get_algorithms(L, algs, "kex");
  a->cfg.algorithms[NH_SSH_ALG_HOSTKEY] = get_algorithms(L, algs, "hostkey");
  a->cfg.algorithms[NH_SSH_ALG_CIPHER] = get_algorithms(L, algs, "cipher");
  a->cfg.algorithms[NH_SSH_ALG_MAC] = get_algorithms(L, algs, "mac");
  if (nhl_opt_getnumber(L, sshcfg, "max_sessions", &n) ||
      nhl_opt_getnumber(L, host, "max_sessions", &n))
    a->cfg.max_sessions = n >= 1 ? (unsigned)(n < 1e6 ? n : 1e6) : 0;
  if (nhl_opt_getnumber(L, sshcfg, "max_connections", &n) ||
      nhl_opt_getnumber(L, host, "max_connections", &n))
    a->cfg.max_connections = n >= 1 ? (unsigned)(n < 1e6 ? n : 1e6) : 0;
  /* Jump hosts: opts.jump, else the host's ssh.jump, else its jump. */
  t = layers_get(L, layers, "jump");
  if (t != LUA_TNIL && !(t == LUA_TBOOLEAN && !lua_toboolean(L, -1))) add_hops_from(L, host, a, -1);
  a->cfg.jumps = a->njumps ? a->hops : NULL;
  a->cfg.njumps = a->njumps;
}

/* Errors */

/* Pushes the error object for a failed operation of ssh (before it is closed). */
static void push_ssh_error(lua_State *L, nh_ssh_t *ssh, const char *name, const char *op, int rc,
                           const char *what, uint64_t timeout_ms) {
  const nh_ssh_failure_t *f = ssh ? nh_ssh_failure(ssh) : NULL;
  char after[48] = "";
  if (timeout_ms) snprintf(after, sizeof(after), " after %.3g s", (double)timeout_ms / 1000.0);
  const char *kind = NULL;
  /* Every SSH error names its stage (docs/ssh.md): the core's when it recorded one, else
   * the stage the operation was in — a command's deadline or cancel fires while it reads
   * ("read"), a shell's open in the PTY and shell requests ("shell"), a connect's before
   * the connection stages recorded anything ("connect"). */
  const char *stage = f && f->stage ? f->stage : NULL;
  if (!stage && what && !strcmp(what, "connecting")) stage = "connect";
  if (!stage && what && !strcmp(what, "opening the shell")) stage = "shell";
  if (!stage) stage = ssh ? "read" : "connect";
  if (rc == NH_ECLOSED && f && f->stage && !strcmp(f->stage, "channel")) kind = "channel";
  if (f && f->stage && f->detail[0])
    nhl_error_push(L, kind, name, op, rc, "%s: %s", f->stage, f->detail);
  else if (rc == NH_ETIMEDOUT && what)
    nhl_error_push(L, kind, name, op, rc, "%s timed out%s (%s)", what, after, stage);
  else
    nhl_error_push(L, kind, name, op, rc, "%s (%s)", nh_strerror(rc), stage);
  lua_pushstring(L, stage);
  lua_setfield(L, -2, "stage");
  if (ssh && nh_ssh_fingerprint(ssh)[0]) {
    lua_pushstring(L, nh_ssh_fingerprint(ssh));
    lua_setfield(L, -2, "fingerprint");
  }
}

/* Results */

/* Sets stdout and stderr of the table on top of the stack from what x gathered. */
static void set_streams(lua_State *L, const nh_ssh_exec_t *x) {
  lua_pushlstring(L, x->out ? x->out : "", x->out_len);
  lua_setfield(L, -2, "stdout");
  lua_pushlstring(L, x->err ? x->err : "", x->err_len);
  lua_setfield(L, -2, "stderr");
}

static void push_result(lua_State *L, nh_ssh_exec_t *x, const char *name, const char *cmd) {
  lua_createtable(L, 0, 7);
  set_streams(L, x);
  lua_pushinteger(L, x->exit_status);
  lua_setfield(L, -2, "exit_status");
  if (x->exit_signal) {
    lua_pushstring(L, x->exit_signal);
    lua_setfield(L, -2, "exit_signal");
  }
  lua_pushnumber(L, (double)(uv_hrtime() - x->op.started_ns) / 1e9);
  lua_setfield(L, -2, "elapsed");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "host");
  lua_pushstring(L, cmd);
  lua_setfield(L, -2, "command");
}

/* A command that failed part way (timeout, dropped connection, too much output) keeps what
 * the device had sent as err.partial = {stdout=, stderr=}: a hung device's last words are
 * often the diagnosis, and nothing already gathered is lost. */
static void attach_partial(lua_State *L, const nh_ssh_exec_t *x) {
  if (x->out_len == 0 && x->err_len == 0) return;
  lua_createtable(L, 0, 2);
  set_streams(L, x);
  lua_setfield(L, -2, "partial");
}

static int raise_interrupt(lua_State *L) {
  nhl_check_interrupt(L);
  return 0;
}

/* With the command's error object on top: when the task was interrupted (an enclosing
 * async.timeout, such as nethost.run's per-host timeout, or a cancel), raises the
 * interrupt, carrying the command's stage and partial output, so the host's error still
 * says where it was and what the device had sent. Returns when there is no interrupt. */
static void raise_interrupt_keeping(lua_State *L) {
  lua_pushcfunction(L, raise_interrupt);
  if (lua_pcall(L, 0, 0, 0) == LUA_OK) return;
  if (lua_istable(L, -1) && lua_istable(L, -2)) {
    static const char *const keep[] = {"stage", "partial"};
    size_t i;
    for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
      if (lua_getfield(L, -1, keep[i]) == LUA_TNIL && lua_getfield(L, -3, keep[i]) != LUA_TNIL)
        lua_setfield(L, -3, keep[i]);
      else
        lua_pop(L, 1);
      lua_pop(L, 1);
    }
  }
  lua_error(L);
}

/* A non-zero exit under {check = true} is a command error carrying the result. */
static int check_exit(lua_State *L, int check, const char *name, const char *op) {
  lua_Integer st;
  lua_getfield(L, -1, "exit_status");
  st = lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (!check || st == 0) return 1;
  lua_getfield(L, -1, "command");
  nhl_error_push(L, "command", name, op, NH_ECOMMAND, "'%s' exited with status %d",
                 lua_tostring(L, -1), (int)st);
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "result");
  return lua_error(L);
}

/* ssh.run(host, command, opts) */

typedef struct {
  nh_ssh_connect_t conn;
  nh_ssh_exec_t exec;
  nh_ssh_t *ssh;
  host_args_t a;
  char *name, *command;
  char what[160]; /* "'show version'" for messages */
} run_req_t;

static void run_free(run_req_t *r) {
  if (r->ssh) nh_ssh_close(r->ssh, NULL, 1);
  nh_ssh_exec_cleanup(&r->exec);
  free(r->name);
  free(r->command);
  free(r);
}

static int run_exec_k(lua_State *L, int status, lua_KContext ctx) {
  run_req_t *r = (run_req_t *)ctx;
  int rc = nhl_await_status(L);
  (void)status;
  if (rc == 0) {
    push_result(L, &r->exec, r->name, r->command);
  } else {
    push_ssh_error(L, r->ssh, r->name, "ssh.run", rc, r->what, r->a.timeout_ms);
    attach_partial(L, &r->exec);
  }
  {
    int check = r->a.check;
    /* The name outlives r on the stack, whatever its length. */
    const char *name = lua_pushstring(L, r->name);
    lua_insert(L, -2);
    run_free(r);
    if (rc < 0) {
      raise_interrupt_keeping(L);
      return lua_error(L);
    }
    nhl_check_interrupt(L);
    return check_exit(L, check, name, "ssh.run");
  }
}

static int run_connect_k(lua_State *L, int status, lua_KContext ctx) {
  run_req_t *r = (run_req_t *)ctx;
  int rc = nhl_await_status(L);
  (void)status;
  if (rc == 0)
    rc = nh_ssh_exec(&r->exec, r->ssh, r->command, r->a.timeout_ms, r->a.max_output, nhl_op_cb);
  if (rc < 0) {
    push_ssh_error(L, r->ssh, r->name, "ssh.run", rc, "connecting", 0);
    run_free(r);
    raise_interrupt_keeping(L);
    return lua_error(L);
  }
  return nhl_await(L, &r->exec.op, run_exec_k, (lua_KContext)r);
}

static int nhl_ssh_run(lua_State *L) {
  const char *cmd = nhl_checkcstring(L, 2);
  int opts = lua_istable(L, 3) ? 3 : 0, top = lua_gettop(L), rc;
  run_req_t *r;
  host_args_t a;
  a.depth = 0;
  nhl_task_check(L, "ssh.run");
  /* Before anything is allocated: parse_host raises on bad input, and runs Lua code (the
   * host's __index, host:secret) that may raise too. */
  parse_host(L, 1, opts, &a);
  if (!(r = calloc(1, sizeof(*r)))) return luaL_error(L, "ssh.run: out of memory");
  r->a = a;
  r->a.cfg.jumps = r->a.njumps ? r->a.hops : NULL;
  r->name = strdup(r->a.name);
  r->command = strdup(cmd);
  snprintf(r->what, sizeof(r->what), "'%.100s'", cmd);
  r->ssh = nh_ssh_new(nhl_loop(L));
  if (!r->name || !r->command || !r->ssh) {
    run_free(r);
    return luaL_error(L, "ssh.run: out of memory");
  }
  rc = nh_ssh_connect(&r->conn, r->ssh, &r->a.cfg, nhl_op_cb);
  lua_settop(L, top);
  if (rc < 0) {
    push_ssh_error(L, NULL, r->name, "ssh.run", rc, NULL, 0);
    run_free(r);
    return lua_error(L);
  }
  return nhl_await(L, &r->conn.op, run_connect_k, (lua_KContext)r);
}

/* Sessions */

static session_t *check_session(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, SESSION_MT);
}

static session_t *open_session(lua_State *L, int idx, const char *what) {
  session_t *s = check_session(L, idx);
  if (!s->ssh || !nh_ssh_is_ready(s->ssh))
    nhl_raise(L, "connect", s->name, what, NH_ECLOSED, "the session is closed");
  return s;
}

static void session_close(session_t *s) {
  if (s->ssh) {
    nh_ssh_close(s->ssh, NULL, 1);
    s->ssh = NULL;
  }
}

static int nhl_ssh_session_close(lua_State *L) {
  session_close(check_session(L, 1));
  return 0;
}

static int open_k(lua_State *L, int status, lua_KContext ctx) {
  nh_ssh_connect_t *req = (nh_ssh_connect_t *)ctx;
  int rc = nhl_await_status(L);
  session_t *s = check_session(L, -1); /* the session was left on top before yielding */
  (void)status;
  free(req);
  if (rc < 0) {
    push_ssh_error(L, s->ssh, s->name, "ssh.open", rc, "connecting", 0);
    session_close(s);
    nhl_check_interrupt(L);
    return lua_error(L);
  }
  nhl_check_interrupt(L);
  return 1;
}

/* ssh.open(host, opts) -> session */
static int nhl_ssh_open(lua_State *L) {
  int opts = lua_istable(L, 2) ? 2 : 0, top, rc;
  host_args_t a;
  a.depth = 0;
  session_t *s;
  nh_ssh_connect_t *req;
  nhl_task_check(L, "ssh.open");
  lua_settop(L, 2);
  /* The session first, so the GC closes it whatever happens next. Its user values keep
   * the host and the options for the shell (platform, secrets). */
  s = lua_newuserdatauv(L, sizeof(*s), 3);
  memset(s, 0, sizeof(*s));
  luaL_setmetatable(L, SESSION_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, 3, 1);
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, 3, 2);
  top = lua_gettop(L);
  parse_host(L, 1, opts, &a);
  s->name = lua_pushstring(L, a.name ? a.name : "");
  lua_setiuservalue(L, 3, 3);
  s->timeout_ms = a.timeout_ms;
  s->max_output = a.max_output;
  s->check = a.check;
  if (!(s->ssh = nh_ssh_new(nhl_loop(L))) || !(req = malloc(sizeof(*req)))) {
    session_close(s);
    return luaL_error(L, "ssh.open: out of memory");
  }
  rc = nh_ssh_connect(req, s->ssh, &a.cfg, nhl_op_cb);
  lua_settop(L, top);
  if (rc < 0) {
    free(req);
    push_ssh_error(L, NULL, s->name, "ssh.open", rc, NULL, 0);
    session_close(s);
    return lua_error(L);
  }
  return nhl_await(L, &req->op, open_k, (lua_KContext)req);
}

typedef struct {
  nh_ssh_exec_t exec;
  char *command;
  int check;
  uint64_t timeout_ms;
  char what[160];
} srun_req_t;

static int srun_k(lua_State *L, int status, lua_KContext ctx) {
  srun_req_t *r = (srun_req_t *)ctx;
  int rc = nhl_await_status(L), check = r->check;
  session_t *s = check_session(L, 1);
  (void)status;
  if (rc == 0)
    push_result(L, &r->exec, s->name, r->command);
  else {
    push_ssh_error(L, s->ssh, s->name, "session:run", rc, r->what, r->timeout_ms);
    attach_partial(L, &r->exec);
  }
  nh_ssh_exec_cleanup(&r->exec);
  free(r->command);
  free(r);
  if (rc < 0) {
    raise_interrupt_keeping(L);
    return lua_error(L);
  }
  nhl_check_interrupt(L);
  return check_exit(L, check, s->name, "session:run");
}

/* session:run(command, opts) -> result */
static int nhl_ssh_session_run(lua_State *L) {
  session_t *s = open_session(L, 1, "session:run");
  const char *cmd = nhl_checkcstring(L, 2);
  uint64_t timeout = s->timeout_ms;
  size_t max_output = s->max_output;
  srun_req_t *r;
  int rc, check = s->check;
  nhl_task_check(L, "session:run");
  if (lua_istable(L, 3)) {
    lua_Number n;
    if (nhl_opt_positive(L, 3, "timeout", &n)) timeout = nhl_seconds_to_ms(n);
    if (nhl_opt_positive(L, 3, "max_output", &n)) max_output = nhl_size_option(n);
    if (lua_getfield(L, 3, "check") != LUA_TNIL) check = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  if (!(r = calloc(1, sizeof(*r))) || !(r->command = strdup(cmd))) {
    free(r);
    return luaL_error(L, "session:run: out of memory");
  }
  r->check = check;
  r->timeout_ms = timeout;
  snprintf(r->what, sizeof(r->what), "'%.100s'", cmd);
  rc = nh_ssh_exec(&r->exec, s->ssh, cmd, timeout, max_output, nhl_op_cb);
  if (rc < 0) {
    free(r->command);
    free(r);
    push_ssh_error(L, s->ssh, s->name, "session:run", rc, NULL, 0);
    return lua_error(L);
  }
  lua_settop(L, 1);
  return nhl_await(L, &r->exec.op, srun_k, (lua_KContext)r);
}

nh_ssh_t *nhl_ssh_session_conn(lua_State *L, int idx, const char **name) {
  session_t *s = open_session(L, idx, "netconf.open");
  if (name) *name = s->name;
  return s->ssh;
}

static int nhl_ssh_session_host(lua_State *L) {
  check_session(L, 1);
  lua_getiuservalue(L, 1, 1);
  return 1;
}

static int nhl_ssh_session_info(lua_State *L) {
  session_t *s = check_session(L, 1);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, s->name);
  lua_setfield(L, -2, "name");
  lua_pushboolean(L, s->ssh && nh_ssh_is_ready(s->ssh));
  lua_setfield(L, -2, "open");
  if (s->ssh) {
    lua_pushstring(L, nh_ssh_fingerprint(s->ssh));
    lua_setfield(L, -2, "fingerprint");
  }
  lua_pushnumber(L, (double)s->timeout_ms / 1000.0);
  lua_setfield(L, -2, "timeout");
  return 1;
}

static int nhl_ssh_session_tostring(lua_State *L) {
  session_t *s = check_session(L, 1);
  lua_pushfstring(L, "ssh session %s (%s)", s->name,
                  s->ssh && nh_ssh_is_ready(s->ssh) ? "open" : "closed");
  return 1;
}

/* Shells: the raw primitives the CLI in nethost/ssh_shell.lua drives. */

typedef struct {
  nh_ssh_shell_t *shell;
  const char *name; /* the session's: the shell's user value keeps the session alive */
} shell_t;

static shell_t *check_shell(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, SHELL_MT);
}

static int nhl_ssh_shell_close(lua_State *L) {
  shell_t *sh = check_shell(L, 1);
  if (sh->shell) {
    nh_ssh_shell_close(sh->shell);
    sh->shell = NULL;
  }
  return 0;
}

static int shell_open_k(lua_State *L, int status, lua_KContext ctx) {
  nh_ssh_shell_open_t *req = (nh_ssh_shell_open_t *)ctx;
  int rc = nhl_await_status(L);
  session_t *s = check_session(L, 1);
  shell_t *sh = check_shell(L, -1);
  (void)status;
  sh->shell = rc == 0 ? req->shell : NULL;
  if (rc < 0 && req->shell) nh_ssh_shell_close(req->shell);
  free(req);
  if (rc < 0) {
    push_ssh_error(L, s->ssh, s->name, "session:shell", rc, "opening the shell", 0);
    nhl_check_interrupt(L);
    return lua_error(L);
  }
  nhl_check_interrupt(L);
  return 1;
}

/* session:_shell_open(width, height, timeout, max_buffer) -> raw shell */
static int nhl_ssh_session_shell_open(lua_State *L) {
  session_t *s = open_session(L, 1, "session:shell");
  int width = (int)luaL_optinteger(L, 2, NH_SSH_SHELL_WIDTH),
      height = (int)luaL_optinteger(L, 3, 24);
  lua_Number timeout = luaL_optnumber(L, 4, (lua_Number)s->timeout_ms / 1000.0);
  lua_Integer max_buffer_arg = luaL_optinteger(L, 5, 0);
  size_t max_buffer = max_buffer_arg > 0 ? (size_t)max_buffer_arg : 0;
  nh_ssh_shell_open_t *req;
  shell_t *sh;
  int rc;
  nhl_task_check(L, "session:shell");
  lua_settop(L, 1);
  sh = lua_newuserdatauv(L, sizeof(*sh), 1);
  memset(sh, 0, sizeof(*sh));
  sh->name = s->name;
  luaL_setmetatable(L, SHELL_MT);
  lua_pushvalue(L, 1); /* the shell keeps its session alive */
  lua_setiuservalue(L, -2, 1);
  if (!(req = malloc(sizeof(*req)))) return luaL_error(L, "session:shell: out of memory");
  rc = nh_ssh_shell_open(req, s->ssh, width, height, max_buffer, nhl_seconds_to_ms(timeout),
                         nhl_op_cb);
  if (rc < 0) {
    free(req);
    push_ssh_error(L, s->ssh, s->name, "session:shell", rc, NULL, 0);
    return lua_error(L);
  }
  return nhl_await(L, &req->op, shell_open_k, (lua_KContext)req);
}

typedef struct {
  nh_ssh_expect_t req;
  const nh_pattern_t *patterns[16];
} expect_req_t;

static int expect_k(lua_State *L, int status, lua_KContext ctx) {
  expect_req_t *e = (expect_req_t *)ctx;
  int rc = nhl_await_status(L);
  (void)status;
  if (rc == 0) {
    lua_pushlstring(L, e->req.data ? e->req.data : "", e->req.len);
    lua_pushinteger(L, e->req.which + 1);
    lua_pushinteger(L, (lua_Integer)e->req.match_start);
  }
  nh_ssh_expect_cleanup(&e->req);
  free(e);
  nhl_check_interrupt(L);
  if (rc < 0) {
    /* Returned, not raised: the CLI adds what was received and the transcript. */
    lua_pushnil(L);
    lua_pushstring(L, nh_err_name(rc));
    lua_pushstring(L, nh_strerror(rc));
  }
  return 3;
}

/* shell:_expect(send, {patterns}, timeout) -> data, index, match_start | nil, code, msg */
static int nhl_ssh_shell_expect(lua_State *L) {
  shell_t *sh = check_shell(L, 1);
  size_t send_len;
  const char *send = luaL_optlstring(L, 2, "", &send_len);
  lua_Number timeout = luaL_optnumber(L, 4, 0);
  expect_req_t *e;
  const nh_pattern_t *patterns[16];
  int i, n = 0, rc;
  nhl_task_check(L, "cli:send");
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_Integer len = luaL_len(L, 3);
    luaL_argcheck(L, len >= 0 && len <= 16, 3, "at most 16 patterns");
    n = (int)len;
  }
  lua_settop(L, 4);
  if (!sh->shell) {
    lua_pushnil(L);
    lua_pushstring(L, "ECLOSED");
    lua_pushstring(L, "the shell is closed");
    return 3;
  }
  /* Each pattern is a regex object (a platform driver's, compiled when its plugin registered
   * it) or a string compiled here once for a receive buffer (NH_PATTERN_LINES). They stay
   * referenced from the stack of this coroutine while it waits, and are compiled before the
   * request is allocated: a bad pattern raises. */
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    lua_geti(L, 3, i + 1);
    patterns[i] = nhl_regex_get(L, -1, NH_PATTERN_LINES, "cli")->pattern;
    lua_rawseti(L, 5, i + 1);
  }
  if (!(e = calloc(1, sizeof(*e)))) return luaL_error(L, "cli: out of memory");
  if (n) memcpy(e->patterns, patterns, (size_t)n * sizeof(patterns[0]));
  rc = nh_ssh_expect(&e->req, sh->shell, send, send_len, e->patterns, n, nhl_seconds_to_ms(timeout),
                     nhl_op_cb);
  if (rc < 0) {
    free(e);
    lua_pushnil(L);
    lua_pushstring(L, nh_err_name(rc));
    lua_pushstring(L, nh_strerror(rc));
    return 3;
  }
  return nhl_await(L, &e->req.op, expect_k, (lua_KContext)e);
}

/* shell:_buffer() -> the received, unconsumed bytes */
static int nhl_ssh_shell_buffer(lua_State *L) {
  shell_t *sh = check_shell(L, 1);
  size_t len = 0;
  const char *b = sh->shell ? nh_ssh_shell_buffer(sh->shell, &len) : "";
  lua_pushlstring(L, b, len);
  return 1;
}

/* shell:_discard() -> the received, unconsumed bytes, now dropped */
static int nhl_ssh_shell_discard(lua_State *L) {
  shell_t *sh = check_shell(L, 1);
  nhl_ssh_shell_buffer(L);
  if (sh->shell) nh_ssh_shell_discard(sh->shell);
  return 1;
}

static int nhl_ssh_shell_name(lua_State *L) {
  lua_pushstring(L, check_shell(L, 1)->name);
  return 1;
}

/* Module functions */

/* ssh_core.re_match(pattern, subject) -> whether the pattern (a regex object, or a string
 * compiled as the shell compiles it: multiline) matches */
static int nhl_ssh_re_match(lua_State *L) {
  size_t len;
  const char *subject = luaL_checklstring(L, 2, &len);
  nhl_regex_t *re = nhl_regex_get(L, 1, NH_PATTERN_LINES, "cli");
  lua_pushboolean(L,
                  pcre2_match(re->pattern->code, (PCRE2_SPTR)subject, len, 0, 0, re->md, NULL) > 0);
  return 1;
}

static int nhl_ssh_set_connect_rate(lua_State *L) {
  lua_Number n = luaL_checknumber(L, 1);
  luaL_argcheck(L, n >= 0, 1, "must be >= 0");
  if (nh_ssh_set_connect_rate(nhl_loop(L), n) < 0) return luaL_error(L, "out of memory");
  return 0;
}

static int nhl_ssh_stats(lua_State *L) {
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, (lua_Integer)nh_ssh_open_count(nhl_loop(L)));
  lua_setfield(L, -2, "open");
  lua_pushinteger(L, nh_ssh_raise_nofile());
  lua_setfield(L, -2, "nofile");
  return 1;
}

int luaopen_nethost_ssh_core(lua_State *L) {
  static const luaL_Reg funcs[] = {
      NHL_FUNC(ssh, run),   NHL_FUNC(ssh, open),     NHL_FUNC(ssh, set_connect_rate),
      NHL_FUNC(ssh, stats), NHL_FUNC(ssh, re_match), {NULL, NULL}};
  static const luaL_Reg session_methods[] = {NHL_FUNC(ssh_session, run),
                                             NHL_FUNC(ssh_session, close),
                                             NHL_FUNC(ssh_session, host),
                                             NHL_FUNC(ssh_session, info),
                                             {"_shell_open", nhl_ssh_session_shell_open},
                                             {NULL, NULL}};
  static const luaL_Reg shell_methods[] = {
      {"_expect", nhl_ssh_shell_expect},   {"_buffer", nhl_ssh_shell_buffer},
      {"_discard", nhl_ssh_shell_discard}, {"_close", nhl_ssh_shell_close},
      {"_name", nhl_ssh_shell_name},       {NULL, NULL}};
  static const luaL_Reg shell_meta[] = {{"__gc", nhl_ssh_shell_close}, {NULL, NULL}};
  static const luaL_Reg session_meta[] = {{"__close", nhl_ssh_session_close},
                                          {"__gc", nhl_ssh_session_close},
                                          {"__tostring", nhl_ssh_session_tostring},
                                          {NULL, NULL}};
  nhl_class(L, SHELL_MT, shell_meta, shell_methods);
  nhl_class(L, SESSION_MT, session_meta, session_methods);
  luaL_newlib(L, funcs);
  /* The session methods are the module's `session`: the façade (nethost/ssh.lua) adds the
   * methods written in Lua (shell) to it when it loads its core, so sessions stay one
   * userdata type with one method table. */
  nhl_class_methods(L, SESSION_MT);
  lua_setfield(L, -2, "session");
  return 1;
}
