/* nethost Lua layer: core value trees (core/value.h) as Lua values. */
#ifndef NHL_LUAVALUE_H
#define NHL_LUAVALUE_H

#include <lua.h>

#include "value.h"

/* Pushes v: maps become tables with string keys, lists become sequences, strings,
 * integers, floats and booleans their Lua counterparts. A null becomes nil (so a map
 * entry whose value is null is absent, and a null list item leaves a hole). Returns 1, or
 * 0 without pushing anything when the tree is nested too deep for the Lua stack. */
int nhl_push_value(lua_State *L, const nh_value_t *v);

#endif
