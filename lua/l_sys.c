/* nethost Lua layer: `nethost.sys` — facts about the process and its terminal that the
 * runner's progress line, logs and benchmarks need and plain Lua cannot get. */
#include "runtime.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

/* sys.isatty(fd) */
static int l_isatty(lua_State *L) {
  lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
  return 1;
}

/* sys.time() -> wall-clock seconds since the epoch, with sub-second precision */
static int l_time(lua_State *L) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  lua_pushnumber(L, (lua_Number)tv.tv_sec + tv.tv_usec / 1e6);
  return 1;
}

/* sys.rusage() -> {user =, system = (CPU seconds), maxrss = (KB)} */
static int l_rusage(lua_State *L) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  lua_createtable(L, 0, 3);
  lua_pushnumber(L, (lua_Number)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6);
  lua_setfield(L, -2, "user");
  lua_pushnumber(L, (lua_Number)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
  lua_setfield(L, -2, "system");
  lua_pushinteger(L, ru.ru_maxrss);
  lua_setfield(L, -2, "maxrss");
  return 1;
}

static int l_pid(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)getpid());
  return 1;
}

static int l_hostname(lua_State *L) {
  char name[256];
  if (gethostname(name, sizeof(name)) < 0) return 0;
  name[sizeof(name) - 1] = '\0';
  lua_pushstring(L, name);
  return 1;
}

int luaopen_nethost_sys(lua_State *L) {
  static const luaL_Reg funcs[] = {{"isatty", l_isatty},     {"time", l_time},
                                   {"rusage", l_rusage},     {"pid", l_pid},
                                   {"hostname", l_hostname}, {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
