/* nethost Lua layer: core value trees as Lua values. */
#include "class.h"
#include "lvalue.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

/* The registry keys of the key-order table (weak keys: table -> array of keys, for tables
 * that already have a metatable, as json.decode's objects) and of the shape cache (weak
 * values: signature -> metatable): the addresses of these variables. */
static const char keyorder_key = 0, shapes_key = 0;

static void push_weak(lua_State *L, const void *key, const char *mode) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushstring(L, mode);
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

void nhl_keyorder_push(lua_State *L) {
  push_weak(L, &keyorder_key, "k");
}

void nhl_keyorder_shapes_push(lua_State *L) {
  push_weak(L, &shapes_key, "v");
}

void nhl_keyorder_apply(lua_State *L, int shapes, int t, size_t n) {
  luaL_checkstack(L, 5, "key order");
  lua_pushvalue(L, -1);
  if (lua_rawget(L, shapes) != LUA_TTABLE) {
    size_t len, i = 0;
    lua_Integer k = 0;
    const char *sig = lua_tolstring(L, -2, &len);
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_createtable(L, (int)(n < 1u << 24 ? n : 0), 0);
    while (i < len) {
      size_t kl = strlen(sig + i);
      lua_pushlstring(L, sig + i, kl);
      lua_rawseti(L, -2, ++k);
      i += kl + 1;
    }
    lua_setfield(L, -2, "__keyorder");
    lua_pushliteral(L, "dict");
    lua_setfield(L, -2, "__name");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_rawset(L, shapes);
  }
  lua_setmetatable(L, t);
  lua_pop(L, 1);
}

/* Gives the table on top of the stack the shape of map's keys (shapes: the slot of the shape
 * cache, 0 for none). A one-key map has nothing to order and costs nothing; an empty map
 * gets a shape too, so templates can tell it ({}) from an empty list. */
static void record_order(lua_State *L, int shapes, const nh_value_t *map) {
  size_t i, n = 0;
  luaL_Buffer b;
  if (!shapes || map->u.map.len == 1) return;
  luaL_buffinit(L, &b);
  for (i = 0; i < map->u.map.len; i++) {
    if (map->u.map.vals[i]->type == NH_VALUE_NULL) continue;
    luaL_addstring(&b, map->u.map.keys[i]);
    luaL_addchar(&b, '\0');
    n++;
  }
  luaL_pushresult(&b);
  if (n == 1) {
    lua_pop(L, 1);
    return;
  }
  nhl_keyorder_apply(L, shapes, lua_absindex(L, -2), n);
}

static void push(lua_State *L, const nh_value_t *v, int depth, int shapes) {
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
      push(L, v->u.list.items[i], depth + 1, shapes);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    break;
  case NH_VALUE_MAP:
    lua_createtable(L, 0, (int)(v->u.map.len < 1u << 24 ? v->u.map.len : 0));
    for (i = 0; i < v->u.map.len; i++) {
      if (v->u.map.vals[i]->type == NH_VALUE_NULL) continue;
      push(L, v->u.map.vals[i], depth + 1, shapes);
      lua_setfield(L, -2, v->u.map.keys[i]);
    }
    record_order(L, shapes, v);
    break;
  }
}

static void push_value(lua_State *L, const nh_value_t *v, int ordered) {
  if (v && v->type == NH_VALUE_NULL) {
    lua_pushnil(L);
    return;
  }
  if (ordered && v && (v->type == NH_VALUE_MAP || v->type == NH_VALUE_LIST)) {
    int shapes;
    nhl_keyorder_shapes_push(L);
    shapes = lua_gettop(L);
    push(L, v, 0, shapes);
    lua_remove(L, shapes);
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
  static const luaL_Reg meta[] = {{"__gc", box_gc}, {NULL, NULL}};
  nhl_class(L, "nethost.valuebox", meta, NULL);
  luaL_setmetatable(L, "nethost.valuebox");
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

void nhl_value_push_json(lua_State *L, nh_value_t *v, int indent) {
  size_t len;
  char *text = nh_value_to_json(v, indent, &len);
  nh_value_free(v);
  if (!text) luaL_error(L, "out of memory");
  lua_pushlstring(L, text, len);
  free(text);
}
