/* nethost Lua layer: the `textfsm` module — TextFSM templates (the ntc-templates library
 * or your own) on nethost's engine (core/textfsm/textfsm.h).
 *
 *   textfsm.parse(template, text) -> records
 *       template: the template text (anything containing a newline) or a file path.
 *       Records are tables keyed by the Value names as the template writes them (as
 *       TextFSM's ParseTextToDicts); List values are sequences (of strings, or of tables
 *       for List values with named groups).
 *   textfsm.parse_index(platform, command, text [, dir]) -> records, templates
 *       The index of dir (default: textfsm.dir()) selects the template(s) as clitable
 *       does; records are what ntc-templates' parse_output returns (keys lower-cased).
 *       The second result names the template file(s) used.
 *   textfsm.lookup(platform, command [, dir]) -> templates | nil
 *   textfsm.dir([dir]) -> the template folder (default NET_TEXTFSM); setting it chooses
 *       the folder of parse()'s fallback too (core/textfsm_source.h keeps it)
 *
 * Empty output gives an empty table; an invalid template, a template's Error action and
 * a command the index does not know raise an error object of kind "parse". Compiled
 * templates and indexes are cached for the life of the process.
 */
#include "class.h"
#include "runtime.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "textfsm.h"
#include "textfsm_source.h"

#define TEMPLATE_MT "nethost.textfsm.template"
#define INDEX_MT    "nethost.textfsm.index"
#define TABLE_MT    "nethost.textfsm.table"
#define CACHE_KEY   "nethost.textfsm.cache" /* registry: key -> template/index userdata */

/* Templates, indexes and parse results live in boxes (class.h). */
static int template_gc(lua_State *L) {
  nh_tfsm_template_free(nhl_box_take(L, 1, TEMPLATE_MT));
  return 0;
}

static int index_gc(lua_State *L) {
  nh_tfsm_index_free(nhl_box_take(L, 1, INDEX_MT));
  return 0;
}

/* Pushes the process-wide cache table. */
static void push_cache(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, CACHE_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, CACHE_KEY);
  }
}

/* What the cache holds under the key on top of the stack (a box of type tname), with the key
 * popped; or NULL, with the key and the cache left on the stack for cache_put. */
static void *cache_get(lua_State *L, const char *tname) {
  push_cache(L);
  lua_pushvalue(L, -2);
  if (lua_rawget(L, -2) == LUA_TUSERDATA) {
    void *p = nhl_box_get(L, -1, tname);
    lua_pop(L, 3);
    return p;
  }
  lua_pop(L, 1);
  return NULL;
}

/* Caches p, boxed as tname, under the key cache_get left, and pops the key and the cache. */
static void cache_put(lua_State *L, const char *tname, void *p) {
  nhl_box_push(L, tname, p);
  lua_pushvalue(L, -3);
  lua_insert(L, -2);
  lua_rawset(L, -3);
  lua_pop(L, 2);
}

static void push_str(lua_State *L, nh_tfsm_str_t s) {
  if (s.ptr)
    lua_pushlstring(L, s.ptr, s.len);
  else
    lua_pushlightuserdata(L, NULL); /* nhl_null, as lvalue.c pushes null list items */
}

/* Pushes the table as a sequence of records; lower lower-cases the keys. */
static void push_table(lua_State *L, const nh_tfsm_table_t *tab, int lower) {
  /* Every column's key stays on the stack while the rows are built, and a row needs four
   * more slots (record, key, list, item): templates with dozens of Values overflow the
   * LUA_MINSTACK slots a C function may take for granted. */
  if (tab->ncols > 100000) luaL_error(L, "textfsm: %d columns is too many", (int)tab->ncols);
  luaL_checkstack(L, (int)tab->ncols + 8, "textfsm: too many columns");
  lua_createtable(L, (int)tab->nrows, 0);
  for (size_t c = 0; c < tab->ncols; c++) {
    if (!lower) {
      lua_pushstring(L, tab->header[c]);
    } else {
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      for (const char *p = tab->header[c]; *p; p++)
        luaL_addchar(&b, (char)tolower((unsigned char)*p));
      luaL_pushresult(&b);
    }
  }
  /* The keys are on the stack at top-ncols .. top-1 (below them the result table). */
  int keys = lua_gettop(L) - (int)tab->ncols + 1;
  for (size_t r = 0; r < tab->nrows; r++) {
    lua_createtable(L, 0, (int)tab->ncols);
    for (size_t c = 0; c < tab->ncols; c++) {
      const nh_tfsm_cell_t *cell = &tab->cells[r * tab->ncols + c];
      lua_pushvalue(L, keys + (int)c);
      if (cell->type == NH_TFSM_CELL_STR) {
        push_str(L, cell->str);
      } else {
        lua_createtable(L, (int)cell->count, 0);
        for (size_t i = 0; i < cell->count; i++) {
          const nh_tfsm_item_t *it = &tab->items[cell->first + i];
          if (!it->is_map) {
            push_str(L, it->str);
          } else {
            lua_createtable(L, 0, (int)it->count);
            for (size_t k = 0; k < it->count; k++) {
              const nh_tfsm_kv_t *kv = &tab->kvs[it->first + k];
              if (!kv->val.ptr) continue; /* None: absent, as null map members are */
              lua_pushlstring(L, kv->key.ptr, kv->key.len);
              lua_pushlstring(L, kv->val.ptr, kv->val.len);
              lua_rawset(L, -3);
            }
          }
          lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
      }
      lua_rawset(L, -3);
    }
    lua_rawseti(L, keys - 1, (lua_Integer)r + 1);
  }
  lua_settop(L, keys - 1);
}

/* A parse result is boxed while it becomes Lua tables: push_table raises (too many columns,
 * out of memory), and the result must not leak then. */
static int table_box_gc(lua_State *L) {
  nh_tfsm_table_free(nhl_box_take(L, 1, TABLE_MT));
  return 0;
}

/* Converts the parse result boxed at the top to records, frees it, and leaves only the
 * records. (The box is pushed before parsing, so pushing it cannot leak the result.) */
static void push_boxed_table(lua_State *L, int lower) {
  push_table(L, nhl_box_get(L, -1, TABLE_MT), lower);
  nh_tfsm_table_free(nhl_box_take(L, -2, TABLE_MT));
  lua_remove(L, -2);
}

/* The compiled template for arg (text or path), from the cache or compiled now. */
static nh_tfsm_template_t *get_template(lua_State *L, int arg) {
  size_t len;
  const char *s = luaL_checklstring(L, arg, &len);
  nh_tfsm_template_t *t;
  lua_pushvalue(L, arg);
  if ((t = cache_get(L, TEMPLATE_MT))) return t;
  char err[2048];
  int rc = memchr(s, '\n', len) ? nh_tfsm_template_load("<template>", s, len, &t, err, sizeof err)
                                : nh_tfsm_template_load_file(s, &t, err, sizeof err);
  if (rc < 0) nhl_raise(L, "parse", NULL, "textfsm.parse", rc, "%s", err);
  cache_put(L, TEMPLATE_MT, t);
  return t;
}

static nh_tfsm_index_t *get_index(lua_State *L, int arg, const char *op) {
  const char *dir = luaL_optstring(L, arg, NULL);
  if (!dir) dir = nh_textfsm_dir(); /* textfsm.dir(), else NET_TEXTFSM */
  if (!dir)
    nhl_raise(L, "parse", NULL, op, NH_TFSM_ENOPARSER,
              "no TextFSM template folder: set NET_TEXTFSM (e.g. to ntc-templates/templates) "
              "or call textfsm.dir(folder)");
  nh_tfsm_index_t *idx;
  lua_pushfstring(L, "index:%s", dir);
  if ((idx = cache_get(L, INDEX_MT))) return idx;
  char err[2048];
  int rc = nh_tfsm_index_open(dir, &idx, err, sizeof err);
  if (rc < 0) nhl_raise(L, "parse", NULL, op, rc, "%s", err);
  cache_put(L, INDEX_MT, idx);
  return idx;
}

/* textfsm.parse(template, text) -> records */
static int nhl_textfsm_parse(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 2, &len);
  nh_tfsm_template_t *t = get_template(L, 1);
  char err[2048];
  void **box = nhl_box_push(L, TABLE_MT, NULL);
  nh_tfsm_table_t *tab = NULL;
  int rc = nh_tfsm_parse(t, text, len, &tab, err, sizeof err);
  *box = tab;
  if (rc < 0) return nhl_raise(L, "parse", NULL, "textfsm.parse", rc, "%s", err);
  push_boxed_table(L, 0);
  return 1;
}

/* textfsm.parse_index(platform, command, text [, dir]) -> records, templates */
static int nhl_textfsm_parse_index(lua_State *L) {
  const char *platform = luaL_checkstring(L, 1);
  const char *command = luaL_checkstring(L, 2);
  size_t len;
  const char *text = luaL_checklstring(L, 3, &len);
  nh_tfsm_index_t *idx = get_index(L, 4, "textfsm.parse_index");
  char err[2048];
  void **box = nhl_box_push(L, TABLE_MT, NULL);
  nh_tfsm_table_t *tab = NULL;
  int rc = nh_tfsm_index_parse(idx, platform, command, text, len, &tab, err, sizeof err);
  *box = tab;
  if (rc < 0) return nhl_raise(L, "parse", NULL, "textfsm.parse_index", rc, "%s", err);
  push_boxed_table(L, 1);
  lua_pushstring(L, nh_tfsm_index_lookup(idx, platform, command));
  return 2;
}

/* textfsm.lookup(platform, command [, dir]) -> templates | nil */
static int nhl_textfsm_lookup(lua_State *L) {
  const char *platform = luaL_checkstring(L, 1);
  const char *command = luaL_checkstring(L, 2);
  nh_tfsm_index_t *idx = get_index(L, 3, "textfsm.lookup");
  const char *t = nh_tfsm_index_lookup(idx, platform, command);
  if (t)
    lua_pushstring(L, t);
  else
    lua_pushnil(L);
  return 1;
}

/* textfsm.dir([dir]) -> dir | nil */
static int nhl_textfsm_dir(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) {
    if (nh_textfsm_set_dir(luaL_checkstring(L, 1)) < 0)
      return luaL_error(L, "textfsm.dir: out of memory");
  }
  const char *d = nh_textfsm_dir();
  if (d)
    lua_pushstring(L, d);
  else
    lua_pushnil(L);
  return 1;
}

int luaopen_nethost_textfsm(lua_State *L) {
  static const luaL_Reg template_meta[] = {{"__gc", template_gc}, {NULL, NULL}};
  static const luaL_Reg index_meta[] = {{"__gc", index_gc}, {NULL, NULL}};
  static const luaL_Reg table_meta[] = {{"__gc", table_box_gc}, {NULL, NULL}};
  nhl_class(L, TEMPLATE_MT, template_meta, NULL);
  nhl_class(L, INDEX_MT, index_meta, NULL);
  nhl_class(L, TABLE_MT, table_meta, NULL);
  static const luaL_Reg fns[] = {NHL_FUNC(textfsm, parse),
                                 NHL_FUNC(textfsm, parse_index),
                                 NHL_FUNC(textfsm, lookup),
                                 NHL_FUNC(textfsm, dir),
                                 {NULL, NULL}};
  luaL_newlib(L, fns);
  return 1;
}
