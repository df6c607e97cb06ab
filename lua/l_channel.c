/* nethost Lua layer: `nethost.channel` — the byte channel between the coordinator of
 * `nethost run --workers N` and its worker processes (core/channel.h). The message format
 * (JSON lines) and the protocol are lua/nethost/workers.lua's.
 *
 *   channel.spawn({file, arg1, ...}, keep_stderr) -> ch     a worker with the channel as fd 3
 *   channel.open(fd) -> ch                                  a worker's end
 *   channel.exe() -> the path of the running nethost executable
 *   channel.cores() -> the cores this process may use
 *   ch:write(s) -> true | nil, message
 *   ch:read() -> the bytes that arrived | nil at the end (yields; cancellable)
 *   ch:pid(), ch:exit_status() (nil while running), ch:kill(signum)
 *   ch:stderr_tail() -> the last bytes the worker wrote on stderr (when not kept), and
 *                       whether its stderr has ended
 *   ch:hangup()   closes the pipe only (the worker sees the end), the exit is still reaped
 *   ch:close()
 */
#include "channel.h"
#include "class.h"
#include "error.h"
#include "runtime.h"

#include <stdlib.h>

#define CHANNEL_MT "nethost.channel"

/* A channel is a box (class.h) holding the core's channel, NULL once closed. */
static nh_channel_t *check_channel(lua_State *L) {
  nh_channel_t *ch = nhl_box_get(L, 1, CHANNEL_MT);
  if (!ch) luaL_error(L, "channel: used after close");
  return ch;
}

static int nhl_channel_spawn(lua_State *L) {
  int keep_stderr = lua_toboolean(L, 2);
  lua_Integer i, n;
  char **argv;
  void **box;
  nh_channel_t *ch = NULL;
  int rc;
  luaL_checktype(L, 1, LUA_TTABLE);
  n = luaL_len(L, 1);
  luaL_argcheck(L, n >= 1, 1, "needs the program to run");
  box = nhl_box_push(L, CHANNEL_MT, NULL);
  argv = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n + 1), 0); /* freed with the stack */
  for (i = 1; i <= n; i++) {
    lua_geti(L, 1, i);
    argv[i - 1] = (char *)luaL_checkstring(L, -1);
    lua_pop(L, 1); /* the string stays alive in the argument table */
  }
  argv[n] = NULL;
  rc = nh_channel_spawn(nhl_loop(L), argv[0], argv, keep_stderr, &ch);
  *box = ch;
  /* argv stays on the stack until the message is made: popped, the collector could free it
   * inside lua_pushfstring before argv[0] is read. */
  if (rc < 0) return nhl_fail(L, "cannot start %s: %s", argv[0], nh_strerror(rc));
  lua_pop(L, 1);
  return 1;
}

static int nhl_channel_open(lua_State *L) {
  int fd = (int)luaL_checkinteger(L, 1);
  void **box = nhl_box_push(L, CHANNEL_MT, NULL);
  nh_channel_t *ch = NULL;
  int rc = nh_channel_open(nhl_loop(L), fd, &ch);
  *box = ch;
  if (rc < 0) return nhl_fail(L, "cannot open descriptor %d: %s", fd, nh_strerror(rc));
  return 1;
}

static int nhl_channel_exe(lua_State *L) {
  char path[4096];
  size_t len = sizeof(path);
  if (uv_exepath(path, &len) < 0) return 0;
  lua_pushlstring(L, path, len);
  return 1;
}

/* channel.cores() -> the number of cores this process may use (the default of --workers 0) */
static int nhl_channel_cores(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)uv_available_parallelism());
  return 1;
}

static int nhl_channel_write(lua_State *L) {
  nh_channel_t *ch = check_channel(L);
  size_t len;
  const char *s = luaL_checklstring(L, 2, &len);
  int rc = nh_channel_write(ch, s, len);
  if (rc < 0) return nhl_fail(L, "%s", nh_strerror(rc));
  lua_pushboolean(L, 1);
  return 1;
}

static int read_k(lua_State *L, int status, lua_KContext ctx) {
  nh_channel_read_t *req = (nh_channel_read_t *)ctx;
  int rc = nhl_await_status(L);
  int n = 1;
  (void)status;
  if (rc == 0) {
    lua_pushlstring(L, req->data, req->len);
  } else if (rc == NH_EOF || rc == NH_ECANCELED) {
    luaL_pushfail(L);
  } else {
    n = nhl_fail(L, "%s", nh_strerror(rc));
  }
  free(req->data);
  free(req);
  nhl_check_interrupt(L);
  return n;
}

static int nhl_channel_read(lua_State *L) {
  nh_channel_t *ch = check_channel(L);
  nh_channel_read_t *req;
  int rc;
  nhl_task_check(L, "channel:read");
  if (!(req = malloc(sizeof(*req)))) return luaL_error(L, "channel:read: out of memory");
  if ((rc = nh_channel_read_start(ch, req, nhl_op_cb)) < 0) {
    free(req);
    return nhl_fail(L, "%s", nh_strerror(rc));
  }
  return nhl_await(L, &req->op, read_k, (lua_KContext)req);
}

static int nhl_channel_pid(lua_State *L) {
  lua_pushinteger(L, nh_channel_pid(check_channel(L)));
  return 1;
}

static int nhl_channel_exit_status(lua_State *L) {
  int status;
  if (!nh_channel_exited(check_channel(L), &status)) return 0;
  lua_pushinteger(L, status);
  return 1;
}

static int nhl_channel_stderr_tail(lua_State *L) {
  const char *data;
  int ended;
  size_t len = nh_channel_stderr_tail(check_channel(L), &data, &ended);
  lua_pushlstring(L, data, len);
  lua_pushboolean(L, ended);
  return 2;
}

static int nhl_channel_kill(lua_State *L) {
  lua_pushboolean(L, nh_channel_kill(check_channel(L), (int)luaL_optinteger(L, 2, 15)) == 0);
  return 1;
}

static int nhl_channel_hangup(lua_State *L) {
  nh_channel_hangup(check_channel(L));
  return 0;
}

static int nhl_channel_close(lua_State *L) {
  nh_channel_close(nhl_box_take(L, 1, CHANNEL_MT));
  return 0;
}

int luaopen_nethost_channel(lua_State *L) {
  static const luaL_Reg methods[] = {
      NHL_FUNC(channel, write),       NHL_FUNC(channel, read),  NHL_FUNC(channel, pid),
      NHL_FUNC(channel, exit_status), NHL_FUNC(channel, kill),  NHL_FUNC(channel, hangup),
      NHL_FUNC(channel, stderr_tail), NHL_FUNC(channel, close), {NULL, NULL}};
  static const luaL_Reg funcs[] = {NHL_FUNC(channel, spawn),
                                   NHL_FUNC(channel, open),
                                   NHL_FUNC(channel, exe),
                                   NHL_FUNC(channel, cores),
                                   {NULL, NULL}};
  static const luaL_Reg meta[] = {
      {"__gc", nhl_channel_close}, {"__close", nhl_channel_close}, {NULL, NULL}};
  nhl_class(L, CHANNEL_MT, meta, methods);
  luaL_newlib(L, funcs);
  return 1;
}
