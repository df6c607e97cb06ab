/* nethost Lua layer: require "nethost.yaml" — YAML files and strings as Lua tables.
 *
 *   yaml.load(path)          -> value   (raises "file:line:column: message" [parse])
 *   yaml.decode(text [, name]) -> value
 *   yaml.null                -> the light userdata that stands for null inside lists
 *
 * Anchors, aliases and merge keys (<<) are applied; scalars are typed as YAML 1.1 loaders
 * (Ansible's, Nornir's) type them.
 */
#include "error.h"
#include "lvalue.h"
#include "class.h"
#include "runtime.h"
#include "yaml_doc.h"

static int push_doc(lua_State *L, nh_ydoc_t *doc, const char *op) {
  char err[1024];
  nh_value_t *v;
  int rc = nh_ydoc_to_value(doc, nh_ydoc_root(doc), &v, err, sizeof(err));
  nh_ydoc_free(doc);
  if (rc == NH_ENOMEM) return luaL_error(L, "out of memory");
  if (rc < 0) return nhl_raise(L, "parse", NULL, op, rc, "%s", err);
  nhl_value_push_owned_ordered(L, v);
  return 1;
}

static int nhl_yaml_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char err[1024];
  nh_ydoc_t *doc;
  int rc = nh_ydoc_load(path, &doc, err, sizeof(err));
  if (rc == NH_ENOMEM) return luaL_error(L, "out of memory");
  if (rc < 0)
    return nhl_raise(L, rc == NH_ESYNTAX ? "parse" : "io", NULL, "yaml.load", rc, "%s", err);
  return push_doc(L, doc, "yaml.load");
}

static int nhl_yaml_decode(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, "<string>");
  char err[1024];
  nh_ydoc_t *doc;
  int rc = nh_ydoc_parse(text, len, name, &doc, err, sizeof(err));
  if (rc == NH_ENOMEM) return luaL_error(L, "out of memory");
  if (rc < 0) return nhl_raise(L, "parse", NULL, "yaml.decode", rc, "%s", err);
  return push_doc(L, doc, "yaml.decode");
}

int luaopen_nethost_yaml(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(yaml, load), NHL_FUNC(yaml, decode), {NULL, NULL}};
  luaL_newlib(L, funcs);
  lua_pushlightuserdata(L, NULL);
  lua_setfield(L, -2, "null");
  return 1;
}
