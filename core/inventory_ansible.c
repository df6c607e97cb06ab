/* nethost core: Ansible YAML inventories read as they are (all/children/hosts/vars, host
 * ranges), and the group_vars/ and host_vars/ folders beside them and INI inventories. */
#include "error.h"
#include "inventory_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Host ranges ("sw[0001:2500]") may name this many hosts per pattern, and this many in all
 * per inventory: a few bytes must not make millions of hosts. Fuzzing builds keep both small
 * so every input runs fast. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define MAX_RANGE_HOSTS  1000
#define MAX_RANGE_TOTAL  5000
#define MAX_GROUP_VISITS 20000
#else
#define MAX_GROUP_VISITS 1000000
#define MAX_RANGE_HOSTS  100000
#define MAX_RANGE_TOTAL  1000000
#endif

static const char *const group_keys[] = {"hosts", "children", "vars", NULL};

typedef int (*each_name_fn)(nh__ld_t *ld, const char *name, const nh_ynode_t *at, void *ctx);

/* One "[from:to(:step)]" range: where it starts and ends in its name, and its values. */
typedef struct {
  const char *open, *close;
  long a, b, step;
  int width, alpha;
} range_t;

/* Finds the first range in name: 1 with *r filled, 0 when name has none, or an error. */
static int next_range(nh__ld_t *ld, const char *name, const char *all, const nh_ynode_t *at,
                      range_t *r) {
  const char *c1, *c2;
  char from[32], to[32];
  r->open = strchr(name, '[');
  if (!r->open || !(r->close = strchr(r->open, ']')) ||
      !(c1 = memchr(r->open, ':', (size_t)(r->close - r->open))))
    return 0;
  c2 = memchr(c1 + 1, ':', (size_t)(r->close - c1 - 1));
  if ((size_t)(c1 - r->open - 1) >= sizeof(from) ||
      (size_t)((c2 ? c2 : r->close) - c1 - 1) >= sizeof(to))
    return nh__inv_fail(ld, at, "bad host range in '%s'", all);
  snprintf(from, sizeof(from), "%.*s", (int)(c1 - r->open - 1), r->open + 1);
  snprintf(to, sizeof(to), "%.*s", (int)((c2 ? c2 : r->close) - c1 - 1), c1 + 1);
  r->step = c2 ? strtol(c2 + 1, NULL, 10) : 1;
  r->alpha = strlen(from) == 1 && strlen(to) == 1 && from[0] >= 'a' && from[0] <= 'z' &&
             to[0] >= 'a' && to[0] <= 'z';
  if (r->alpha) {
    r->a = from[0];
    r->b = to[0];
    r->width = 0;
  } else {
    char *e1, *e2;
    r->a = strtol(from, &e1, 10);
    r->b = strtol(to, &e2, 10);
    if (!*from || !*to || *e1 || *e2)
      return nh__inv_fail(ld, at, "bad host range '[%s:%s]' in '%s': expected numbers or letters",
                          from, to, all);
    r->width = from[0] == '0' && strlen(from) > 1 ? (int)strlen(from) : 0;
  }
  if (r->step < 1 || r->b < r->a || (r->b - r->a) / r->step >= MAX_RANGE_HOSTS)
    return nh__inv_fail(ld, at, "bad host range in '%s'", all);
  return 1;
}

/* Calls fn for every name an Ansible host pattern stands for: "sw[01:03].lab" is sw01.lab,
 * sw02.lab and sw03.lab; "[a:c]" letters; "[0:10:2]" a step. The ranges are checked and
 * the names counted before any is made: a few bytes of ranges must fail at once, not after
 * gigabytes of hosts. */
static int expand_one(nh__ld_t *ld, const char *name, const nh_ynode_t *at, each_name_fn fn,
                      void *ctx) {
  range_t r;
  char buf[1024];
  int rc = next_range(ld, name, name, at, &r);
  if (rc <= 0) return rc < 0 ? rc : fn(ld, name, at, ctx);
  for (long i = r.a; i <= r.b; i += r.step) {
    if (r.alpha)
      snprintf(buf, sizeof(buf), "%.*s%c%s", (int)(r.open - name), name, (char)i, r.close + 1);
    else
      snprintf(buf, sizeof(buf), "%.*s%0*ld%s", (int)(r.open - name), name, r.width, i,
               r.close + 1);
    if ((rc = expand_one(ld, buf, at, fn, ctx)) < 0) return rc;
  }
  return 0;
}

static int expand(nh__ld_t *ld, const char *name, const nh_ynode_t *at, each_name_fn fn,
                  void *ctx) {
  range_t r;
  size_t count = 1;
  int rc;
  for (const char *p = name; (rc = next_range(ld, p, name, at, &r)) == 1; p = r.close + 1) {
    count *= (size_t)((r.b - r.a) / r.step + 1);
    if (count > MAX_RANGE_HOSTS) break;
  }
  if (rc < 0) return rc;
  if (count > MAX_RANGE_HOSTS || ld->inv->range_hosts + count > MAX_RANGE_TOTAL)
    return nh__inv_fail(ld, at,
                        "host ranges expand to too many hosts ('%s' would make the "
                        "inventory's ranges name more than %d hosts, or one pattern more than "
                        "%d)",
                        name, MAX_RANGE_TOTAL, MAX_RANGE_HOSTS);
  ld->inv->range_hosts += count;
  return expand_one(ld, name, at, fn, ctx);
}

typedef struct {
  nh_group_t *group;
  const nh_ynode_t *vars;
} host_ctx_t;

static int vars_into(nh__ld_t *ld, nh_inv_fields_t *f, nh_group_t *g, const nh_ynode_t *vars,
                     const char *what) {
  nh_ynode_t **keys, **vals;
  int n, i, rc;
  if ((n = nh__inv_map_pairs(ld, vars, what, "a map of variables", &keys, &vals)) <= 0) return n;
  for (i = 0; i < n; i++) {
    if (g && keys[i]->type == NH_YNODE_SCALAR &&
        strcmp(keys[i]->u.scalar.text, "ansible_group_priority") == 0) {
      g->priority = vals[i]->type == NH_YNODE_SCALAR ? atoi(vals[i]->u.scalar.text) : 1;
      continue;
    }
    if ((rc = nh__inv_ansible_var(ld, f, keys[i], vals[i], what)) < 0) return rc;
  }
  return 0;
}

static int add_host(nh__ld_t *ld, const char *name, const nh_ynode_t *at, void *vctx) {
  host_ctx_t *ctx = vctx;
  nh_host_t *h;
  int created, rc;
  char what[300];
  if (!(h = nh__inv_host(ld->inv, name, &created))) return NH_ENOMEM;
  if (created) {
    h->file = nh_ydoc_file(ld->doc);
    h->line = at->line;
    h->column = at->column;
  }
  if (ctx->group && (rc = nh__inv_add_group_ref(ld->inv, &h->groups, &h->ngroups, ctx->group)) < 0)
    return rc;
  snprintf(what, sizeof(what), "host '%s'", h->name);
  return vars_into(ld, &h->own, NULL, ctx->vars, what);
}

static int group_entry(nh__ld_t *ld, const nh_ynode_t *name, const nh_ynode_t *node,
                       nh_group_t *parent, int depth) {
  nh_ynode_t **keys, **vals;
  nh_group_t *g = NULL;
  nh_inv_fields_t *f = &ld->inv->defaults;
  char what[300];
  int n, i, j, rc, created;
  if (name->type != NH_YNODE_SCALAR || nh_ynode_is_null(name))
    return nh__inv_fail(ld, name, "expected a group name, found %s", nh_ynode_kind(name));
  if (depth > 100) return nh__inv_fail(ld, name, "groups nested too deeply");
  /* Aliases can make a small tree of children visit groups exponentially often. */
  if (++ld->inv->group_visits > MAX_GROUP_VISITS)
    return nh__inv_fail(ld, name, "the groups expand to too many entries (aliases?)");
  if (strcmp(name->u.scalar.text, "all") != 0) {
    if (!(g = nh__inv_group(ld->inv, name->u.scalar.text, &created))) return NH_ENOMEM;
    if (!g->defined) nh__inv_group_defined(g, nh_ydoc_file(ld->doc), name->line, name->column);
    if (parent && (rc = nh__inv_add_group_ref(ld->inv, &g->parents, &g->nparents, parent)) < 0)
      return rc;
    f = &g->own;
  }
  snprintf(what, sizeof(what), "group '%s'", name->u.scalar.text);
  if ((n = nh__inv_map_pairs(ld, node, what, "a map with hosts, children or vars", &keys, &vals)) <=
      0)
    return n;
  for (i = 0; i < n; i++) {
    const char *k = keys[i]->type == NH_YNODE_SCALAR ? keys[i]->u.scalar.text : "";
    if (strcmp(k, "vars") == 0) {
      if ((rc = vars_into(ld, f, g, vals[i], what)) < 0) return rc;
    } else if (strcmp(k, "hosts") == 0 || strcmp(k, "children") == 0) {
      nh_ynode_t **hk, **hv;
      int m;
      if (nh_ynode_is_null(vals[i])) continue;
      if (vals[i]->type != NH_YNODE_MAP)
        return nh__inv_fail(ld, vals[i], "%s: expected a map under '%s', found %s", what, k,
                            nh_ynode_kind(vals[i]));
      if ((m = nh_ynode_map_pairs(ld->doc, vals[i], &hk, &hv, ld->err, ld->errlen)) < 0) return m;
      for (j = 0; j < m; j++) {
        if (k[0] == 'c') {
          if ((rc = group_entry(ld, hk[j], hv[j], g, depth + 1)) < 0) return rc;
        } else {
          host_ctx_t ctx = {g, hv[j]};
          if (hk[j]->type != NH_YNODE_SCALAR || nh_ynode_is_null(hk[j]))
            return nh__inv_fail(ld, hk[j], "expected a host name, found %s", nh_ynode_kind(hk[j]));
          if ((rc = expand(ld, hk[j]->u.scalar.text, hk[j], add_host, &ctx)) < 0) return rc;
        }
      }
    } else {
      char hint[96];
      nh__inv_suggest(k, group_keys, hint, sizeof(hint));
      return nh__inv_fail(ld, keys[i], "%s: unknown key '%s': expected hosts, children or vars%s",
                          what, k, hint);
    }
  }
  return 0;
}

int nh__inv_ansible_hosts(nh__ld_t *ld, const char *pattern, const nh_ynode_t *at,
                          nh_group_t *group, const nh_ynode_t *vars) {
  host_ctx_t ctx;
  ctx.group = group;
  ctx.vars = vars;
  return expand(ld, pattern, at, add_host, &ctx);
}

int nh__inv_load_ansible(nh__ld_t *ld, const nh_ynode_t *root) {
  nh_ynode_t **keys, **vals;
  int n, i, rc;
  if ((n = nh_ynode_map_pairs(ld->doc, root, &keys, &vals, ld->err, ld->errlen)) < 0) return n;
  for (i = 0; i < n; i++)
    if ((rc = group_entry(ld, keys[i], vals[i], NULL, 0)) < 0) return rc;
  return 0;
}

/* ---- group_vars/ and host_vars/ -------------------------------------------------------- */

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entry names of dir (without . and ..). */
static int list_dir(const char *dir, char ***names, size_t *n) {
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t cap = 0;
  *names = NULL;
  *n = 0;
  if (!d) return 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (*n == cap) {
      char **p = realloc(*names, (cap = cap ? cap * 2 : 16) * sizeof(*p));
      if (!p) break;
      *names = p;
    }
    if (!((*names)[*n] = strdup(e->d_name))) break;
    (*n)++;
  }
  closedir(d);
  if (*n) qsort(*names, *n, sizeof(**names), cmp_names);
  return 0;
}

static void free_names(char **names, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) free(names[i]);
  free(names);
}

static int is_vars_file(const char *name, size_t *stem) {
  const char *exts[] = {".yml", ".yaml", ".json"};
  size_t i, n = strlen(name);
  for (i = 0; i < 3; i++) {
    size_t e = strlen(exts[i]);
    if (n > e && strcmp(name + n - e, exts[i]) == 0) {
      *stem = n - e;
      return 1;
    }
  }
  *stem = n;
  return strchr(name, '.') == NULL;
}

/* Applies one vars file to the group (or the defaults, or a host). */
static int vars_file(nh__ld_t *ld, const char *path, nh_inv_fields_t *f, nh_group_t *g,
                     const char *what) {
  nh_ydoc_t *doc;
  int rc;
  if ((rc = nh_ydoc_load(path, &doc, ld->err, ld->errlen)) < 0) return rc;
  if ((rc = nh__inv_keep_doc(ld->inv, doc)) < 0) return rc;
  ld->doc = doc;
  return vars_into(ld, f, g, nh_ydoc_root(doc), what);
}

static int vars_dir(nh__ld_t *ld, const char *dir, int hosts) {
  char **names, **sub, path[4400], what[300], stemname[256];
  size_t n, nsub, i, j, stem;
  int rc = 0;
  list_dir(dir, &names, &n);
  for (i = 0; i < n && rc >= 0; i++) {
    struct stat st;
    nh_inv_fields_t *f;
    nh_group_t *g = NULL;
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    if (stat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode))
      stem = strlen(names[i]);
    else if (!is_vars_file(names[i], &stem))
      continue;
    snprintf(stemname, sizeof(stemname), "%.*s", (int)stem, names[i]);
    if (hosts) {
      const nh_host_t *h = nh_inventory_find(ld->inv, stemname);
      if (!h) continue; /* Ansible ignores vars of hosts the inventory does not have. */
      f = &((nh_host_t *)h)->own;
      snprintf(what, sizeof(what), "host '%s'", stemname);
    } else if (strcmp(stemname, "all") == 0) {
      f = &ld->inv->defaults;
      snprintf(what, sizeof(what), "group 'all'");
    } else {
      g = (nh_group_t *)nh_inventory_find_group(ld->inv, stemname);
      if (!g) continue;
      f = &g->own;
      snprintf(what, sizeof(what), "group '%s'", stemname);
    }
    if (!S_ISDIR(st.st_mode)) {
      rc = vars_file(ld, path, f, g, what);
      continue;
    }
    list_dir(path, &sub, &nsub);
    for (j = 0; j < nsub && rc >= 0; j++) {
      char file[4700];
      size_t s2;
      if (!is_vars_file(sub[j], &s2)) continue;
      snprintf(file, sizeof(file), "%s/%s", path, sub[j]);
      rc = vars_file(ld, file, f, g, what);
    }
    free_names(sub, nsub);
  }
  free_names(names, n);
  return rc;
}

int nh__inv_load_ansible_vars_dirs(nh__ld_t *ld, const char *dir) {
  char path[4200];
  int rc;
  if (!dir) return 0;
  snprintf(path, sizeof(path), "%s/group_vars", dir);
  if ((rc = vars_dir(ld, path, 0)) < 0) return rc;
  snprintf(path, sizeof(path), "%s/host_vars", dir);
  return vars_dir(ld, path, 1);
}
