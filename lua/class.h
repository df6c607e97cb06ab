/* nethost Lua bindings: userdata types. A binding declares a type as two luaL_Reg lists,
 * its metamethods and its methods, and registers both with one call instead of pushing
 * each function into the metatable by hand. */
#ifndef NHL_CLASS_H
#define NHL_CLASS_H

#include <lauxlib.h>
#include <lua.h>

/* Creates the metatable tname in the registry (luaL_newmetatable, which also sets __name)
 * unless it exists: the functions of meta become its fields (__gc, __close, __tostring, an
 * __index function...), and when methods is not NULL a new table of them is its __index.
 * meta may be NULL. Leaves the stack as it was. */
void nhl_class(lua_State *L, const char *tname, const luaL_Reg *meta, const luaL_Reg *methods);

#endif
