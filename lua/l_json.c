/* nethost Lua layer: JSON (require "nethost.json", the global `json`).
 *
 * Decoding uses jansson (strict RFC 8259 parser, UTF-8 validated, line/column in errors) and
 * converts its tree to Lua. Encoding writes Lua values straight into a buffer: no
 * intermediate tree, shortest round-tripping float format, sorted keys and indentation on
 * request. See docs/http.md for the mapping (null, arrays vs objects, big integers).
 */
#include "runtime.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_MT  "nethost.json.array"
#define OBJECT_MT "nethost.json.object"
#define MAX_DEPTH 1000

/* json.null: a light userdata no other module produces. */
static const char null_sentinel = 0;
#define JSON_NULL ((void *)&null_sentinel)

/* Decoding */

static void push_value(lua_State *L, json_t *v, int ints_as_real, int depth);

static void push_value(lua_State *L, json_t *v, int ints_as_real, int depth) {
  luaL_checkstack(L, 4, "json.decode: document nested too deeply");
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    const char *key;
    size_t klen;
    json_t *item;
    lua_createtable(L, 0, (int)json_object_size(v));
    json_object_keylen_foreach(v, key, klen, item) {
      lua_pushlstring(L, key, klen);
      push_value(L, item, ints_as_real, depth + 1);
      lua_rawset(L, -3);
    }
    luaL_setmetatable(L, OBJECT_MT);
    break;
  }
  case JSON_ARRAY: {
    size_t i, n = json_array_size(v);
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
      push_value(L, json_array_get(v, i), ints_as_real, depth + 1);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    luaL_setmetatable(L, ARRAY_MT);
    break;
  }
  case JSON_STRING:
    lua_pushlstring(L, json_string_value(v), json_string_length(v));
    break;
  case JSON_INTEGER:
    lua_pushinteger(L, (lua_Integer)json_integer_value(v));
    break;
  case JSON_REAL: {
    double d = json_real_value(v);
    /* In the big-integer fallback every integer was read as a real: give back integers
     * where that is exact. */
    if (ints_as_real && d == floor(d) && fabs(d) <= 9007199254740992.0)
      lua_pushinteger(L, (lua_Integer)d);
    else
      lua_pushnumber(L, d);
    break;
  }
  case JSON_TRUE:
    lua_pushboolean(L, 1);
    break;
  case JSON_FALSE:
    lua_pushboolean(L, 0);
    break;
  default:
    lua_pushlightuserdata(L, JSON_NULL);
    break;
  }
}

/* decode(text) -> value; raises a "parse" error object with line, column and position. */
static int nhl_json_decode(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  json_error_t err;
  int flags = JSON_DECODE_ANY | JSON_ALLOW_NUL, ints_as_real = 0;
  json_t *root = json_loadb(s, len, flags, &err);
  /* jansson refuses integers beyond int64: read the document again with numbers as
   * doubles (documented: such integers lose precision). */
  if (!root && strstr(err.text, "too big")) {
    ints_as_real = 1;
    root = json_loadb(s, len, flags | JSON_DECODE_INT_AS_REAL, &err);
  }
  if (!root) {
    nhl_error_push(L, "parse", NULL, "json.decode", 0, "json: line %d column %d: %s", err.line,
                   err.column, err.text);
    lua_pushinteger(L, err.line);
    lua_setfield(L, -2, "line");
    lua_pushinteger(L, err.column);
    lua_setfield(L, -2, "column");
    lua_pushinteger(L, err.position);
    lua_setfield(L, -2, "position");
    return lua_error(L);
  }
  push_value(L, root, ints_as_real, 0);
  json_decref(root);
  return 1;
}

/* Encoding */

/* The output buffer is a userdata at a fixed stack slot (replaced when it grows), so an
 * error raised half-way leaks nothing and the encoder may use the stack freely in between
 * (a luaL_Buffer forbids that). */
typedef struct {
  lua_State *L;
  char *p;
  size_t len, cap;
  int slot;
  int indent; /* spaces per level; 0: compact */
  int sort_keys;
  int ascii; /* escape non-ASCII as \uXXXX */
  int depth;
} enc_t;

static void buf_grow(enc_t *e, size_t need) {
  size_t ncap = e->cap * 2;
  char *np;
  if (ncap < e->len + need) ncap = e->len + need + 64;
  np = lua_newuserdatauv(e->L, ncap, 0);
  memcpy(np, e->p, e->len);
  lua_replace(e->L, e->slot);
  e->p = np;
  e->cap = ncap;
}

static inline void buf_add(enc_t *e, const char *s, size_t n) {
  if (e->len + n > e->cap) buf_grow(e, n);
  memcpy(e->p + e->len, s, n);
  e->len += n;
}

static inline void buf_addc(enc_t *e, char c) {
  if (e->len + 1 > e->cap) buf_grow(e, 1);
  e->p[e->len++] = c;
}

static int enc_error(lua_State *L, const char *fmt, const char *detail) {
  return luaL_error(L, fmt, detail);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF), and its code point; 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t left, unsigned long *cp) {
  unsigned char c = s[0];
  size_t n, i;
  unsigned long v;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF)
    n = 2, v = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3, v = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4, v = c & 0x07;
  else
    return 0;
  if (left < n) return 0;
  for (i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if ((n == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
      (n == 4 && (v < 0x10000 || v > 0x10FFFF)))
    return 0;
  *cp = v;
  return n;
}

static void add_u(enc_t *e, unsigned long u) {
  static const char hex[] = "0123456789abcdef";
  char tmp[6] = {'\\',       'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15], hex[(u >> 4) & 15],
                 hex[u & 15]};
  buf_add(e, tmp, 6);
}

static void enc_string(lua_State *L, enc_t *e, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, run = 0;
  buf_addc(e, '"');
  while (i < len) {
    unsigned char c = p[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      i++;
      run++;
      continue;
    }
    if (run) buf_add(e, (const char *)p + i - run, run);
    run = 0;
    if (c >= 0x80) {
      unsigned long cp = 0;
      size_t n = utf8_seq(p + i, len - i, &cp);
      if (!n) {
        char where[32];
        snprintf(where, sizeof(where), "%zu", i + 1);
        enc_error(L, "json.encode: invalid UTF-8 in a string (byte %s)", where);
      }
      if (e->ascii) {
        if (cp >= 0x10000) {
          cp -= 0x10000;
          add_u(e, 0xD800 | (cp >> 10));
          add_u(e, 0xDC00 | (cp & 0x3FF));
        } else {
          add_u(e, cp);
        }
      } else {
        buf_add(e, (const char *)p + i, n);
      }
      i += n;
      continue;
    }
    switch (c) {
    case '"':
      buf_add(e, "\\\"", 2);
      break;
    case '\\':
      buf_add(e, "\\\\", 2);
      break;
    case '\n':
      buf_add(e, "\\n", 2);
      break;
    case '\r':
      buf_add(e, "\\r", 2);
      break;
    case '\t':
      buf_add(e, "\\t", 2);
      break;
    case '\b':
      buf_add(e, "\\b", 2);
      break;
    case '\f':
      buf_add(e, "\\f", 2);
      break;
    default:
      add_u(e, c);
      break;
    }
    i++;
  }
  if (run) buf_add(e, (const char *)p + i - run, run);
  buf_addc(e, '"');
}

static void enc_number(lua_State *L, enc_t *e, int idx) {
  char tmp[40];
  int n;
  if (lua_isinteger(L, idx)) {
    n = snprintf(tmp, sizeof(tmp), LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(L, idx));
  } else {
    double d = lua_tonumber(L, idx);
    int prec;
    if (isnan(d) || isinf(d))
      enc_error(L, "json.encode: %s cannot be represented in JSON", isnan(d) ? "NaN" : "infinity");
    /* The shortest of %.15g/%.16g/%.17g that reads back as the same double. */
    for (prec = 15; prec <= 17; prec++) {
      n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
      if (strtod(tmp, NULL) == d) break;
    }
    /* Keep it a float on the way back: 1.0, not 1. */
    if (!strpbrk(tmp, ".eEn")) {
      tmp[n++] = '.';
      tmp[n++] = '0';
      tmp[n] = '\0';
    }
  }
  buf_add(e, tmp, (size_t)n);
}

static void enc_newline(enc_t *e) {
  int i;
  if (!e->indent) return;
  buf_addc(e, '\n');
  for (i = 0; i < e->depth * e->indent; i++) buf_addc(e, ' ');
}

static void enc_value(lua_State *L, enc_t *e, int idx);

/* What a table is: 1 array of n items, 0 object. */
static int classify(lua_State *L, int idx, lua_Integer *n) {
  int has_mt = 0, is_array_mt = 0, is_object_mt = 0;
  lua_Integer count = 0, max = 0;
  if (lua_getmetatable(L, idx)) {
    has_mt = 1;
    luaL_getmetatable(L, ARRAY_MT);
    is_array_mt = lua_rawequal(L, -1, -2);
    luaL_getmetatable(L, OBJECT_MT);
    is_object_mt = lua_rawequal(L, -1, -3);
    lua_pop(L, 3);
  }
  (void)has_mt;
  if (is_object_mt) return 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
      lua_Integer k = lua_tointeger(L, -1);
      if (k > max) max = k;
      count++;
    } else {
      if (is_array_mt) enc_error(L, "json.encode: %s", "a json.array has a non-integer key");
      lua_pop(L, 1);
      return 0; /* any other key: an object */
    }
  }
  if (is_array_mt) {
    *n = max;
    return 1;
  }
  if (count == 0) return 0; /* {} : see docs (json.array() for []) */
  if (max != count) {
    /* Sparse: encode as an array with nulls only when mostly dense. */
    if (max > count * 2 + 10)
      enc_error(L, "json.encode: %s",
                "sparse array (use json.object or fill holes with json.null)");
  }
  *n = max;
  return 1;
}

static int key_cmp(const void *a, const void *b) {
  const char *const *x = a, *const *y = b;
  return strcmp(*x, *y);
}

static void enc_key(lua_State *L, enc_t *e, int kidx) {
  if (lua_type(L, kidx) == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, kidx, &len);
    enc_string(L, e, s, len);
  } else if (lua_type(L, kidx) == LUA_TNUMBER) {
    /* Numeric keys become strings, as JSON requires ({[1] = x} as an object: {"1": x}). */
    lua_pushvalue(L, kidx);
    {
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      enc_string(L, e, s, len);
    }
    lua_pop(L, 1);
  } else {
    enc_error(L, "json.encode: a table key of type %s cannot be a JSON key",
              luaL_typename(L, kidx));
  }
  buf_addc(e, ':');
  if (e->indent) buf_addc(e, ' ');
}

static void enc_table(lua_State *L, enc_t *e, int idx) {
  lua_Integer n, i;
  int first = 1;
  if (e->depth >= MAX_DEPTH) enc_error(L, "json.encode: %s", "tables nested too deeply (a cycle?)");
  luaL_checkstack(L, 8, "json.encode: nested too deeply");
  if (classify(L, idx, &n)) {
    buf_addc(e, '[');
    e->depth++;
    for (i = 1; i <= n; i++) {
      if (!first) buf_addc(e, ',');
      first = 0;
      enc_newline(e);
      lua_rawgeti(L, idx, i);
      enc_value(L, e, lua_gettop(L));
      lua_pop(L, 1);
    }
    e->depth--;
    if (!first) enc_newline(e);
    buf_addc(e, ']');
    return;
  }
  buf_addc(e, '{');
  e->depth++;
  if (e->sort_keys) {
    /* ktab maps each key's string form to the key itself (anchoring the strings), then the
     * string forms are sorted bytewise. */
    size_t count = 0, k;
    const char **keys;
    int ktab;
    lua_newtable(L);
    ktab = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pop(L, 1);
      if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
        enc_error(L, "json.encode: a table key of type %s cannot be a JSON key",
                  luaL_typename(L, -1));
      lua_pushvalue(L, -1);
      lua_tostring(L, -1); /* converts the copy, not the key lua_next needs */
      lua_pushvalue(L, -2);
      lua_rawset(L, ktab);
      count++;
    }
    keys = lua_newuserdatauv(L, count * sizeof(*keys) + 1, 0);
    k = 0;
    lua_pushnil(L);
    while (lua_next(L, ktab) && k < count) {
      lua_pop(L, 1);
      keys[k++] = lua_tostring(L, -1);
    }
    count = k;
    qsort(keys, count, sizeof(*keys), key_cmp);
    for (k = 0; k < count; k++) {
      if (!first) buf_addc(e, ',');
      first = 0;
      enc_newline(e);
      lua_getfield(L, ktab, keys[k]);
      enc_key(L, e, lua_gettop(L));
      lua_rawget(L, idx);
      enc_value(L, e, lua_gettop(L));
      lua_pop(L, 1);
    }
    lua_pop(L, 2);
  } else {
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      if (!first) buf_addc(e, ',');
      first = 0;
      enc_newline(e);
      enc_key(L, e, lua_gettop(L) - 1);
      enc_value(L, e, lua_gettop(L));
      lua_pop(L, 1);
    }
  }
  e->depth--;
  if (!first) enc_newline(e);
  buf_addc(e, '}');
}

static void enc_value(lua_State *L, enc_t *e, int idx) {
  switch (lua_type(L, idx)) {
  case LUA_TNIL:
    buf_add(e, "null", 4);
    break;
  case LUA_TBOOLEAN:
    if (lua_toboolean(L, idx))
      buf_add(e, "true", 4);
    else
      buf_add(e, "false", 5);
    break;
  case LUA_TNUMBER:
    enc_number(L, e, idx);
    break;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    enc_string(L, e, s, len);
    break;
  }
  case LUA_TTABLE:
    enc_table(L, e, idx);
    break;
  case LUA_TLIGHTUSERDATA:
    if (lua_touserdata(L, idx) == JSON_NULL) {
      buf_add(e, "null", 4);
      break;
    }
    /* fallthrough */
  default:
    enc_error(L, "json.encode: a %s cannot be encoded", luaL_typename(L, idx));
  }
}

/* encode(value [, {indent = n | pretty = true, sort_keys = true, ascii = true}]) -> string */
static int nhl_json_encode(lua_State *L) {
  enc_t e;
  memset(&e, 0, sizeof(e));
  luaL_checkany(L, 1);
  if (lua_istable(L, 2)) {
    if (lua_getfield(L, 2, "indent") == LUA_TNUMBER)
      e.indent = (int)lua_tointeger(L, -1);
    else if (lua_toboolean(L, -1))
      e.indent = 2;
    lua_pop(L, 1);
    if (lua_getfield(L, 2, "pretty") != LUA_TNIL && lua_toboolean(L, -1) && !e.indent) e.indent = 2;
    lua_pop(L, 1);
    lua_getfield(L, 2, "sort_keys");
    e.sort_keys = lua_toboolean(L, -1);
    lua_getfield(L, 2, "ascii");
    e.ascii = lua_toboolean(L, -1);
    lua_pop(L, 2);
    if (e.indent < 0 || e.indent > 16) return luaL_error(L, "json.encode: indent must be 0..16");
  }
  lua_settop(L, 1);
  e.L = L;
  e.cap = 256;
  e.p = lua_newuserdatauv(L, e.cap, 0);
  e.slot = lua_gettop(L);
  enc_value(L, &e, 1);
  lua_pushlstring(L, e.p, e.len);
  return 1;
}

/* array(t) / object(t): mark t (default a new table) so it encodes as [] / {} even when
 * empty. Returns t. */
static int mark(lua_State *L, const char *mt) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  luaL_setmetatable(L, mt);
  return 1;
}

static int nhl_json_array(lua_State *L) {
  return mark(L, ARRAY_MT);
}

static int nhl_json_object(lua_State *L) {
  return mark(L, OBJECT_MT);
}

/* is_array(t): whether t is marked as an array (decoded from [...] or made by json.array). */
static int nhl_json_is_array(lua_State *L) {
  int is = 0;
  if (lua_getmetatable(L, 1)) {
    luaL_getmetatable(L, ARRAY_MT);
    is = lua_rawequal(L, -1, -2);
  }
  lua_pushboolean(L, is);
  return 1;
}

int luaopen_nethost_json(lua_State *L) {
  static const luaL_Reg funcs[] = {{"encode", nhl_json_encode},     {"decode", nhl_json_decode},
                                   {"array", nhl_json_array},       {"object", nhl_json_object},
                                   {"is_array", nhl_json_is_array}, {NULL, NULL}};
  luaL_newmetatable(L, ARRAY_MT);
  lua_pushliteral(L, "json.array");
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);
  luaL_newmetatable(L, OBJECT_MT);
  lua_pushliteral(L, "json.object");
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);
  luaL_newlib(L, funcs);
  lua_pushlightuserdata(L, JSON_NULL);
  lua_setfield(L, -2, "null");
  return 1;
}
