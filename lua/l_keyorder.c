/* nethost Lua layer: require "nethost.keyorder" — the order of keys of decoded maps.
 *
 *   keyorder.get(t) -> {key1, key2, ...} or nil
 *
 * A Lua table has no order, but a YAML or JSON document, an inventory's data and a parser's
 * result do, and Python keeps it: Jinja2 templates loop over dicts in document order. The
 * decoders record it (lvalue.h): YAML documents and inventory data as a shared metatable per
 * key order (its __keyorder field), json.decode(text, {ordered = true}) in a weak-keyed
 * table (its objects have a metatable already). get(t) reads either. A key set later in Lua
 * is not in the array; readers put such keys after the recorded ones.
 */
#include "lvalue.h"
#include "class.h"
#include "runtime.h"

static int nhl_keyorder_get(lua_State *L) {
  if (!lua_istable(L, 1)) {
    lua_pushnil(L);
    return 1;
  }
  if (lua_getmetatable(L, 1) && lua_getfield(L, -1, "__keyorder") == LUA_TTABLE) return 1;
  lua_settop(L, 1);
  nhl_keyorder_push(L);
  lua_pushvalue(L, 1);
  lua_rawget(L, -2);
  return 1;
}

int luaopen_nethost_keyorder(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(keyorder, get), {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
