/* nethost core: the TextFSM parser source, a plugin compiled into nethost.
 *
 * When no native parser exists for (platform, command), nethost asks parser sources; this
 * one answers from the ntc-templates style `index` in the template folder (read on first
 * use; templates compiled on first use and cached for the process). Results are what
 * ntc-templates' parse_output returns: a list of records whose keys are the Value names in
 * lower case, List values as lists of strings. Without a folder the source resolves nothing
 * (and says so once in the log).
 *
 * It is written against the plugin ABI like any plugin, but started with
 * nh_plugin_add_builtin() rather than loaded from a file: the engine (core/textfsm) is then
 * linked once, and the folder the Lua module's textfsm.dir() chooses is the one this source
 * reads, with no process environment in between.
 */
#include "textfsm_source.h"
#include "error.h"
#include "plugin_loader.h"
#include "textfsm.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The engine's status codes are core's, so a parse error passes through unchanged. */
_Static_assert(NH_TFSM_ENOMEM == NH_ENOMEM, "textfsm ENOMEM");
_Static_assert(NH_TFSM_ENOENT == NH_ENOENT, "textfsm ENOENT");
_Static_assert(NH_TFSM_EPARSE == NH_EPARSE, "textfsm EPARSE");
_Static_assert(NH_TFSM_ESYNTAX == NH_ESYNTAX, "textfsm ESYNTAX");
_Static_assert(NH_TFSM_ENOPARSER == NH_ENOPARSER, "textfsm ENOPARSER");

#define BUILTIN_NAME "(built-in textfsm)"

typedef struct {
  pthread_mutex_t lock; /* guards idx/dir: parses may run on the thread pool */
  const nh_plugin_host_t *host;
  nh_plugin_t *self;
  char *want;                /* the folder nh_textfsm_set_dir() chose; NULL: NET_TEXTFSM */
  nh_tfsm_index_t *idx;      /* the index of `dir` */
  char *dir;                 /* the folder idx was opened from (or failed to be) */
  nh_tfsm_index_t **retired; /* replaced indexes: a pool thread may still be using one */
  size_t nretired;
  int warned; /* no folder was logged */
} source_t;

static source_t g_src = {.lock = PTHREAD_MUTEX_INITIALIZER};

const char *nh_textfsm_dir(void) {
  if (g_src.want) return g_src.want;
  const char *d = getenv("NET_TEXTFSM");
  return d && *d ? d : NULL;
}

int nh_textfsm_set_dir(const char *dir) {
  char *copy = NULL;
  if (dir && !(copy = strdup(dir))) return NH_ENOMEM;
  pthread_mutex_lock(&g_src.lock);
  free(g_src.want);
  g_src.want = copy;
  pthread_mutex_unlock(&g_src.lock);
  return 0;
}

/* The index of the template folder. The folder is looked at on every lookup (a strcmp) so
 * a playbook's textfsm.dir(folder) takes effect; a folder that failed to open is reported
 * once and not retried until the folder changes. */
static nh_tfsm_index_t *get_index_locked(source_t *s) {
  const char *dir = nh_textfsm_dir();
  if (!dir) {
    if (!s->warned)
      s->host->log(s->self, NH_PLUGIN_LOG_DEBUG,
                   "NET_TEXTFSM is not set: no TextFSM templates (point it at "
                   "ntc-templates/templates)");
    s->warned = 1;
    return NULL;
  }
  if (s->dir && strcmp(s->dir, dir) == 0) return s->idx;
  if (s->idx) {
    nh_tfsm_index_t **r = realloc(s->retired, (s->nretired + 1) * sizeof *r);
    if (!r) return s->idx;
    s->retired = r;
    s->retired[s->nretired++] = s->idx;
  }
  s->idx = NULL;
  free(s->dir);
  s->dir = strdup(dir);
  if (!s->dir) return NULL;
  char err[1024];
  if (nh_tfsm_index_open(dir, &s->idx, err, sizeof err) < 0) {
    s->host->log(s->self, NH_PLUGIN_LOG_WARN, "%s", err);
    s->idx = NULL;
  }
  return s->idx;
}

/* The index of the current folder, (re)opened under the lock. Called from resolve() and
 * each(), which run on the loop thread (the only one that changes the folder). A replaced
 * index is kept until unload: a parse on the thread pool may still use it. */
static nh_tfsm_index_t *get_index(source_t *s) {
  pthread_mutex_lock(&s->lock);
  nh_tfsm_index_t *idx = get_index_locked(s);
  pthread_mutex_unlock(&s->lock);
  return idx;
}

/* The index resolve() last settled on, without looking at the folder (parse() may run on a
 * pool thread while the loop thread changes it). */
static nh_tfsm_index_t *current_index(source_t *s) {
  pthread_mutex_lock(&s->lock);
  nh_tfsm_index_t *idx = s->idx;
  pthread_mutex_unlock(&s->lock);
  return idx;
}

static int resolve(void *ud, const char *platform, const char *command, char *what,
                   size_t what_len) {
  nh_tfsm_index_t *idx = get_index(ud);
  if (!idx) return 0;
  const char *t = nh_tfsm_index_lookup(idx, platform, command);
  if (!t) return 0;
  if (what && what_len) snprintf(what, what_len, "%s", t);
  return 1;
}

static nh_plugin_value_t *str_value(const nh_plugin_host_t *h, nh_tfsm_str_t s) {
  return s.ptr ? h->value_string(s.ptr, s.len) : h->value_null();
}

/* The table as a list of maps (keys lower-cased, as ntc-templates returns them). */
static int build(const nh_plugin_host_t *h, const nh_tfsm_table_t *tab, nh_plugin_value_t **out) {
  char **keys = calloc(tab->ncols + 1, sizeof *keys);
  nh_plugin_value_t *list = h->value_list();
  int rc = NH_PLUGIN_ENOMEM;
  if (!keys || !list) goto done;
  for (size_t c = 0; c < tab->ncols; c++) {
    keys[c] = strdup(tab->header[c]);
    if (!keys[c]) goto done;
    for (char *p = keys[c]; *p; p++) *p = (char)tolower((unsigned char)*p);
  }
  for (size_t r = 0; r < tab->nrows; r++) {
    nh_plugin_value_t *rec = h->value_map();
    if (!rec || h->list_push(list, rec) < 0) goto done;
    for (size_t c = 0; c < tab->ncols; c++) {
      const nh_tfsm_cell_t *cell = &tab->cells[r * tab->ncols + c];
      nh_plugin_value_t *v;
      if (cell->type == NH_TFSM_CELL_STR) {
        v = str_value(h, cell->str);
      } else {
        v = h->value_list();
        for (size_t i = 0; v && i < cell->count; i++)
          if (h->list_push(v, str_value(h, tab->items[cell->first + i].str)) < 0) {
            h->value_free(v); /* the item was freed by list_push, the list is ours */
            v = NULL;
          }
      }
      if (!v || h->map_set(rec, keys[c], v) < 0) goto done;
    }
  }
  *out = list;
  list = NULL;
  rc = 0;
done:
  if (keys)
    for (size_t c = 0; c < tab->ncols; c++) free(keys[c]);
  free(keys);
  h->value_free(list);
  return rc;
}

static int parse(void *ud, const nh_plugin_host_t *host, nh_plugin_parse_t *p, const char *platform,
                 const char *command, const char *text, size_t len, nh_plugin_value_t **out) {
  source_t *s = ud;
  nh_tfsm_index_t *idx = current_index(s);
  if (!idx) return NH_PLUGIN_ENOPARSER;
  char err[2048];
  nh_tfsm_table_t *tab = NULL;
  int rc = nh_tfsm_index_parse(idx, platform, command, text, len, &tab, err, sizeof err);
  if (rc == NH_TFSM_ENOPARSER) return NH_PLUGIN_ENOPARSER;
  if (rc == NH_TFSM_ENOMEM) return NH_PLUGIN_ENOMEM;
  if (rc < 0) return host->parse_error(p, 0, "textfsm: %s", err);
  rc = build(host, tab, out);
  nh_tfsm_table_free(tab);
  return rc;
}

typedef struct {
  void (*fn)(void *arg, const char *platform, const char *command, const char *detail);
  void *arg;
} each_ctx_t;

static void each_row(void *arg, const char *platform, const char *command, const char *templates) {
  each_ctx_t *c = arg;
  c->fn(c->arg, platform, command, templates);
}

static void
each(void *ud, void (*fn)(void *arg, const char *platform, const char *command, const char *detail),
     void *arg) {
  nh_tfsm_index_t *idx = get_index(ud);
  if (!idx) return;
  each_ctx_t c = {fn, arg};
  nh_tfsm_index_each(idx, each_row, &c);
}

static void unload(void *ud) {
  source_t *s = ud;
  pthread_mutex_lock(&s->lock);
  nh_tfsm_index_free(s->idx);
  for (size_t k = 0; k < s->nretired; k++) nh_tfsm_index_free(s->retired[k]);
  free(s->retired);
  free(s->dir);
  free(s->want);
  s->idx = NULL;
  s->retired = NULL;
  s->nretired = 0;
  s->dir = s->want = NULL;
  s->host = NULL;
  s->self = NULL;
  s->warned = 0;
  pthread_mutex_unlock(&s->lock);
}

static int entry(const nh_plugin_host_t *host, nh_plugin_t *self) {
  NH_PLUGIN_DECLARE(host, self, "textfsm", "1.0.0");
  g_src.host = host;
  g_src.self = self;
  nh_plugin_parser_source_t src = {
      .size = sizeof src,
      .name = "textfsm",
      .ud = &g_src,
      .resolve = resolve,
      .parse = parse,
      .each = each,
  };
  int rc = host->on_unload(self, unload, &g_src);
  if (rc < 0) return rc;
  return host->register_parser_source(self, &src);
}

int nh_textfsm_source_start(char **errmsg) {
  return nh_plugin_add_builtin(BUILTIN_NAME, entry, errmsg);
}
