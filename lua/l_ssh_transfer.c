/* nethost Lua layer: file transfer on an ssh session (require "nethost.ssh_transfer"),
 * over core/ssh_sftp.c. lua/nethost/ssh.lua builds ssh.put / ssh.get and the session
 * methods s:put / s:get on the one primitive here:
 *
 *   transfer(session, put, local, remote, opts) -> {bytes=, elapsed=, protocol=, sha256=,
 *                                                   host=, local=, remote=}
 *
 * opts: protocol ("sftp", "scp"; default: SFTP, SCP when the server has none), mode (a
 * number such as 420 or an octal string "0644"), verify ("sha256" or true), timeout
 * (seconds, the whole transfer). The session value stays on the stack while the transfer
 * runs, so the connection outlives it.
 */
#include "class.h"
#include "runtime.h"
#include "error.h"
#include "ssh.h"
#include "ssh_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 600000 /* a large image over a slow link takes minutes */

typedef struct {
  nh_ssh_xfer_t req;
  int put;
  uint64_t timeout_ms;
  char name[128]; /* the host's, for messages */
} xfer_t;

static int opt_mode(lua_State *L, int opts) {
  int t = lua_getfield(L, opts, "mode"), mode = -1;
  if (t == LUA_TNUMBER && lua_isinteger(L, -1)) {
    lua_Integer m = lua_tointeger(L, -1);
    if (m < 0 || m > 07777) luaL_error(L, "ssh transfer: mode %d out of range", (int)m);
    mode = (int)m;
  } else if (t == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    char *end;
    long m = strtol(s, &end, 8);
    if (!*s || *end || m < 0 || m > 07777)
      luaL_error(L, "ssh transfer: mode '%s' is not an octal mode such as \"0644\"", s);
    mode = (int)m;
  } else if (t != LUA_TNIL) {
    luaL_error(L, "ssh transfer: mode must be a number or an octal string");
  }
  lua_pop(L, 1);
  return mode;
}

static nh_xfer_protocol_t opt_protocol(lua_State *L, int opts) {
  const char *s;
  nh_xfer_protocol_t p = NH_XFER_AUTO;
  if (lua_getfield(L, opts, "protocol") != LUA_TNIL) {
    s = luaL_optstring(L, -1, "");
    if (!strcmp(s, "sftp"))
      p = NH_XFER_SFTP;
    else if (!strcmp(s, "scp"))
      p = NH_XFER_SCP;
    else if (strcmp(s, "auto") != 0)
      luaL_error(L, "ssh transfer: unknown protocol '%s' (sftp, scp or auto)", s);
  }
  lua_pop(L, 1);
  return p;
}

static int opt_verify(lua_State *L, int opts) {
  int t = lua_getfield(L, opts, "verify"), v = 0;
  if (t == LUA_TBOOLEAN)
    v = lua_toboolean(L, -1);
  else if (t == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "sha256"))
    v = 1;
  else if (t != LUA_TNIL)
    luaL_error(L, "ssh transfer: verify must be \"sha256\" or a boolean");
  lua_pop(L, 1);
  return v;
}

/* Pushes the error for a failed transfer. */
static void push_error(lua_State *L, xfer_t *x, const char *name, const char *op, int rc) {
  const nh_ssh_failure_t *f = nh_ssh_failure(x->req.ssh);
  const char *stage = f && f->stage ? f->stage : (x->put ? "write" : "read");
  const char *kind = "transfer";
  if (rc == NH_ECLOSED) kind = "connect";
  if (rc == NH_ETIMEDOUT || rc == NH_ECANCELED) kind = NULL;
  if (rc == NH_ETIMEDOUT) {
    char after[96]; /* lua_pushfstring has no %g with a precision, nor %llu */
    snprintf(after, sizeof(after), "%.3g s (%llu bytes moved)", (double)x->timeout_ms / 1000.0,
             (unsigned long long)x->req.bytes);
    nhl_error_push(L, kind, name, op, rc, "transfer timed out after %s", after);
    stage = x->put ? "write" : "read";
  } else if (f && f->stage && f->detail[0] && rc != NH_ECANCELED) {
    nhl_error_push(L, kind, name, op, rc, "%s: %s", f->stage, f->detail);
  } else {
    nhl_error_push(L, kind, name, op, rc, "%s (%s)", nh_strerror(rc), stage);
  }
  lua_pushstring(L, stage);
  lua_setfield(L, -2, "stage");
  lua_pushinteger(L, (lua_Integer)x->req.bytes);
  lua_setfield(L, -2, "bytes");
}

/* Stack while waiting: 1 session, 2 put, 3 local, 4 remote, 5 opts. */
static int nhl_ssh_transfer_k(lua_State *L, int status, lua_KContext ctx) {
  xfer_t *x = (xfer_t *)ctx;
  int rc = nhl_await_status(L);
  const char *name = x->name;
  (void)status;
  if (rc < 0) {
    push_error(L, x, name, x->put ? "ssh.put" : "ssh.get", rc);
    free(x);
    nhl_check_interrupt(L);
    return lua_error(L);
  }
  lua_createtable(L, 0, 7);
  lua_pushinteger(L, (lua_Integer)x->req.bytes);
  lua_setfield(L, -2, "bytes");
  lua_pushnumber(L, (double)(uv_hrtime() - x->req.op.started_ns) / 1e9);
  lua_setfield(L, -2, "elapsed");
  lua_pushstring(L, x->req.protocol);
  lua_setfield(L, -2, "protocol");
  lua_pushstring(L, x->req.sha256);
  lua_setfield(L, -2, "sha256");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "host");
  lua_pushvalue(L, 3);
  lua_setfield(L, -2, "local");
  lua_pushvalue(L, 4);
  lua_setfield(L, -2, "remote");
  free(x);
  nhl_check_interrupt(L);
  return 1;
}

static int nhl_ssh_transfer(lua_State *L) {
  nh_ssh_t *ssh;
  const char *name, *op;
  nh_ssh_xfer_opts_t o;
  xfer_t *x;
  int rc, put = lua_toboolean(L, 2);
  op = put ? "ssh.put" : "ssh.get";
  nhl_task_check(L, op);
  lua_settop(L, 5);
  ssh = nhl_ssh_session_conn(L, 1, &name);
  memset(&o, 0, sizeof(o));
  o.put = put;
  o.local = nhl_checkcstring(L, 3);
  o.remote = nhl_checkcstring(L, 4);
  o.mode = -1;
  if (!lua_isnil(L, 5)) {
    luaL_checktype(L, 5, LUA_TTABLE);
    o.mode = opt_mode(L, 5);
    o.protocol = opt_protocol(L, 5);
    o.verify = opt_verify(L, 5);
  }
  if (!(x = calloc(1, sizeof(*x)))) return luaL_error(L, "%s: out of memory", op);
  x->put = put;
  snprintf(x->name, sizeof(x->name), "%s", name);
  x->timeout_ms = DEFAULT_TIMEOUT_MS;
  if (!lua_isnil(L, 5)) {
    if (lua_getfield(L, 5, "timeout") == LUA_TNUMBER)
      x->timeout_ms = nhl_seconds_to_ms(lua_tonumber(L, -1));
    lua_pop(L, 1);
  }
  rc = nh_ssh_transfer(&x->req, ssh, &o, x->timeout_ms, nhl_op_cb);
  if (rc < 0) {
    x->req.ssh = ssh;
    push_error(L, x, name, op, rc);
    free(x);
    return lua_error(L);
  }
  return nhl_await(L, &x->req.op, nhl_ssh_transfer_k, (lua_KContext)x);
}

int luaopen_nethost_ssh_transfer(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(ssh, transfer), {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
