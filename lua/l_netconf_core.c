/* nethost Lua layer: the raw NETCONF session (core/netconf.h) on an ssh session's
 * connection. The API playbooks use (netconf.open, s:get_config, reply objects, rpc-error
 * objects) is Lua, in lua/nethost/netconf.lua, on top of these primitives:
 *
 *   core.open(ssh_session, hello, max_message, timeout) -> raw session
 *   raw:rpc(message, message_id, timeout) -> the <rpc-reply> text
 *   raw:info() -> {capabilities = {...}, session_id =, chunked =, hello =}
 *   raw:is_open(), raw:close()
 *
 * The raw session keeps its ssh session alive (user value 1); closing it closes only the
 * NETCONF channel.
 */
#include "class.h"
#include "fields.h"
#include "runtime.h"
#include "error.h"
#include "netconf.h"
#include "ssh_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAW_MT "nethost.netconf.raw"

typedef struct {
  nh_netconf_t *nc;
  const char *name; /* the session's: the user value keeps the session alive */
} raw_t;

static raw_t *check_raw(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, RAW_MT);
}

static void raw_close(raw_t *r) {
  if (r->nc) {
    nh_netconf_close(r->nc);
    r->nc = NULL;
  }
}

static int nhl_netconf_raw_close(lua_State *L) {
  raw_close(check_raw(L, 1));
  return 0;
}

/* Pushes the error object for a failed NETCONF operation on ssh. */
static void push_error(lua_State *L, nh_ssh_t *ssh, const char *name, const char *op, int rc,
                       const char *what, uint64_t timeout_ms) {
  const nh_ssh_failure_t *f = ssh ? nh_ssh_failure(ssh) : NULL;
  const char *kind = NULL;
  if (rc == NH_EPROTO || rc == NH_ETOOBIG) kind = "netconf";
  if (rc == NH_ECHANNEL || (rc == NH_ECLOSED && f && f->stage)) kind = "channel";
  if (rc == NH_ETIMEDOUT) {
    char after[48]; /* lua_pushfstring has no %g with a precision */
    snprintf(after, sizeof(after), "%.3g s", (double)timeout_ms / 1000.0);
    nhl_error_push(L, kind, name, op, rc, "%s timed out after %s", what, after);
  } else if (f && f->stage && f->detail[0])
    nhl_error_push(L, kind, name, op, rc, "%s: %s", f->stage, f->detail);
  else
    nhl_error_push(L, kind, name, op, rc, "%s: %s", what, nh_strerror(rc));
  nhl_set_string(L, "stage", rc == NH_ETIMEDOUT || !f || !f->stage ? "netconf" : f->stage);
}

typedef struct {
  nh_netconf_open_t req;
  uint64_t timeout_ms;
} open_req_t;

static int open_k(lua_State *L, int status, lua_KContext ctx) {
  open_req_t *o = (open_req_t *)ctx;
  int rc = nhl_await_status(L);
  raw_t *r = check_raw(L, -1); /* left on top before yielding */
  uint64_t timeout_ms = o->timeout_ms;
  (void)status;
  if (rc == 0) r->nc = o->req.nc;
  free(o);
  if (rc < 0) {
    lua_getiuservalue(L, -1, 1);
    push_error(L, nhl_ssh_session_conn(L, -1, NULL), r->name, "netconf.open", rc,
               "waiting for the server's NETCONF hello", timeout_ms);
    nhl_check_interrupt(L);
    return lua_error(L);
  }
  nhl_check_interrupt(L);
  return 1;
}

/* core.open(ssh_session, hello|nil, max_message|nil, timeout) -> raw session */
static int nhl_netconf_open(lua_State *L) {
  const char *name;
  nh_ssh_t *ssh = nhl_ssh_session_conn(L, 1, &name);
  const char *hello = luaL_optstring(L, 2, NULL);
  lua_Integer max_message = luaL_optinteger(L, 3, 0);
  uint64_t timeout_ms = nhl_seconds_to_ms(luaL_optnumber(L, 4, 30));
  open_req_t *o;
  raw_t *r;
  int rc;
  nhl_task_check(L, "netconf.open");
  if (hello && strlen(hello) != lua_rawlen(L, 2)) luaL_argerror(L, 2, "contains a NUL byte");
  r = lua_newuserdatauv(L, sizeof(*r), 1);
  memset(r, 0, sizeof(*r));
  r->name = name;
  luaL_setmetatable(L, RAW_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  if (!(o = calloc(1, sizeof(*o)))) return luaL_error(L, "netconf.open: out of memory");
  o->timeout_ms = timeout_ms;
  rc = nh_netconf_open(&o->req, ssh, hello, max_message > 0 ? (size_t)max_message : 0, timeout_ms,
                       nhl_op_cb);
  if (rc < 0) {
    free(o);
    push_error(L, ssh, r->name, "netconf.open", rc, "opening the NETCONF session", 0);
    return lua_error(L);
  }
  return nhl_await(L, &o->req.op, open_k, (lua_KContext)o);
}

typedef struct {
  nh_netconf_rpc_t req;
  uint64_t timeout_ms;
  char what[96];
} rpc_req_t;

static int rpc_k(lua_State *L, int status, lua_KContext ctx) {
  rpc_req_t *q = (rpc_req_t *)ctx;
  int rc = nhl_await_status(L);
  raw_t *r = check_raw(L, 1);
  (void)status;
  if (rc == 0) {
    lua_pushlstring(L, q->req.reply, q->req.reply_len);
    lua_pushinteger(L, q->req.skipped);
  } else {
    push_error(L, r->nc ? nh_netconf_ssh(r->nc) : NULL, r->name, "netconf.rpc", rc, q->what,
               q->timeout_ms);
  }
  nh_netconf_rpc_cleanup(&q->req);
  free(q);
  nhl_check_interrupt(L);
  if (rc < 0) return lua_error(L);
  return 2;
}

/* raw:rpc(message, message_id, timeout, what) -> reply text, messages skipped */
static int nhl_netconf_raw_rpc(lua_State *L) {
  raw_t *r = check_raw(L, 1);
  size_t len;
  const char *msg = luaL_checklstring(L, 2, &len);
  const char *id = luaL_checkstring(L, 3);
  uint64_t timeout_ms = nhl_seconds_to_ms(luaL_optnumber(L, 4, 60));
  const char *what = luaL_optstring(L, 5, "the RPC");
  rpc_req_t *q;
  int rc;
  nhl_task_check(L, "netconf.rpc");
  if (!r->nc || !nh_netconf_is_open(r->nc))
    return nhl_raise(L, "channel", r->name, "netconf.rpc", NH_ECLOSED,
                     "the NETCONF session is closed");
  if (!(q = calloc(1, sizeof(*q)))) return luaL_error(L, "netconf.rpc: out of memory");
  q->timeout_ms = timeout_ms;
  snprintf(q->what, sizeof(q->what), "%s", what);
  rc = nh_netconf_rpc(&q->req, r->nc, msg, len, id, timeout_ms, nhl_op_cb);
  if (rc < 0) {
    free(q);
    push_error(L, nh_netconf_ssh(r->nc), r->name, "netconf.rpc", rc, what, 0);
    return lua_error(L);
  }
  lua_settop(L, 1);
  return nhl_await(L, &q->req.op, rpc_k, (lua_KContext)q);
}

static int nhl_netconf_raw_info(lua_State *L) {
  raw_t *r = check_raw(L, 1);
  size_t i, n, len;
  const char *hello;
  if (!r->nc) return 0;
  n = nh_netconf_capability_count(r->nc);
  lua_createtable(L, 0, 4);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, nh_netconf_capability(r->nc, i));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "capabilities");
  nhl_set_integer(L, "session_id", (lua_Integer)nh_netconf_session_id(r->nc));
  nhl_set_boolean(L, "chunked", nh_netconf_chunked(r->nc));
  hello = nh_netconf_server_hello(r->nc, &len);
  lua_pushlstring(L, hello, len);
  lua_setfield(L, -2, "hello");
  return 1;
}

static int nhl_netconf_raw_is_open(lua_State *L) {
  raw_t *r = check_raw(L, 1);
  lua_pushboolean(L, r->nc && nh_netconf_is_open(r->nc));
  return 1;
}

int luaopen_nethost_netconf_core(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(netconf, open), {NULL, NULL}};
  static const luaL_Reg methods[] = {NHL_FUNC(netconf_raw, rpc),
                                     NHL_FUNC(netconf_raw, info),
                                     NHL_FUNC(netconf_raw, is_open),
                                     NHL_FUNC(netconf_raw, close),
                                     {NULL, NULL}};
  static const luaL_Reg meta[] = {{"__gc", nhl_netconf_raw_close}, {NULL, NULL}};
  nhl_class(L, RAW_MT, meta, methods);
  luaL_newlib(L, funcs);
  return 1;
}
