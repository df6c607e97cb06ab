/* nethost Lua layer: core value trees (core/value.h) as Lua values. */
#ifndef NHL_LVALUE_H
#define NHL_LVALUE_H

#include <lua.h>

#include "value.h"

/* Pushes v as a Lua value: maps become tables (null members left out), lists sequences
 * (null items become nhl_null, a light userdata NULL, so the sequence has no holes),
 * strings, integers, floats and booleans as themselves. NULL or a null value pushes nil.
 * Raises a Lua error when out of memory. */
void nhl_value_push(lua_State *L, const nh_value_t *v);

/* Like nhl_value_push, and maps keep their order on the way to Lua: each table made from a
 * map with two or more keys is recorded in a weak-keyed registry table, table -> array of
 * its keys in the map's order (document order for YAML and JSON). Templates iterate dicts
 * in that order, as Python does; Lua code may ignore it. Used for values that may reach a
 * template (YAML documents, inventory data); parser results skip it, as recording costs
 * a table per map and weak-table work in every garbage collection. nhl_keyorder_push
 * pushes that table (made on first use). */
void nhl_value_push_ordered(lua_State *L, const nh_value_t *v);
void nhl_keyorder_push(lua_State *L);

/* Like nhl_value_push, then frees v — also when converting raises (out of memory). */
void nhl_value_push_owned(lua_State *L, nh_value_t *v);
void nhl_value_push_owned_ordered(lua_State *L, nh_value_t *v);

#endif
