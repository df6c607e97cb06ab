/* nethost Lua bindings: userdata types and the function lists of modules. A binding declares
 * a type as two luaL_Reg lists, its metamethods and its methods, and registers both with one
 * call instead of pushing each function into the metatable by hand; a type that owns one C
 * object is a box. */
#ifndef NHL_CLASS_H
#define NHL_CLASS_H

#include <lauxlib.h>
#include <lua.h>

/* The luaL_Reg entry of the Lua function NAME implemented by nhl_PREFIX_NAME, the name
 * STYLE.md gives it, so each name is written once: NHL_FUNC(fs, mkdir) is
 * {"mkdir", nhl_fs_mkdir}. */
#define NHL_FUNC(prefix, name) \
  { #name, nhl_##prefix##_##name }

/* Creates the metatable tname in the registry (luaL_newmetatable, which also sets __name)
 * unless it exists: the functions of meta become its fields (__gc, __close, __tostring, an
 * __index function...), and when methods is not NULL a new table of them is its __index,
 * or its __methods when meta has an __index function of its own (a type with computed
 * fields), for that function to look in. meta may be NULL. Leaves the stack as it was. */
void nhl_class(lua_State *L, const char *tname, const luaL_Reg *meta, const luaL_Reg *methods);

/* Whether the value at idx (a table or a userdata) has the metatable tname. */
int nhl_is_class(lua_State *L, int idx, const char *tname);

/* Pushes the table of methods nhl_class gave tname (its __index, or __methods when __index
 * is a function), for a module to publish so other modules can add methods to it. */
void nhl_class_methods(lua_State *L, const char *tname);

/* A box: a userdata of type tname (a class registered with nhl_class) that holds one pointer
 * to C memory, luv's model: the garbage collector frees what a box owns, through the type's
 * __gc, and never memory the core still uses.
 *
 * nhl_box_push pushes a new box holding p and returns its slot, for a constructor that
 * pushes the box first (pushing may raise) and stores what it creates right after, so that
 * nothing leaks. nhl_box_get is the pointer in the box at idx (raising for any other value),
 * NULL once taken; nhl_box_take returns it and leaves NULL, so that __gc and close free it
 * once. */
void **nhl_box_push(lua_State *L, const char *tname, void *p);
void *nhl_box_get(lua_State *L, int idx, const char *tname);
void *nhl_box_take(lua_State *L, int idx, const char *tname);

/* The userdata of size bytes kept in the registry at key: a per-state object a binding
 * creates on first use and the state's close frees through its __gc (gc). *created says
 * whether this call made it (zero-filled, for the caller to fill). Leaves the stack as it
 * was. */
void *nhl_state_object(lua_State *L, const char *key, size_t size, lua_CFunction gc, int *created);

#endif
