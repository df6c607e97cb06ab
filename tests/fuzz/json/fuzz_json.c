/* json.decode under libFuzzer: any input decodes or raises a parse error object, and what
 * decodes survives encode -> decode -> encode unchanged (sorted keys make it canonical). */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char roundtrip[] =
    "local json, text = ...\n"
    "local ok, v = pcall(json.decode, text)\n"
    "if not ok then\n"
    "  assert(type(v) == 'table' and v.kind == 'parse' and v.line and v.column, tostring(v))\n"
    "  return\n"
    "end\n"
    "local ok2, once = pcall(json.encode, v, {sort_keys = true})\n"
    "if not ok2 then\n"
    "  -- only documents that cannot be represented: a very sparse array never decodes,\n"
    "  -- so nothing decoded may fail to encode\n"
    "  error('decoded but cannot encode: ' .. tostring(once))\n"
    "end\n"
    "local twice = json.encode(json.decode(once), {sort_keys = true})\n"
    "assert(once == twice, 'not canonical: ' .. once .. ' vs ' .. twice)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static lua_State *L;
  if (!L) {
    L = luaL_newstate();
    luaL_openlibs(L);
    luaopen_nethost_error(L);
    lua_pop(L, 1);
    luaL_loadstring(L, roundtrip);
    lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.roundtrip");
    luaopen_nethost_json(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.json");
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.roundtrip");
  lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.json");
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    abort();
  }
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
