/* nethost Lua bindings: userdata types (see class.h). */
#include "class.h"

#include <string.h>

void nhl_class(lua_State *L, const char *tname, const luaL_Reg *meta, const luaL_Reg *methods) {
  if (luaL_newmetatable(L, tname)) {
    if (meta) luaL_setfuncs(L, meta, 0);
    if (methods) {
      int own_index = lua_getfield(L, -1, "__index") != LUA_TNIL;
      lua_pop(L, 1);
      lua_newtable(L);
      luaL_setfuncs(L, methods, 0);
      lua_setfield(L, -2, own_index ? "__methods" : "__index");
    }
  }
  lua_pop(L, 1);
}

int nhl_is_class(lua_State *L, int idx, const char *tname) {
  int is;
  if (!lua_getmetatable(L, idx)) return 0;
  luaL_getmetatable(L, tname);
  is = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return is;
}

void nhl_class_methods(lua_State *L, const char *tname) {
  luaL_getmetatable(L, tname);
  if (lua_getfield(L, -1, "__index") != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_getfield(L, -1, "__methods");
  }
  lua_remove(L, -2);
}

void **nhl_box_push(lua_State *L, const char *tname, void *p) {
  void **box = lua_newuserdatauv(L, sizeof(*box), 0);
  *box = p;
  luaL_setmetatable(L, tname);
  return box;
}

void *nhl_box_get(lua_State *L, int idx, const char *tname) {
  return *(void **)luaL_checkudata(L, idx, tname);
}

void *nhl_box_take(lua_State *L, int idx, const char *tname) {
  void **box = luaL_checkudata(L, idx, tname);
  void *p = *box;
  *box = NULL;
  return p;
}

void *nhl_state_object(lua_State *L, const char *key, size_t size, lua_CFunction gc, int *created) {
  void *p;
  *created = 0;
  if (lua_getfield(L, LUA_REGISTRYINDEX, key) == LUA_TUSERDATA) {
    p = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return p;
  }
  lua_pop(L, 1);
  p = lua_newuserdatauv(L, size, 0);
  memset(p, 0, size);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, key);
  *created = 1;
  return p;
}
