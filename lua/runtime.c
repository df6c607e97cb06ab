/* nethost Lua layer: the runtime — one lua_State, one loop, signals, and the root task. */
#include "rt.h"
#include "error.h"
#include "modules.h"

#include <lualib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The Lua collector's pause, in percent (see nhl_runtime_new). */
#define NHL_GC_PAUSE 150

/* The allocator's user data is the runtime, which makes nhl_runtime() one call. It also
 * keeps the Lua heap's size, for the benchmarks' bytes-per-task figures. */
static void *rt_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  nhl_runtime_t *rt = ud;
  if (ptr) rt->lua_bytes -= osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  ptr = realloc(ptr, nsize);
  if (ptr) {
    rt->lua_bytes += nsize;
    if (rt->lua_bytes > rt->lua_peak) rt->lua_peak = rt->lua_bytes;
  } else if (osize) {
    rt->lua_bytes += osize;
  }
  return ptr;
}

/* The scheduler finds its state through the allocator's user data (scheduler.h). */
_Static_assert(offsetof(nhl_runtime_t, sched) == 0, "the scheduler begins the runtime");

nhl_runtime_t *nhl_runtime(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

static char *path_join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *p = malloc(la + lb + 2);
  if (!p) return NULL;
  memcpy(p, a, la);
  p[la] = '/';
  memcpy(p + la + 1, b, lb + 1);
  return p;
}

/* Finds the library folders relative to the executable (bin/ -> share/, lib/), so an
 * installed tree works wherever it is moved and the build tree, which mirrors it, too. */
static int locate(nhl_runtime_t *rt) {
  char exe[4096];
  size_t len = sizeof(exe);
  char *slash;
  const char *env;
  if (uv_exepath(exe, &len) < 0) return -1;
  if ((slash = strrchr(exe, '/')) != NULL) *slash = '\0';
  rt->exe_dir = strdup(exe);
  env = getenv("NETHOST_LUA_DIR");
  rt->lua_dir = env && *env ? strdup(env) : path_join(exe, "../" NH_LUA_DIR);
  rt->plugin_dir = path_join(exe, "../" NH_PLUGIN_DIR);
  return rt->exe_dir && rt->lua_dir && rt->plugin_dir ? 0 : -1;
}

static int open_state(nhl_runtime_t *rt) {
  lua_State *L = rt->L;
  const nhl_module_t *m;
  luaL_openlibs(L);
  /* package.path: the nethost library first, then Lua's defaults. */
  lua_getglobal(L, "package");
  lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;", rt->lua_dir, rt->lua_dir);
  lua_getfield(L, -2, "path");
  lua_concat(L, 2);
  lua_setfield(L, -2, "path");
  lua_getfield(L, -1, "preload");
  for (m = nhl_modules; m->name; m++) {
    lua_pushcfunction(L, m->open);
    lua_setfield(L, -2, m->name);
  }
  lua_pop(L, 2);
  /* The prelude makes the playbook API (async, nethost, ssh, ...) global. */
  lua_getglobal(L, "require");
  lua_pushliteral(L, "nethost.prelude");
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    fprintf(stderr, "nethost: cannot load its Lua library from %s: %s\n", rt->lua_dir,
            lua_tostring(L, -1));
    return -1;
  }
  lua_pushstring(L, rt->lua_dir);
  lua_setfield(L, LUA_REGISTRYINDEX, "nethost.lua_dir");
  lua_pushstring(L, rt->plugin_dir);
  lua_setfield(L, LUA_REGISTRYINDEX, "nethost.plugin_dir");
  return 0;
}

nhl_runtime_t *nhl_runtime_new(const char *argv0) {
  nhl_runtime_t *rt = calloc(1, sizeof(*rt));
  if (!rt) return NULL;
  if (locate(rt) < 0 || nh_loop_init(&rt->loop) < 0) {
    fprintf(stderr, "%s: cannot initialise\n", argv0);
    nhl_runtime_free(rt);
    return NULL;
  }
  rt->loop.data = rt;
  rt->L = lua_newstate(rt_alloc, rt);
  if (!rt->L) {
    fprintf(stderr, "%s: out of memory\n", argv0);
    nhl_runtime_free(rt);
    return NULL;
  }
  /* The collector starts a cycle when the heap has grown by NHL_GC_PAUSE % over what the
   * last one left live (Lua's default is 200: the heap doubles first). A run with hundreds
   * of concurrent hosts makes a few KB of garbage per host, and at 200 the peak heap was
   * twice the live data: 20 MB of Lua for 10 MB live at 500 concurrent SSH sessions. At
   * 150 the peak is 14 MB (about 11 KB less RSS per concurrent session) for no CPU the
   * benchmark can see; 130 cost 10 % more CPU (tests/bench/ssh/README.md, "Memory"). */
  lua_gc(rt->L, LUA_GCINC, NHL_GC_PAUSE, 0, 0);
  *(nhl_task_t **)lua_getextraspace(rt->L) = NULL;
  rt->sched.L = rt->L;
  rt->sched.loop = &rt->loop;
  if (open_state(rt) < 0) {
    nhl_runtime_free(rt);
    return NULL;
  }
  return rt;
}

/* How a signal reads in messages: what happened, and what a task's cancel error says. */
static const char *signal_event(int signum) {
  return signum == SIGINT   ? "interrupted (Ctrl-C)"
         : signum == SIGHUP ? "hung up (SIGHUP)"
                            : "terminated (SIGTERM)";
}

/* First Ctrl-C, SIGTERM or SIGHUP: cancel everything cleanly, so cleanup runs and results
 * gathered so far (with a record for every aborted host) are written; the exit status is
 * 128 + the signal (130, 143, 129). A second signal: leave at once. */
static void signal_cb(uv_signal_t *handle, int signum) {
  nhl_runtime_t *rt = handle->data;
  if (rt->cancel_signal) {
    fprintf(stderr, "\nnethost: %s again: exiting now\n", signal_event(signum));
    _exit(128 + signum);
  }
  rt->cancel_signal = signum;
  fprintf(stderr, "\nnethost: %s: cancelling %zu task(s); %s again to exit now\n",
          signal_event(signum), rt->sched.nlive,
          signum == SIGINT ? "press Ctrl-C" : "send the signal");
  nhl_task_cancel_all(&rt->sched, signum == SIGINT   ? "interrupted by Ctrl-C"
                                  : signum == SIGHUP ? "hung up (SIGHUP)"
                                                     : "terminated by SIGTERM");
}

static void watch_signals(nhl_runtime_t *rt) {
  uv_signal_start(&rt->sigint, signal_cb, SIGINT);
  uv_signal_start(&rt->sigterm, signal_cb, SIGTERM);
  uv_signal_start(&rt->sighup, signal_cb, SIGHUP);
}

static void start_signals(nhl_runtime_t *rt) {
  uv_signal_init(rt->loop.uv, &rt->sigint);
  uv_signal_init(rt->loop.uv, &rt->sigterm);
  uv_signal_init(rt->loop.uv, &rt->sighup);
  rt->sigint.data = rt->sigterm.data = rt->sighup.data = rt;
  watch_signals(rt);
  /* Signals never keep the loop alive by themselves. */
  uv_unref((uv_handle_t *)&rt->sigint);
  uv_unref((uv_handle_t *)&rt->sigterm);
  uv_unref((uv_handle_t *)&rt->sighup);
}

void nhl_signals_default(lua_State *L, int on) {
  nhl_runtime_t *rt = nhl_runtime(L);
  if (!rt->sigint.loop || rt->cancel_signal) return; /* not started, or already cancelling */
  if (on) {
    uv_signal_stop(&rt->sigint); /* libuv restores SIG_DFL when no handle watches a signal */
    uv_signal_stop(&rt->sigterm);
    uv_signal_stop(&rt->sighup);
  } else {
    watch_signals(rt);
  }
}

/* Runs the loop until no task can make progress. Tasks left parked with nothing that could
 * wake them are deadlocked: they are cancelled, so the run ends with an error, not a hang. */
static void run_until_settled(nhl_runtime_t *rt) {
  for (;;) {
    nh_loop_run(&rt->loop, UV_RUN_DEFAULT);
    if (rt->sched.nlive == 0) return;
    fprintf(stderr,
            "nethost: %zu task(s) wait for something that can never happen; "
            "cancelling them\n",
            rt->sched.nlive);
    nhl_task_cancel_all(&rt->sched, "deadlock: waiting for something that can never happen");
  }
}

static void print_task_error(lua_State *L, int tidx) {
  /* stack: ..., task ; the error and traceback via the task's methods */
  lua_getfield(L, tidx, "traceback");
  lua_pushvalue(L, tidx);
  lua_call(L, 1, 1);
  lua_getfield(L, tidx, "result");
  lua_pushvalue(L, tidx);
  lua_call(L, 1, 2);
  fprintf(stderr, "nethost: %s\n", luaL_tolstring(L, -1, NULL));
  lua_pop(L, 3);
  if (lua_isstring(L, -1)) fprintf(stderr, "%s\n", lua_tostring(L, -1));
  lua_pop(L, 1);
}

int nhl_runtime_main(nhl_runtime_t *rt, int nargs) {
  lua_State *L = rt->L;
  nhl_task_t *root;
  int tidx, code;
  start_signals(rt);
  root = nhl_task_spawn(L, nargs);
  tidx = lua_gettop(L);
  /* Run until the root task is done; then whatever it left running is cancelled. */
  while (!nhl_task_done(root)) {
    nh_loop_run(&rt->loop, UV_RUN_ONCE);
    if (!nhl_task_done(root) && !uv_loop_alive(rt->loop.uv)) run_until_settled(rt);
  }
  if (rt->sched.nlive) {
    nhl_task_cancel_all(&rt->sched, "the playbook finished");
    run_until_settled(rt);
  }
  lua_getfield(L, tidx, "result");
  lua_pushvalue(L, tidx);
  lua_call(L, 1, 2);
  if (!lua_toboolean(L, -2)) {
    lua_pop(L, 2);
    print_task_error(L, tidx);
    code = 1;
  } else {
    code = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  if (rt->cancel_signal) code = 128 + rt->cancel_signal;
  return code;
}

void nhl_runtime_free(nhl_runtime_t *rt) {
  if (!rt) return;
  if (rt->L) {
    /* Closing the state runs __gc of sessions and transfers, which close their handles;
     * the loop then runs once more so every close callback fires before memory goes. */
    lua_close(rt->L);
    rt->L = NULL;
    if (rt->sigint.loop) {
      uv_close((uv_handle_t *)&rt->sigint, NULL);
      uv_close((uv_handle_t *)&rt->sigterm, NULL);
      uv_close((uv_handle_t *)&rt->sighup, NULL);
    }
    nh_loop_run(&rt->loop, UV_RUN_DEFAULT);
    if (nh_loop_close(&rt->loop) < 0 && getenv("NETHOST_DEBUG"))
      fprintf(stderr, "nethost: handles left open at exit\n");
  }
  free(rt->lua_dir);
  free(rt->plugin_dir);
  free(rt->exe_dir);
  free(rt);
}
