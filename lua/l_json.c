/* nethost Lua layer: JSON (require "nethost.json", the global `json`).
 *
 * Both directions work in one pass without an intermediate tree: decoding builds Lua
 * values straight from the text (strict RFC 8259, UTF-8 validated, line/column in errors);
 * encoding writes Lua values straight into a buffer (shortest round-tripping floats, sorted
 * keys and indentation on request). Why not jansson: docs/http.md. See docs/http.md for the mapping
 * (null, arrays vs objects, big integers).
 */
#include "class.h"
#include "fields.h"
#include "lvalue.h"
#include "runtime.h"
#include "utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The metatables' registry keys are their __name too: messages name the types as playbooks
 * know them. */
#define ARRAY_MT  "json.array"
#define OBJECT_MT "json.object"
#define MAX_DEPTH 1000

/* json.null: the NULL light userdata, the one null every module pushes (lvalue.c's
 * nhl_null for parser results, textfsm's missing List items), so whatever a parser
 * returns encodes to JSON. */
#define JSON_NULL NULL

/* JSON's two-character escapes: the letter after the backslash and the byte it stands for.
 * Both directions use them ("\/" is only ever decoded: the encoder writes '/' as it is). */
static const char esc_letter[] = "\"\\/bfnrt";
static const char esc_byte[] = "\"\\/\b\f\n\r\t";

/* Decoding: one pass over the text straight into Lua values (RFC 8259, strict). */

typedef struct {
  lua_State *L;
  const char *start, *p, *end;
  int depth;
  int array_mt, object_mt; /* stack slots of the two metatables */
  int order;               /* stack slot of the key-order table (lvalue.h), 0: not recorded */
} dec_t;

/* Raises a "parse" error object naming line and column (in bytes, 1-based) of at. */
static int dec_fail(dec_t *d, const char *at, const char *what) {
  lua_State *L = d->L;
  const char *q, *line_start = d->start;
  int line = 1;
  if (at > d->end) at = d->end;
  for (q = d->start; q < at; q++)
    if (*q == '\n') {
      line++;
      line_start = q + 1;
    }
  nhl_error_push(L, "parse", NULL, "json.decode", 0, "json: line %d column %d: %s", line,
                 (int)(at - line_start) + 1, what);
  nhl_set_integer(L, "line", line);
  nhl_set_integer(L, "column", (lua_Integer)(at - line_start) + 1);
  nhl_set_integer(L, "position", (lua_Integer)(at - d->start));
  return lua_error(L);
}

static void dec_unexpected(dec_t *d, const char *expected) {
  char msg[96];
  if (d->p >= d->end) {
    snprintf(msg, sizeof(msg), "unexpected end of input (expected %s)", expected);
  } else {
    unsigned char c = (unsigned char)*d->p;
    if (c >= 0x20 && c < 0x7f)
      snprintf(msg, sizeof(msg), "unexpected '%c' (expected %s)", c, expected);
    else
      snprintf(msg, sizeof(msg), "unexpected byte 0x%02x (expected %s)", c, expected);
  }
  dec_fail(d, d->p, msg);
}

static inline void skip_ws(dec_t *d) {
  while (d->p < d->end && (*d->p == ' ' || *d->p == '\n' || *d->p == '\r' || *d->p == '\t')) d->p++;
}

static unsigned hex4(dec_t *d, const char *q) {
  unsigned v = 0;
  int i;
  if (d->end - q < 4) dec_fail(d, q, "truncated \\u escape");
  for (i = 0; i < 4; i++) {
    char c = q[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      dec_fail(d, q + i, "invalid hex digit in \\u escape");
  }
  return v;
}

static size_t put_utf8(char *out, unsigned long cp) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* The length of the UTF-8 sequence at q inside a string; raises when it is not valid. */
static size_t dec_utf8(dec_t *d, const unsigned char *q) {
  size_t n = nh_utf8_decode(q, (size_t)((const unsigned char *)d->end - q), NULL);
  if (!n) dec_fail(d, (const char *)q, "invalid UTF-8 in a string");
  return n;
}

/* d->p is just past the opening quote. Pushes the string. */
static void dec_string(dec_t *d) {
  const unsigned char *q = (const unsigned char *)d->p, *end = (const unsigned char *)d->end;
  const unsigned char *s = q;
  char *buf, *o;
  /* Fast path: no escapes. */
  for (;;) {
    if (q >= end) dec_fail(d, d->end, "unterminated string");
    if (*q == '"') {
      lua_pushlstring(d->L, (const char *)s, (size_t)(q - s));
      d->p = (const char *)q + 1;
      return;
    }
    if (*q == '\\') break;
    if (*q < 0x20) dec_fail(d, (const char *)q, "control character in a string (escape it)");
    q += *q >= 0x80 ? dec_utf8(d, q) : 1;
  }
  /* Escapes: the decoded string is never longer than its source text. */
  {
    const unsigned char *close = q;
    while (close < end && *close != '"') close += *close == '\\' ? 2 : 1;
    if (close >= end) dec_fail(d, d->end, "unterminated string");
    buf = lua_newuserdatauv(d->L, (size_t)(close - s) + 4, 0);
  }
  memcpy(buf, s, (size_t)(q - s));
  o = buf + (q - s);
  for (;;) {
    unsigned char c;
    const char *esc;
    if (q >= end) dec_fail(d, d->end, "unterminated string");
    c = *q;
    if (c == '"') break;
    if (c == '\\') {
      if (q + 1 >= end) dec_fail(d, d->end, "unterminated string");
      if (q[1] == 'u') {
        unsigned long cp = hex4(d, (const char *)q + 2);
        q += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned long lo;
          if (end - q < 6 || q[0] != '\\' || q[1] != 'u')
            dec_fail(d, (const char *)q - 6, "lone surrogate in \\u escape");
          lo = hex4(d, (const char *)q + 2);
          if (lo < 0xDC00 || lo > 0xDFFF) dec_fail(d, (const char *)q, "invalid low surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          q += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          dec_fail(d, (const char *)q - 6, "lone surrogate in \\u escape");
        }
        o += put_utf8(o, cp);
        continue;
      }
      esc = memchr(esc_letter, q[1], sizeof(esc_letter) - 1);
      if (!esc) dec_fail(d, (const char *)q, "invalid escape in a string");
      *o++ = esc_byte[esc - esc_letter];
      q += 2;
      continue;
    }
    if (c < 0x20) dec_fail(d, (const char *)q, "control character in a string (escape it)");
    if (c >= 0x80) {
      size_t n = dec_utf8(d, q);
      memcpy(o, q, n);
      o += n;
      q += n;
    } else {
      *o++ = (char)c;
      q++;
    }
  }
  lua_pushlstring(d->L, buf, (size_t)(o - buf));
  lua_remove(d->L, -2); /* the scratch buffer */
  d->p = (const char *)q + 1;
}

/* Integers that fit int64 stay integers; anything else (fraction, exponent, beyond int64)
 * is a float. */
static void dec_number(dec_t *d) {
  const char *s = d->p, *q = d->p, *end = d->end;
  int neg = 0, is_int = 1;
  uint64_t acc = 0;
  int overflow = 0;
  if (*q == '-') {
    neg = 1;
    q++;
  }
  if (q >= end || *q < '0' || *q > '9') {
    d->p = q;
    dec_unexpected(d, "a digit");
  }
  if (*q == '0') {
    q++;
    if (q < end && *q >= '0' && *q <= '9') dec_fail(d, q, "leading zeros are not allowed");
  } else {
    while (q < end && *q >= '0' && *q <= '9') {
      unsigned digit = (unsigned)(*q - '0');
      if (acc > (UINT64_MAX - digit) / 10)
        overflow = 1;
      else
        acc = acc * 10 + digit;
      q++;
    }
  }
  if (q < end && *q == '.') {
    is_int = 0;
    q++;
    if (q >= end || *q < '0' || *q > '9') {
      d->p = q;
      dec_unexpected(d, "a digit after '.'");
    }
    while (q < end && *q >= '0' && *q <= '9') q++;
  }
  if (q < end && (*q == 'e' || *q == 'E')) {
    is_int = 0;
    q++;
    if (q < end && (*q == '+' || *q == '-')) q++;
    if (q >= end || *q < '0' || *q > '9') {
      d->p = q;
      dec_unexpected(d, "a digit in the exponent");
    }
    while (q < end && *q >= '0' && *q <= '9') q++;
  }
  d->p = q;
  if (is_int && !overflow) {
    if (!neg && acc <= (uint64_t)LUA_MAXINTEGER) {
      lua_pushinteger(d->L, (lua_Integer)acc);
      return;
    }
    if (neg && acc <= (uint64_t)LUA_MAXINTEGER + 1) {
      lua_pushinteger(d->L, (lua_Integer)(0 - acc));
      return;
    }
  }
  {
    char tmp[64];
    size_t len = (size_t)(q - s);
    double v;
    if (len < sizeof(tmp)) {
      memcpy(tmp, s, len);
      tmp[len] = '\0';
      v = strtod(tmp, NULL);
    } else {
      lua_pushlstring(d->L, s, len);
      v = strtod(lua_tostring(d->L, -1), NULL);
      lua_pop(d->L, 1);
    }
    if (isinf(v)) dec_fail(d, s, "number out of range");
    lua_pushnumber(d->L, v);
  }
}

static void dec_value(dec_t *d);

static void dec_literal(dec_t *d, const char *word, size_t len) {
  if ((size_t)(d->end - d->p) < len || memcmp(d->p, word, len) != 0) dec_unexpected(d, "a value");
  d->p += len;
}

/* Skips white space, then c when it comes next; returns whether it did. */
static int dec_accept(dec_t *d, char c) {
  skip_ws(d);
  if (d->p < d->end && *d->p == c) {
    d->p++;
    return 1;
  }
  return 0;
}

/* Skips white space and c, which must come next (else "unexpected ... (expected what)"). */
static void dec_expect(dec_t *d, char c, const char *what) {
  if (!dec_accept(d, c)) dec_unexpected(d, what);
}

/* After a member or an item: 1 when a ',' follows, 0 at the closing bracket close. */
static int dec_more(dec_t *d, char close, const char *what) {
  if (dec_accept(d, ',')) return 1;
  dec_expect(d, close, what);
  return 0;
}

/* Opens the object or array whose bracket is at d->p: one level deeper, its table pushed
 * (narr and nrec preallocated), and slots free on the stack for its members. */
static void dec_open(dec_t *d, int slots, int narr, int nrec) {
  if (++d->depth > MAX_DEPTH) dec_fail(d, d->p, "nested too deeply");
  luaL_checkstack(d->L, slots, "json.decode: nested too deeply");
  d->p++;
  lua_createtable(d->L, narr, nrec);
}

/* Closes the object or array on top: gives it the metatable at stack slot mt. */
static void dec_close(dec_t *d, int mt) {
  lua_pushvalue(d->L, mt);
  lua_setmetatable(d->L, -2);
  d->depth--;
}

static void dec_value(dec_t *d) {
  lua_State *L = d->L;
  skip_ws(d);
  if (d->p >= d->end) dec_unexpected(d, "a value");
  switch (*d->p) {
  case '{': {
    dec_open(d, 5, 0, 4);
    if (!dec_accept(d, '}')) {
      lua_Integer nkeys = 0;
      /* With {ordered = true}, the keys in document order, for templates (Python keeps
       * it): an array below the object's members, recorded in the key-order table when
       * there are two or more. Optional: it costs about a third of the decoding speed. */
      int obj = d->order ? -4 : -3;
      if (d->order) lua_createtable(L, 4, 0);
      do {
        dec_expect(d, '"', "a string key");
        dec_string(d);
        if (d->order) {
          lua_pushvalue(L, -1);
          lua_rawseti(L, -3, ++nkeys);
        }
        dec_expect(d, ':', "':'");
        dec_value(d);
        lua_rawset(L, obj);
      } while (dec_more(d, '}', "',' or '}'"));
      if (nkeys >= 2) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, d->order);
      } else if (d->order) {
        lua_pop(L, 1);
      }
    }
    dec_close(d, d->object_mt);
    return;
  }
  case '[': {
    lua_Integer i = 0;
    dec_open(d, 4, 4, 0);
    if (!dec_accept(d, ']')) {
      do {
        dec_value(d);
        lua_rawseti(L, -2, ++i);
      } while (dec_more(d, ']', "',' or ']'"));
    }
    dec_close(d, d->array_mt);
    return;
  }
  case '"':
    d->p++;
    dec_string(d);
    return;
  case 't':
    dec_literal(d, "true", 4);
    lua_pushboolean(L, 1);
    return;
  case 'f':
    dec_literal(d, "false", 5);
    lua_pushboolean(L, 0);
    return;
  case 'n':
    dec_literal(d, "null", 4);
    lua_pushlightuserdata(L, JSON_NULL);
    return;
  default:
    if (*d->p == '-' || (*d->p >= '0' && *d->p <= '9')) {
      dec_number(d);
      return;
    }
    dec_unexpected(d, "a value");
  }
}

/* decode(text [, {ordered = true}]) -> value; raises a "parse" error object with line, column
 * and position. ordered records the order of object keys (nethost.keyorder) for templates. */
static int nhl_json_decode(lua_State *L) {
  size_t len;
  dec_t d;
  d.start = d.p = luaL_checklstring(L, 1, &len);
  d.end = d.start + len;
  d.L = L;
  d.depth = 0;
  d.order = 0;
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_getfield(L, 2, "ordered");
    d.order = lua_toboolean(L, -1);
  } else {
    luaL_argexpected(L, lua_isnoneornil(L, 2), 2, "table of options");
  }
  lua_settop(L, 1);
  luaL_getmetatable(L, ARRAY_MT);
  d.array_mt = lua_gettop(L);
  luaL_getmetatable(L, OBJECT_MT);
  d.object_mt = lua_gettop(L);
  if (d.order) {
    nhl_keyorder_push(L);
    d.order = lua_gettop(L);
  }
  dec_value(&d);
  skip_ws(&d);
  if (d.p < d.end) dec_fail(&d, d.p, "unexpected data after the document");
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

static void add_u(enc_t *e, unsigned long u) {
  static const char hex[] = "0123456789abcdef";
  char tmp[6] = {'\\',       'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15], hex[(u >> 4) & 15],
                 hex[u & 15]};
  buf_add(e, tmp, 6);
}

static void enc_string(lua_State *L, enc_t *e, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  const char *esc;
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
      size_t n = nh_utf8_decode(p + i, len - i, &cp);
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
    /* A quote, a backslash or a control character: its short escape, or \u00XX. */
    if ((esc = memchr(esc_byte, c, sizeof(esc_byte) - 1)) != NULL) {
      char two[2] = {'\\', esc_letter[esc - esc_byte]};
      buf_add(e, two, 2);
    } else {
      add_u(e, c);
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
  int is_array_mt = nhl_is_class(L, idx, ARRAY_MT);
  lua_Integer count = 0, max = 0;
  if (nhl_is_class(L, idx, OBJECT_MT)) return 0;
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

typedef struct {
  const char *s;
  size_t len;
} key_t_;

/* Bytewise order; keys may hold NUL bytes. */
static int key_cmp(const void *a, const void *b) {
  const key_t_ *x = a, *y = b;
  int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
  return c ? c : (x->len > y->len) - (x->len < y->len);
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
    key_t_ *keys;
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
      keys[k].s = lua_tolstring(L, -1, &keys[k].len);
      k++;
    }
    count = k;
    qsort(keys, count, sizeof(*keys), key_cmp);
    for (k = 0; k < count; k++) {
      if (!first) buf_addc(e, ',');
      first = 0;
      enc_newline(e);
      lua_pushlstring(L, keys[k].s, keys[k].len);
      lua_rawget(L, ktab);
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
    if (lua_getfield(L, 2, "indent") == LUA_TNUMBER) {
      /* Range-checked before the cast: (int)4294967298 is 2. */
      lua_Integer indent = lua_tointeger(L, -1);
      e.indent = indent >= 0 && indent <= 16 ? (int)indent : -1;
    } else if (lua_toboolean(L, -1))
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
  lua_pushboolean(L, nhl_is_class(L, 1, ARRAY_MT));
  return 1;
}

int luaopen_nethost_json(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(json, encode),   NHL_FUNC(json, decode),
                                   NHL_FUNC(json, array),    NHL_FUNC(json, object),
                                   NHL_FUNC(json, is_array), {NULL, NULL}};
  nhl_class(L, ARRAY_MT, NULL, NULL);
  nhl_class(L, OBJECT_MT, NULL, NULL);
  luaL_newlib(L, funcs);
  lua_pushlightuserdata(L, JSON_NULL);
  lua_setfield(L, -2, "null");
  return 1;
}
