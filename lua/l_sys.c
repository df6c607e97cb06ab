/* nethost Lua layer: `nethost.sys` — facts about the process and its terminal that the
 * runner's progress line, logs and benchmarks need and plain Lua cannot get. */
#include "fields.h"
#include "class.h"
#include "runtime.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

/* sys.isatty(fd) */
static int nhl_sys_isatty(lua_State *L) {
  lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
  return 1;
}

/* sys.time() -> wall-clock seconds since the epoch, with sub-second precision */
static int nhl_sys_time(lua_State *L) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  lua_pushnumber(L, (lua_Number)tv.tv_sec + tv.tv_usec / 1e6);
  return 1;
}

/* sys.rusage() -> {user =, system = (CPU seconds), maxrss = (KB)} */
static int nhl_sys_rusage(lua_State *L) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  lua_createtable(L, 0, 3);
  nhl_set_number(L, "user", (lua_Number)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6);
  nhl_set_number(L, "system", (lua_Number)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
  nhl_set_integer(L, "maxrss", ru.ru_maxrss);
  return 1;
}

static int nhl_sys_pid(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)getpid());
  return 1;
}

static int nhl_sys_hostname(lua_State *L) {
  char name[256];
  if (gethostname(name, sizeof(name)) < 0) return 0;
  name[sizeof(name) - 1] = '\0';
  lua_pushstring(L, name);
  return 1;
}

int luaopen_nethost_sys(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(sys, isatty),   NHL_FUNC(sys, time),
                                   NHL_FUNC(sys, rusage),   NHL_FUNC(sys, pid),
                                   NHL_FUNC(sys, hostname), {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
