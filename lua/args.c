/* nethost Lua layer: reading arguments and options (see args.h). */
#include "args.h"

const char *nhl_tocstring(lua_State *L, int idx, const char *who, const char *key) {
  size_t len;
  const char *s = lua_tolstring(L, idx, &len);
  if (s && strlen(s) != len) luaL_error(L, "%s: '%s' contains a NUL byte", who, key);
  return s;
}

const char *nhl_checkcstring(lua_State *L, int arg) {
  size_t len;
  const char *s = luaL_checklstring(L, arg, &len);
  if (strlen(s) != len) luaL_argerror(L, arg, "contains a NUL byte");
  return s;
}

int nhl_opt_get(lua_State *L, int t, const char *key) {
  luaL_checkstack(L, 1, "too many options");
  if (t == 0 || lua_isnoneornil(L, t)) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_getfield(L, t, key);
}

const char *nhl_opt_cstring(lua_State *L, int t, const char *key, const char *who) {
  int type = nhl_opt_get(L, t, key);
  if (type == LUA_TSTRING || type == LUA_TNUMBER) return nhl_tocstring(L, -1, who, key);
  return NULL;
}

const char *nhl_opt_string(lua_State *L, int t, const char *key, const char *who) {
  int type = nhl_opt_get(L, t, key);
  if (type == LUA_TSTRING) return nhl_tocstring(L, -1, who, key);
  if (type != LUA_TNIL) luaL_error(L, "%s: option '%s' must be a string", who, key);
  return NULL;
}

lua_Number nhl_opt_number(lua_State *L, int t, const char *key, lua_Number def, const char *who) {
  lua_Number n = def;
  int type = nhl_opt_get(L, t, key);
  if (type == LUA_TNUMBER)
    n = lua_tonumber(L, -1);
  else if (type != LUA_TNIL)
    luaL_error(L, "%s: option '%s' must be a number", who, key);
  lua_pop(L, 1);
  if (!(n >= 0)) luaL_error(L, "%s: option '%s' must not be negative", who, key);
  return n;
}

int nhl_opt_getnumber(lua_State *L, int t, const char *key, lua_Number *out) {
  int found = nhl_opt_get(L, t, key) == LUA_TNUMBER;
  if (found) *out = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return found;
}

int nhl_opt_positive(lua_State *L, int t, const char *key, lua_Number *out) {
  int type = nhl_opt_get(L, t, key), isnum = 0;
  lua_Number n = type == LUA_TNUMBER ? lua_tonumberx(L, -1, &isnum) : 0;
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (!isnum || !(n > 0))
    luaL_error(L, "option '%s' must be a positive number, got %s", key,
               luaL_tolstring(L, -1, NULL));
  lua_pop(L, 1);
  *out = n;
  return 1;
}

int nhl_opt_boolean(lua_State *L, int t, const char *key, int def) {
  int b = def;
  if (nhl_opt_get(L, t, key) != LUA_TNIL) b = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return b;
}
