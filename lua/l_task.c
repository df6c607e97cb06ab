/* nethost Lua layer: tasks, the scheduler, and the primitives of the async module.
 *
 * A task is a full userdata (the nhl_task_t itself) whose user values hold its coroutine,
 * the tasks waiting for it, and, once it failed, its error and traceback. While a task is
 * unfinished the registry anchors it, so the GC never frees memory the loop still uses.
 *
 * A task waits on exactly one thing: an operation (nhl_await) or a park (the primitive that
 * async.lua builds semaphores, locks, queues and task:wait on). Interrupts (cancel, and the
 * deadline of an async.timeout scope) tear that wait down and are raised in the task when it
 * resumes. They are sticky: every later wait raises too until the scope that caused them is
 * left, so a pcall in a playbook cannot keep a cancelled task running into new I/O.
 */
#include "rt.h"
#include "error.h"
#include "sleep.h"
#include "timer.h"

#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TASK_MT                         "nethost.task"
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* User value slots of a task. */
enum { UV_THREAD = 1, UV_WAITERS, UV_ERROR, UV_TRACEBACK, UV_COUNT = UV_TRACEBACK };

typedef enum { T_NEW, T_READY, T_RUNNING, T_AWAIT, T_PARKED, T_DONE } task_state_t;

/* Interrupt priorities: a cancel beats every timeout, an outer timeout beats an inner one. */
#define NO_INTERRUPT INT_MAX
#define CANCEL_SCOPE 0

typedef struct scope_s {
  struct scope_s *outer;
  nhl_task_t *task;
  nh_timer_t timer;
  double seconds;
  int depth;
  int fired;
} scope_t;

struct nhl_task_s {
  nh_ready_t ready; /* resume node on the loop's ready queue */
  nhl_runtime_t *rt;
  lua_State *co;
  nhl_task_t *next, *prev; /* live list */
  task_state_t state;
  int nargs;   /* values on co's stack to resume with */
  nh_op_t *op; /* the awaited operation */
  int op_status;
  unsigned token; /* park generation: a wake must name the park it ends */
  int woken;      /* the park ended by a wake (not by an interrupt) */
  int interrupt_ref;
  int interrupt_scope;
  scope_t *scopes;
  int self_ref; /* anchors the userdata while unfinished */
  int ok;
  int nres;
  int retrieved; /* someone saw its result or error */
  uint64_t id;
};

static void task_resume_cb(nh_ready_t *ready);

static nhl_task_t *task_from_L(lua_State *L) {
  nhl_task_t *t = *(nhl_task_t **)lua_getextraspace(L);
  return t && t->co == L ? t : NULL;
}

nhl_task_t *nhl_task_current(lua_State *L) {
  return task_from_L(L);
}

static void push_interrupt(lua_State *L, nhl_task_t *t) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->interrupt_ref);
}

void nhl_check_interrupt(lua_State *L) {
  nhl_task_t *t = task_from_L(L);
  if (t && t->interrupt_ref != LUA_NOREF) {
    push_interrupt(L, t);
    lua_error(L);
  }
}

static nhl_task_t *task_check(lua_State *L, const char *what, int will_yield) {
  nhl_task_t *t = task_from_L(L);
  if (!t) {
    if (lua_pushthread(L))
      luaL_error(L,
                 "%s: cannot wait outside a task (the playbook body, async.spawn and "
                 "nethost.run functions run as tasks)",
                 what);
    luaL_error(L,
               "%s: cannot wait inside a plain coroutine; use async.spawn for concurrent "
               "work",
               what);
  }
  /* Checked before the caller starts anything: lua_yieldk raises when it cannot yield, and an
   * operation started by then would complete later into a task that never waited for it
   * (its request leaked, its callback resuming a task that may be gone: use-after-free). */
  if (will_yield && !lua_isyieldable(L))
    luaL_error(L,
               "%s: cannot wait here: this code runs inside a C call that cannot be "
               "suspended (a metamethod or callback called from C, such as a table.sort "
               "comparator, a string.gsub function, __index reached from C, or require)",
               what);
  nhl_check_interrupt(L);
  return t;
}

nhl_task_t *nhl_task_check(lua_State *L, const char *what) {
  return task_check(L, what, 1);
}

nh_loop_t *nhl_loop(lua_State *L) {
  return &nhl_runtime(L)->loop;
}

static void post(nhl_task_t *t) {
  t->state = T_READY;
  nh_loop_post(&t->rt->loop, &t->ready, task_resume_cb);
}

/* Operations */

void nhl_op_cb(nh_op_t *op, int status) {
  nhl_task_t *t = op->data;
  t->op = NULL;
  t->op_status = status;
  t->nargs = 0;
  /* This callback already runs from the ready queue's drain: resuming here keeps one
   * resume per completion instead of a second trip through the queue. */
  task_resume_cb(&t->ready);
}

int nhl_await(lua_State *L, nh_op_t *op, lua_KFunction k, lua_KContext ctx) {
  nhl_task_t *t = task_from_L(L);
  op->data = t;
  t->op = op;
  t->state = T_AWAIT;
  return lua_yieldk(L, 0, ctx, k);
}

int nhl_await_status(lua_State *L) {
  nhl_task_t *t = task_from_L(L);
  return t ? t->op_status : NH_EINVAL;
}

/* Interrupts */

static void interrupt(nhl_task_t *t, int scope) {
  lua_State *L = t->rt->L;
  /* The error object is at the top of L; it is taken only if it outranks the pending one. */
  if (scope >= t->interrupt_scope || t->state == T_DONE) {
    lua_pop(L, 1);
    return;
  }
  if (t->interrupt_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, t->interrupt_ref);
  t->interrupt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  t->interrupt_scope = scope;
  switch (t->state) {
  case T_AWAIT:
    nh_op_cancel(t->op); /* the op's callback resumes the task, which raises */
    break;
  case T_PARKED:
    t->woken = 0;
    t->nargs = 0;
    post(t);
    break;
  default:
    break; /* raised at its next wait */
  }
}

static void clear_interrupt(nhl_task_t *t) {
  if (t->interrupt_ref != LUA_NOREF) luaL_unref(t->rt->L, LUA_REGISTRYINDEX, t->interrupt_ref);
  t->interrupt_ref = LUA_NOREF;
  t->interrupt_scope = NO_INTERRUPT;
}

static void cancel_task(nhl_task_t *t, const char *msg) {
  lua_State *L = t->rt->L;
  nhl_error_push(L, "cancelled", NULL, NULL, NH_ECANCELED, "%s", msg);
  interrupt(t, CANCEL_SCOPE);
}

void nhl_task_cancel_all(nhl_runtime_t *rt, const char *msg) {
  nhl_task_t *t, *next;
  for (t = rt->live; t; t = next) {
    next = t->next;
    cancel_task(t, msg);
  }
}

/* Finishing */

static void push_task(lua_State *L, nhl_task_t *t) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->self_ref);
}

static void wake_waiters(nhl_task_t *t, int tidx);
static int park_wake(lua_State *L, nhl_task_t *w, unsigned token, int nvals);

static void task_finish(nhl_task_t *t, int ok, int nres) {
  lua_State *L = t->rt->L;
  lua_State *co = t->co;
  scope_t *s;
  t->state = T_DONE;
  t->ok = ok;
  t->nres = ok ? nres : 0;
  while ((s = t->scopes) != NULL) {
    t->scopes = s->outer;
    nh_timer_stop(&s->timer);
    free(s);
  }
  clear_interrupt(t);
  push_task(L, t);
  if (!ok) {
    /* Keep the error and the traceback from where it happened, then close the coroutine's
     * pending to-be-closed variables (sessions, files), which a failed coroutine keeps. */
    /* A dead coroutine's frame ends at its error (ci->top == top), so it has no slot to copy
     * into: move the error out, then a copy back into the slot it left, where lua_resetthread
     * hands it to the __close handlers. */
    lua_xmove(co, L, 1);
    lua_pushvalue(L, -1);
    lua_xmove(L, co, 1);
    lua_setiuservalue(L, -2, UV_ERROR);
    luaL_traceback(L, co, NULL, 0);
    lua_setiuservalue(L, -2, UV_TRACEBACK);
    if (lua_resetthread(co) != LUA_OK) {
      /* A __close handler failed too; its error replaces the original, as Lua does. */
      lua_xmove(co, L, 1);
      lua_setiuservalue(L, -2, UV_ERROR);
    }
  }
  if (t->prev)
    t->prev->next = t->next;
  else
    t->rt->live = t->next;
  if (t->next) t->next->prev = t->prev;
  t->next = t->prev = NULL;
  t->rt->nlive--;
  wake_waiters(t, lua_gettop(L));
  lua_pop(L, 1);
  luaL_unref(L, LUA_REGISTRYINDEX, t->self_ref);
  t->self_ref = LUA_NOREF;
}

/* Wakes every task parked in t:wait(). The waiters table maps waiter -> park token. */
static void wake_waiters(nhl_task_t *t, int tidx) {
  lua_State *L = t->rt->L;
  if (lua_getiuservalue(L, tidx, UV_WAITERS) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    nhl_task_t *w = lua_touserdata(L, -2);
    park_wake(L, w, (unsigned)lua_tointeger(L, -1), 0);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_pushnil(L);
  lua_setiuservalue(L, tidx, UV_WAITERS);
}

static void task_resume_cb(nh_ready_t *ready) {
  nhl_task_t *t = container_of(ready, nhl_task_t, ready);
  nhl_runtime_t *rt = t->rt;
  int status, nres = 0;
  if (t->state == T_NEW && t->interrupt_ref != LUA_NOREF) {
    /* Cancelled before it ever ran: it fails without running any of its code. */
    lua_settop(t->co, 0);
    push_interrupt(t->co, t);
    task_finish(t, 0, 0);
    return;
  }
  t->state = T_RUNNING;
  rt->resumes++;
  status = lua_resume(t->co, rt->L, t->nargs, &nres);
  t->nargs = 0;
  if (status == LUA_YIELD) {
    if (t->state == T_RUNNING) {
      /* A bare coroutine.yield() in the task body: nothing will ever resume it, so fail the
       * task rather than hang the run. */
      lua_pop(t->co, nres);
      lua_pushliteral(t->co, "coroutine.yield() called in a task outside any coroutine "
                             "(use async.sleep(0) to let other tasks run)");
      task_finish(t, 0, 0);
    }
    return;
  }
  task_finish(t, status == LUA_OK, nres);
}

/* Spawning */

nhl_task_t *nhl_task_spawn(lua_State *L, int nargs) {
  nhl_runtime_t *rt = nhl_runtime(L);
  nhl_task_t *t;
  lua_State *co;
  int fidx = lua_gettop(L) - nargs;
  t = lua_newuserdatauv(L, sizeof(*t), UV_COUNT);
  memset(t, 0, sizeof(*t));
  luaL_setmetatable(L, TASK_MT);
  co = lua_newthread(L);
  /* lua_xmove does not grow the destination: a new thread has room for about 20 values, and
   * async.spawn(fn, table.unpack(list)) passes any number. Checked before the task exists
   * anywhere but on this stack, so failing leaves nothing behind. */
  if (!lua_checkstack(co, nargs + 1)) luaL_error(L, "async.spawn: too many arguments (%d)", nargs);
  lua_setiuservalue(L, -2, UV_THREAD);
  *(nhl_task_t **)lua_getextraspace(co) = t;
  t->rt = rt;
  t->co = co;
  t->state = T_NEW;
  t->interrupt_ref = LUA_NOREF;
  t->interrupt_scope = NO_INTERRUPT;
  t->id = ++rt->spawned;
  lua_pushvalue(L, -1);
  t->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  /* Move function and arguments onto the coroutine; the task object stays on L. */
  lua_insert(L, fidx);
  lua_xmove(L, co, nargs + 1);
  t->nargs = nargs;
  t->next = rt->live;
  if (rt->live) rt->live->prev = t;
  rt->live = t;
  rt->nlive++;
  nh_loop_post(&rt->loop, &t->ready, task_resume_cb);
  return t;
}

int nhl_task_done(const nhl_task_t *t) {
  return t->state == T_DONE;
}

static nhl_task_t *check_task(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, TASK_MT);
}

static int l_spawn(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  nhl_task_spawn(L, lua_gettop(L) - 1);
  return 1;
}

/* Parking */

/* Ends w's park if it is still the one named by token, resuming it with the nvals values at
 * the top of L (popped either way). Returns whether it woke. */
static int park_wake(lua_State *L, nhl_task_t *w, unsigned token, int nvals) {
  if (!w || w->state != T_PARKED || w->token != token || !lua_checkstack(w->co, nvals + 1)) {
    lua_pop(L, nvals);
    return 0;
  }
  lua_xmove(L, w->co, nvals);
  w->nargs = nvals;
  w->woken = 1;
  post(w);
  return 1;
}

static int park_k(lua_State *L, int status, lua_KContext base) {
  nhl_task_t *t = task_from_L(L);
  if (!t->woken) nhl_check_interrupt(L);
  t->woken = 0;
  return lua_gettop(L) - (int)base;
}

/* core.park(): suspends the current task until core.wake(task, token, ...) names this park,
 * returning the wake's values; or until an interrupt, which it raises. */
static int l_park(lua_State *L) {
  nhl_task_t *t = nhl_task_check(L, "park");
  lua_settop(L, 0);
  t->state = T_PARKED;
  t->woken = 0;
  return lua_yieldk(L, 0, 0, park_k);
}

/* core.token() -> current task, the token its next park will carry. */
static int l_token(lua_State *L) {
  nhl_task_t *t = task_check(L, "wait", 0); /* the park that follows checks yielding */
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->self_ref);
  lua_pushinteger(L, (lua_Integer)++t->token);
  return 2;
}

static int l_wake(lua_State *L) {
  nhl_task_t *w = check_task(L, 1);
  unsigned token = (unsigned)luaL_checkinteger(L, 2);
  lua_pushboolean(L, park_wake(L, w, token, lua_gettop(L) - 2));
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
  nhl_task_t *me = task_from_L(L);
  nhl_task_t *t = check_task(L, 1);
  if (!me->woken) nhl_check_interrupt(L);
  me->woken = 0;
  lua_settop(L, 1);
  return push_results(L, t, 1);
}

/* task:wait() -> the task's results, or raises its error. */
static int l_task_wait(lua_State *L) {
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
static int l_task_cancel(lua_State *L) {
  nhl_task_t *t = check_task(L, 1);
  const char *msg = luaL_optstring(L, 2, "task cancelled");
  if (t->state == T_DONE) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (t == task_from_L(L)) return luaL_error(L, "task:cancel: use error() to stop yourself");
  cancel_task(t, msg);
  lua_pushboolean(L, 1);
  return 1;
}

static int l_task_done(lua_State *L) {
  lua_pushboolean(L, check_task(L, 1)->state == T_DONE);
  return 1;
}

/* task:result() -> ok, values... or false, err without raising; nil while running. */
static int l_task_result(lua_State *L) {
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

static int l_task_traceback(lua_State *L) {
  check_task(L, 1);
  lua_getiuservalue(L, 1, UV_TRACEBACK);
  return 1;
}

static int l_task_index(lua_State *L) {
  nhl_task_t *t = check_task(L, 1);
  const char *key = luaL_checkstring(L, 2);
  if (strcmp(key, "id") == 0) {
    lua_pushinteger(L, (lua_Integer)t->id);
    return 1;
  }
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "methods");
  lua_getfield(L, -1, key);
  return 1;
}

static int l_task_tostring(lua_State *L) {
  nhl_task_t *t = check_task(L, 1);
  static const char *const names[] = {"new", "ready", "running", "waiting", "waiting", "done"};
  lua_pushfstring(L, "task %I (%s)", (lua_Integer)t->id, names[t->state]);
  return 1;
}

/* An error nobody ever looked at would vanish silently: say so when the task is collected. */
static int l_task_gc(lua_State *L) {
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
static int l_sleep(lua_State *L) {
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
  scope_t *s = container_of(timer, scope_t, timer);
  lua_State *L = s->task->rt->L;
  s->fired = 1;
  nhl_error_push(L, "timeout", NULL, "async.timeout", NH_ETIMEDOUT, "timed out after %f s",
                 s->seconds);
  lua_pushinteger(L, s->depth);
  lua_setfield(L, -2, "scope");
  interrupt(s->task, s->depth);
}

/* core.deadline_push(seconds) -> scope depth */
static int l_deadline_push(lua_State *L) {
  lua_Number sec = luaL_checknumber(L, 1);
  nhl_task_t *t = task_check(L, "async.timeout", 0); /* no wait of its own */
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
static int l_deadline_pop(lua_State *L) {
  int depth = (int)luaL_checkinteger(L, 1);
  nhl_task_t *t = task_from_L(L);
  scope_t *s;
  int fired;
  if (!t || !t->scopes || t->scopes->depth != depth)
    return luaL_error(L, "async.timeout: deadline scopes out of order");
  s = t->scopes;
  t->scopes = s->outer;
  nh_timer_stop(&s->timer);
  fired = s->fired;
  free(s);
  if (t->interrupt_scope == depth) clear_interrupt(t);
  lua_pushboolean(L, fired);
  return 1;
}

/* Clock and introspection */

static int l_now(lua_State *L) {
  lua_pushnumber(L, (lua_Number)uv_hrtime() / 1e9);
  return 1;
}

static int l_current(lua_State *L) {
  nhl_task_t *t = task_from_L(L);
  if (!t) return 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->self_ref);
  return 1;
}

static int l_stats(lua_State *L) {
  nhl_runtime_t *rt = nhl_runtime(L);
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, (lua_Integer)rt->nlive);
  lua_setfield(L, -2, "live");
  lua_pushinteger(L, (lua_Integer)rt->spawned);
  lua_setfield(L, -2, "spawned");
  lua_pushinteger(L, (lua_Integer)rt->resumes);
  lua_setfield(L, -2, "resumes");
  lua_pushinteger(L, (lua_Integer)rt->lua_bytes);
  lua_setfield(L, -2, "lua_bytes");
  lua_pushinteger(L, (lua_Integer)rt->lua_peak);
  lua_setfield(L, -2, "lua_peak");
  return 1;
}

static int l_is_task(lua_State *L) {
  lua_pushboolean(L, luaL_testudata(L, 1, TASK_MT) != NULL);
  return 1;
}

int luaopen_nethost_task(lua_State *L) {
  static const luaL_Reg methods[] = {{"wait", l_task_wait},           {"cancel", l_task_cancel},
                                     {"done", l_task_done},           {"result", l_task_result},
                                     {"traceback", l_task_traceback}, {NULL, NULL}};
  static const luaL_Reg funcs[] = {{"spawn", l_spawn},
                                   {"sleep", l_sleep},
                                   {"now", l_now},
                                   {"current", l_current},
                                   {"park", l_park},
                                   {"token", l_token},
                                   {"wake", l_wake},
                                   {"deadline_push", l_deadline_push},
                                   {"deadline_pop", l_deadline_pop},
                                   {"stats", l_stats},
                                   {"is_task", l_is_task},
                                   {NULL, NULL}};
  luaL_newmetatable(L, TASK_MT);
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "methods");
  lua_pushcfunction(L, l_task_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, l_task_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, l_task_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newlib(L, funcs);
  return 1;
}
