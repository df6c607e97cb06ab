/* nethost Lua layer: require "nethost.inventory" (the global `inventory`).
 *
 *   local inv = inventory.load(path [, {limit = PATTERN}])
 *   inventory.decode(text [, name [, {limit = PATTERN}]])
 *   #inv, inv[i], inv:each(), inv:hosts(), inv:names(), inv:get(name), inv:groups()
 *   inv:filter{platform = "cisco_ios", groups = {"core", "edge"}, site = "lon"}
 *   inv:filter(function(host) return ... end)
 *   inv:limit("core:&lon*") -> view [, "no host or group matches X" when a term matched none]
 *   inv:explain(name), inv.path, inv.format
 *
 * An inventory object is a view: a list of host positions over one loaded inventory, which
 * every view made from it shares. Hosts are Lua tables (one per host and loaded inventory,
 * created the first time they are seen, so a host is the same value in every view and can
 * be a table key) with the resolved fields name, address, port, platform, username,
 * key_file, groups, ssh, http, data, and `secrets` (which secrets are set, each "***").
 * No secret is ever a field: host:secret("password" | "enable_secret" | "passphrase") reads
 * it at that moment (from the file, the environment or the inventory) and returns it, or nil
 * when none is configured; it raises an error object naming the host when a configured
 * secret cannot be read.
 */
#include "fields.h"
#include "class.h"
#include "error.h"
#include "inventory.h"
#include "lvalue.h"
#include "runtime.h"

#include <stdlib.h>
#include <string.h>

#define ROOT_MT "nethost.inventory.root"
#define VIEW_MT "nethost.inventory"
#define HOST_MT "nethost.host"
#define REF_MT  "nethost.host.ref"

/* A view; uservalue 1 is its root, uservalue 2 the root's host cache. */
typedef struct {
  nh_inventory_t *inv;
  size_t n;
  size_t idx[];
} view_t;

/* What a host table stands for (its metatable's __host); uservalue 1 is the root that keeps
 * inv alive. */
typedef struct {
  nh_inventory_t *inv;
  size_t index;
} ref_t;

/* The root: a box (class.h) owning the inventory that views and hosts refer to. */
static int root_gc(lua_State *L) {
  nh_inventory_free(nhl_box_take(L, 1, ROOT_MT));
  return 0;
}

static view_t *check_view(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, VIEW_MT);
}

/* Pushes a new view over the positions idx (copied) sharing the root and cache of the view
 * (or root) at `from`, whose uservalues 1 and 2 are those. */
static view_t *push_view(lua_State *L, nh_inventory_t *inv, const size_t *idx, size_t n,
                         int root_idx, int cache_idx) {
  view_t *v;
  root_idx = lua_absindex(L, root_idx);
  cache_idx = lua_absindex(L, cache_idx);
  v = lua_newuserdatauv(L, sizeof(*v) + n * sizeof(size_t), 2);
  v->inv = inv;
  v->n = n;
  if (n) memcpy(v->idx, idx, n * sizeof(size_t));
  lua_pushvalue(L, root_idx);
  lua_setiuservalue(L, -2, 1);
  lua_pushvalue(L, cache_idx);
  lua_setiuservalue(L, -2, 2);
  luaL_setmetatable(L, VIEW_MT);
  return v;
}

/* Pushes a view over a subset of the view at vidx. */
static view_t *push_subview(lua_State *L, int vidx, const size_t *idx, size_t n) {
  view_t *src = check_view(L, vidx);
  view_t *v;
  vidx = lua_absindex(L, vidx);
  lua_getiuservalue(L, vidx, 1);
  lua_getiuservalue(L, vidx, 2);
  v = push_view(L, src->inv, idx, n, -2, -1);
  lua_replace(L, -3);
  lua_pop(L, 1);
  return v;
}

static void set_num(lua_State *L, const char *k, double d) {
  if (d < 0) return;
  if (d == (double)(lua_Integer)d)
    lua_pushinteger(L, (lua_Integer)d);
  else
    lua_pushnumber(L, d);
  lua_setfield(L, -2, k);
}

/* Sets t[k] = a list of the comma-separated names in s. */
static void set_list(lua_State *L, const char *k, const char *s) {
  lua_Integer i = 0;
  const char *c;
  if (!s) return;
  lua_newtable(L);
  while (*s) {
    c = strchr(s, ',');
    if (!c) c = s + strlen(s);
    if (c > s) {
      lua_pushlstring(L, s, (size_t)(c - s));
      lua_rawseti(L, -2, ++i);
    }
    s = *c ? c + 1 : c;
  }
  lua_setfield(L, -2, k);
}

/* The keys of a host's merged data in the order templates see them (see
 * nhl_value_push_ordered): each key followed by a NUL byte. A data map with more than fits
 * is left unordered (templates then sort its keys). */
typedef struct {
  char buf[4096];
  size_t len, n;
  int overflow;
} key_sig_t;

static void sig_add(key_sig_t *sig, const char *key) {
  size_t kl = strlen(key);
  if (sig->overflow || sig->len + kl + 1 > sizeof(sig->buf)) {
    sig->overflow = 1;
    return;
  }
  memcpy(sig->buf + sig->len, key, kl + 1);
  sig->len += kl + 1;
  sig->n++;
}

/* Fills the keys of the table at t that layer m has and t lacks, nested maps key by key:
 * called from the highest layer down, it merges data as the inventory defines. The keys the
 * top-level table gains go to sig in that order: a layer's own order, then the keys lower
 * layers add, in theirs. A nested map keeps the order of the highest layer that has it; keys
 * lower layers add to it come after those (sorted, in templates). */
static void fill_missing(lua_State *L, int t, const nh_value_t *m, int depth, key_sig_t *sig) {
  size_t i;
  if (!m || m->type != NH_VALUE_MAP || depth > 100) return;
  luaL_checkstack(L, 4, "data nested too deeply");
  for (i = 0; i < m->u.map.len; i++) {
    const nh_value_t *v = m->u.map.vals[i];
    int type;
    if (v->type == NH_VALUE_NULL) continue;
    type = lua_getfield(L, t, m->u.map.keys[i]);
    if (type == LUA_TNIL) {
      lua_pop(L, 1);
      if (sig) sig_add(sig, m->u.map.keys[i]);
      nhl_value_push_ordered(L, v);
      lua_setfield(L, t, m->u.map.keys[i]);
    } else {
      if (type == LUA_TTABLE && v->type == NH_VALUE_MAP)
        fill_missing(L, lua_gettop(L), v, depth + 1, NULL);
      lua_pop(L, 1);
    }
  }
}

static const char *policy_name(nh_inv_hostkey_t p) {
  return p == NH_INV_HOSTKEY_STRICT       ? "strict"
         : p == NH_INV_HOSTKEY_ACCEPT_NEW ? "accept-new"
         : p == NH_INV_HOSTKEY_OFF        ? "off"
                                          : NULL;
}

/* Builds the Lua table of host index (of the inventory behind the view at vidx) straight from
 * the resolved fields: the same shape as nh_host_to_value with secrets omitted. */
static void build_host(lua_State *L, int vidx, nh_inventory_t *inv, size_t index) {
  const nh_host_t *h = nh_inventory_host(inv, index);
  const nh_inv_fields_t *f = &h->fields;
  key_sig_t sig;
  ref_t *ref;
  size_t i;
  int t;
  lua_createtable(L, 0, 12);
  nhl_set_string(L, "name", h->name);
  nhl_set_string(L, "address", f->address);
  if (f->port) {
    nhl_set_integer(L, "port", f->port);
  }
  nhl_set_string(L, "platform", f->platform);
  nhl_set_string(L, "username", f->username);
  nhl_set_string(L, "key_file", f->key_file);
  lua_createtable(L, (int)h->ngroups, 0);
  for (i = 0; i < h->ngroups; i++) {
    lua_pushstring(L, h->groups[i]->name);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "groups");
  lua_createtable(L, 0, 7);
  nhl_set_string(L, "host_key_policy", policy_name(f->ssh.host_key_policy));
  nhl_set_string(L, "known_hosts", f->ssh.known_hosts);
  nhl_set_string(L, "session_log", f->ssh.session_log);
  set_num(L, "connect_timeout", f->ssh.connect_timeout);
  set_num(L, "timeout", f->ssh.timeout);
  set_num(L, "connect_rate", f->ssh.connect_rate);
  set_num(L, "keepalive", f->ssh.keepalive);
  nhl_set_string(L, "jump", f->ssh.jump);
  set_num(L, "max_sessions", f->ssh.max_sessions);
  set_num(L, "max_connections", f->ssh.max_connections);
  if (f->ssh.kex || f->ssh.hostkey || f->ssh.cipher || f->ssh.mac) {
    lua_createtable(L, 0, 4);
    set_list(L, "kex", f->ssh.kex);
    set_list(L, "hostkey", f->ssh.hostkey);
    set_list(L, "cipher", f->ssh.cipher);
    set_list(L, "mac", f->ssh.mac);
    lua_setfield(L, -2, "algorithms");
  }
  lua_setfield(L, -2, "ssh");
  lua_createtable(L, 0, 3);
  nhl_set_string(L, "base_url", f->http.base_url);
  if (f->http.verify >= 0) {
    nhl_set_boolean(L, "verify", f->http.verify);
  }
  nhl_set_string(L, "ca_file", f->http.ca_file);
  nhl_set_string(L, "client_cert", f->http.client_cert);
  nhl_set_string(L, "client_key", f->http.client_key);
  set_num(L, "timeout", f->http.timeout);
  nhl_set_string(L, "username", f->http.username);
  if (f->http.headers) {
    nhl_value_push(L, f->http.headers);
    lua_setfield(L, -2, "headers");
  }
  lua_setfield(L, -2, "http");
  lua_newtable(L);
  t = lua_gettop(L);
  sig.len = sig.n = 0;
  sig.overflow = 0;
  fill_missing(L, t, h->own.data, 0, &sig);
  for (i = 0; i < h->nchain; i++) fill_missing(L, t, h->chain[i]->own.data, 0, &sig);
  fill_missing(L, t, nh_inventory_defaults(inv)->data, 0, &sig);
  if (!sig.overflow && sig.n != 1) {
    nhl_keyorder_shapes_push(L);
    lua_pushlstring(L, sig.buf, sig.len);
    nhl_keyorder_apply(L, t + 1, t, sig.n);
    lua_pop(L, 1);
  }
  lua_setfield(L, -2, "data");
  /* Masked secrets say which are set without ever being one. */
  lua_createtable(L, 0, 3);
  if (h->fields.password.kind) nhl_set_string(L, "password", "***");
  if (h->fields.passphrase.kind) nhl_set_string(L, "passphrase", "***");
  if (h->fields.enable_secret.kind) nhl_set_string(L, "enable_secret", "***");
  if (h->fields.http.password.kind) nhl_set_string(L, "http_password", "***");
  lua_setfield(L, -2, "secrets");
  /* Each host has its own metatable: the shared methods, plus __host, the handle host:secret
   * needs. (A registry table keyed by hosts would do too, but as a weak table of 100,000
   * entries it makes every garbage collection cycle slow.) */
  lua_createtable(L, 0, 4);
  luaL_getmetatable(L, HOST_MT);
  lua_getfield(L, -1, "__index");
  lua_setfield(L, -3, "__index");
  lua_getfield(L, -1, "__tostring");
  lua_setfield(L, -3, "__tostring");
  lua_pop(L, 1);
  lua_pushliteral(L, HOST_MT);
  lua_setfield(L, -2, "__name");
  ref = lua_newuserdatauv(L, sizeof(*ref), 1);
  ref->inv = inv;
  ref->index = index;
  luaL_setmetatable(L, REF_MT);
  lua_getiuservalue(L, vidx, 1);
  lua_setiuservalue(L, -2, 1);
  lua_setfield(L, -2, "__host");
  lua_setmetatable(L, -2);
}

/* Pushes the host at position index of the inventory behind the view at vidx. */
static void push_host(lua_State *L, int vidx, size_t index) {
  view_t *v = check_view(L, vidx);
  vidx = lua_absindex(L, vidx);
  lua_getiuservalue(L, vidx, 2);
  if (lua_rawgeti(L, -1, (lua_Integer)index + 1) == LUA_TNIL) {
    lua_pop(L, 1);
    build_host(L, vidx, v->inv, index);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, (lua_Integer)index + 1);
  }
  lua_remove(L, -2);
}

static void raise_load(lua_State *L, int rc, const char *err, const char *op) {
  if (rc == NH_ENOMEM) luaL_error(L, "out of memory");
  nhl_raise(L, "inventory", NULL, op, rc, "%s", err);
}

/* Narrows the view at vidx with pattern; pushes the new view and, when some terms matched no
 * host at all, a message naming them (else nothing): returns the number pushed. */
static int limit_view(lua_State *L, int vidx, const char *pattern) {
  view_t *v = check_view(L, vidx);
  char err[512], unmatched[512];
  size_t *idx, n, i, j, k = 0;
  int rc = nh_inventory_select_ex(v->inv, pattern, &idx, &n, unmatched, sizeof(unmatched), err,
                                  sizeof(err));
  if (rc < 0) raise_load(L, rc, err, "inventory.limit");
  /* Keep only positions in this view: both lists are in inventory order. */
  for (i = 0, j = 0; i < n && j < v->n;) {
    if (idx[i] == v->idx[j])
      idx[k++] = idx[i++], j++;
    else if (idx[i] < v->idx[j])
      i++;
    else
      j++;
  }
  push_subview(L, vidx, idx, k);
  free(idx);
  if (!unmatched[0]) return 1;
  lua_pushfstring(L, "no host or group matches %s", unmatched);
  return 2;
}

/* Loads (path) or parses (text) an inventory and pushes the view of all its hosts, narrowed
 * by opts.limit when given. */
static int load_common(lua_State *L, const char *path, const char *text, size_t len,
                       const char *name, int opts) {
  char err[1024];
  nh_inventory_t *inv;
  void **root = nhl_box_push(L, ROOT_MT, NULL);
  size_t *idx, n, i;
  int rc;
  /* A big inventory takes seconds to read; the loop does not run meanwhile, so a Ctrl-C
   * would wait for the end. Loading changes nothing, so a signal may end the process. */
  nhl_signals_default(L, 1);
  rc = path ? nh_inventory_load(path, &inv, err, sizeof(err))
            : nh_inventory_parse(text, len, name, NULL, &inv, err, sizeof(err));
  nhl_signals_default(L, 0);
  if (rc < 0) raise_load(L, rc, err, path ? "inventory.load" : "inventory.decode");
  *root = inv;
  lua_newtable(L); /* the host cache */
  n = nh_inventory_count(inv);
  /* The full view's positions, built in a userdata so an error cannot leak them. */
  idx = lua_newuserdatauv(L, (n ? n : 1) * sizeof(size_t), 0);
  for (i = 0; i < n; i++) idx[i] = i;
  push_view(L, inv, idx, n, -3, -2);
  if (lua_istable(L, opts) && lua_getfield(L, opts, "limit") != LUA_TNIL) {
    if (!lua_isstring(L, -1)) return luaL_error(L, "inventory: limit must be a pattern string");
    if (limit_view(L, -2, lua_tostring(L, -1)) == 2) lua_pop(L, 1); /* the warning */
    return 1;
  }
  lua_settop(L, lua_gettop(L) - (lua_istable(L, opts) ? 1 : 0));
  return 1;
}

/* inventory.load(path [, {limit = PATTERN}]) */
static int nhl_inv_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  return load_common(L, path, NULL, 0, NULL, 2);
}

/* inventory.decode(text [, name [, {limit = PATTERN}]]): an inventory from a string (name
 * appears in messages and picks the format as a file name would). */
static int nhl_inv_decode(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, "<string>.yaml");
  return load_common(L, NULL, text, len, name, 3);
}

static int nhl_inv_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)check_view(L, 1)->n);
  return 1;
}

static int each_next(lua_State *L) {
  view_t *v = check_view(L, lua_upvalueindex(1));
  lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
  if ((size_t)i >= v->n) return 0;
  lua_pushinteger(L, i + 1);
  lua_replace(L, lua_upvalueindex(2));
  push_host(L, lua_upvalueindex(1), v->idx[i]);
  return 1;
}

static int nhl_inv_each(lua_State *L) {
  check_view(L, 1);
  lua_settop(L, 1);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, each_next, 2);
  return 1;
}

/* view:hosts() and view:names(): an array of the view's hosts, or of their names. */
static int push_view_list(lua_State *L, int names) {
  view_t *v = check_view(L, 1);
  size_t i;
  lua_createtable(L, (int)(v->n < 1u << 24 ? v->n : 0), 0);
  for (i = 0; i < v->n; i++) {
    if (names)
      lua_pushstring(L, nh_inventory_host(v->inv, v->idx[i])->name);
    else
      push_host(L, 1, v->idx[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int nhl_inv_hosts(lua_State *L) {
  return push_view_list(L, 0);
}

static int nhl_inv_names(lua_State *L) {
  return push_view_list(L, 1);
}

/* Whether position index is in the view (binary search: positions are sorted). */
static int in_view(const view_t *v, size_t index) {
  size_t lo = 0, hi = v->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v->idx[mid] == index) return 1;
    if (v->idx[mid] < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}

static int nhl_inv_get(lua_State *L) {
  view_t *v = check_view(L, 1);
  const nh_host_t *h = nh_inventory_find(v->inv, luaL_checkstring(L, 2));
  if (!h || !in_view(v, h->index)) return 0;
  push_host(L, 1, h->index);
  return 1;
}

static int nhl_inv_groups(lua_State *L) {
  view_t *v = check_view(L, 1);
  size_t i, j, ng = nh_inventory_group_count(v->inv), k = 0;
  lua_newtable(L);
  for (i = 0; i < ng; i++) {
    const nh_group_t *g = nh_inventory_group(v->inv, i);
    size_t count = 0;
    for (j = 0; j < v->n; j++) count += nh_host_in_group(nh_inventory_host(v->inv, v->idx[j]), g);
    if (!count && v->n != nh_inventory_count(v->inv)) continue;
    lua_createtable(L, 0, 3);
    nhl_set_string(L, "name", g->name);
    nhl_set_integer(L, "count", (lua_Integer)count);
    lua_createtable(L, (int)g->nparents, 0);
    for (j = 0; j < g->nparents; j++) {
      lua_pushstring(L, g->parents[j]->name);
      lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    lua_setfield(L, -2, "parents");
    nhl_value_push_ordered(L, g->own.data);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_newtable(L);
    }
    lua_setfield(L, -2, "data");
    lua_rawseti(L, -2, (lua_Integer)++k);
  }
  return 1;
}

/* Converts the filter value at idx to the text nh_host_attr_match compares. */
static const char *filter_text(lua_State *L, int idx, const char *key) {
  switch (lua_type(L, idx)) {
  case LUA_TSTRING:
    return lua_tostring(L, idx);
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) return lua_pushfstring(L, "%I", lua_tointeger(L, idx));
    {
      lua_Number d = lua_tonumber(L, idx);
      if (d == (lua_Number)(lua_Integer)d) return lua_pushfstring(L, "%I", (lua_Integer)d);
      return lua_pushfstring(L, "%f", d);
    }
  case LUA_TBOOLEAN:
    return lua_toboolean(L, idx) ? "true" : "false";
  default:
    luaL_error(L, "filter: '%s' wants a string, number, boolean or a list of them, got %s", key,
               luaL_typename(L, idx));
    return NULL;
  }
}

static int match_table(lua_State *L, int tidx, const nh_host_t *h) {
  int ok = 1;
  lua_pushnil(L);
  while (ok && lua_next(L, tidx)) {
    const char *key;
    int top = lua_gettop(L);
    if (lua_type(L, -2) != LUA_TSTRING) luaL_error(L, "filter: keys must be attribute names");
    key = lua_tostring(L, -2);
    if (lua_istable(L, -1)) {
      lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);
      ok = 0;
      for (i = 1; i <= n && !ok; i++) {
        lua_rawgeti(L, -1, i);
        ok = nh_host_attr_match(h, key, filter_text(L, lua_gettop(L), key), 0);
        lua_settop(L, top);
      }
    } else {
      ok = nh_host_attr_match(h, key, filter_text(L, -1, key), 0);
    }
    lua_settop(L, top - 1);
  }
  if (!ok) lua_pop(L, 1); /* the key lua_next left */
  return ok;
}

static int nhl_inv_filter(lua_State *L) {
  view_t *v = check_view(L, 1);
  size_t i, k = 0, *idx;
  if (!lua_istable(L, 2) && !lua_isfunction(L, 2))
    return luaL_argerror(L, 2, "a table of attribute = value, or a function(host)");
  lua_settop(L, 2);
  idx = lua_newuserdatauv(L, (v->n ? v->n : 1) * sizeof(size_t), 0); /* 3 */
  for (i = 0; i < v->n; i++) {
    int keep;
    if (lua_istable(L, 2)) {
      keep = match_table(L, 2, nh_inventory_host(v->inv, v->idx[i]));
    } else {
      lua_pushvalue(L, 2);
      push_host(L, 1, v->idx[i]);
      lua_call(L, 1, 1);
      keep = lua_toboolean(L, -1);
      lua_pop(L, 1);
    }
    if (keep) idx[k++] = v->idx[i];
  }
  push_subview(L, 1, idx, k);
  return 1;
}

/* inv:shard(k, n) -> the hosts of shard k (1..n) when the inventory is split n ways; every
 * machine computes the same split (see nh_host_shard). */
static int nhl_inv_shard(lua_State *L) {
  view_t *v = check_view(L, 1);
  lua_Integer k = luaL_checkinteger(L, 2), n = luaL_checkinteger(L, 3);
  size_t i, m = 0, *idx;
  luaL_argcheck(L, n >= 1 && n <= 1000000, 3, "the number of shards must be 1..1000000");
  luaL_argcheck(L, k >= 1 && k <= n, 2, "the shard must be 1..n");
  idx = lua_newuserdatauv(L, (v->n ? v->n : 1) * sizeof(size_t), 0);
  for (i = 0; i < v->n; i++)
    if (nh_host_shard(nh_inventory_host(v->inv, v->idx[i]), (unsigned)n) == (unsigned)(k - 1))
      idx[m++] = v->idx[i];
  push_subview(L, 1, idx, m);
  return 1;
}

static int nhl_inv_limit(lua_State *L) {
  check_view(L, 1);
  return limit_view(L, 1, luaL_checkstring(L, 2));
}

static int nhl_inv_explain(lua_State *L) {
  view_t *v = check_view(L, 1);
  const char *name = luaL_checkstring(L, 2);
  const nh_host_t *h = nh_inventory_find(v->inv, name);
  nh_value_t *e;
  if (!h) return luaL_error(L, "inventory: no host '%s'", name);
  if (!(e = nh_host_explain(v->inv, h))) return luaL_error(L, "out of memory");
  nhl_value_push_owned(L, e);
  return 1;
}

/* inv:json([indent [, name]]) -> the view's hosts as a JSON array (or the one host name as
 * an object), secrets shown as "***". */
static int nhl_inv_json(lua_State *L) {
  view_t *v = check_view(L, 1);
  int indent = (int)luaL_optinteger(L, 2, 0);
  const char *name = luaL_optstring(L, 3, NULL);
  nh_value_t *list;
  size_t i;
  indent = indent < 0 ? 0 : indent > 8 ? 8 : indent;
  if (name) {
    const nh_host_t *h = nh_inventory_find(v->inv, name);
    if (!h || !in_view(v, h->index)) return 0;
    if (!(list = nh_host_to_value(h, NH_HOST_SECRETS_MASKED)))
      return luaL_error(L, "out of memory");
  } else {
    if (!(list = nh_value_list())) return luaL_error(L, "out of memory");
    for (i = 0; i < v->n; i++)
      if (nh_value_list_push(list, nh_host_to_value(nh_inventory_host(v->inv, v->idx[i]),
                                                    NH_HOST_SECRETS_MASKED)) < 0) {
        nh_value_free(list);
        return luaL_error(L, "out of memory");
      }
  }
  nhl_value_push_json(L, list, indent);
  return 1;
}

static int nhl_inv_view_index(lua_State *L) {
  view_t *v = check_view(L, 1);
  if (lua_isinteger(L, 2)) {
    lua_Integer i = lua_tointeger(L, 2);
    if (i < 1 || (size_t)i > v->n) return 0;
    push_host(L, 1, v->idx[i - 1]);
    return 1;
  }
  if (lua_type(L, 2) == LUA_TSTRING) {
    const char *k = lua_tostring(L, 2);
    if (!strcmp(k, "path")) {
      lua_pushstring(L, nh_inventory_path(v->inv));
      return 1;
    }
    if (!strcmp(k, "format")) {
      lua_pushstring(L, nh_inventory_format(v->inv));
      return 1;
    }
  }
  luaL_getmetatable(L, VIEW_MT);
  lua_getfield(L, -1, "__methods");
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static int nhl_inv_view_tostring(lua_State *L) {
  view_t *v = check_view(L, 1);
  lua_pushfstring(L, "inventory %s (%I hosts)", nh_inventory_path(v->inv), (lua_Integer)v->n);
  return 1;
}

/* ---- hosts ---------------------------------------------------------------------------- */

static ref_t *host_ref(lua_State *L, int idx) {
  ref_t *r = NULL;
  luaL_checktype(L, idx, LUA_TTABLE);
  if (lua_getmetatable(L, idx)) {
    lua_getfield(L, -1, "__host");
    r = luaL_testudata(L, -1, REF_MT);
    lua_pop(L, 2);
  }
  if (!r) luaL_argerror(L, idx, "not an inventory host");
  return r;
}

static int nhl_inv_host_secret(lua_State *L) {
  ref_t *r = host_ref(L, 1);
  const char *what = luaL_checkstring(L, 2);
  const nh_host_t *h = nh_inventory_host(r->inv, r->index);
  const nh_secret_t *s;
  char err[512], *out;
  int rc;
  if (!strcmp(what, "password"))
    s = &h->fields.password;
  else if (!strcmp(what, "enable_secret") || !strcmp(what, "enable"))
    s = &h->fields.enable_secret;
  else if (!strcmp(what, "passphrase") || !strcmp(what, "key_passphrase"))
    s = &h->fields.passphrase;
  else if (!strcmp(what, "http_password"))
    s = &h->fields.http.password;
  else
    return luaL_argerror(L, 2,
                         "expected \"password\", \"enable_secret\", \"passphrase\" or "
                         "\"http_password\"");
  rc = nh_secret_read(s, h->name, what, &out, err, sizeof(err));
  if (rc == NH_ENOENT) return 0;
  if (rc == NH_ENOMEM) return luaL_error(L, "out of memory");
  if (rc < 0) return nhl_raise(L, "inventory", h->name, "host:secret", rc, "%s", err);
  lua_pushstring(L, out);
  /* Wipe our copy; Lua's string is the caller's to keep. */
  memset(out, 0, strlen(out));
  free(out);
  return 1;
}

/* host:_peer(name): the inventory host called name (from the whole inventory, whatever
 * the view), or nil. ssh uses it to turn the names in ssh.jump into hosts. */
static int nhl_inv_host_peer(lua_State *L) {
  ref_t *r = host_ref(L, 1);
  const char *name = luaL_checkstring(L, 2);
  const nh_host_t *h = nh_inventory_find(r->inv, name);
  if (!h) return 0;
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__host");
  build_host(L, lua_gettop(L), r->inv, h->index);
  return 1;
}

/* host:_defaults(): what the inventory's defaults set for SSH ({username=, key_file=,
 * known_hosts=, host_key_policy=, connect_timeout=}). A jump host written as a ProxyJump
 * string, [user@]host[:port], logs in with these and ssh-agent, as the issue of jump hosts
 * asks: it is not an inventory host, so it has no credentials of its own. */
static int nhl_inv_host_defaults(lua_State *L) {
  ref_t *r = host_ref(L, 1);
  const nh_inv_fields_t *f = nh_inventory_defaults(r->inv);
  lua_createtable(L, 0, 5);
  nhl_set_string(L, "username", f->username);
  nhl_set_string(L, "key_file", f->key_file);
  nhl_set_string(L, "known_hosts", f->ssh.known_hosts);
  nhl_set_string(L, "host_key_policy", policy_name(f->ssh.host_key_policy));
  set_num(L, "connect_timeout", f->ssh.connect_timeout);
  return 1;
}

static int nhl_inv_host_explain(lua_State *L) {
  ref_t *r = host_ref(L, 1);
  nh_value_t *e = nh_host_explain(r->inv, nh_inventory_host(r->inv, r->index));
  if (!e) return luaL_error(L, "out of memory");
  nhl_value_push_owned(L, e);
  return 1;
}

static int nhl_inv_host_tostring(lua_State *L) {
  const char *name, *addr, *platform;
  lua_Integer port;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_getfield(L, 1, "name");
  lua_getfield(L, 1, "address");
  lua_getfield(L, 1, "port");
  lua_getfield(L, 1, "platform");
  name = lua_tostring(L, -4);
  addr = lua_tostring(L, -3);
  port = lua_tointeger(L, -2);
  platform = lua_tostring(L, -1);
  lua_pushfstring(L, "host %s (%s", name ? name : "?", addr ? addr : name ? name : "?");
  if (port)
    lua_pushfstring(L, ":%I", port);
  else
    lua_pushliteral(L, "");
  lua_pushfstring(L, "%s%s)", platform ? ", " : "", platform ? platform : "");
  lua_concat(L, 3);
  return 1;
}

int luaopen_nethost_inventory(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(inv, load), NHL_FUNC(inv, decode), {NULL, NULL}};
  static const luaL_Reg view_methods[] = {
      NHL_FUNC(inv, each),   NHL_FUNC(inv, hosts),  NHL_FUNC(inv, names), NHL_FUNC(inv, get),
      NHL_FUNC(inv, groups), NHL_FUNC(inv, filter), NHL_FUNC(inv, limit), NHL_FUNC(inv, explain),
      NHL_FUNC(inv, json),   NHL_FUNC(inv, shard),  {NULL, NULL}};
  static const luaL_Reg host_methods[] = {NHL_FUNC(inv_host, secret),
                                          NHL_FUNC(inv_host, explain),
                                          {"_peer", nhl_inv_host_peer},
                                          {"_defaults", nhl_inv_host_defaults},
                                          {NULL, NULL}};
  static const luaL_Reg root_meta[] = {{"__gc", root_gc}, {NULL, NULL}};
  static const luaL_Reg view_meta[] = {{"__index", nhl_inv_view_index},
                                       {"__len", nhl_inv_len},
                                       {"__tostring", nhl_inv_view_tostring},
                                       {NULL, NULL}};
  static const luaL_Reg host_meta[] = {{"__tostring", nhl_inv_host_tostring}, {NULL, NULL}};
  nhl_class(L, ROOT_MT, root_meta, NULL);
  nhl_class(L, REF_MT, NULL, NULL);
  nhl_class(L, HOST_MT, host_meta, host_methods);
  /* A view's __index is a function (views index by host name too): it finds the methods in
   * the metatable's __methods. */
  nhl_class(L, VIEW_MT, view_meta, view_methods);
  luaL_newlib(L, funcs);
  /* inventory.host_methods: other modules add host methods there (host:parse). */
  nhl_class_methods(L, HOST_MT);
  lua_setfield(L, -2, "host_methods");
  /* nethost.inventory_setup registers the -i/-l hook of `nethost run`; a build without
   * the CLI library simply has no hook. */
  lua_getglobal(L, "require");
  lua_pushliteral(L, "nethost.inventory_setup");
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) lua_pop(L, 1);
  return 1;
}
