/* nethost Lua layer: reading arguments and options — the one toolkit every binding uses
 * for what a playbook passes in: durations, sizes, C text, and fields of option tables and
 * hosts (tables, or userdata with __index such as inventory hosts).
 *
 * Every reader that fails names the binding (`who`: "ssh", "http", ...) and the field, never
 * the value: the value may be a password.
 */
#ifndef NHL_ARGS_H
#define NHL_ARGS_H

#include <lauxlib.h>
#include <lua.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The longest deadline a binding hands the core, in milliseconds (about 285,000 years: far
 * beyond any run, and far below where uv_now() + ms could wrap). */
#define NHL_MS_MAX ((uint64_t)1 << 53)

/* A duration in seconds from a playbook as whole milliseconds for the core: NaN and values
 * <= 0 give 0, any positive value at least 1, math.huge and other huge values NHL_MS_MAX.
 * (Casting an out-of-range double to an integer is undefined behaviour; on x86-64 it turns
 * math.huge into 0, which made async.timeout(math.huge, fn) time out at once.) */
static inline uint64_t nhl_seconds_to_ms(lua_Number seconds) {
  lua_Number ms = seconds * 1000.0 + 0.5;
  if (!(seconds > 0)) return 0;
  if (ms < 1) return 1;
  if (ms >= (lua_Number)NHL_MS_MAX) return NHL_MS_MAX;
  return (uint64_t)ms;
}

/* The largest byte count or limit a binding hands the core. */
#define NHL_SIZE_MAX 1e15

/* A byte count or limit from a playbook, capped so the cast is defined: NaN and values <= 0
 * give 0 (the core's default). */
static inline size_t nhl_size_option(lua_Number n) {
  return n > 0 ? (size_t)(n < NHL_SIZE_MAX ? n : NHL_SIZE_MAX) : 0;
}

/* The value at idx as C text (a string, or a number converted in place), or NULL for any
 * other type. Raises "WHO: 'KEY' contains a NUL byte" when it holds one: a C API would
 * silently cut it there (a password, a command, a path or a header would become a
 * different, shorter one). */
const char *nhl_tocstring(lua_State *L, int idx, const char *who, const char *key);

/* luaL_checkstring for strings that C sees as NUL-terminated text (see nhl_tocstring). */
const char *nhl_checkcstring(lua_State *L, int arg);

/* Pushes t[key] and returns its type. t is a stack index of a table or of a userdata with
 * __index (its metamethods run); 0 or a nil there push nil. */
int nhl_opt_get(lua_State *L, int t, const char *key);

/* t[key] as C text (see nhl_tocstring), left on the stack so the pointer stays valid; NULL
 * when it is absent or not a string or number (the value is left on the stack too). */
const char *nhl_opt_cstring(lua_State *L, int t, const char *key, const char *who);

/* Strict forms for option tables a library layer has already normalised. A string option:
 * NULL when absent, raises "WHO: option 'KEY' must be a string" for other types; the value
 * is left on the stack. A number option: def when absent, raises for other types and for
 * negative values. */
const char *nhl_opt_string(lua_State *L, int t, const char *key, const char *who);
lua_Number nhl_opt_number(lua_State *L, int t, const char *key, lua_Number def, const char *who);

/* Whether t[key] is a number; if so stores it in *out. Other types count as absent. */
int nhl_opt_getnumber(lua_State *L, int t, const char *key, lua_Number *out);

/* The one check of an option that must be a positive number (a timeout in seconds, an
 * output limit in bytes): 1 with *out set when t[key] is one, 0 when it is absent (nil);
 * raises "option 'KEY' must be a positive number, got V" for 0, negatives, NaN and any
 * other type ("abc"), which are mistakes, never "no limit" or "-nan s". A huge value (inf
 * included) is a long time, capped where it is used. */
int nhl_opt_positive(lua_State *L, int t, const char *key, lua_Number *out);

/* t[key] as a boolean (Lua truth); def when absent (nil). */
int nhl_opt_boolean(lua_State *L, int t, const char *key, int def);

#endif
