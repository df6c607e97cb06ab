/* nethost Lua layer: core value trees as Lua values. */
#include "lvalue.h"

#include <lauxlib.h>

/* The registry key of the key-order table: the address of this variable. */
static const char keyorder_key = 0;

void nhl_keyorder_push(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &keyorder_key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &keyorder_key);
}

/* Records the order of map's keys for the table on top of the stack in the key-order table
 * at slot order. A one-key map has nothing to order and costs nothing; an empty map is
 * recorded too, so templates can tell it ({}) from an empty list. */
static void record_order(lua_State *L, int order, const nh_value_t *map) {
  size_t i;
  lua_Integer n = 0;
  if (!order || map->u.map.len == 1) return;
  lua_pushvalue(L, -1);
  lua_createtable(L, (int)(map->u.map.len < 1u << 24 ? map->u.map.len : 0), 0);
  for (i = 0; i < map->u.map.len; i++) {
    if (map->u.map.vals[i]->type == NH_VALUE_NULL) continue;
    lua_pushstring(L, map->u.map.keys[i]);
    lua_rawseti(L, -2, ++n);
  }
  lua_rawset(L, order);
}

static void push(lua_State *L, const nh_value_t *v, int depth, int order) {
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
      push(L, v->u.list.items[i], depth + 1, order);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    break;
  case NH_VALUE_MAP:
    lua_createtable(L, 0, (int)(v->u.map.len < 1u << 24 ? v->u.map.len : 0));
    for (i = 0; i < v->u.map.len; i++) {
      if (v->u.map.vals[i]->type == NH_VALUE_NULL) continue;
      push(L, v->u.map.vals[i], depth + 1, order);
      lua_setfield(L, -2, v->u.map.keys[i]);
    }
    record_order(L, order, v);
    break;
  }
}

static void push_value(lua_State *L, const nh_value_t *v, int ordered) {
  if (v && v->type == NH_VALUE_NULL) {
    lua_pushnil(L);
    return;
  }
  if (ordered && v && (v->type == NH_VALUE_MAP || v->type == NH_VALUE_LIST)) {
    int order;
    nhl_keyorder_push(L);
    order = lua_gettop(L);
    push(L, v, 0, order);
    lua_remove(L, order);
    return;
  }
  push(L, v, 0, 0);
}

void nhl_value_push(lua_State *L, const nh_value_t *v) {
  push_value(L, v, 0);
}

void nhl_value_push_ordered(lua_State *L, const nh_value_t *v) {
  push_value(L, v, 1);
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

static void push_owned(lua_State *L, nh_value_t *v, int ordered) {
  box_t *b = lua_newuserdatauv(L, sizeof(*b), 0);
  b->v = v;
  if (luaL_newmetatable(L, "nethost.valuebox")) {
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  push_value(L, v, ordered);
  nh_value_free(b->v);
  b->v = NULL;
  lua_remove(L, -2);
}

void nhl_value_push_owned(lua_State *L, nh_value_t *v) {
  push_owned(L, v, 0);
}

void nhl_value_push_owned_ordered(lua_State *L, nh_value_t *v) {
  push_owned(L, v, 1);
}
