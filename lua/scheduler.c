/* nethost Lua layer: the task scheduler — tasks, their resumption from the loop's ready
 * queue, awaiting core operations, interrupts, and parks (the primitive async.lua builds
 * semaphores, locks, queues and task:wait on). The Lua module over it is lua/l_task.c.
 *
 * A task is a full userdata (the nhl_task_t itself) whose user values hold its coroutine,
 * the tasks waiting for it, and, once it failed, its error and traceback. While a task is
 * unfinished the registry anchors it, so the GC never frees memory the loop still uses.
 *
 * A task waits on exactly one thing: an operation (nhl_await) or a park. Interrupts (cancel,
 * and the deadline of an async.timeout scope) tear that wait down and are raised in the task
 * when it resumes. They are sticky: every later wait raises too until the scope that caused
 * them is left, so a pcall in a playbook cannot keep a cancelled task running into new I/O.
 */
#include "scheduler.h"
#include "container.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

nhl_scheduler_t *nhl_scheduler(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

static void task_resume_cb(nh_ready_t *ready);

nhl_task_t *nhl__task_from_L(lua_State *L) {
  nhl_task_t *t = *(nhl_task_t **)lua_getextraspace(L);
  return t && t->co == L ? t : NULL;
}

nhl_task_t *nhl_task_current(lua_State *L) {
  return nhl__task_from_L(L);
}

static void push_interrupt(lua_State *L, nhl_task_t *t) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->interrupt_ref);
}

void nhl_check_interrupt(lua_State *L) {
  nhl_task_t *t = nhl__task_from_L(L);
  if (t && t->interrupt_ref != LUA_NOREF) {
    push_interrupt(L, t);
    lua_error(L);
  }
}

nhl_task_t *nhl__task_check(lua_State *L, const char *what, int will_yield) {
  nhl_task_t *t = nhl__task_from_L(L);
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
  return nhl__task_check(L, what, 1);
}

nh_loop_t *nhl_loop(lua_State *L) {
  return nhl_scheduler(L)->loop;
}

void nhl__task_post(nhl_task_t *t) {
  t->state = T_READY;
  nh_loop_post(t->sched->loop, &t->ready, task_resume_cb);
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
  nhl_task_t *t = nhl__task_from_L(L);
  op->data = t;
  t->op = op;
  t->state = T_AWAIT;
  return lua_yieldk(L, 0, ctx, k);
}

int nhl_await_status(lua_State *L) {
  nhl_task_t *t = nhl__task_from_L(L);
  return t ? t->op_status : NH_EINVAL;
}

/* Interrupts */

void nhl__task_interrupt(nhl_task_t *t, int scope) {
  lua_State *L = t->sched->L;
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
    nhl__task_post(t);
    break;
  default:
    break; /* raised at its next wait */
  }
}

void nhl__task_clear_interrupt(nhl_task_t *t) {
  if (t->interrupt_ref != LUA_NOREF) luaL_unref(t->sched->L, LUA_REGISTRYINDEX, t->interrupt_ref);
  t->interrupt_ref = LUA_NOREF;
  t->interrupt_scope = NO_INTERRUPT;
}

void nhl__task_cancel(nhl_task_t *t, const char *msg) {
  lua_State *L = t->sched->L;
  nhl_error_push(L, "cancelled", NULL, NULL, NH_ECANCELED, "%s", msg);
  nhl__task_interrupt(t, CANCEL_SCOPE);
}

void nhl_task_cancel_all(nhl_scheduler_t *rt, const char *msg) {
  nhl_task_t *t, *next;
  for (t = rt->live; t; t = next) {
    next = t->next;
    nhl__task_cancel(t, msg);
  }
}

/* Finishing */

void nhl__task_push(lua_State *L, nhl_task_t *t) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->self_ref);
}

static void wake_waiters(nhl_task_t *t, int tidx);

static void task_finish(nhl_task_t *t, int ok, int nres) {
  lua_State *L = t->sched->L;
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
  nhl__task_clear_interrupt(t);
  nhl__task_push(L, t);
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
    t->sched->live = t->next;
  if (t->next) t->next->prev = t->prev;
  t->next = t->prev = NULL;
  t->sched->nlive--;
  wake_waiters(t, lua_gettop(L));
  lua_pop(L, 1);
  luaL_unref(L, LUA_REGISTRYINDEX, t->self_ref);
  t->self_ref = LUA_NOREF;
}

/* Wakes every task parked in t:wait(). The waiters table maps waiter -> park token. */
static void wake_waiters(nhl_task_t *t, int tidx) {
  lua_State *L = t->sched->L;
  if (lua_getiuservalue(L, tidx, UV_WAITERS) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    nhl_task_t *w = lua_touserdata(L, -2);
    nhl__task_park_wake(L, w, (unsigned)lua_tointeger(L, -1), 0);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_pushnil(L);
  lua_setiuservalue(L, tidx, UV_WAITERS);
}

static void task_resume_cb(nh_ready_t *ready) {
  nhl_task_t *t = nh_container_of(ready, nhl_task_t, ready);
  nhl_scheduler_t *rt = t->sched;
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
  nhl_scheduler_t *rt = nhl_scheduler(L);
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
  t->sched = rt;
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
  nh_loop_post(rt->loop, &t->ready, task_resume_cb);
  return t;
}

int nhl_task_done(const nhl_task_t *t) {
  return t->state == T_DONE;
}

/* Parking */

int nhl__task_park_wake(lua_State *L, nhl_task_t *w, unsigned token, int nvals) {
  if (!w || w->state != T_PARKED || w->token != token || !lua_checkstack(w->co, nvals + 1)) {
    lua_pop(L, nvals);
    return 0;
  }
  lua_xmove(L, w->co, nvals);
  w->nargs = nvals;
  w->woken = 1;
  nhl__task_post(w);
  return 1;
}
