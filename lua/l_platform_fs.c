/* nethost Lua layer: the `nethost.platform_fs` module — a platform's file system as its
 * plugin describes it (ABI 1.2): the command that shows free space and the command that
 * prints a file's digest, formatted for a path, and their outputs read by the plugin.
 * lua/nethost/platform.lua is the only user; playbooks call platform.free_space and
 * platform.checksum, which add the generic fallbacks for hosts without a platform.
 *
 *   command(platform, "free" | "checksum", path) -> command, algorithm | nil
 *   free_space(platform, text, path) -> bytes | nil, message
 *   checksum(platform, text) -> hex | nil, message
 */
#include "class.h"
#include "plugins.h"

#include "error.h"
#include "platform_file.h"
#include "registry.h"

#include <string.h>

static const nh_platform_t *check_platform(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  nhl_plugins_ensure(L);
  return nh_registry_platform(name);
}

/* Pushes fmt with its first "%s" replaced by arg (a command template of the plugin). */
static void push_command(lua_State *L, const char *fmt, const char *arg) {
  const char *s = strstr(fmt, "%s");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  if (!s) {
    luaL_addstring(&b, fmt);
  } else {
    luaL_addlstring(&b, fmt, (size_t)(s - fmt));
    luaL_addstring(&b, arg);
    luaL_addstring(&b, s + 2);
  }
  luaL_pushresult(&b);
}

static int nhl_platform_fs_command(lua_State *L) {
  const nh_platform_t *p = check_platform(L);
  const char *what = luaL_checkstring(L, 2), *path = luaL_checkstring(L, 3);
  char folder[1024];
  if (strcmp(what, "free") && strcmp(what, "checksum"))
    return luaL_argerror(L, 2, "\"free\" or \"checksum\" expected");
  if (!p) return 0;
  if (!strcmp(what, "free")) {
    if (!p->file_free_command) return 0;
    /* A cut folder would ask the device about another file system: refuse instead. */
    if (strlen(path) >= sizeof folder) return luaL_argerror(L, 3, "path too long");
    nh_platform_file_folder(path, folder, sizeof folder);
    push_command(L, p->file_free_command, folder);
    return 1;
  }
  if (!p->file_checksum_command) return 0;
  push_command(L, p->file_checksum_command, path);
  lua_pushstring(L, p->file_checksum_algorithm);
  return 2;
}

static int nhl_platform_fs_free_space(lua_State *L) {
  const nh_platform_t *p = check_platform(L);
  size_t len;
  const char *text = luaL_checklstring(L, 2, &len), *path = luaL_checkstring(L, 3);
  uint64_t bytes = 0;
  int rc = nh_platform_free_space(p, text, len, path, &bytes);
  if (rc < 0)
    return nhl_fail(L, "%s: %s", lua_tostring(L, 1),
                    rc == NH_ENOPLATFORM ? "the platform does not say how to read free space"
                                         : "cannot read the free space from the output");
  lua_pushinteger(L, (lua_Integer)bytes);
  return 1;
}

static int nhl_platform_fs_checksum(lua_State *L) {
  const nh_platform_t *p = check_platform(L);
  size_t len;
  const char *text = luaL_checklstring(L, 2, &len);
  char hex[129];
  int rc = nh_platform_checksum(p, text, len, hex, sizeof hex);
  if (rc < 0)
    return nhl_fail(L, "%s: %s", lua_tostring(L, 1),
                    rc == NH_ENOPLATFORM ? "the platform prints no file digest"
                                         : "cannot read a digest from the output");
  lua_pushstring(L, hex);
  return 1;
}

int luaopen_nethost_platform_fs(lua_State *L) {
  static const luaL_Reg fns[] = {NHL_FUNC(platform_fs, command),
                                 NHL_FUNC(platform_fs, free_space),
                                 NHL_FUNC(platform_fs, checksum),
                                 {NULL, NULL}};
  luaL_newlib(L, fns);
  return 1;
}
