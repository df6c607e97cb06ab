/* nethost Lua layer: require "nethost.keyorder" — the order of keys of decoded maps.
 *
 *   keyorder.of[t] -> {key1, key2, ...} or nil
 *
 * A Lua table has no order, but a YAML or JSON document, an inventory's data and a parser's
 * result do, and Python keeps it: Jinja2 templates loop over dicts in document order. The
 * decoders record, for each table they make from a map of two or more keys, its keys in
 * order in this weak-keyed table (lvalue.h), so the template engine can follow Python. A
 * key set later in Lua is not in the array; readers put such keys after the recorded ones.
 */
#include "lvalue.h"
#include "runtime.h"

int luaopen_nethost_keyorder(lua_State *L) {
  lua_createtable(L, 0, 1);
  nhl_keyorder_push(L);
  lua_setfield(L, -2, "of");
  return 1;
}
