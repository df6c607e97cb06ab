/* nethost Lua layer: the runtime every binding file builds on.
 *
 * One lua_State, one nh_loop_t. A task is a coroutine plus the one thing it waits on. A
 * binding starts a core operation and yields the task until the operation's callback; the
 * callback runs from the loop's ready queue (never from inside I/O), and resumes the task
 * into the binding's continuation. Core operations never hold Lua references: inputs are
 * copied into C at start, outputs are converted to Lua in the continuation.
 *
 * The pattern for an asynchronous binding:
 *
 *   static int run_k(lua_State *L, int status, lua_KContext ctx) {
 *     my_req_t *req = (my_req_t *)ctx;
 *     int rc = nhl_await_status(L);     // the operation's status (0 or NH_E*)
 *     ... push results from req (only when rc == 0) ...
 *     free(req);                        // the request is the binding's to free
 *     nhl_check_interrupt(L);           // raises if the task was cancelled or timed out
 *     if (rc < 0) return nhl_raise(L, "command", host, "ssh.run", rc, "...");
 *     return nresults;
 *   }
 *   static int nhl_ssh_run(lua_State *L) {
 *     nhl_task_t *task = nhl_task_check(L, "ssh.run"); // raises outside a task
 *     my_req_t *req = ...copy inputs...;
 *     int rc = my_op_start(nhl_loop(L), req, ..., nhl_op_cb);
 *     if (rc < 0) { free(req); return nhl_raise(L, ...); }
 *     return nhl_await(L, &req->op, run_k, (lua_KContext)req);
 *   }
 */
#ifndef NHL_RUNTIME_H
#define NHL_RUNTIME_H

#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <string.h>

#include "loop.h"
#include "op.h"

typedef struct nhl_task_s nhl_task_t;

/* The loop of the runtime that owns L. */
nh_loop_t *nhl_loop(lua_State *L);

/* The task whose coroutine is L, or NULL (main thread, or a plain user coroutine). */
nhl_task_t *nhl_task_current(lua_State *L);

/* Like nhl_task_current, but raises a clear error naming `what` when L cannot yield to the
 * scheduler: outside a task, or inside a C call that cannot be suspended (call it before
 * starting anything). Also raises at once if the task has a pending interrupt. */
nhl_task_t *nhl_task_check(lua_State *L, const char *what);

/* The op callback bindings pass to core start functions (op->data is set by nhl_await). */
void nhl_op_cb(nh_op_t *op, int status);

/* Yields the current task until op (already started with nhl_op_cb) completes, then
 * continues in k. When the task is cancelled or its async.timeout expires meanwhile, the
 * op is cancelled; k still runs (with status NH_ECANCELED) so it can free its request,
 * and nhl_check_interrupt() then raises the interrupt. Never returns normally. */
int nhl_await(lua_State *L, nh_op_t *op, lua_KFunction k, lua_KContext ctx);

/* Inside a continuation: the awaited operation's status. */
int nhl_await_status(lua_State *L);

/* Raises the task's pending interrupt (a "cancelled" or "timeout" error object), if any. */
void nhl_check_interrupt(lua_State *L);

/* Around a long synchronous job with no side effects (loading an inventory): with on set,
 * SIGINT, SIGTERM and SIGHUP take their default action (the process ends at once) instead of
 * waiting for the loop, which does not run until the job returns; with on clear, the
 * runtime's handlers are back. Nothing changes once a signal has cancelled the run. */
void nhl_signals_default(lua_State *L, int on);

/* Error objects (see lua/l_error.c). kind is "connect", "auth", "hostkey", "timeout",
 * "command", "http", "parse", "cancelled", ...; NULL derives it from code. host and op may
 * be NULL. code is an NH_E* code or 0. The message is formatted as lua_pushfstring does.
 * nhl_error_push leaves the object on the stack so more fields can be set; nhl_raise
 * pushes it and raises it, an int expression so a binding can `return nhl_raise(...)` as it
 * would `return luaL_error(...)`. */
void nhl_error_push(lua_State *L, const char *kind, const char *host, const char *op, int code,
                    const char *fmt, ...);
/* The answer of a binding whose operation failed in a way a playbook handles (a missing file,
 * output it cannot read): pushes nil and a message formatted as lua_pushfstring does, and
 * returns 2, for `return nhl_fail(L, ...)`. Mistakes raise instead. */
int nhl_fail(lua_State *L, const char *fmt, ...);

#define nhl_raise(L, ...) (nhl_error_push((L), __VA_ARGS__), lua_error(L))

/* The error kind a core code means by default ("timeout" for NH_ETIMEDOUT, ...). */
const char *nhl_error_kind(int code);

/* Whether the value at idx is an error object. */
int nhl_is_error(lua_State *L, int idx);

/* Reading arguments and options: the one toolkit (lua/args.h). */
#include "args.h"

/* Module openers: binding file l_NAME.c defines luaopen_nethost_NAME (see modules.c). */
#include "modules_list.h"
#define NHL_MODULE_DECLARE(name) int luaopen_nethost_##name(lua_State *L);
NHL_MODULE_LIST(NHL_MODULE_DECLARE)

#endif
