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

/* Like nhl_value_push, and maps keep their order on the way to Lua, for templates (Python
 * keeps it; nethost.keyorder tells it to Lua). Each table made from a map of two keys or
 * more (or none) gets a metatable per key order, a "shape" shared by every table with the
 * same keys in the same order: its __keyorder field is the array of keys. Shared, so 100,000
 * hosts' data of one shape cost one metatable, and no weak-table work in garbage
 * collections. Used for values that may reach a template (YAML documents, inventory data);
 * parser results skip it. */
void nhl_value_push_ordered(lua_State *L, const nh_value_t *v);

/* Pushes the shape cache (signature -> metatable, weak values). */
void nhl_keyorder_shapes_push(lua_State *L);

/* Gives the table at slot t the shape of n keys: their signature (each key followed by a
 * NUL byte) is on top of the stack and is popped. shapes is the slot of the shape cache. */
void nhl_keyorder_apply(lua_State *L, int shapes, int t, size_t n);

/* Pushes the weak-keyed table (table -> array of keys) that records the order of tables that
 * have a metatable of their own already: json.decode(text, {ordered = true})'s objects. */
void nhl_keyorder_push(lua_State *L);

/* Like nhl_value_push, then frees v — also when converting raises (out of memory). */
void nhl_value_push_owned(lua_State *L, nh_value_t *v);
void nhl_value_push_owned_ordered(lua_State *L, nh_value_t *v);

/* Pushes v as JSON text (nh_value_to_json with indent), then frees v; raises "out of memory"
 * when the text cannot be made. */
void nhl_value_push_json(lua_State *L, nh_value_t *v, int indent);

#endif
