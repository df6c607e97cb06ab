/* nethost Lua layer: the `diff` module — line diffs of texts (configurations) in C.
 *
 *   diff.unified(a, b [, {context = 3, from = "a", to = "b"}]) -> unified diff text ("" if equal)
 *   diff.ops(a, b) -> {{op = "=" | "-" | "+", a = first line of a, b = first line of b,
 *                      n = lines}, ...}, minimal
 * a and b are strings; lines are 1-based. */
#include "fields.h"
#include "class.h"
#include "runtime.h"
#include "diff.h"
#include "error.h"

#include <stdlib.h>

typedef struct {
  nh_line_t *a, *b;
  size_t na, nb;
  nh_diff_t d;
} diff_state_t;

static void state_free(diff_state_t *s) {
  free(s->a);
  free(s->b);
  nh_diff_free(&s->d);
}

/* Diffs the strings at 1 and 2 into s, or raises. */
static void compute(lua_State *L, diff_state_t *s) {
  size_t la, lb;
  const char *a = luaL_checklstring(L, 1, &la), *b = luaL_checklstring(L, 2, &lb);
  s->a = s->b = NULL;
  s->d.runs = NULL;
  s->d.nruns = 0;
  if (nh_lines_split(a, la, &s->a, &s->na) < 0 || nh_lines_split(b, lb, &s->b, &s->nb) < 0 ||
      nh_diff_lines(s->a, s->na, s->b, s->nb, 0, &s->d) < 0) {
    state_free(s);
    luaL_error(L, "diff: out of memory");
  }
}

static int nhl_diff_ops(lua_State *L) {
  static const char *const names[] = {"=", "-", "+"};
  diff_state_t s;
  size_t i;
  compute(L, &s);
  lua_createtable(L, (int)s.d.nruns, 0);
  for (i = 0; i < s.d.nruns; i++) {
    const nh_diff_run_t *r = &s.d.runs[i];
    lua_createtable(L, 0, 4);
    nhl_set_string(L, "op", names[r->op]);
    nhl_set_integer(L, "a", (lua_Integer)r->a_start + 1);
    nhl_set_integer(L, "b", (lua_Integer)r->b_start + 1);
    nhl_set_integer(L, "n", (lua_Integer)r->count);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_pushboolean(L, s.d.minimal);
  state_free(&s);
  return 2;
}

static void add_lines(luaL_Buffer *buf, char mark, const nh_line_t *lines, size_t from,
                      size_t count) {
  size_t i;
  for (i = from; i < from + count; i++) {
    luaL_addchar(buf, mark);
    luaL_addlstring(buf, lines[i].text, lines[i].len);
    luaL_addchar(buf, '\n');
  }
}

/* "-3,2" in a hunk header: an empty range names the line before it. */
static void add_range(lua_State *L, luaL_Buffer *buf, char sign, size_t start, size_t len) {
  if (len == 1)
    lua_pushfstring(L, "%c%I", sign, (lua_Integer)start + 1);
  else
    lua_pushfstring(L, "%c%I,%I", sign, (lua_Integer)(len ? start + 1 : start), (lua_Integer)len);
  luaL_addvalue(buf);
}

static int nhl_diff_unified(lua_State *L) {
  diff_state_t s;
  size_t context = 3, i = 0, j, k;
  const char *from = "a", *to = "b";
  luaL_Buffer buf;
  if (lua_istable(L, 3)) {
    if (lua_getfield(L, 3, "context") == LUA_TNUMBER) {
      lua_Integer c = lua_tointeger(L, -1);
      context = c < 0 ? 0 : (size_t)c;
    }
    if (lua_getfield(L, 3, "from") == LUA_TSTRING) from = lua_tostring(L, -1);
    if (lua_getfield(L, 3, "to") == LUA_TSTRING) to = lua_tostring(L, -1);
    /* the strings stay referenced by the options table */
    lua_pop(L, 3);
  }
  compute(L, &s);
  luaL_buffinit(L, &buf);
  if (s.d.nruns > 1 || (s.d.nruns == 1 && s.d.runs[0].op != NH_DIFF_EQUAL)) {
    lua_pushfstring(L, "--- %s\n+++ %s\n", from, to);
    luaL_addvalue(&buf);
  }
  while (i < s.d.nruns) {
    const nh_diff_run_t *runs = s.d.runs;
    size_t pre, post, a0, b0, alen, blen;
    if (runs[i].op == NH_DIFF_EQUAL) {
      i++;
      continue;
    }
    /* The hunk: changes joined by equal runs of at most 2 * context lines. */
    for (j = i; j < s.d.nruns; j++)
      if (runs[j].op == NH_DIFF_EQUAL && (runs[j].count > 2 * context || j == s.d.nruns - 1)) break;
    pre = i > 0 ? (runs[i - 1].count < context ? runs[i - 1].count : context) : 0;
    post = j < s.d.nruns ? (runs[j].count < context ? runs[j].count : context) : 0;
    a0 = runs[i].a_start - pre;
    b0 = runs[i].b_start - pre;
    alen = blen = pre + post;
    for (k = i; k < j; k++) {
      if (runs[k].op != NH_DIFF_INSERT) alen += runs[k].count;
      if (runs[k].op != NH_DIFF_DELETE) blen += runs[k].count;
    }
    luaL_addstring(&buf, "@@ ");
    add_range(L, &buf, '-', a0, alen);
    luaL_addchar(&buf, ' ');
    add_range(L, &buf, '+', b0, blen);
    luaL_addstring(&buf, " @@\n");
    add_lines(&buf, ' ', s.a, a0, pre);
    for (k = i; k < j; k++) {
      if (runs[k].op == NH_DIFF_EQUAL)
        add_lines(&buf, ' ', s.a, runs[k].a_start, runs[k].count);
      else if (runs[k].op == NH_DIFF_DELETE)
        add_lines(&buf, '-', s.a, runs[k].a_start, runs[k].count);
      else
        add_lines(&buf, '+', s.b, runs[k].b_start, runs[k].count);
    }
    if (j < s.d.nruns) add_lines(&buf, ' ', s.a, runs[j].a_start, post);
    i = j;
  }
  state_free(&s);
  luaL_pushresult(&buf);
  return 1;
}

int luaopen_nethost_diff(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(diff, unified), NHL_FUNC(diff, ops), {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
