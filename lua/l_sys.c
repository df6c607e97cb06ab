/* nethost Lua layer: `nethost.sys` — facts about the process and its terminal that the
 * runner's progress line, logs and benchmarks need and plain Lua cannot get. */
#include "fields.h"
#include "class.h"
#include "runtime.h"

#include <curl/curl.h>
#include <libssh2.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>
#include <yaml.h>
#ifdef NH_HAVE_MIMALLOC
#include <mimalloc.h>
#endif

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

/* Which allocator serves this process's malloc: "mimalloc X.Y.Z" when mimalloc took over
 * (it is linked, and a block from malloc lies in its heap), else "system". */
static void push_allocator(lua_State *L) {
#ifdef NH_HAVE_MIMALLOC
  void *probe = calloc(1, 16); /* zeroed: GCC would warn of reading uninitialised bytes */
  int ours = probe && mi_is_in_heap_region(probe);
  free(probe);
  if (ours) {
    int v = mi_version();
    lua_pushfstring(L, "mimalloc %d.%d.%d", v / 100, v / 10 % 10, v % 10);
    return;
  }
#endif
  lua_pushliteral(L, "system");
}

/* sys.libraries() -> {lua =, libuv =, libssh2 =, libcurl =, openssl =, libyaml =,
 * allocator =}: the versions the process runs with (as the libraries report them at run
 * time, which may differ from the headers it was built with), for `nethost version` and
 * bug reports. */
static int nhl_sys_libraries(lua_State *L) {
  lua_createtable(L, 0, 7);
  nhl_set_string(L, "lua", LUA_RELEASE);
  nhl_set_string(L, "libuv", uv_version_string());
  nhl_set_string(L, "libssh2", libssh2_version(0));
  nhl_set_string(L, "libcurl", curl_version_info(CURLVERSION_NOW)->version);
  nhl_set_string(L, "openssl", OpenSSL_version(OPENSSL_VERSION_STRING));
  nhl_set_string(L, "libyaml", yaml_get_version_string());
  push_allocator(L);
  lua_setfield(L, -2, "allocator");
  return 1;
}

int luaopen_nethost_sys(lua_State *L) {
  static const luaL_Reg funcs[] = {
      NHL_FUNC(sys, isatty),   NHL_FUNC(sys, time),      NHL_FUNC(sys, rusage), NHL_FUNC(sys, pid),
      NHL_FUNC(sys, hostname), NHL_FUNC(sys, libraries), {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
