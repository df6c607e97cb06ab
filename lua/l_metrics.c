/* nethost Lua layer: `nethost.metrics` — Prometheus metrics of the run, served at /metrics
 * on the run's own loop (core/metrics.c, core/metrics_http.c).
 *
 *   metrics.serve("127.0.0.1:9464") -> port      (nethost run --metrics ADDR:PORT calls it)
 *   metrics.set(name, value [, labels [, help]])  a gauge
 *   metrics.inc(name [, by [, labels [, help]]])  a counter
 *   metrics.observe(name, value [, labels [, help]])  a histogram (seconds buckets)
 *   metrics.clear(name)                           drops a family's series
 *   metrics.serving() -> whether /metrics is served
 *   metrics.render() -> the text a scrape returns
 *
 * labels is a table {name = value}; its keys are sorted, so a family's label order is
 * stable. The engine's own figures (tasks, resumes, SSH sessions, operation latencies) are
 * added by the runtime. It reads the runtime's counters, hence rt.h. */
#include "class.h"
#include "error.h"
#include "metrics.h"
#include "metrics_http.h"
#include "rt.h"
#include "ssh.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LABELS 16
#define STATE_KEY  "nethost.metrics.state"

typedef struct {
  nh_metrics_t *metrics;
  nh_metrics_server_t *server;
  nhl_runtime_t *rt;
} state_t;

static int state_gc(lua_State *L) {
  state_t *st = lua_touserdata(L, 1);
  if (st->server) nh_metrics_server_stop(st->server);
  st->server = NULL;
  /* Operations completing while the runtime shuts down must not report any more. */
  if (st->rt && st->rt->loop.metrics == st->metrics) st->rt->loop.metrics = NULL;
  nh_metrics_free(st->metrics);
  st->metrics = NULL;
  return 0;
}

static state_t *state(lua_State *L) {
  int created;
  state_t *st = nhl_state_object(L, STATE_KEY, sizeof(*st), state_gc, &created);
  if (created) {
    st->rt = nhl_runtime(L);
    if (!(st->metrics = nh_metrics_new())) luaL_error(L, "metrics: out of memory");
  }
  return st;
}

typedef struct {
  nh_metric_label_t v[MAX_LABELS];
  size_t n;
} labels_t;

static int cmp_label(const void *a, const void *b) {
  return strcmp(((const nh_metric_label_t *)a)->name, ((const nh_metric_label_t *)b)->name);
}

/* Reads the labels table at idx (nil: none). The strings stay on L's stack below the top
 * as the table's own values, so their pointers stay valid while the table is there. */
static void read_labels(lua_State *L, int idx, labels_t *out) {
  out->n = 0;
  if (lua_isnoneornil(L, idx)) return;
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) != LUA_TSTRING) luaL_error(L, "metrics: label names must be strings");
    if (out->n == MAX_LABELS) luaL_error(L, "metrics: more than %d labels", MAX_LABELS);
    /* Numbers and booleans as their text; the converted string replaces the value in
     * the table so it lives as long as the table. */
    if (lua_type(L, -1) != LUA_TSTRING) {
      luaL_tolstring(L, -1, NULL);
      lua_pushvalue(L, -3);
      lua_insert(L, -2);
      lua_rawset(L, idx);
    }
    out->v[out->n].name = lua_tostring(L, -2);
    out->v[out->n].value = lua_tostring(L, -1);
    out->n++;
    lua_pop(L, 1);
  }
  qsort(out->v, out->n, sizeof(out->v[0]), cmp_label);
}

static int check(lua_State *L, int rc, const char *name) {
  if (rc == NH_EINVAL)
    return luaL_error(L,
                      "metrics: %s: bad name or labels, or used before as another kind "
                      "or with other label names",
                      name);
  if (rc < 0) return luaL_error(L, "metrics: %s: %s", name, nh_strerror(rc));
  return 0;
}

/* set, inc and observe: one sample (name, value, labels, help; inc's value is optional, 1
 * by default) recorded into a gauge, a counter or a histogram. */
enum { SET, INC, OBSERVE };

static int record(lua_State *L, int op) {
  const char *name = luaL_checkstring(L, 1);
  double v = op == INC ? luaL_optnumber(L, 2, 1) : luaL_checknumber(L, 2);
  const char *help = luaL_optstring(L, 4, NULL);
  nh_metrics_t *m;
  labels_t lb;
  int rc;
  read_labels(L, 3, &lb);
  m = state(L)->metrics;
  if (op == SET)
    rc = nh_metrics_set(m, name, help, NH_METRIC_GAUGE, lb.v, lb.n, v);
  else if (op == INC)
    rc = nh_metrics_add(m, name, help, NH_METRIC_COUNTER, lb.v, lb.n, v);
  else
    rc = nh_metrics_observe(m, name, help, lb.v, lb.n, v);
  check(L, rc, name);
  return 0;
}

static int nhl_metrics_set(lua_State *L) {
  return record(L, SET);
}

static int nhl_metrics_inc(lua_State *L) {
  return record(L, INC);
}

static int nhl_metrics_observe(lua_State *L) {
  return record(L, OBSERVE);
}

static int nhl_metrics_clear(lua_State *L) {
  nh_metrics_clear(state(L)->metrics, luaL_checkstring(L, 1));
  return 0;
}

/* The runtime's own figures, read at each scrape. */
static void collect(void *data) {
  state_t *st = data;
  nhl_runtime_t *rt = st->rt;
  nh_metrics_set(st->metrics, "nethost_tasks", "Tasks (coroutines) alive now.", NH_METRIC_GAUGE,
                 NULL, 0, (double)rt->sched.nlive);
  nh_metrics_set(st->metrics, "nethost_tasks_spawned_total", "Tasks started so far.",
                 NH_METRIC_COUNTER, NULL, 0, (double)rt->sched.spawned);
  nh_metrics_set(st->metrics, "nethost_task_resumes_total",
                 "Times a task was resumed after waiting.", NH_METRIC_COUNTER, NULL, 0,
                 (double)rt->sched.resumes);
  nh_metrics_set(st->metrics, "nethost_ssh_sessions_open", "SSH connections open now.",
                 NH_METRIC_GAUGE, NULL, 0, (double)nh_ssh_open_count(&rt->loop));
  nh_metrics_set(st->metrics, "nethost_lua_heap_bytes", "Memory the Lua heap holds.",
                 NH_METRIC_GAUGE, NULL, 0, (double)rt->lua_bytes);
}

static int nhl_metrics_render(lua_State *L) {
  state_t *st = state(L);
  char *text;
  size_t len;
  collect(st);
  if (nh_metrics_render(st->metrics, &text, &len) < 0)
    return luaL_error(L, "metrics: out of memory");
  lua_pushlstring(L, text, len);
  free(text);
  return 1;
}

static int nhl_metrics_serving(lua_State *L) {
  state_t *st = state(L);
  lua_pushboolean(L, st->server != NULL);
  return 1;
}

/* serve("ADDR:PORT" | "[V6]:PORT" | ":PORT") -> the port listened on */
static int nhl_metrics_serve(lua_State *L) {
  const char *spec = luaL_checkstring(L, 1);
  state_t *st = state(L);
  char addr[64];
  const char *colon = strrchr(spec, ':');
  char *end;
  long port;
  size_t alen;
  int rc;
  if (st->server) return luaL_error(L, "--metrics %s: metrics are already served", spec);
  if (!colon) return luaL_error(L, "--metrics %s: expected ADDR:PORT, e.g. 127.0.0.1:9464", spec);
  port = strtol(colon + 1, &end, 10);
  if (*end || end == colon + 1 || port < 0 || port > 65535)
    return luaL_error(L, "--metrics %s: bad port", spec);
  alen = (size_t)(colon - spec);
  if (alen >= 2 && spec[0] == '[' && spec[alen - 1] == ']') {
    spec++;
    alen -= 2;
  }
  if (alen >= sizeof addr) return luaL_error(L, "--metrics %s: bad address", lua_tostring(L, 1));
  memcpy(addr, spec, alen);
  addr[alen] = '\0';
  if (!alen) strcpy(addr, "127.0.0.1");
  rc = nh_metrics_server_start(&st->rt->loop, st->metrics, addr, (int)port, collect, st,
                               &st->server);
  if (rc < 0)
    return luaL_error(L, "--metrics %s: %s", lua_tostring(L, 1),
                      rc == NH_EINVAL ? "not an IP address and port" : nh_strerror(rc));
  st->rt->loop.metrics = st->metrics;
  lua_pushinteger(L, nh_metrics_server_port(st->server));
  return 1;
}

int luaopen_nethost_metrics(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(metrics, serve),   NHL_FUNC(metrics, set),
                                   NHL_FUNC(metrics, inc),     NHL_FUNC(metrics, observe),
                                   NHL_FUNC(metrics, clear),   NHL_FUNC(metrics, render),
                                   NHL_FUNC(metrics, serving), {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
