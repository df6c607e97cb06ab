/* nethost Lua layer: error objects.
 *
 * An operational failure raises a table with fields kind, message, host, op, code (the
 * NH_E* name) and where (file:line of the playbook call), whose metatable gives a one-line
 * tostring. Misuse (a wrong argument type) raises an ordinary Lua error instead.
 */
#include "fields.h"
#include "class.h"
#include "runtime.h"
#include "error.h"

#include <string.h>

#define ERROR_MT "nethost.error"

const char *nhl_error_kind(int code) {
  switch (code) {
  case NH_ETIMEDOUT:
    return "timeout";
  case NH_ECANCELED:
    return "cancelled";
  case NH_ECONNREFUSED:
  case NH_ECONNRESET:
  case NH_EHOSTUNREACH:
  case NH_ENETUNREACH:
  case NH_ERESOLVE:
  case NH_EBANNER:
  case NH_EKEX:
  case NH_ECLOSED:
    return "connect";
  case NH_EHOSTKEY:
    return "hostkey";
  case NH_EAUTH:
    return "auth";
  case NH_ECHANNEL:
    return "channel";
  case NH_ECOMMAND:
  case NH_ETOOBIG:
  case NH_EPROMPT:
    return "command";
  case NH_EHTTP:
  case NH_ETLS:
    return "http";
  case NH_EPARSE:
  case NH_ENOPARSER:
    return "parse";
  case NH_ESYNTAX:
    return "syntax";
  default:
    return "error";
  }
}

/* Pushes "file:line" of the innermost Lua frame outside nethost's own library (the
 * playbook line users fix: bindings are often reached through library wrappers such as
 * nethost/ssh.lua), or nil when there is none. */
static void push_where(lua_State *L) {
  lua_Debug ar;
  const char *lib;
  size_t liblen;
  int level;
  lua_getfield(L, LUA_REGISTRYINDEX, "nethost.lua_dir");
  lib = lua_tolstring(L, -1, &liblen);
  for (level = 1; lua_getstack(L, level, &ar); level++) {
    if (!lua_getinfo(L, "Sl", &ar) || ar.what[0] == 'C' || ar.currentline <= 0) continue;
    if (lib && ar.source[0] == '@' && strncmp(ar.source + 1, lib, liblen) == 0 &&
        ar.source[1 + liblen] == '/')
      continue;
    lua_pop(L, 1);
    lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
    return;
  }
  lua_pop(L, 1);
  lua_pushnil(L);
}

void nhl_error_push(lua_State *L, const char *kind, const char *host, const char *op, int code,
                    const char *fmt, ...) {
  va_list ap;
  lua_createtable(L, 0, 8);
  nhl_set_string(L, "kind", kind ? kind : nhl_error_kind(code));
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_setfield(L, -2, "message");
  nhl_set_string(L, "host", host);
  nhl_set_string(L, "op", op);
  if (code) nhl_set_string(L, "code", nh_err_name(code));
  push_where(L);
  if (lua_isstring(L, -1))
    lua_setfield(L, -2, "where");
  else
    lua_pop(L, 1);
  luaL_setmetatable(L, ERROR_MT);
}

int nhl_fail(lua_State *L, const char *fmt, ...) {
  va_list ap;
  lua_pushnil(L);
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  return 2;
}

int nhl_is_error(lua_State *L, int idx) {
  return nhl_is_class(L, idx, ERROR_MT);
}

/* "where: host: op: message [kind]" on one line. */
static int error_tostring(lua_State *L) {
  luaL_Buffer b;
  static const char *const parts[] = {"where", "host", "op"};
  size_t i;
  luaL_buffinit(L, &b);
  for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
    if (lua_getfield(L, 1, parts[i]) == LUA_TSTRING) {
      luaL_addvalue(&b);
      luaL_addstring(&b, ": ");
    } else {
      lua_pop(L, 1);
    }
  }
  lua_getfield(L, 1, "message");
  luaL_addvalue(&b);
  if (lua_getfield(L, 1, "kind") == LUA_TSTRING) {
    luaL_addstring(&b, " [");
    luaL_addvalue(&b);
    luaL_addstring(&b, "]");
  } else {
    lua_pop(L, 1);
  }
  luaL_pushresult(&b);
  /* Keep it one line whatever a device put in the message. */
  {
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (memchr(s, '\n', len) || memchr(s, '\r', len)) {
      luaL_gsub(L, s, "\r\n", " ");
      luaL_gsub(L, lua_tostring(L, -1), "\n", " ");
      luaL_gsub(L, lua_tostring(L, -1), "\r", " ");
    }
  }
  return 1;
}

/* nethost.error(kind, message [, fields]) builds an error object from Lua. */
static int nhl_error_new(lua_State *L) {
  const char *kind = luaL_checkstring(L, 1);
  const char *msg = luaL_checkstring(L, 2);
  nhl_error_push(L, kind, NULL, NULL, 0, "%s", msg);
  if (lua_istable(L, 3)) {
    lua_pushnil(L);
    while (lua_next(L, 3)) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_settable(L, -4);
    }
  }
  return 1;
}

static int nhl_error_is(lua_State *L) {
  lua_pushboolean(L, nhl_is_error(L, 1));
  return 1;
}

int luaopen_nethost_error(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(error, new), NHL_FUNC(error, is), {NULL, NULL}};
  static const luaL_Reg meta[] = {{"__tostring", error_tostring}, {NULL, NULL}};
  nhl_class(L, ERROR_MT, meta, NULL); /* __name is ERROR_MT, "nethost.error" */
  luaL_newlib(L, funcs);
  return 1;
}
