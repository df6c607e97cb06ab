/* nethost core: the plugin loader and the host table plugins call. It registers what a
 * plugin provides into the registry on the plugin's behalf; the registry knows nothing of
 * it. */
#include "plugin_loader.h"
#include "error.h"
#include "plugin_log.h"
#include "registry.h"
#include "value.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ABI's status codes are core's NH_E* values: a plugin's return code is passed on as it
 * is (nh_strerror names it), so the two tables must never drift apart. */
_Static_assert(NH_PLUGIN_ENOMEM == NH_ENOMEM, "plugin ABI ENOMEM");
_Static_assert(NH_PLUGIN_EINVAL == NH_EINVAL, "plugin ABI EINVAL");
_Static_assert(NH_PLUGIN_EPARSE == NH_EPARSE, "plugin ABI EPARSE");
_Static_assert(NH_PLUGIN_ENOPARSER == NH_ENOPARSER, "plugin ABI ENOPARSER");
_Static_assert(NH_PLUGIN_EPLUGIN == NH_EPLUGIN, "plugin ABI EPLUGIN");
_Static_assert(NH_PLUGIN_EABI == NH_EABI, "plugin ABI EABI");
_Static_assert(NH_PLUGIN_EDUPLICATE == NH_EDUPLICATE, "plugin ABI EDUPLICATE");

typedef struct nh_plugin_hook_s {
  void (*fn)(void *ud);
  void *ud;
  struct nh_plugin_hook_s *next;
} hook_t;

static struct {
  nh_plugin_t **list;
  size_t n;
  char **failures;
  size_t nfailures;
} loader;

static const char *plugin_who(const nh_plugin_t *self) {
  return self->name ? self->name : self->file;
}

static void host_vlog(nh_plugin_t *self, nh_plugin_log_level_t level, const char *fmt, va_list ap) {
  nh__plugin_vlog((int)level, plugin_who(self), fmt, ap);
}

static void host_log(nh_plugin_t *self, nh_plugin_log_level_t level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  host_vlog(self, level, fmt, ap);
  va_end(ap);
}

/* ---- the host table ---- */

static int valid_plugin_name(const char *s) {
  if (!s || !*s) return 0;
  for (; *s; s++) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
  }
  return 1;
}

static int host_declare(nh_plugin_t *self, uint32_t abi, const char *name, const char *version) {
  size_t i;
  self->abi_version = abi;
  if (NH_PLUGIN_ABI_MAJOR_OF(abi) != NH_PLUGIN_ABI_MAJOR) return NH_PLUGIN_EABI;
  if (self->declared || !valid_plugin_name(name) || !version) return NH_PLUGIN_EINVAL;
  for (i = 0; i < loader.n; i++) {
    if (strcmp(loader.list[i]->name, name) == 0) {
      nh__plugin_log(NH_PLUGIN_LOG_ERROR, self->file, "plugin '%s' is already loaded from %s", name,
                     loader.list[i]->file);
      return NH_PLUGIN_EDUPLICATE;
    }
  }
  if (!(self->name = strdup(name)) || !(self->version = strdup(version))) return NH_PLUGIN_ENOMEM;
  self->declared = 1;
  return 0;
}

static const nh_plugin_host_t host_table;

/* What the registry keeps of the plugin that registers: the plugin to remove by, its file
 * for messages, and this host table for calling its parsers. */
static nh_registrant_t registrant(const nh_plugin_t *self) {
  nh_registrant_t by = {.plugin = self, .who = self->file, .host = &host_table};
  return by;
}

static int host_register_platform(nh_plugin_t *self, const nh_plugin_platform_t *platform) {
  nh_registrant_t by = registrant(self);
  if (!self->declared) return NH_PLUGIN_EINVAL;
  return nh__registry_add_platform(&by, platform);
}

static int host_register_parser(nh_plugin_t *self, const char *platform, const char *command,
                                nh_plugin_parse_fn fn, void *ud) {
  nh_registrant_t by = registrant(self);
  if (!self->declared) return NH_PLUGIN_EINVAL;
  return nh__registry_add_parser(&by, platform, command, fn, ud);
}

static int host_register_source(nh_plugin_t *self, const nh_plugin_parser_source_t *src) {
  nh_registrant_t by = registrant(self);
  if (!self->declared) return NH_PLUGIN_EINVAL;
  return nh__registry_add_source(&by, src);
}

static int host_on_unload(nh_plugin_t *self, void (*fn)(void *), void *ud) {
  hook_t *h;
  if (!fn) return NH_PLUGIN_EINVAL;
  if (!(h = malloc(sizeof(*h)))) return NH_PLUGIN_ENOMEM;
  h->fn = fn;
  h->ud = ud;
  h->next = self->hooks;
  self->hooks = h;
  return 0;
}

static void *host_alloc(size_t n) {
  return malloc(n);
}
static void *host_calloc(size_t n, size_t size) {
  return calloc(n, size);
}
static void *host_realloc(void *p, size_t n) {
  return realloc(p, n);
}
static void host_free(void *p) {
  free(p);
}
static char *host_strdup(const char *s) {
  return s ? strdup(s) : NULL;
}

static nh_plugin_value_t *v_null(void) {
  return (nh_plugin_value_t *)nh_value_null();
}
static nh_plugin_value_t *v_bool(int b) {
  return (nh_plugin_value_t *)nh_value_bool(b);
}
static nh_plugin_value_t *v_int(int64_t i) {
  return (nh_plugin_value_t *)nh_value_int(i);
}
static nh_plugin_value_t *v_float(double d) {
  return (nh_plugin_value_t *)nh_value_float(d);
}
static nh_plugin_value_t *v_string(const char *s, size_t len) {
  return (nh_plugin_value_t *)nh_value_string(s ? s : "", s ? len : 0);
}
static nh_plugin_value_t *v_list(void) {
  return (nh_plugin_value_t *)nh_value_list();
}
static nh_plugin_value_t *v_map(void) {
  return (nh_plugin_value_t *)nh_value_map();
}

/* A NULL child means a constructor ran out of memory inside the caller's expression. */
static int v_map_set(nh_plugin_value_t *map, const char *key, nh_plugin_value_t *v) {
  nh_value_t *m = (nh_value_t *)map;
  if (!v) return NH_PLUGIN_ENOMEM;
  if (!m || m->type != NH_VALUE_MAP || !key) {
    nh_value_free((nh_value_t *)v);
    return NH_PLUGIN_EINVAL;
  }
  return nh_value_map_set(m, key, (nh_value_t *)v);
}

static int v_list_push(nh_plugin_value_t *list, nh_plugin_value_t *v) {
  nh_value_t *l = (nh_value_t *)list;
  if (!v) return NH_PLUGIN_ENOMEM;
  if (!l || l->type != NH_VALUE_LIST) {
    nh_value_free((nh_value_t *)v);
    return NH_PLUGIN_EINVAL;
  }
  return nh_value_list_push(l, (nh_value_t *)v);
}

static size_t v_len(const nh_plugin_value_t *value) {
  const nh_value_t *v = (const nh_value_t *)value;
  if (!v) return 0;
  switch (v->type) {
  case NH_VALUE_STRING:
    return v->u.str.len;
  case NH_VALUE_LIST:
    return v->u.list.len;
  case NH_VALUE_MAP:
    return v->u.map.len;
  default:
    return 0;
  }
}

static void v_free(nh_plugin_value_t *v) {
  nh_value_free((nh_value_t *)v);
}

static int host_parse_error(nh_plugin_parse_t *p, int line, const char *fmt, ...) {
  va_list ap;
  if (!p || p->failed) return NH_PLUGIN_EPARSE; /* the first reason is the useful one */
  p->failed = 1;
  p->line = line;
  va_start(ap, fmt);
  vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
  va_end(ap);
  return NH_PLUGIN_EPARSE;
}

static const nh_plugin_host_t host_table = {
    .abi_version = NH_PLUGIN_ABI_VERSION,
    .size = sizeof(nh_plugin_host_t),
    .declare = host_declare,
    .log = host_log,
    .vlog = host_vlog,
    .alloc = host_alloc,
    .calloc = host_calloc,
    .realloc = host_realloc,
    .free = host_free,
    .strdup = host_strdup,
    .register_platform = host_register_platform,
    .register_parser = host_register_parser,
    .register_parser_source = host_register_source,
    .on_unload = host_on_unload,
    .value_null = v_null,
    .value_bool = v_bool,
    .value_int = v_int,
    .value_float = v_float,
    .value_string = v_string,
    .value_list = v_list,
    .value_map = v_map,
    .map_set = v_map_set,
    .list_push = v_list_push,
    .value_len = v_len,
    .value_free = v_free,
    .parse_error = host_parse_error,
};

const nh_plugin_host_t *nh__plugin_host(void) {
  return &host_table;
}

/* ---- loading ---- */

static void run_hooks(nh_plugin_t *p) {
  while (p->hooks) {
    hook_t *h = p->hooks;
    p->hooks = h->next;
    h->fn(h->ud);
    free(h);
  }
}

static void destroy(nh_plugin_t *p) {
  nh__registry_remove_owner(p);
  run_hooks(p);
  if (p->handle) dlclose(p->handle);
  free(p->file);
  free(p->name);
  free(p->version);
  free(p);
}

static char *format_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format_message(const char *fmt, ...) {
  va_list ap;
  char *s = NULL;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !(s = malloc((size_t)n + 1))) return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

static void record_failure(const char *msg) {
  char **grown = realloc(loader.failures, (loader.nfailures + 1) * sizeof(*grown));
  char *copy = msg ? strdup(msg) : NULL;
  if (!grown || !copy) {
    free(copy);
    if (grown) loader.failures = grown;
    return;
  }
  loader.failures = grown;
  loader.failures[loader.nfailures++] = copy;
}

static int fail(nh_plugin_t *p, int rc, char **errmsg, char *msg) {
  if (p) destroy(p);
  if (msg) record_failure(msg);
  if (errmsg)
    *errmsg = msg;
  else
    free(msg);
  return rc;
}

/* Runs a plugin's entry function and keeps the plugin, or rolls it back whole: the part of
 * loading that a file and a built-in plugin share. */
static int start(nh_plugin_t *p, nh_plugin_entry_fn entry, char **errmsg) {
  const char *real = p->file;
  nh_plugin_t **grown;
  int rc = entry(&host_table, p);
  if (p->abi_version && NH_PLUGIN_ABI_MAJOR_OF(p->abi_version) != NH_PLUGIN_ABI_MAJOR) {
    return fail(p, NH_EABI, errmsg,
                format_message("%s: plugin built for ABI %d.%d, this nethost has ABI %d.%d", real,
                               NH_PLUGIN_ABI_MAJOR_OF(p->abi_version),
                               NH_PLUGIN_ABI_MINOR_OF(p->abi_version), NH_PLUGIN_ABI_MAJOR,
                               NH_PLUGIN_ABI_MINOR));
  }
  if (rc >= 0 && !p->declared) {
    return fail(p, NH_EPLUGIN, errmsg,
                format_message("%s: plugin did not declare itself (NH_PLUGIN_DECLARE)", real));
  }
  if (rc < 0) {
    return fail(p, rc == NH_PLUGIN_EDUPLICATE ? NH_EDUPLICATE : NH_EPLUGIN, errmsg,
                format_message("%s: plugin %s failed to initialise (%s); rolled back", real,
                               p->name ? p->name : "(undeclared)", nh_strerror(rc)));
  }
  if (!(grown = realloc(loader.list, (loader.n + 1) * sizeof(*grown)))) {
    return fail(p, NH_ENOMEM, errmsg, NULL);
  }
  loader.list = grown;
  loader.list[loader.n++] = p;
  return 0;
}

int nh_plugin_load(const char *path, char **errmsg) {
  char real[PATH_MAX];
  nh_plugin_t *p;
  void *sym;
  nh_plugin_entry_fn entry;
  size_t i;
  if (errmsg) *errmsg = NULL;
  if (!path) return NH_EINVAL;
  if (!realpath(path, real)) {
    return fail(NULL, NH_EPLUGIN, errmsg,
                format_message("%s: cannot load plugin: %s", path, strerror(errno)));
  }
  for (i = 0; i < loader.n; i++) {
    if (strcmp(loader.list[i]->file, real) == 0) return 0;
  }
  if (!(p = calloc(1, sizeof(*p))) || !(p->file = strdup(real))) {
    free(p);
    return NH_ENOMEM;
  }
  if (!(p->handle = dlopen(real, RTLD_NOW | RTLD_LOCAL))) {
    return fail(p, NH_EPLUGIN, errmsg,
                format_message("%s: cannot load plugin: %s", real, dlerror()));
  }
  /* POSIX guarantees a data pointer can hold a function address returned by dlsym. */
  if (!(sym = dlsym(p->handle, "nh_plugin_entry"))) {
    return fail(p, NH_EPLUGIN, errmsg,
                format_message("%s: not a nethost plugin (no nh_plugin_entry symbol)", real));
  }
  memcpy(&entry, &sym, sizeof(entry));
  return start(p, entry, errmsg);
}

int nh_plugin_add_builtin(const char *name, nh_plugin_entry_fn entry, char **errmsg) {
  nh_plugin_t *p;
  size_t i;
  if (errmsg) *errmsg = NULL;
  if (!name || !entry) return NH_EINVAL;
  for (i = 0; i < loader.n; i++) {
    if (!loader.list[i]->handle && strcmp(loader.list[i]->file, name) == 0) return 0;
  }
  if (!(p = calloc(1, sizeof(*p))) || !(p->file = strdup(name))) {
    free(p);
    return NH_ENOMEM;
  }
  return start(p, entry, errmsg);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_plugin_file(const char *name) {
  size_t n = strlen(name);
  return name[0] != '.' && n > 3 && strcmp(name + n - 3, ".so") == 0;
}

int nh_plugin_load_dir(const char *dir) {
  DIR *d;
  struct dirent *e;
  char **names = NULL, **grown;
  size_t n = 0, i;
  int loaded = 0;
  if (!dir || !*dir) return 0;
  if (!(d = opendir(dir))) {
    if (errno == ENOENT) return 0;
    nh__plugin_log(NH_PLUGIN_LOG_WARN, dir, "cannot read plugin folder: %s", strerror(errno));
    return NH_EPLUGIN;
  }
  while ((e = readdir(d)) != NULL) {
    char *copy;
    if (!is_plugin_file(e->d_name)) continue;
    if (!(grown = realloc(names, (n + 1) * sizeof(*grown))) || !(copy = strdup(e->d_name))) {
      if (grown) names = grown;
      break;
    }
    names = grown;
    names[n++] = copy;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof(*names), compare_names);
  for (i = 0; i < n; i++) {
    char *path = format_message("%s/%s", dir, names[i]), *msg = NULL;
    if (path && nh_plugin_load(path, &msg) == 0)
      loaded++;
    else if (msg)
      nh__plugin_log(NH_PLUGIN_LOG_WARN, "plugins", "%s", msg);
    free(msg);
    free(path);
    free(names[i]);
  }
  free(names);
  return loaded;
}

int nh_plugin_load_path(const char *path_list) {
  char *copy, *save = NULL, *dir;
  int loaded = 0, rc;
  if (!path_list || !(copy = strdup(path_list))) return 0;
  for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    if ((rc = nh_plugin_load_dir(dir)) > 0) loaded += rc;
  }
  free(copy);
  return loaded;
}

void nh_plugin_unload_all(void) {
  size_t i;
  while (loader.n > 0) destroy(loader.list[--loader.n]);
  free(loader.list);
  loader.list = NULL;
  for (i = 0; i < loader.nfailures; i++) free(loader.failures[i]);
  free(loader.failures);
  loader.failures = NULL;
  loader.nfailures = 0;
}

size_t nh_plugin_count(void) {
  return loader.n;
}

const nh_plugin_t *nh_plugin_at(size_t i) {
  return i < loader.n ? loader.list[i] : NULL;
}

size_t nh_plugin_failure_count(void) {
  return loader.nfailures;
}

const char *nh_plugin_failure(size_t i) {
  return i < loader.nfailures ? loader.failures[i] : NULL;
}
