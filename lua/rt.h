/* nethost Lua layer: the runtime's own state (private to lua/runtime.c, lua/main.c and the
 * statistics of lua/l_task.c; bindings use runtime.h). */
#ifndef NHL_RT_H
#define NHL_RT_H

#include "runtime.h"
#include "scheduler.h"

typedef struct nhl_runtime_s {
  nhl_scheduler_t sched; /* first: the allocator's user data is the scheduler's too */
  lua_State *L;
  nh_loop_t loop;
  size_t lua_bytes; /* memory the Lua allocator holds */
  size_t lua_peak;
  int cancel_signal; /* the signal that cancelled everything, or 0 */
  uv_signal_t sigint, sigterm, sighup;
  char *lua_dir;    /* the pure-Lua library */
  char *plugin_dir; /* the built-in plugin folder */
  char *exe_dir;
} nhl_runtime_t;

nhl_runtime_t *nhl_runtime(lua_State *L);

/* Creates the runtime: lua_State, loop, modules, package.path. NULL on failure (message
 * printed). */
nhl_runtime_t *nhl_runtime_new(const char *argv0);

/* Runs fn (at the top of rt->L, with nargs arguments above it) as the root task until it
 * and every task it left behind have finished. Returns the root task's exit code: its
 * integer result, 0 for any other success, 1 for an error (printed with its traceback),
 * 128+signal when a signal cancelled the run. */
int nhl_runtime_main(nhl_runtime_t *rt, int nargs);

/* Frees everything; the loop must be idle. */
void nhl_runtime_free(nhl_runtime_t *rt);

#endif
