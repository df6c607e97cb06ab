/* nethost Lua layer: the C modules the runtime preloads. Every binding file l_NAME.c
 * defines luaopen_nethost_NAME and is preloaded as "nethost.NAME"; the build generates the
 * list from the file names, so adding a binding is adding a file. */
#include "modules.h"

#define NHL_MODULE_ENTRY(name) {"nethost." #name, luaopen_nethost_##name},
const nhl_module_t nhl_modules[] = {NHL_MODULE_LIST(NHL_MODULE_ENTRY){NULL, NULL}};
