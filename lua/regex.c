/* nethost Lua layer: the compiled-pattern object (see regex.h). */
#include "regex.h"
#include "error.h"

#define CACHE_KEY    NHL_REGEX_MT ".cache"
#define BORROWED_KEY NHL_REGEX_MT ".borrowed"

static int regex_gc(lua_State *L) {
  nhl_regex_t *re = luaL_checkudata(L, 1, NHL_REGEX_MT);
  if (re->md) pcre2_match_data_free(re->md);
  if (re->owned) nh_pattern_free((nh_pattern_t *)re->pattern);
  re->md = NULL;
  re->pattern = NULL;
  return 0;
}

static int regex_tostring(lua_State *L) {
  nhl_regex_t *re = luaL_checkudata(L, 1, NHL_REGEX_MT);
  lua_pushliteral(L, "regex ");
  lua_pushlstring(L, re->pattern->source, re->pattern->source_len);
  lua_concat(L, 2);
  return 1;
}

/* The metatable, created on first use; the re module adds the methods (__index). */
void nhl_regex_metatable(lua_State *L) {
  if (luaL_newmetatable(L, NHL_REGEX_MT)) {
    lua_pushcfunction(L, regex_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, regex_tostring);
    lua_setfield(L, -2, "__tostring");
  }
}

/* A weak-valued table in the registry at key (created on first use). */
static void push_weak(lua_State *L, const char *key) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "v");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, key);
}

static nhl_regex_t *push_new(lua_State *L, const nh_pattern_t *p, int owned) {
  nhl_regex_t *re = lua_newuserdatauv(L, sizeof(*re), 0);
  re->pattern = NULL;
  re->md = NULL;
  re->owned = 0;
  nhl_regex_metatable(L);
  lua_setmetatable(L, -2);
  re->pattern = p;
  re->owned = owned;
  if (!(re->md = pcre2_match_data_create_from_pattern(p->code, NULL)))
    luaL_error(L, "out of memory");
  return re;
}

nhl_regex_t *nhl_regex_test(lua_State *L, int idx) {
  return luaL_testudata(L, idx, NHL_REGEX_MT);
}

nhl_regex_t *nhl_regex_compile(lua_State *L, const char *src, size_t len, uint32_t flags,
                               const char *who) {
  nh_pattern_t *p;
  char why[240];
  int rc = nh_pattern_compile(src, len, flags, &p, why, sizeof(why));
  if (rc == NH_ENOMEM) luaL_error(L, "%s: out of memory", who);
  /* The pattern goes in quoted with %s: a NUL byte in it only shortens the message. */
  if (rc < 0) luaL_error(L, "%s: bad pattern '%s' %s", who, src, why);
  return push_new(L, p, 1);
}

/* Pushes the cache key of (flags, the pattern at pidx). The pattern goes in as the Lua string
 * it is: patterns may hold NUL bytes, and a key cut at the first one gave "a\0b" and "a\0c"
 * the same entry, so the second ran the first's regex. */
static void push_cache_key(lua_State *L, uint32_t flags, int pidx) {
  lua_pushfstring(L, "%d\x01", (int)flags);
  lua_pushvalue(L, pidx);
  lua_concat(L, 2);
}

nhl_regex_t *nhl_regex_get(lua_State *L, int idx, uint32_t flags, const char *who) {
  nhl_regex_t *re = nhl_regex_test(L, idx);
  size_t len;
  const char *src;
  if (re) return re;
  src = luaL_checklstring(L, idx, &len);
  idx = lua_absindex(L, idx);
  push_weak(L, CACHE_KEY);
  push_cache_key(L, flags | NH_PATTERN_UTF, idx);
  if (lua_rawget(L, -2) == LUA_TUSERDATA) {
    re = lua_touserdata(L, -1);
  } else {
    lua_pop(L, 1);
    re = nhl_regex_compile(L, src, len, flags, who);
    push_cache_key(L, flags | NH_PATTERN_UTF, idx);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
  }
  lua_replace(L, idx);
  lua_pop(L, 1);
  return re;
}

void nhl_regex_push_borrowed(lua_State *L, const nh_pattern_t *p) {
  push_weak(L, BORROWED_KEY);
  if (lua_rawgetp(L, -1, p) != LUA_TUSERDATA) {
    lua_pop(L, 1);
    push_new(L, p, 0);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, -3, p);
  }
  lua_remove(L, -2);
}
