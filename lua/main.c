/* nethost: the command-line entry point. The commands themselves are in
 * lua/nethost/cli.lua; this file sets up the runtime and runs the CLI as the root task. */
#include "rt.h"

#include <stdio.h>

int main(int argc, char **argv) {
  nhl_runtime_t *rt;
  lua_State *L;
  int i, code;
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (!(rt = nhl_runtime_new(argv[0]))) return 1;
  L = rt->L;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "nethost.cli");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    fprintf(stderr, "nethost: %s\n", lua_tostring(L, -1));
    nhl_runtime_free(rt);
    return 1;
  }
  lua_getfield(L, -1, "main");
  lua_remove(L, -2);
  lua_createtable(L, argc, 0);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i);
  }
  code = nhl_runtime_main(rt, 1);
  nhl_runtime_free(rt);
  return code;
}
