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
