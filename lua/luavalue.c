/* nethost Lua layer: core value trees as Lua values. */
#include "luavalue.h"

#include <lauxlib.h>

int nhl_push_value(lua_State *L, const nh_value_t *v) {
  size_t i;
  if (!lua_checkstack(L, 3)) return 0;
  if (!v) {
    lua_pushnil(L);
    return 1;
  }
  switch (v->type) {
  case NH_VALUE_NULL:
    lua_pushnil(L);
    break;
  case NH_VALUE_BOOL:
    lua_pushboolean(L, v->u.boolean);
    break;
  case NH_VALUE_INT:
    lua_pushinteger(L, (lua_Integer)v->u.integer);
    break;
  case NH_VALUE_FLOAT:
    lua_pushnumber(L, (lua_Number)v->u.number);
    break;
  case NH_VALUE_STRING:
    lua_pushlstring(L, v->u.str.ptr, v->u.str.len);
    break;
  case NH_VALUE_LIST:
    lua_createtable(L, (int)v->u.list.len, 0);
    for (i = 0; i < v->u.list.len; i++) {
      if (!nhl_push_value(L, v->u.list.items[i])) {
        lua_pop(L, 1);
        return 0;
      }
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    break;
  case NH_VALUE_MAP:
    lua_createtable(L, 0, (int)v->u.map.len);
    for (i = 0; i < v->u.map.len; i++) {
      if (!nhl_push_value(L, v->u.map.vals[i])) {
        lua_pop(L, 1);
        return 0;
      }
      lua_setfield(L, -2, v->u.map.keys[i]);
    }
    break;
  }
  return 1;
}
