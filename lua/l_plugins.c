/* nethost Lua layer: the `nethost.plugins` module — loading plugins, listing what they
 * registered, and running their parsers. The playbook-facing `parse` global is the pure-Lua
 * wrapper lua/nethost/parse.lua; other bindings (hosts) call nhl_parse_push (plugins.h).
 *
 * Plugins are loaded once per process: the built-in folder and NETHOST_PLUGIN_PATH on first
 * use (nhl_plugins_ensure), then each `--plugins DIR` through the CLI's setup hook. */
#include "fields.h"
#include "class.h"
#include "plugins.h"
#include "lvalue.h"
#include "regex.h"

#include "error.h"
#include "parse_job.h"
#include "plugin_loader.h"
#include "textfsm_source.h"
#include "registry.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int defaults_loaded;

void nhl_plugins_ensure(lua_State *L) {
  const char *env;
  if (defaults_loaded) return;
  defaults_loaded = 1;
  /* The built-in TextFSM source first: it comes with nethost, as the plugin folder does. */
  char *msg = NULL;
  if (nh_textfsm_source_start(&msg) < 0 && msg)
    nh__plugin_log(NH_PLUGIN_LOG_WARN, "plugins", "%s", msg);
  free(msg);
  lua_getfield(L, LUA_REGISTRYINDEX, "nethost.plugin_dir");
  if (lua_isstring(L, -1)) nh_plugin_load_dir(lua_tostring(L, -1));
  lua_pop(L, 1);
  if ((env = getenv("NETHOST_PLUGIN_PATH")) != NULL) nh_plugin_load_path(env);
}

/* A listing of what failed to load, appended to "no parser" messages: the reason a
 * playbook's parser is missing is usually there. */
static void push_failure_hint(lua_State *L) {
  size_t i, n = nh_plugin_failure_count();
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (i = 0; i < n; i++) {
    luaL_addstring(&b, i == 0 ? " (plugins that failed to load: " : "; ");
    luaL_addstring(&b, nh_plugin_failure(i));
  }
  if (n) luaL_addchar(&b, ')');
  luaL_pushresult(&b);
}

/* Raises the `parse` error object for a failed parse (msg may be NULL). */
static int raise_parse_error(lua_State *L, int rc, const char *msg, const char *platform,
                             const char *command, const char *host) {
  if (rc == NH_ENOPARSER) {
    push_failure_hint(L);
    if (!nh_registry_platform(platform))
      nhl_error_push(L, "parse", host, "parse", rc,
                     "no parser for '%s' on platform '%s' (no plugin defines that platform)%s",
                     command, platform, lua_tostring(L, -1));
    else
      nhl_error_push(L, "parse", host, "parse", rc, "no parser for '%s' on platform '%s'%s",
                     command, platform, lua_tostring(L, -1));
  } else {
    nhl_error_push(L, "parse", host, "parse", rc, "%s '%s': %s", platform, command,
                   msg ? msg : nh_strerror(rc));
  }
  return lua_error(L);
}

/* Runs the parser on the loop thread; returns the tree or raises a `parse` error object
 * naming platform, command and host. */
static nh_value_t *run_parser(lua_State *L, const char *platform, const char *command,
                              const char *text, size_t len, const char *host) {
  nh_value_t *v = NULL;
  char *msg = NULL;
  int rc;
  nhl_plugins_ensure(L);
  rc = nh_registry_parse(platform, command, text, len, &v, &msg);
  if (rc == 0) return v;
  lua_pushstring(L, msg ? msg : nh_strerror(rc));
  free(msg);
  raise_parse_error(L, rc, lua_tostring(L, -1), platform, command, host);
  return NULL;
}

int nhl_parse_push(lua_State *L, const char *platform, const char *command, const char *text,
                   size_t len, const char *host) {
  nhl_value_push_owned(L, run_parser(L, platform, command, text, len, host));
  return 1;
}

/* Outputs at least this large are parsed on the thread pool when the caller is a task, so
 * a 20 MB configuration does not stall every other device's I/O. */
#define NHL_PARSE_OFFLOAD_BYTES (256 * 1024)

typedef struct {
  nh_parse_t req;
  char *platform, *command, *host;
} offload_t;

static void offload_free(offload_t *o) {
  nh_parse_cleanup(&o->req);
  free(o->platform);
  free(o->command);
  free(o->host);
  free(o);
}

static int parse_k(lua_State *L, int status, lua_KContext ctx) {
  offload_t *o = (offload_t *)ctx;
  int rc = nhl_await_status(L);
  nh_value_t *v;
  if (rc == 0) {
    v = o->req.value;
    o->req.value = NULL;
    offload_free(o);
    nhl_value_push_owned(L, v);
    return 1;
  }
  /* Copy what the error needs onto the stack before freeing the request. */
  lua_pushstring(L, o->req.errmsg ? o->req.errmsg : nh_strerror(rc));
  lua_pushstring(L, o->platform);
  lua_pushstring(L, o->command);
  if (o->host)
    lua_pushstring(L, o->host);
  else
    lua_pushnil(L);
  offload_free(o);
  nhl_check_interrupt(L); /* cancelled or timed out: that error, not a parse error */
  return raise_parse_error(L, rc, lua_tostring(L, -4), lua_tostring(L, -3), lua_tostring(L, -2),
                           lua_tostring(L, -1));
}

/* plugins.parse(platform, command, text [, host]) -> table; raises a `parse` error. Large
 * outputs are parsed on the thread pool when called from a task. */
static int nhl_plugins_parse(lua_State *L) {
  size_t len;
  const char *platform = luaL_checkstring(L, 1);
  const char *command = luaL_checkstring(L, 2);
  const char *text = luaL_checklstring(L, 3, &len);
  const char *host = luaL_optstring(L, 4, NULL);
  nhl_plugins_ensure(L);
  if (len >= NHL_PARSE_OFFLOAD_BYTES && nhl_task_current(L) && lua_isyieldable(L)) {
    offload_t *o = calloc(1, sizeof(*o));
    if (o && (o->platform = strdup(platform)) && (o->command = strdup(command)) &&
        (!host || (o->host = strdup(host))) &&
        nh_parse_start(nhl_loop(L), &o->req, platform, command, text, len, 0, nhl_op_cb) == 0)
      return nhl_await(L, &o->req.op, parse_k, (lua_KContext)o);
    /* Could not start (no parser, out of memory): the synchronous path says why. */
    if (o) offload_free(o);
  }
  return nhl_parse_push(L, platform, command, text, len, host);
}

/* plugins.parse_json(platform, command, text [, indent]) -> JSON text in the parser's key
 * order; raises as parse does. */
static int nhl_plugins_parse_json(lua_State *L) {
  size_t len;
  const char *platform = luaL_checkstring(L, 1);
  const char *command = luaL_checkstring(L, 2);
  const char *text = luaL_checklstring(L, 3, &len);
  lua_Integer indent = luaL_optinteger(L, 4, 2);
  nh_value_t *v;
  /* Checked before the cast: (int)4294967298 is 2, and a huge indent overflows
   * indent * depth in the writer (undefined) after gigabytes of spaces. */
  luaL_argcheck(L, indent >= 0 && indent <= 16, 4, "indent must be 0..16");
  v = run_parser(L, platform, command, text, len, NULL);
  nhl_value_push_json(L, v, (int)indent);
  return 1;
}

/* plugins.load_defaults(): the built-in folder and NETHOST_PLUGIN_PATH, once. */
static int nhl_plugins_load_defaults(lua_State *L) {
  nhl_plugins_ensure(L);
  return 0;
}

/* plugins.load_dir(dir) -> number loaded | nil, message (not a folder). Plugins that fail
 * are reported as warnings and skipped. */
static int nhl_plugins_load_dir(lua_State *L) {
  const char *dir = luaL_checkstring(L, 1);
  struct stat st;
  int n;
  nhl_plugins_ensure(L);
  if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
    return nhl_fail(L, "plugin folder %s: not a folder", dir);
  n = nh_plugin_load_dir(dir);
  lua_pushinteger(L, n < 0 ? 0 : n);
  return 1;
}

/* plugins.load(file) -> true | nil, message */
static int nhl_plugins_load(lua_State *L) {
  const char *file = luaL_checkstring(L, 1);
  char *msg = NULL;
  nhl_plugins_ensure(L);
  if (nh_plugin_load(file, &msg) < 0) {
    nhl_fail(L, "%s", msg ? msg : "out of memory");
    free(msg);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* plugins.list() -> {{name=, version=, file=, abi="1.0"}, ...} in load order */
static int nhl_plugins_list(lua_State *L) {
  size_t i, n;
  nhl_plugins_ensure(L);
  n = nh_plugin_count();
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    const nh_plugin_t *p = nh_plugin_at(i);
    lua_createtable(L, 0, 4);
    nhl_set_string(L, "name", p->name);
    nhl_set_string(L, "version", p->version);
    nhl_set_string(L, "file", p->file);
    lua_pushfstring(L, "%d.%d", NH_PLUGIN_ABI_MAJOR_OF(p->abi_version),
                    NH_PLUGIN_ABI_MINOR_OF(p->abi_version));
    lua_setfield(L, -2, "abi");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* plugins.failures() -> {message, ...} */
static int nhl_plugins_failures(lua_State *L) {
  size_t i, n;
  nhl_plugins_ensure(L);
  n = nh_plugin_failure_count();
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, nh_plugin_failure(i));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static void set_list(lua_State *L, const char *key, char **list) {
  int i;
  lua_newtable(L);
  for (i = 0; list[i]; i++) {
    lua_pushstring(L, list[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, key);
}

static void set_regex(lua_State *L, const char *key, const nh_pattern_t *p) {
  if (!p) return;
  nhl_regex_push_borrowed(L, p);
  lua_setfield(L, -2, key);
}

static void set_regex_list(lua_State *L, const char *key, nh_pattern_t *const *list) {
  int i;
  lua_newtable(L);
  for (i = 0; list[i]; i++) {
    nhl_regex_push_borrowed(L, list[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, key);
}

/* Pushes the patterns the registry compiled for the shell (regex objects; the prompt is
 * anchored at the end of the receive buffer). */
static void push_patterns(lua_State *L, const nh_platform_patterns_t *pp) {
  lua_createtable(L, 0, 8);
  set_regex(L, "prompt", pp->prompt);
  set_regex(L, "enable_password", pp->enable_password);
  set_regex(L, "privileged", pp->privileged);
  set_regex(L, "config_prompt", pp->config_prompt);
  set_regex_list(L, "paging", pp->paging);
  set_regex_list(L, "errors", pp->errors);
  set_regex_list(L, "confirm", pp->confirm);
  set_regex_list(L, "volatile", pp->volatile_lines);
}

/* Lua's names of the plugin ABI's rollback methods and configuration dialects. A value
 * beyond the table (from a newer plugin) reads as the first: no rollback, indented. */
static const char *const rollback_names[] = {
    [NH_PLUGIN_ROLLBACK_NONE] = "none",
    [NH_PLUGIN_ROLLBACK_REPLACE] = "replace",
    [NH_PLUGIN_ROLLBACK_COMMIT] = "commit",
    [NH_PLUGIN_ROLLBACK_SESSION] = "session",
};
static const char *const dialect_names[] = {
    [NH_PLUGIN_DIALECT_INDENT] = "indent",
    [NH_PLUGIN_DIALECT_BRACES] = "braces",
    [NH_PLUGIN_DIALECT_SET] = "set",
};
#define NAME_OF(names, value) \
  ((unsigned)(value) < sizeof(names) / sizeof((names)[0]) ? (names)[value] : (names)[0])

/* Pushes a platform descriptor as a table with the field names of nh_platform_t. */
static void push_platform(lua_State *L, const nh_platform_t *p) {
  lua_createtable(L, 0, 28);
  nhl_set_string(L, "name", p->name);
  set_list(L, "aliases", p->aliases);
  nhl_set_string(L, "description", p->description);
  nhl_set_string(L, "prompt_pattern", p->prompt_pattern);
  set_list(L, "on_open", p->on_open);
  set_list(L, "paging_patterns", p->paging_patterns);
  nhl_set_string(L, "enable_command", p->enable_command);
  nhl_set_string(L, "enable_password_pattern", p->enable_password_pattern);
  nhl_set_string(L, "privileged_pattern", p->privileged_pattern);
  nhl_set_string(L, "config_enter", p->config_enter);
  nhl_set_string(L, "config_exit", p->config_exit);
  nhl_set_string(L, "config_prompt_pattern", p->config_prompt_pattern);
  nhl_set_string(L, "save_command", p->save_command);
  nhl_set_string(L, "commit_command", p->commit_command);
  nhl_set_string(L, "commit_confirmed_command", p->commit_confirmed_command);
  set_list(L, "error_patterns", p->error_patterns);
  set_list(L, "confirm_patterns", p->confirm_patterns);
  nhl_set_string(L, "confirm_response", p->confirm_response);
  nhl_set_string(L, "rollback_method", NAME_OF(rollback_names, p->rollback_method));
  nhl_set_string(L, "checkpoint_command", p->checkpoint_command);
  nhl_set_string(L, "rollback_command", p->rollback_command);
  nhl_set_string(L, "config_dialect", NAME_OF(dialect_names, p->config_dialect));
  nhl_set_string(L, "show_config_command", p->show_config_command);
  set_list(L, "volatile_patterns", p->volatile_patterns);
  nhl_set_string(L, "file_default_dir", p->file_default_dir);
  nhl_set_string(L, "file_free_command", p->file_free_command);
  nhl_set_string(L, "file_checksum_command", p->file_checksum_command);
  nhl_set_string(L, "file_checksum_algorithm", p->file_checksum_algorithm);
  push_patterns(L, &p->patterns);
  lua_setfield(L, -2, "patterns");
  nhl_set_string(L, "file", p->owner ? p->owner->file : NULL);
  nhl_set_string(L, "plugin", p->owner ? p->owner->name : NULL);
}

/* plugins.platform(name_or_alias) -> table | nil */
static int nhl_plugins_platform(lua_State *L) {
  const nh_platform_t *p;
  nhl_plugins_ensure(L);
  if (!(p = nh_registry_platform(luaL_checkstring(L, 1)))) return 0;
  push_platform(L, p);
  return 1;
}

static void add_platform(void *arg, const nh_platform_t *p) {
  lua_State *L = arg;
  push_platform(L, p);
  lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
}

/* plugins.platforms() -> {platform, ...} in registration order */
static int nhl_plugins_platforms(lua_State *L) {
  nhl_plugins_ensure(L);
  lua_newtable(L);
  nh_registry_each_platform(add_platform, L);
  return 1;
}

static void push_parser(lua_State *L, const char *platform, const char *command, const char *source,
                        const char *detail, const nh_plugin_t *owner) {
  lua_createtable(L, 0, 6);
  nhl_set_string(L, "platform", platform);
  nhl_set_string(L, "command", command);
  nhl_set_string(L, "source", source);
  if (detail && *detail) nhl_set_string(L, "detail", detail);
  nhl_set_string(L, "plugin", owner ? owner->name : NULL);
  nhl_set_string(L, "file", owner ? owner->file : NULL);
}

static void add_parser(void *arg, const char *platform, const char *command, const char *source,
                       const char *detail, const nh_plugin_t *owner) {
  lua_State *L = arg;
  push_parser(L, platform, command, source, detail, owner);
  lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
}

/* plugins.parsers() -> {{platform=, command=, source=, detail=, plugin=, file=}, ...} */
static int nhl_plugins_parsers(lua_State *L) {
  nhl_plugins_ensure(L);
  lua_newtable(L);
  nh_registry_each_parser(add_parser, L);
  return 1;
}

/* plugins.find(platform, command) -> parser table | nil, message */
static int nhl_plugins_find(lua_State *L) {
  const char *platform = luaL_checkstring(L, 1);
  const char *command = luaL_checkstring(L, 2);
  nh_parser_match_t m;
  char *msg = NULL;
  int rc;
  nhl_plugins_ensure(L);
  if ((rc = nh_registry_find_parser(platform, command, &m, &msg)) < 0) {
    if (msg)
      nhl_fail(L, "%s", msg);
    else
      nhl_fail(L, "no parser for '%s' on platform '%s'", command, platform);
    free(msg);
    return 2;
  }
  push_parser(L, m.platform ? m.platform : platform, m.command ? m.command : command, m.source,
              m.detail, m.owner);
  return 1;
}

int luaopen_nethost_plugins(lua_State *L) {
  static const luaL_Reg fns[] = {
      NHL_FUNC(plugins, parse),    NHL_FUNC(plugins, parse_json), NHL_FUNC(plugins, load_defaults),
      NHL_FUNC(plugins, load_dir), NHL_FUNC(plugins, load),       NHL_FUNC(plugins, list),
      NHL_FUNC(plugins, failures), NHL_FUNC(plugins, platform),   NHL_FUNC(plugins, platforms),
      NHL_FUNC(plugins, parsers),  NHL_FUNC(plugins, find),       {NULL, NULL}};
  luaL_newlib(L, fns);
  lua_pushfstring(L, "%d.%d", NH_PLUGIN_ABI_MAJOR, NH_PLUGIN_ABI_MINOR);
  lua_setfield(L, -2, "abi");
  return 1;
}
