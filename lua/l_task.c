/* nethost Lua layer: the `nethost.task` module — the primitives async.lua builds on:
 * spawn, park/token/wake, task objects (wait, cancel, result, ...), sleep, deadline scopes
 * for async.timeout, the clock and statistics. The scheduler under them is lua/scheduler.c.
 */
#include "fields.h"
#include "class.h"
#include "scheduler.h"
#include "container.h"
#include "error.h"
#include "rt.h"
#include "sleep.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static nhl_task_t *check_task(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, TASK_MT);
}

static int nhl_task_spawn_lua(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  nhl_task_spawn(L, lua_gettop(L) - 1);
  return 1;
}

static int park_k(lua_State *L, int status, lua_KContext base) {
  nhl_task_t *t = nhl__task_from_L(L);
  if (!t->woken) nhl_check_interrupt(L);
  t->woken = 0;
  return lua_gettop(L) - (int)base;
}

/* core.park(): suspends the current task until core.wake(task, token, ...) names this park,
 * returning the wake's values; or until an interrupt, which it raises. */
static int nhl_task_park(lua_State *L) {
  nhl_task_t *t = nhl_task_check(L, "park");
  lua_settop(L, 0);
  t->state = T_PARKED;
  t->woken = 0;
  return lua_yieldk(L, 0, 0, park_k);
}

/* core.token() -> current task, the token its next park will carry. */
static int nhl_task_token(lua_State *L) {
  nhl_task_t *t = nhl__task_check(L, "wait", 0); /* the park that follows checks yielding */
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->self_ref);
  lua_pushinteger(L, (lua_Integer)++t->token);
  return 2;
}

static int nhl_task_wake(lua_State *L) {
  nhl_task_t *w = check_task(L, 1);
  unsigned token = (unsigned)luaL_checkinteger(L, 2);
  lua_pushboolean(L, nhl__task_park_wake(L, w, token, lua_gettop(L) - 2));
  return 1;
}

/* Task methods */

static int push_results(lua_State *L, nhl_task_t *t, int tidx) {
  int i, top;
  t->retrieved = 1;
  if (!t->ok) {
    lua_getiuservalue(L, tidx, UV_ERROR);
    return lua_error(L);
  }
  luaL_checkstack(L, t->nres, "too many results");
  /* Each result is copied on the finished coroutine first; its frame may end at its last
   * result. */
  if (!lua_checkstack(t->co, 1)) luaL_error(L, "too many results");
  top = lua_gettop(t->co);
  for (i = top - t->nres + 1; i <= top; i++) {
    lua_pushvalue(t->co, i);
    lua_xmove(t->co, L, 1);
  }
  return t->nres;
}

static int wait_k(lua_State *L, int status, lua_KContext ctx) {
  nhl_task_t *me = nhl__task_from_L(L);
  nhl_task_t *t = check_task(L, 1);
  if (!me->woken) nhl_check_interrupt(L);
  me->woken = 0;
  lua_settop(L, 1);
  return push_results(L, t, 1);
}

/* task:wait() -> the task's results, or raises its error. */
static int nhl_task_wait(lua_State *L) {
  nhl_task_t *t = check_task(L, 1);
  nhl_task_t *me;
  lua_settop(L, 1);
  if (t->state == T_DONE) return push_results(L, t, 1);
  me = nhl_task_check(L, "task:wait");
  if (me == t) return luaL_error(L, "task:wait: a task cannot wait for itself");
  if (lua_getiuservalue(L, 1, UV_WAITERS) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, 1, UV_WAITERS);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, me->self_ref);
  lua_pushinteger(L, (lua_Integer)++me->token);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  me->state = T_PARKED;
  me->woken = 0;
  return lua_yieldk(L, 0, 0, wait_k);
}

/* task:cancel([message]) -> true if the task was still running. */
static int nhl_task_cancel(lua_State *L) {
  nhl_task_t *t = check_task(L, 1);
  const char *msg = luaL_optstring(L, 2, "task cancelled");
  if (t->state == T_DONE) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (t == nhl__task_from_L(L)) return luaL_error(L, "task:cancel: use error() to stop yourself");
  nhl__task_cancel(t, msg);
  lua_pushboolean(L, 1);
  return 1;
}

static int nhl_task_done_lua(lua_State *L) {
  lua_pushboolean(L, check_task(L, 1)->state == T_DONE);
  return 1;
}

/* task:result() -> ok, values... or false, err without raising; nil while running. */
static int nhl_task_result(lua_State *L) {
  nhl_task_t *t = check_task(L, 1);
  lua_settop(L, 1);
  if (t->state != T_DONE) return 0;
  t->retrieved = 1;
  lua_pushboolean(L, t->ok);
  if (!t->ok) {
    lua_getiuservalue(L, 1, UV_ERROR);
    return 2;
  }
  return 1 + push_results(L, t, 1);
}

static int nhl_task_traceback(lua_State *L) {
  check_task(L, 1);
  lua_getiuservalue(L, 1, UV_TRACEBACK);
  return 1;
}

static int nhl_task_index(lua_State *L) {
  nhl_task_t *t = check_task(L, 1);
  const char *key = luaL_checkstring(L, 2);
  if (strcmp(key, "id") == 0) {
    lua_pushinteger(L, (lua_Integer)t->id);
    return 1;
  }
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__methods");
  lua_getfield(L, -1, key);
  return 1;
}

static int nhl_task_tostring(lua_State *L) {
  nhl_task_t *t = check_task(L, 1);
  static const char *const names[] = {"new", "ready", "running", "waiting", "waiting", "done"};
  lua_pushfstring(L, "task %I (%s)", (lua_Integer)t->id, names[t->state]);
  return 1;
}

/* An error nobody ever looked at would vanish silently: say so when the task is collected. */
static int nhl_task_gc(lua_State *L) {
  nhl_task_t *t = check_task(L, 1);
  if (t->state == T_DONE && !t->ok && !t->retrieved) {
    lua_getiuservalue(L, 1, UV_ERROR);
    /* A task someone cancelled ended as asked: nothing to report. */
    if (nhl_is_error(L, -1)) {
      int cancelled = lua_getfield(L, -1, "kind") == LUA_TSTRING &&
                      strcmp(lua_tostring(L, -1), "cancelled") == 0;
      lua_pop(L, 1);
      if (cancelled) return 0;
    }
    lua_getiuservalue(L, 1, UV_TRACEBACK);
    const char *tb = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
    const char *msg = luaL_tolstring(L, -2, NULL);
    fprintf(stderr, "nethost: task %" PRIu64 " failed and nobody waited for it: %s\n%s\n", t->id,
            msg, tb);
  }
  return 0;
}

/* Sleep */

static int sleep_k(lua_State *L, int status, lua_KContext ctx) {
  free((void *)ctx);
  nhl_check_interrupt(L);
  return 0;
}

/* async.sleep(seconds) */
static int nhl_task_sleep(lua_State *L) {
  lua_Number sec = luaL_optnumber(L, 1, 0);
  nh_sleep_t *req;
  int rc;
  nhl_task_check(L, "async.sleep");
  luaL_argcheck(L, sec >= 0, 1, "negative duration");
  req = malloc(sizeof(*req));
  if (!req) return luaL_error(L, "async.sleep: out of memory");
  rc = nh_sleep_start(nhl_loop(L), req, nhl_seconds_to_ms(sec), nhl_op_cb);
  if (rc < 0) {
    free(req);
    return nhl_raise(L, NULL, NULL, "async.sleep", rc, "%s", nh_strerror(rc));
  }
  return nhl_await(L, &req->op, sleep_k, (lua_KContext)req);
}

/* Deadline scopes for async.timeout */

static void scope_fire(nh_timer_t *timer) {
  scope_t *s = nh_container_of(timer, scope_t, timer);
  lua_State *L = s->task->sched->L;
  s->fired = 1;
  nhl_error_push(L, "timeout", NULL, "async.timeout", NH_ETIMEDOUT, "timed out after %f s",
                 s->seconds);
  nhl_set_integer(L, "scope", s->depth);
  nhl__task_interrupt(s->task, s->depth);
}

/* core.deadline_push(seconds) -> scope depth */
static int nhl_task_deadline_push(lua_State *L) {
  lua_Number sec = luaL_checknumber(L, 1);
  nhl_task_t *t = nhl__task_check(L, "async.timeout", 0); /* no wait of its own */
  scope_t *s = malloc(sizeof(*s));
  if (!s) return luaL_error(L, "async.timeout: out of memory");
  s->task = t;
  s->seconds = sec;
  s->fired = 0;
  s->depth = t->scopes ? t->scopes->depth + 1 : 1;
  s->outer = t->scopes;
  nh_timer_init(nhl_loop(L), &s->timer);
  if (nh_timer_start(&s->timer, scope_fire, nhl_seconds_to_ms(sec)) < 0) {
    free(s);
    return luaL_error(L, "async.timeout: out of memory");
  }
  t->scopes = s;
  lua_pushinteger(L, s->depth);
  return 1;
}

/* core.deadline_pop(depth) -> whether that scope's deadline fired. */
static int nhl_task_deadline_pop(lua_State *L) {
  int depth = (int)luaL_checkinteger(L, 1);
  nhl_task_t *t = nhl__task_from_L(L);
  scope_t *s;
  int fired;
  if (!t || !t->scopes || t->scopes->depth != depth)
    return luaL_error(L, "async.timeout: deadline scopes out of order");
  s = t->scopes;
  t->scopes = s->outer;
  nh_timer_stop(&s->timer);
  fired = s->fired;
  free(s);
  if (t->interrupt_scope == depth) nhl__task_clear_interrupt(t);
  lua_pushboolean(L, fired);
  return 1;
}

/* Clock and introspection */

static int nhl_task_now(lua_State *L) {
  lua_pushnumber(L, (lua_Number)uv_hrtime() / 1e9);
  return 1;
}

static int nhl_task_current_lua(lua_State *L) {
  nhl_task_t *t = nhl__task_from_L(L);
  if (!t) return 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->self_ref);
  return 1;
}

static int nhl_task_stats(lua_State *L) {
  nhl_scheduler_t *sched = nhl_scheduler(L);
  nhl_runtime_t *rt = nhl_runtime(L);
  lua_createtable(L, 0, 5);
  nhl_set_integer(L, "live", (lua_Integer)sched->nlive);
  nhl_set_integer(L, "spawned", (lua_Integer)sched->spawned);
  nhl_set_integer(L, "resumes", (lua_Integer)sched->resumes);
  nhl_set_integer(L, "lua_bytes", (lua_Integer)rt->lua_bytes);
  nhl_set_integer(L, "lua_peak", (lua_Integer)rt->lua_peak);
  return 1;
}

static int nhl_task_is_task(lua_State *L) {
  lua_pushboolean(L, luaL_testudata(L, 1, TASK_MT) != NULL);
  return 1;
}

int luaopen_nethost_task(lua_State *L) {
  static const luaL_Reg methods[] = {NHL_FUNC(task, wait),        NHL_FUNC(task, cancel),
                                     {"done", nhl_task_done_lua}, NHL_FUNC(task, result),
                                     NHL_FUNC(task, traceback),   {NULL, NULL}};
  static const luaL_Reg funcs[] = {{"spawn", nhl_task_spawn_lua}, NHL_FUNC(task, sleep),
                                   NHL_FUNC(task, now),           {"current", nhl_task_current_lua},
                                   NHL_FUNC(task, park),          NHL_FUNC(task, token),
                                   NHL_FUNC(task, wake),          NHL_FUNC(task, deadline_push),
                                   NHL_FUNC(task, deadline_pop),  NHL_FUNC(task, stats),
                                   NHL_FUNC(task, is_task),       {NULL, NULL}};
  static const luaL_Reg meta[] = {{"__index", nhl_task_index},
                                  {"__tostring", nhl_task_tostring},
                                  {"__gc", nhl_task_gc},
                                  {NULL, NULL}};
  /* __index is a function (a task's fields are live); it finds methods in __methods. */
  nhl_class(L, TASK_MT, meta, methods);
  luaL_newlib(L, funcs);
  return 1;
}
