/* nethost Lua layer: the `re` module — PCRE2 regular expressions for playbooks, the syntax
 * engineers know from every other tool (Lua patterns have no alternation or counted
 * repetition).
 *
 *   re.match(s, pattern [, flags [, init]]) -> captures (or the whole match), or nil
 *   re.find(s, pattern [, flags [, init]])  -> start, end, captures..., or nil
 *   re.test(s, pattern [, flags])           -> boolean
 *   for a, b in re.gmatch(s, pattern [, flags]) do ... end
 *   re.gsub(s, pattern, replacement [, flags]) -> string, count ($1, ${name} in replacement)
 *   re.split(s, pattern [, flags])          -> list of pieces
 *   re.compile(pattern [, flags]) -> regex with the same methods (regex:match(s), ...)
 * flags: a string of i (caseless), m (multiline), s (dotall), x (extended).
 * Named groups come back as a table field too: re.match(s, "(?<ver>\\d+)").ver. */
#include "class.h"
#include "runtime.h"
#include "regex.h"

#include <string.h>

static uint32_t parse_flags(lua_State *L, int idx) {
  const char *f = luaL_optstring(L, idx, "");
  uint32_t opts = NH_PATTERN_UTF;
  for (; *f; f++) {
    switch (*f) {
    case 'i':
      opts |= PCRE2_CASELESS;
      break;
    case 'm':
      opts |= PCRE2_MULTILINE;
      break;
    case 's':
      opts |= PCRE2_DOTALL;
      break;
    case 'x':
      opts |= PCRE2_EXTENDED;
      break;
    default:
      luaL_argerror(L, idx, lua_pushfstring(L, "unknown flag '%c'", *f));
    }
  }
  return opts;
}

/* The regex at idx: a compiled one, or a pattern string compiled once (see regex.h). */
static nhl_regex_t *get_regex(lua_State *L, int idx, int flags_idx) {
  if (nhl_regex_test(L, idx)) return nhl_regex_test(L, idx);
  luaL_checkstring(L, idx);
  return nhl_regex_get(L, idx, flags_idx ? parse_flags(L, flags_idx) : NH_PATTERN_UTF, "re");
}

/* Runs re on s from byte offset start; returns the match count (>0) or 0 for no match. */
static int exec(lua_State *L, nhl_regex_t *re, const char *s, size_t len, size_t start) {
  int rc = pcre2_match(re->pattern->code, (PCRE2_SPTR)s, len, start, 0, re->md, NULL);
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc < 0) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof(msg));
    return luaL_error(L, "re: match failed: %s", (const char *)msg);
  }
  return rc;
}

static void push_group(lua_State *L, const char *s, PCRE2_SIZE *ov, uint32_t i) {
  if (ov[2 * i] == PCRE2_UNSET)
    lua_pushboolean(L, 0); /* an optional group that did not take part */
  else
    lua_pushlstring(L, s + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
}

/* Pushes the captures (or the whole match) of the last exec; returns how many. */
static int push_captures(lua_State *L, nhl_regex_t *re, const char *s, int whole_if_none) {
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
  uint32_t i;
  if (re->pattern->ncaptures == 0) {
    if (!whole_if_none) return 0;
    push_group(L, s, ov, 0);
    return 1;
  }
  luaL_checkstack(L, (int)re->pattern->ncaptures + 1, "too many captures");
  for (i = 1; i <= re->pattern->ncaptures; i++) push_group(L, s, ov, i);
  return (int)re->pattern->ncaptures;
}

/* With named groups, match returns one table: positional and named captures. */
static int push_named(lua_State *L, nhl_regex_t *re, const char *s) {
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
  PCRE2_SPTR table, entry;
  uint32_t entry_size, i;
  lua_createtable(L, (int)re->pattern->ncaptures, (int)re->pattern->nnames);
  for (i = 1; i <= re->pattern->ncaptures; i++) {
    push_group(L, s, ov, i);
    lua_rawseti(L, -2, i);
  }
  pcre2_pattern_info(re->pattern->code, PCRE2_INFO_NAMETABLE, &table);
  pcre2_pattern_info(re->pattern->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  for (i = 0, entry = table; i < re->pattern->nnames; i++, entry += entry_size) {
    uint32_t n = ((uint32_t)entry[0] << 8) | entry[1];
    push_group(L, s, ov, n);
    lua_setfield(L, -2, (const char *)entry + 2);
  }
  return 1;
}

static size_t check_init(lua_State *L, int idx, size_t len) {
  lua_Integer init = luaL_optinteger(L, idx, 1);
  if (init < 0) init = (lua_Integer)len + init + 1;
  if (init < 1) init = 1;
  if ((size_t)init > len + 1) return len + 1;
  return (size_t)init - 1;
}

static int nhl_re_match(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  nhl_regex_t *re = get_regex(L, 2, 3);
  size_t start = check_init(L, 4, len);
  if (start > len || !exec(L, re, s, len, start)) return 0;
  if (re->pattern->nnames) return push_named(L, re, s);
  return push_captures(L, re, s, 1);
}

static int nhl_re_find(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  nhl_regex_t *re = get_regex(L, 2, 3);
  size_t start = check_init(L, 4, len);
  PCRE2_SIZE *ov;
  if (start > len || !exec(L, re, s, len, start)) return 0;
  ov = pcre2_get_ovector_pointer(re->md);
  lua_pushinteger(L, (lua_Integer)ov[0] + 1);
  lua_pushinteger(L, (lua_Integer)ov[1]);
  return 2 + push_captures(L, re, s, 0);
}

static int nhl_re_test(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  nhl_regex_t *re = get_regex(L, 2, 3);
  lua_pushboolean(L, exec(L, re, s, len, 0) > 0);
  return 1;
}

/* gmatch state in upvalues: subject, regex, next offset. */
static int gmatch_next(lua_State *L) {
  size_t len;
  const char *s = lua_tolstring(L, lua_upvalueindex(1), &len);
  nhl_regex_t *re = lua_touserdata(L, lua_upvalueindex(2));
  size_t start = (size_t)lua_tointeger(L, lua_upvalueindex(3));
  PCRE2_SIZE *ov;
  if (start > len || !exec(L, re, s, len, start)) return 0;
  ov = pcre2_get_ovector_pointer(re->md);
  /* An empty match moves on by one character so the loop ends. */
  lua_pushinteger(L, (lua_Integer)(ov[1] > ov[0] ? ov[1] : ov[1] + 1));
  lua_replace(L, lua_upvalueindex(3));
  if (re->pattern->nnames) return push_named(L, re, s);
  return push_captures(L, re, s, 1);
}

static int nhl_re_gmatch(lua_State *L) {
  luaL_checkstring(L, 1);
  get_regex(L, 2, 3);
  lua_settop(L, 2);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, gmatch_next, 3);
  return 1;
}

/* Replacement syntax: $0..$9, ${n}, ${name}, $$ for a dollar. */
static void add_replacement(lua_State *L, luaL_Buffer *b, nhl_regex_t *re, const char *s,
                            const char *rep, size_t rlen) {
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
  size_t i;
  for (i = 0; i < rlen; i++) {
    int group = -1;
    if (rep[i] != '$' || i + 1 == rlen) {
      luaL_addchar(b, rep[i]);
      continue;
    }
    if (rep[i + 1] == '$') {
      luaL_addchar(b, '$');
      i++;
      continue;
    }
    if (rep[i + 1] >= '0' && rep[i + 1] <= '9') {
      group = rep[i + 1] - '0';
      i++;
    } else if (rep[i + 1] == '{') {
      const char *close = memchr(rep + i + 2, '}', rlen - i - 2);
      if (close) {
        char name[64];
        size_t nlen = (size_t)(close - (rep + i + 2));
        if (nlen < sizeof(name)) {
          memcpy(name, rep + i + 2, nlen);
          name[nlen] = '\0';
          group = (name[0] >= '0' && name[0] <= '9')
                      ? (int)strtol(name, NULL, 10)
                      : pcre2_substring_number_from_name(re->pattern->code, (PCRE2_SPTR)name);
        }
        i = (size_t)(close - rep);
      }
    }
    if (group < 0 || (uint32_t)group > re->pattern->ncaptures)
      luaL_error(L, "re.gsub: replacement refers to a group the pattern does not have");
    if (ov[2 * group] != PCRE2_UNSET)
      luaL_addlstring(b, s + ov[2 * group], ov[2 * group + 1] - ov[2 * group]);
  }
}

static int nhl_re_gsub(lua_State *L) {
  size_t len, rlen, start = 0;
  const char *s = luaL_checklstring(L, 1, &len);
  nhl_regex_t *re = get_regex(L, 2, 4);
  const char *rep = luaL_checklstring(L, 3, &rlen);
  lua_Integer count = 0;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (start <= len && exec(L, re, s, len, start)) {
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
    luaL_addlstring(&b, s + start, ov[0] - start);
    add_replacement(L, &b, re, s, rep, rlen);
    count++;
    if (ov[1] == ov[0]) {
      if (ov[0] < len) luaL_addchar(&b, s[ov[0]]);
      start = ov[0] + 1;
    } else {
      start = ov[1];
    }
  }
  if (start < len) luaL_addlstring(&b, s + start, len - start);
  luaL_pushresult(&b);
  lua_pushinteger(L, count);
  return 2;
}

static int nhl_re_split(lua_State *L) {
  size_t len, start = 0, search = 0;
  const char *s = luaL_checklstring(L, 1, &len);
  nhl_regex_t *re = get_regex(L, 2, 3);
  lua_Integer n = 0;
  lua_newtable(L);
  while (search <= len && exec(L, re, s, len, search)) {
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
    if (ov[1] == ov[0]) { /* an empty separator splits between characters */
      if (ov[0] >= len) break;
      search = ov[0] + 1;
      if (ov[0] == start) continue;
    }
    lua_pushlstring(L, s + start, ov[0] - start);
    lua_rawseti(L, -2, ++n);
    start = ov[1];
    if (ov[1] > ov[0]) search = ov[1];
  }
  lua_pushlstring(L, s + start, len - start);
  lua_rawseti(L, -2, ++n);
  return 1;
}

static int nhl_re_compile(lua_State *L) {
  size_t len;
  const char *pattern = luaL_checklstring(L, 1, &len);
  nhl_regex_compile(L, pattern, len, parse_flags(L, 2), "re");
  return 1;
}

/* regex:match(s, init) etc.: the same functions with the regex moved to position 2. */
static int method(lua_State *L) {
  lua_CFunction f = lua_tocfunction(L, lua_upvalueindex(1));
  luaL_checkudata(L, 1, NHL_REGEX_MT);
  luaL_checkany(L, 2); /* the subject: the moves below need it on the stack */
  lua_pushvalue(L, 1);
  lua_remove(L, 1);
  lua_insert(L, 2);
  /* keep later arguments after the flags slot: (s, re, nil, init...) */
  if (f == nhl_re_match || f == nhl_re_find || f == nhl_re_test || f == nhl_re_gmatch ||
      f == nhl_re_split) {
    lua_pushnil(L);
    lua_insert(L, 3);
  } else if (f == nhl_re_gsub) {
    lua_settop(L, 3);
  }
  return f(L);
}

int luaopen_nethost_re(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(re, match),   NHL_FUNC(re, find), NHL_FUNC(re, test),
                                   NHL_FUNC(re, gmatch),  NHL_FUNC(re, gsub), NHL_FUNC(re, split),
                                   NHL_FUNC(re, compile), {NULL, NULL}};
  static const char *const methods[] = {"match", "find", "test", "gmatch", "gsub", "split"};
  size_t i;
  /* The regex type is lua/regex.c's; its methods are this module's functions. */
  nhl_regex_metatable(L);
  luaL_newlib(L, funcs); /* mt lib */
  lua_newtable(L);       /* mt lib methods */
  for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
    lua_getfield(L, -2, methods[i]);
    lua_pushcclosure(L, method, 1);
    lua_setfield(L, -2, methods[i]);
  }
  lua_setfield(L, -3, "__index");
  lua_remove(L, -2);
  return 1;
}
