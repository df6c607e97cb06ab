/* nethost Lua layer: the table of preloaded C modules. */
#ifndef NHL_MODULES_H
#define NHL_MODULES_H

#include "runtime.h"

typedef struct {
  const char *name;
  lua_CFunction open;
} nhl_module_t;

extern const nhl_module_t nhl_modules[];

#endif
