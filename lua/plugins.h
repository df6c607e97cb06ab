/* nethost Lua layer: plugins and parsers for other bindings (see lua/l_plugins.c). */
#ifndef NHL_PLUGINS_H
#define NHL_PLUGINS_H

#include "runtime.h"

#include <stddef.h>

/* Loads the built-in plugin folder and NETHOST_PLUGIN_PATH, the first time only. */
void nhl_plugins_ensure(lua_State *L);

/* Parses text (len bytes, NUL-terminated as Lua strings are) as the output of command on
 * platform (a name or alias) and pushes the result table. On failure raises a `parse`
 * error object whose host field is host (may be NULL). Returns 1. This is what
 * host:parse(command, text) calls with the host's platform and name. */
int nhl_parse_push(lua_State *L, const char *platform, const char *command, const char *text,
                   size_t len, const char *host);

#endif
