/* nethost Lua layer: the task scheduler's internals, shared by the scheduler
 * (lua/scheduler.c) and the Lua module over it (lua/l_task.c, "nethost.task"). Bindings use
 * runtime.h; only these two files see a task's fields.
 *
 * Dependencies point one way: the runtime (runtime.c) drives the scheduler (spawn the root
 * task, cancel everything); the scheduler knows the runtime only as the nhl_scheduler_t that
 * begins it, found through the allocator's user data (lua_getallocf).
 */
#ifndef NHL_SCHEDULER_H
#define NHL_SCHEDULER_H

#include "runtime.h"
#include "timer.h"

#include <limits.h>

#define TASK_MT "nethost.task"

/* The scheduler's state: the first member of the runtime (rt.h), so the Lua allocator's user
 * data is a pointer to it too. */
typedef struct nhl_scheduler_s {
  lua_State *L;
  nh_loop_t *loop;
  nhl_task_t *live; /* tasks not yet finished (doubly linked) */
  size_t nlive;
  uint64_t spawned; /* tasks created so far */
  uint64_t resumes; /* lua_resume calls so far */
} nhl_scheduler_t;

nhl_scheduler_t *nhl_scheduler(lua_State *L);

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
  nhl_scheduler_t *sched;
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

/* The task whose coroutine is L, or NULL. */
nhl_task_t *nhl__task_from_L(lua_State *L);

/* Like nhl_task_check; will_yield 0 for callers that do not wait themselves. */
nhl_task_t *nhl__task_check(lua_State *L, const char *what, int will_yield);

/* Puts t on the ready queue. */
void nhl__task_post(nhl_task_t *t);

/* Interrupts t with the error object at the top of the scheduler's L (popped) when scope
 * outranks its pending interrupt (CANCEL_SCOPE beats every deadline scope). */
void nhl__task_interrupt(nhl_task_t *t, int scope);
void nhl__task_clear_interrupt(nhl_task_t *t);
void nhl__task_cancel(nhl_task_t *t, const char *msg);

/* Pushes the task object of t (anchored while unfinished). */
void nhl__task_push(lua_State *L, nhl_task_t *t);

/* Ends w's park if it is still the one named by token, resuming it with the nvals values at
 * the top of L (popped either way). Returns whether it woke. */
int nhl__task_park_wake(lua_State *L, nhl_task_t *w, unsigned token, int nvals);

/* Interrupts every live task with a "cancelled" error object carrying msg. */
void nhl_task_cancel_all(nhl_scheduler_t *sched, const char *msg);

/* Creates a task running the function at the top of L with nargs arguments above it (all
 * popped) and pushes the task object. The task starts on a later loop iteration. */
nhl_task_t *nhl_task_spawn(lua_State *L, int nargs);

/* For the root task: whether it finished. */
int nhl_task_done(const nhl_task_t *t);

#endif
