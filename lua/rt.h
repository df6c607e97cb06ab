/* nethost Lua layer: the runtime's own state (private to lua/runtime.c, lua/l_task.c and
 * lua/main.c; bindings use runtime.h). */
#ifndef NHL_RT_H
#define NHL_RT_H

#include "runtime.h"

typedef struct nhl_runtime_s {
  lua_State *L;
  nh_loop_t loop;
  nhl_task_t *live; /* tasks not yet finished (doubly linked) */
  size_t nlive;
  uint64_t spawned; /* tasks created so far */
  uint64_t resumes; /* lua_resume calls so far */
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

/* Interrupts every live task with a "cancelled" error object carrying msg. */
void nhl_task_cancel_all(nhl_runtime_t *rt, const char *msg);

/* Creates a task running the function at the top of L with nargs arguments above it (all
 * popped) and pushes the task object. The task starts on a later loop iteration. */
nhl_task_t *nhl_task_spawn(lua_State *L, int nargs);

/* For the root task: whether it finished, and its status. */
int nhl_task_done(const nhl_task_t *t);

#endif
