/* nethost Lua layer: the `net` module — reachability (ping, TCP probe), resolution, and
 * subnet expansion. See docs/net.md.
 *
 * A down host is no error: ping and tcp_probe return tables describing what happened. A name
 * that does not resolve raises an error object of kind "resolve"; a process that may open no
 * ICMP socket raises kind "permission" with what to do about it.
 */
#include "fields.h"
#include "error.h"
#include "net.h"
#include "class.h"
#include "runtime.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOST_MAX 256

#define PERMISSION_MESSAGE                                                                 \
  "ICMP echo is not permitted: unprivileged ICMP sockets need the group %d in "            \
  "net.ipv4.ping_group_range (sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"), raw " \
  "sockets need root or CAP_NET_RAW; net.tcp_probe needs neither"

static uint64_t opt_ms(lua_State *L, int idx, const char *name, double def, double min) {
  double sec = def;
  if (lua_istable(L, idx)) {
    int t = lua_getfield(L, idx, name);
    if (t != LUA_TNIL) {
      if (!lua_isnumber(L, -1)) luaL_error(L, "option %s must be a number of seconds", name);
      sec = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
  }
  if (!(sec >= min) || sec > 86400.0) luaL_error(L, "option %s out of range: %f", name, sec);
  return (uint64_t)(sec * 1000.0 + 0.5);
}

static const char *check_host(lua_State *L, int idx, const char *what) {
  size_t len;
  const char *host = luaL_checklstring(L, idx, &len);
  if (len == 0 || len >= HOST_MAX || strlen(host) != len)
    luaL_argerror(L, idx, lua_pushfstring(L, "%s: not a host name or address", what));
  return host;
}

static void set_number(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static void set_addr(lua_State *L, const nh_addr_t *addr) {
  char buf[64];
  if (nh_addr_format(addr, buf, sizeof(buf)) == 0) {
    nhl_set_string(L, "address", buf);
  }
}

/* A request of this module: the core's operation (first) and the host it names, copied at
 * the start, for messages made after the request is freed. */
typedef struct {
  union {
    nh_ping_t ping;
    nh_tcp_probe_t probe;
    nh_resolve_t resolve;
  };
  char host[HOST_MAX];
} net_req_t;

/* A new request of operation op ("net.ping") on host; raises outside a task. */
static net_req_t *net_req_new(lua_State *L, const char *host, const char *op) {
  net_req_t *req;
  nhl_task_check(L, op);
  if (!(req = malloc(sizeof(*req)))) luaL_error(L, "%s: out of memory", op);
  strcpy(req->host, host);
  return req;
}

/* Raises the error object of operation op on host that failed with rc: kind "resolve" for a
 * name that does not resolve, else the kind rc means. */
static int raise_net_error(lua_State *L, const char *host, const char *op, int rc) {
  if (rc == NH_ERESOLVE) return nhl_raise(L, "resolve", host, op, rc, "cannot resolve %s", host);
  return nhl_raise(L, NULL, host, op, rc, "%s", nh_strerror(rc));
}

/* net.ping ------------------------------------------------------------------------------ */

/* Raises the error object for a ping that could not run. */
static int raise_ping_error(lua_State *L, const char *host, int rc) {
  if (rc == UV_EACCES || rc == UV_EPERM)
    return nhl_raise(L, "permission", host, "net.ping", rc, PERMISSION_MESSAGE, (int)getgid());
  return raise_net_error(L, host, "net.ping", rc);
}

static int ping_k(lua_State *L, int status, lua_KContext ctx) {
  net_req_t *req = (net_req_t *)ctx;
  int rc = nhl_await_status(L);
  char host[HOST_MAX];
  (void)status;
  memcpy(host, req->host, sizeof(host));
  if (rc == 0) {
    nh_ping_t *p = &req->ping;
    lua_createtable(L, 0, 8);
    nhl_set_boolean(L, "alive", p->received > 0);
    if (p->received) {
      set_number(L, "rtt", (double)p->rtt_sum_ns / p->received / 1e9);
      set_number(L, "rtt_min", (double)p->rtt_min_ns / 1e9);
      set_number(L, "rtt_max", (double)p->rtt_max_ns / 1e9);
    }
    nhl_set_integer(L, "sent", p->sent);
    nhl_set_integer(L, "received", p->received);
    set_addr(L, &p->addr);
    if (p->send_error) {
      nhl_set_string(L, "error", nh_strerror(p->send_error));
    }
  }
  free(req);
  nhl_check_interrupt(L);
  if (rc < 0) return raise_ping_error(L, host, rc);
  return 1;
}

/* net.ping(addr [, {timeout = 1, count = 1, interval = 1}]) */
static int nhl_net_ping(lua_State *L) {
  const char *host = check_host(L, 1, "net.ping");
  uint64_t timeout, interval;
  lua_Integer count = 1;
  net_req_t *req;
  int rc;
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  timeout = opt_ms(L, 2, "timeout", 1.0, 0.001);
  interval = opt_ms(L, 2, "interval", 1.0, 0.0);
  if (lua_istable(L, 2)) {
    if (lua_getfield(L, 2, "count") != LUA_TNIL) {
      if (!lua_isinteger(L, -1)) luaL_error(L, "net.ping: option count must be an integer");
      count = lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
  }
  luaL_argcheck(L, count >= 1 && count <= 1000, 2, "count must be 1..1000");
  req = net_req_new(L, host, "net.ping");
  rc = nh_ping_start(nhl_loop(L), &req->ping, host, (unsigned)count, interval, timeout, nhl_op_cb);
  if (rc < 0) {
    free(req);
    return raise_ping_error(L, host, rc);
  }
  return nhl_await(L, &req->ping.op, ping_k, (lua_KContext)req);
}

/* net.icmp([family]) -> "datagram" | "raw", or false and the message net.ping would raise:
 * whether pings can work here, asked once before a sweep rather than per host. */
static int nhl_net_icmp(lua_State *L) {
  static const char *const names[] = {"inet", "inet6", NULL};
  int family = luaL_checkoption(L, 1, "inet", names) == 0 ? AF_INET : AF_INET6;
  const char *kind = NULL;
  int rc = nh_ping_permitted(family, &kind);
  if (rc == 0) {
    lua_pushstring(L, kind);
    return 1;
  }
  lua_pushboolean(L, 0);
  if (rc == UV_EACCES || rc == UV_EPERM)
    lua_pushfstring(L, PERMISSION_MESSAGE, (int)getgid());
  else
    lua_pushfstring(L, "cannot open an ICMP socket: %s", nh_strerror(rc));
  return 2;
}

/* net.tcp_probe ------------------------------------------------------------------------- */

static int probe_k(lua_State *L, int status, lua_KContext ctx) {
  net_req_t *req = (net_req_t *)ctx;
  int rc = nhl_await_status(L);
  int state = nh_tcp_probe_state(&req->probe, rc);
  /* A deadline that passed before the name resolved says nothing about the port. */
  int unresolved = rc == NH_ETIMEDOUT && req->probe.addr.sa.ss_family == 0;
  char host[HOST_MAX];
  (void)status;
  if (unresolved) state = -1;
  memcpy(host, req->host, sizeof(host));
  if (state >= 0) {
    lua_createtable(L, 0, 6);
    nhl_set_boolean(L, "open", state == NH_PROBE_OPEN);
    nhl_set_string(L, "state", nh_probe_state_name(state));
    set_number(L, "rtt", (double)req->probe.elapsed_ns / 1e9);
    nhl_set_integer(L, "port", req->probe.port);
    set_addr(L, &req->probe.addr);
    if (state == NH_PROBE_UNREACHABLE && req->probe.connect_status) {
      nhl_set_string(L, "error", nh_strerror(req->probe.connect_status));
    }
  }
  free(req);
  nhl_check_interrupt(L);
  if (unresolved)
    return nhl_raise(L, "resolve", host, "net.tcp_probe", rc, "cannot resolve %s in time", host);
  if (rc == NH_ERESOLVE || state < 0) return raise_net_error(L, host, "net.tcp_probe", rc);
  return 1;
}

/* net.tcp_probe(addr, port [, {timeout = 2}]) */
static int nhl_net_tcp_probe(lua_State *L) {
  const char *host = check_host(L, 1, "net.tcp_probe");
  lua_Integer port = luaL_checkinteger(L, 2);
  uint64_t timeout;
  net_req_t *req;
  int rc;
  luaL_argcheck(L, port >= 1 && port <= 65535, 2, "port must be 1..65535");
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  timeout = opt_ms(L, 3, "timeout", 2.0, 0.001);
  req = net_req_new(L, host, "net.tcp_probe");
  rc = nh_tcp_probe_start(nhl_loop(L), &req->probe, host, (int)port, timeout, nhl_op_cb);
  if (rc < 0) {
    free(req);
    return raise_net_error(L, host, "net.tcp_probe", rc);
  }
  return nhl_await(L, &req->probe.op, probe_k, (lua_KContext)req);
}

/* net.resolve --------------------------------------------------------------------------- */

static int resolve_k(lua_State *L, int status, lua_KContext ctx) {
  net_req_t *req = (net_req_t *)ctx;
  int rc = nhl_await_status(L);
  char host[HOST_MAX];
  size_t i;
  (void)status;
  memcpy(host, req->host, sizeof(host));
  if (rc == 0) {
    lua_createtable(L, (int)req->resolve.count, 0);
    for (i = 0; i < req->resolve.count; i++) {
      char buf[64];
      if (nh_addr_format(&req->resolve.addrs[i], buf, sizeof(buf)) < 0) continue;
      lua_pushstring(L, buf);
      lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    }
  }
  nh_resolve_cleanup(&req->resolve);
  free(req);
  nhl_check_interrupt(L);
  if (rc < 0) return raise_net_error(L, host, "net.resolve", rc);
  return 1;
}

/* net.resolve(name [, {family = "inet"|"inet6", timeout = 5}]) -> {"addr", ...} */
static int nhl_net_resolve(lua_State *L) {
  const char *host = check_host(L, 1, "net.resolve");
  int family = AF_UNSPEC, rc;
  uint64_t timeout;
  net_req_t *req;
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  timeout = opt_ms(L, 2, "timeout", 5.0, 0.001);
  if (lua_istable(L, 2)) {
    if (lua_getfield(L, 2, "family") != LUA_TNIL) {
      const char *f = luaL_checkstring(L, -1);
      if (strcmp(f, "inet") == 0)
        family = AF_INET;
      else if (strcmp(f, "inet6") == 0)
        family = AF_INET6;
      else
        luaL_error(L, "net.resolve: family must be \"inet\" or \"inet6\", not \"%s\"", f);
    }
    lua_pop(L, 1);
  }
  req = net_req_new(L, host, "net.resolve");
  rc = nh_resolve_start(nhl_loop(L), &req->resolve, host, family, timeout, nhl_op_cb);
  if (rc < 0) {
    free(req);
    return nhl_raise(L, rc == NH_ERESOLVE ? "resolve" : NULL, host, "net.resolve", rc,
                     "cannot resolve %s: %s", host, nh_strerror(rc));
  }
  return nhl_await(L, &req->resolve.op, resolve_k, (lua_KContext)req);
}

/* net.hosts ----------------------------------------------------------------------------- */

/* Adds n (< 2^64) to the big-endian number of len bytes at a. */
static void addr_add(uint8_t *a, size_t len, uint64_t n) {
  size_t i = len;
  while (n && i-- > 0) {
    uint64_t sum = (uint64_t)a[i] + (n & 0xff);
    a[i] = (uint8_t)sum;
    n = (n >> 8) + (sum >> 8);
  }
}

/* net.hosts("10.0.0.0/24" [, {max = 65536}]) -> the usable host addresses, as Python's
 * ipaddress.hosts(): without the network and broadcast addresses of an IPv4 prefix shorter
 * than /31, without the subnet-router anycast address of an IPv6 prefix shorter than /127.
 * A plain address gives a list of itself. */
static int nhl_net_hosts(lua_State *L) {
  size_t len;
  const char *spec = luaL_checklstring(L, 1, &len);
  lua_Integer max = 65536;
  char addr[64];
  const char *slash = strchr(spec, '/');
  uint8_t base[16];
  int family, bits, prefix, i;
  size_t alen, host_bits;
  uint64_t total, first, n, k;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "max") != LUA_TNIL) max = luaL_checkinteger(L, -1);
    lua_pop(L, 1);
  }
  luaL_argcheck(L, max >= 1, 2, "max must be positive");
  if ((slash ? (size_t)(slash - spec) : len) >= sizeof(addr))
    return luaL_error(L, "net.hosts: \"%s\" is not an address or CIDR prefix", spec);
  memcpy(addr, spec, slash ? (size_t)(slash - spec) : len);
  addr[slash ? (size_t)(slash - spec) : len] = '\0';
  if (inet_pton(AF_INET, addr, base) == 1)
    family = AF_INET, bits = 32, alen = 4;
  else if (inet_pton(AF_INET6, addr, base) == 1)
    family = AF_INET6, bits = 128, alen = 16;
  else
    return luaL_error(L, "net.hosts: \"%s\" is not an address or CIDR prefix", spec);
  prefix = bits;
  if (slash) {
    char *end;
    long p = strtol(slash + 1, &end, 10);
    if (end == slash + 1 || *end || p < 0 || p > bits)
      return luaL_error(L, "net.hosts: bad prefix length in \"%s\" (0..%d)", spec, bits);
    prefix = (int)p;
  }
  /* Clear the host bits, as Python's strict=False does. */
  for (i = 0; i < bits; i++)
    if (i >= prefix) base[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
  host_bits = (size_t)(bits - prefix);
  if (host_bits >= 63)
    return luaL_error(L, "net.hosts: %s has more than %I addresses (option max)", spec, max);
  total = (uint64_t)1 << host_bits;
  first = 0;
  n = total;
  if (family == AF_INET && host_bits >= 2) first = 1, n = total - 2;
  if (family == AF_INET6 && host_bits >= 2) first = 1, n = total - 1;
  if (n > (uint64_t)max)
    return luaL_error(L, "net.hosts: %s has %I addresses, more than max = %I", spec, (lua_Integer)n,
                      max);
  lua_createtable(L, (int)n, 0);
  addr_add(base, alen, first);
  for (k = 0; k < n; k++) {
    char text[INET6_ADDRSTRLEN];
    inet_ntop(family, base, text, sizeof(text));
    lua_pushstring(L, text);
    lua_rawseti(L, -2, (lua_Integer)k + 1);
    addr_add(base, alen, 1);
  }
  (void)family;
  return 1;
}

/* net.family(addr) -> "inet" | "inet6" | nil: whether text is an address literal. */
static int nhl_net_family(lua_State *L) {
  nh_addr_t a;
  if (nh_addr_parse(luaL_checkstring(L, 1), 0, &a) < 0) return 0;
  lua_pushstring(L, a.sa.ss_family == AF_INET ? "inet" : "inet6");
  return 1;
}

int luaopen_nethost_net(lua_State *L) {
  static const luaL_Reg funcs[] = {
      NHL_FUNC(net, ping),  NHL_FUNC(net, tcp_probe), NHL_FUNC(net, resolve),
      NHL_FUNC(net, hosts), NHL_FUNC(net, family),    NHL_FUNC(net, icmp),
      {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
