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

/* Like nhl_value_push, then frees v — also when converting raises (out of memory). */
void nhl_value_push_owned(lua_State *L, nh_value_t *v);

#endif
