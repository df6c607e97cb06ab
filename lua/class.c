/* nethost Lua bindings: userdata types (see class.h). */
#include "class.h"

void nhl_class(lua_State *L, const char *tname, const luaL_Reg *meta, const luaL_Reg *methods) {
  if (luaL_newmetatable(L, tname)) {
    if (meta) luaL_setfuncs(L, meta, 0);
    if (methods) {
      lua_newtable(L);
      luaL_setfuncs(L, methods, 0);
      lua_setfield(L, -2, "__index");
    }
  }
  lua_pop(L, 1);
}
