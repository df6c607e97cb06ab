/* nethost Lua layer: the C part of the http module (require "nethost.http_core").
 *
 * One primitive, request(spec), takes a request already normalised by lua/nethost/http.lua
 * (URL built, body encoded, options checked), starts a core transfer on the runtime's one
 * HTTP client and yields the task until it completes. The client is created on first use
 * and owned by a userdata in the registry, so closing the Lua state closes it.
 */
#include "fields.h"
#include "class.h"
#include "runtime.h"
#include "error.h"
#include "http.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_KEY "nethost.http.client"

typedef struct {
  nh_http_client_t *client;
} client_box_t;

static int client_gc(lua_State *L) {
  client_box_t *box = lua_touserdata(L, 1);
  if (box->client) nh_http_client_close(box->client);
  box->client = NULL;
  return 0;
}

static client_box_t *client_box(lua_State *L) {
  int created;
  return nhl_state_object(L, CLIENT_KEY, sizeof(client_box_t), client_gc, &created);
}

static nh_http_client_t *get_client(lua_State *L) {
  client_box_t *box = client_box(L);
  if (!box->client) {
    int rc = nh_http_client_new(nhl_loop(L), NULL, &box->client);
    if (rc < 0)
      nhl_raise(L, "http", NULL, "http", rc, "cannot create the HTTP client: %s", nh_strerror(rc));
  }
  return box->client;
}

/* Options of a request spec (lua/args.h). The spec table keeps the strings alive, so they
 * are popped once read. */
static const char *opt_string(lua_State *L, int t, const char *key) {
  const char *s = nhl_opt_string(L, t, key, "http");
  lua_pop(L, 1);
  return s;
}

static lua_Number opt_number(lua_State *L, int t, const char *key, lua_Number def) {
  return nhl_opt_number(L, t, key, def, "http");
}

/* A count or size option, capped so the cast to the C type is defined. */
static long opt_long(lua_State *L, int t, const char *key) {
  return (long)nhl_size_option(opt_number(L, t, key, 0));
}

/* The error message's request line, copied before the transfer is freed. */
typedef struct {
  nh_http_transfer_t t; /* first member */
  const char *op_name;  /* static */
  char method[16];
} req_t;

static void push_response(lua_State *L, nh_http_transfer_t *t) {
  size_t i;
  lua_createtable(L, 0, 6);
  nhl_set_integer(L, "status", t->status);
  lua_pushlstring(L, t->body, t->body_len);
  lua_setfield(L, -2, "body");
  nhl_set_number(L, "elapsed", t->elapsed);
  nhl_set_integer(L, "http_version", t->http_version);
  lua_createtable(L, 0, (int)t->nheaders);
  for (i = 0; i < t->nheaders; i++) {
    /* Names lowercased; a repeated header's values joined with ", " (RFC 9110 5.3). */
    char name[128];
    const char *src = t->headers[i].name;
    size_t n = strlen(src), j;
    if (n >= sizeof(name)) n = sizeof(name) - 1;
    for (j = 0; j < n; j++) name[j] = (char)tolower((unsigned char)src[j]);
    name[n] = '\0';
    if (lua_getfield(L, -1, name) == LUA_TSTRING) {
      lua_pushfstring(L, "%s, %s", lua_tostring(L, -1), t->headers[i].value);
      lua_setfield(L, -3, name);
      lua_pop(L, 1);
    } else {
      lua_pop(L, 1);
      lua_pushstring(L, t->headers[i].value);
      lua_setfield(L, -2, name);
    }
  }
  lua_setfield(L, -2, "headers");
}

static int request_k(lua_State *L, int status, lua_KContext ctx) {
  req_t *r = (req_t *)ctx;
  int rc = nhl_await_status(L);
  if (rc == 0)
    push_response(L, &r->t);
  else {
    /* error fields: url, stage, message (no credentials: see core/http.h) */
    lua_pushstring(L, r->t.display_url ? r->t.display_url : "?");
    lua_pushstring(L, r->t.stage ? r->t.stage : "request");
    lua_pushstring(L, r->t.error);
  }
  nh_http_transfer_cleanup(&r->t);
  {
    const char *op_name = r->op_name;
    char method[16];
    memcpy(method, r->method, sizeof(method));
    free(r);
    nhl_check_interrupt(L);
    if (rc < 0) {
      const char *url = lua_tostring(L, -3), *stage = lua_tostring(L, -2);
      const char *msg = lua_tostring(L, -1);
      const char *host = NULL;
      if (lua_getfield(L, 1, "host") == LUA_TSTRING) host = lua_tostring(L, -1);
      lua_pop(L, 1); /* spec keeps the string alive */
      nhl_error_push(L, rc == NH_ETIMEDOUT ? "timeout" : "http", host, op_name, rc, "%s %s: %s",
                     method, url, msg);
      nhl_set_string(L, "url", url);
      nhl_set_string(L, "stage", stage);
      return lua_error(L);
    }
  }
  return 1;
}

/* request(spec) -> {status, headers, body, elapsed, http_version}; raises an error object. */
static int nhl_http_request(lua_State *L) {
  nh_http_request_t rq;
  nh_http_field_t *fields = NULL;
  nh_http_client_t *client;
  req_t *r;
  size_t n = 0, blen = 0;
  const char *m;
  int rc;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  nhl_task_check(L, "http.request");
  memset(&rq, 0, sizeof(rq));
  rq.url = opt_string(L, 1, "url");
  if (!rq.url) return luaL_error(L, "http.request: 'url' is required");
  rq.method = opt_string(L, 1, "method");
  if (lua_getfield(L, 1, "body") == LUA_TSTRING) {
    rq.body = lua_tolstring(L, -1, &blen);
    rq.body_len = blen;
  } else if (!lua_isnil(L, -1)) {
    return luaL_error(L, "http.request: 'body' must be a string");
  }
  lua_pop(L, 1);
  rq.username = opt_string(L, 1, "username");
  rq.password = opt_string(L, 1, "password");
  rq.bearer = opt_string(L, 1, "bearer");
  rq.ca_file = opt_string(L, 1, "ca_file");
  rq.client_cert = opt_string(L, 1, "client_cert");
  rq.client_key = opt_string(L, 1, "client_key");
  rq.timeout_ms = nhl_seconds_to_ms(opt_number(L, 1, "timeout", 0));
  rq.connect_timeout_ms = nhl_seconds_to_ms(opt_number(L, 1, "connect_timeout", 0));
  rq.max_body = (size_t)opt_long(L, 1, "max_body");
  rq.max_redirects = opt_long(L, 1, "max_redirects");
  rq.insecure = nhl_opt_boolean(L, 1, "insecure", 0);
  rq.follow = nhl_opt_boolean(L, 1, "follow", 0);
  m = opt_string(L, 1, "op");

  client = get_client(L);
  /* headers: an array of {name, value} pairs (order kept). */
  if (lua_getfield(L, 1, "headers") == LUA_TTABLE) {
    size_t i, count = lua_rawlen(L, -1);
    if (count && !(fields = calloc(count, sizeof(*fields)))) return luaL_error(L, "out of memory");
    for (i = 0; i < count; i++) {
      lua_rawgeti(L, -1, (lua_Integer)i + 1);
      if (lua_type(L, -1) != LUA_TTABLE) {
        free(fields);
        return luaL_error(L, "http.request: headers[%d] must be a {name, value} pair", (int)i + 1);
      }
      /* Strings only: lua_tostring would convert a number in the stack slot, and that new
       * string, popped below, is anchored nowhere: the GC could free it before the transfer
       * copies it. A string is the pair table's own, kept alive by the headers array. */
      lua_rawgeti(L, -1, 1);
      lua_rawgeti(L, -2, 2);
      if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
        size_t nlen, vlen;
        fields[n].name = lua_tolstring(L, -2, &nlen);
        fields[n].value = lua_tolstring(L, -1, &vlen);
        if (strlen(fields[n].name) != nlen || strlen(fields[n].value) != vlen) {
          free(fields);
          return luaL_error(L, "http.request: headers[%d] contains a NUL byte", (int)i + 1);
        }
      } else {
        fields[n].name = fields[n].value = NULL;
      }
      lua_pop(L, 3);
      if (!fields[n].name) {
        free(fields);
        return luaL_error(L, "http.request: headers[%d] needs a string name and value", (int)i + 1);
      }
      n++;
    }
  }
  lua_pop(L, 1);
  rq.headers = fields;
  rq.nheaders = n;

  if (!(r = malloc(sizeof(*r)))) {
    free(fields);
    return luaL_error(L, "out of memory");
  }
  r->op_name = "http.request";
  if (m && strcmp(m, "http.get") == 0)
    r->op_name = "http.get";
  else if (m && strcmp(m, "http.post") == 0)
    r->op_name = "http.post";
  else if (m && strcmp(m, "http.put") == 0)
    r->op_name = "http.put";
  else if (m && strcmp(m, "http.patch") == 0)
    r->op_name = "http.patch";
  else if (m && strcmp(m, "http.delete") == 0)
    r->op_name = "http.delete";
  {
    const char *meth = rq.method ? rq.method : rq.body ? "POST" : "GET";
    size_t ml = strlen(meth);
    if (ml >= sizeof(r->method)) ml = sizeof(r->method) - 1;
    memcpy(r->method, meth, ml);
    r->method[ml] = '\0';
  }
  rc = nh_http_transfer_start(client, &r->t, &rq, nhl_op_cb);
  free(fields);
  if (rc < 0) {
    free(r);
    return nhl_raise(L, "http", NULL, "http.request", rc, "cannot start the request: %s",
                     rc == NH_EINVAL ? "invalid URL, method or header (CR/LF?)" : nh_strerror(rc));
  }
  return nhl_await(L, &r->t.op, request_k, (lua_KContext)r);
}

/* configure{max_host_connections=, max_total_connections=, max_idle_connections=} */
static int nhl_http_configure(lua_State *L) {
  nh_http_limits_t lim;
  int rc;
  luaL_checktype(L, 1, LUA_TTABLE);
  lim.max_host_connections = opt_long(L, 1, "max_host_connections");
  lim.max_total_connections = opt_long(L, 1, "max_total_connections");
  lim.max_idle_connections = opt_long(L, 1, "max_idle_connections");
  if ((rc = nh_http_client_set_limits(get_client(L), &lim)) < 0)
    return luaL_error(L, "http.configure: %s", nh_strerror(rc));
  return 0;
}

/* stats() -> {active=, peak_sockets=, connects=} */
static int nhl_http_stats(lua_State *L) {
  nh_http_client_t *c = get_client(L);
  lua_createtable(L, 0, 3);
  nhl_set_integer(L, "active", (lua_Integer)nh_http_client_active(c));
  nhl_set_integer(L, "peak_sockets", (lua_Integer)nh_http_client_peak_sockets(c));
  nhl_set_integer(L, "connects", (lua_Integer)nh_http_client_connects(c));
  return 1;
}

/* escape(s) -> s percent-encoded for a query or form (RFC 3986 unreserved kept). */
static int nhl_http_escape(lua_State *L) {
  size_t len, i;
  const char *s = luaL_checklstring(L, 1, &len);
  static const char hex[] = "0123456789ABCDEF";
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      luaL_addchar(&b, (char)c);
    } else {
      luaL_addchar(&b, '%');
      luaL_addchar(&b, hex[c >> 4]);
      luaL_addchar(&b, hex[c & 15]);
    }
  }
  luaL_pushresult(&b);
  return 1;
}

int luaopen_nethost_http_core(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(http, request),
                                   NHL_FUNC(http, configure),
                                   NHL_FUNC(http, stats),
                                   NHL_FUNC(http, escape),
                                   {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
