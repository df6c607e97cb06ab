/* nethost Lua layer: core value trees as Lua values. */
#include "class.h"
#include "lvalue.h"

#include <lauxlib.h>

static void push(lua_State *L, const nh_value_t *v, int depth) {
  size_t i;
  if (depth == 0) luaL_checkstack(L, 8, "value nested too deeply");
  if (depth > 190) luaL_error(L, "value nested too deeply");
  luaL_checkstack(L, 4, "value nested too deeply");
  if (!v) {
    lua_pushnil(L);
    return;
  }
  switch (v->type) {
  case NH_VALUE_NULL:
    lua_pushlightuserdata(L, NULL);
    break;
  case NH_VALUE_BOOL:
    lua_pushboolean(L, v->u.boolean);
    break;
  case NH_VALUE_INT:
    lua_pushinteger(L, (lua_Integer)v->u.integer);
    break;
  case NH_VALUE_FLOAT:
    lua_pushnumber(L, v->u.number);
    break;
  case NH_VALUE_STRING:
    lua_pushlstring(L, v->u.str.ptr, v->u.str.len);
    break;
  case NH_VALUE_LIST:
    lua_createtable(L, (int)(v->u.list.len < 1u << 24 ? v->u.list.len : 0), 0);
    for (i = 0; i < v->u.list.len; i++) {
      push(L, v->u.list.items[i], depth + 1);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    break;
  case NH_VALUE_MAP:
    lua_createtable(L, 0, (int)(v->u.map.len < 1u << 24 ? v->u.map.len : 0));
    for (i = 0; i < v->u.map.len; i++) {
      if (v->u.map.vals[i]->type == NH_VALUE_NULL) continue;
      push(L, v->u.map.vals[i], depth + 1);
      lua_setfield(L, -2, v->u.map.keys[i]);
    }
    break;
  }
}

void nhl_value_push(lua_State *L, const nh_value_t *v) {
  if (v && v->type == NH_VALUE_NULL) {
    lua_pushnil(L);
    return;
  }
  push(L, v, 0);
}

/* Holds a value while it is converted, so an error midway still frees it (from __gc). */
typedef struct {
  nh_value_t *v;
} box_t;

static int box_gc(lua_State *L) {
  box_t *b = lua_touserdata(L, 1);
  nh_value_free(b->v);
  b->v = NULL;
  return 0;
}

void nhl_value_push_owned(lua_State *L, nh_value_t *v) {
  box_t *b = lua_newuserdatauv(L, sizeof(*b), 0);
  b->v = v;
  static const luaL_Reg meta[] = {{"__gc", box_gc}, {NULL, NULL}};
  nhl_class(L, "nethost.valuebox", meta, NULL);
  luaL_setmetatable(L, "nethost.valuebox");
  nhl_value_push(L, v);
  nh_value_free(b->v);
  b->v = NULL;
  lua_remove(L, -2);
}
