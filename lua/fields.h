/* nethost Lua bindings: the fields of a result table. A binding that returns a table (a
 * result, statistics, a listing) builds it on top of the stack and sets each field with one
 * call instead of a push and a lua_setfield each. */
#ifndef NHL_FIELDS_H
#define NHL_FIELDS_H

#include <lua.h>

/* t[key] = value for the table on top of the stack; a NULL string leaves the field unset. */
void nhl_set_string(lua_State *L, const char *key, const char *value);
void nhl_set_integer(lua_State *L, const char *key, lua_Integer value);
void nhl_set_number(lua_State *L, const char *key, lua_Number value);
void nhl_set_boolean(lua_State *L, const char *key, int value);

#endif
