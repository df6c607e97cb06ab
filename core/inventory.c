/* nethost core: the inventory model — hosts and groups, lookup, inheritance. Readers fill
 * it; it knows no reader (inventory_open.c picks one). */
#include "inventory.h"
#include "error.h"
#include "inventory_int.h"
#include "hash.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- name tables ---------------------------------------------------------------------- */

/* Looks name up in slots (index + 1 of items whose name is at offset name_of). */
static size_t slot_find(size_t *slots, size_t cap, void **items, const char *name) {
  size_t i, s;
  if (!cap) return 0;
  for (i = nh_hash_str(name) & (cap - 1);; i = (i + 1) & (cap - 1)) {
    if (!(s = slots[i])) return 0;
    if (strcmp(*(const char **)items[s - 1], name) == 0) return s;
  }
}

static int slot_add(size_t **slots, size_t *cap, size_t count, void **items, size_t idx) {
  size_t i;
  if ((count + 1) * 2 > *cap) {
    size_t ncap = *cap ? *cap * 2 : 64, j;
    size_t *ns = calloc(ncap, sizeof(*ns));
    if (!ns) return NH_ENOMEM;
    for (j = 0; j < count; j++) {
      for (i = nh_hash_str(*(const char **)items[j]) & (ncap - 1); ns[i];
           i = (i + 1) & (ncap - 1)) {
      }
      ns[i] = j + 1;
    }
    free(*slots);
    *slots = ns;
    *cap = ncap;
  }
  for (i = nh_hash_str(*(const char **)items[idx]) & (*cap - 1); (*slots)[i];
       i = (i + 1) & (*cap - 1)) {
  }
  (*slots)[i] = idx + 1;
  return 0;
}

void nh__inv_fields_init(nh_inv_fields_t *f) {
  memset(f, 0, sizeof(*f));
  f->ssh.connect_timeout = f->ssh.timeout = f->ssh.keepalive = f->ssh.connect_rate = -1;
  f->ssh.max_sessions = f->ssh.max_connections = -1;
  f->http.verify = -1;
  f->http.timeout = -1;
}

/* Appends item to *list (holding *n pointers), which lives in the arena: it is copied to one
 * twice the size whenever *n reaches a power of two, the old copy staying in the arena until
 * the inventory is freed. The host and group arrays, every group list and the documents
 * kept grow this way, so the inventory frees none of them one by one. */
static int arena_append(nh_inventory_t *inv, void ***list, size_t *n, void *item) {
  void **p;
  if ((*n & (*n - 1)) == 0) {
    size_t cap = *n ? *n * 2 : 2;
    if (!(p = nh_ydoc_alloc(inv->arena, cap * sizeof(*p)))) return NH_ENOMEM;
    if (*n) memcpy(p, *list, *n * sizeof(*p));
    *list = p;
  }
  (*list)[(*n)++] = item;
  return 0;
}

int nh__inv_keep_doc(nh_inventory_t *inv, nh_ydoc_t *doc) {
  int rc = arena_append(inv, (void ***)&inv->docs, &inv->ndocs, doc);
  if (rc < 0) nh_ydoc_free(doc);
  return rc;
}

int nh__inv_keep_value(nh_inventory_t *inv, nh_value_t *v) {
  return nh_value_list_push(inv->owned, v);
}

nh_host_t *nh__inv_host(nh_inventory_t *inv, const char *name, int *created) {
  size_t s = slot_find(inv->host_slots, inv->host_slots_cap, (void **)inv->hosts, name);
  nh_host_t *h;
  *created = 0;
  if (s) return inv->hosts[s - 1];
  if (!(h = nh_ydoc_alloc(inv->arena, sizeof(*h)))) return NULL;
  if (!(h->name = nh_ydoc_strdup(inv->arena, name, strlen(name)))) return NULL;
  h->index = inv->nhosts;
  nh__inv_fields_init(&h->own);
  nh__inv_fields_init(&h->fields);
  /* name is the first member of nh_host_t, as slot_find expects. */
  if (arena_append(inv, (void ***)&inv->hosts, &inv->nhosts, h) < 0 ||
      slot_add(&inv->host_slots, &inv->host_slots_cap, h->index, (void **)inv->hosts, h->index) < 0)
    return NULL;
  *created = 1;
  return h;
}

void nh__inv_group_defined(nh_group_t *g, const char *file, int line, int column) {
  g->defined = 1;
  g->file = file;
  g->line = line;
  g->column = column;
}

nh_group_t *nh__inv_group(nh_inventory_t *inv, const char *name, int *created) {
  size_t s = slot_find(inv->group_slots, inv->group_slots_cap, (void **)inv->groups, name);
  nh_group_t *g;
  *created = 0;
  if (s) return inv->groups[s - 1];
  if (!(g = nh_ydoc_alloc(inv->arena, sizeof(*g)))) return NULL;
  if (!(g->name = nh_ydoc_strdup(inv->arena, name, strlen(name)))) return NULL;
  g->index = inv->ngroups;
  g->priority = 1;
  nh__inv_fields_init(&g->own);
  if (arena_append(inv, (void ***)&inv->groups, &inv->ngroups, g) < 0 ||
      slot_add(&inv->group_slots, &inv->group_slots_cap, g->index, (void **)inv->groups, g->index) <
          0)
    return NULL;
  *created = 1;
  return g;
}

int nh__inv_add_group_ref(nh_inventory_t *inv, nh_group_t ***list, size_t *n, nh_group_t *g) {
  size_t i;
  for (i = 0; i < *n; i++)
    if ((*list)[i] == g) return 0;
  return arena_append(inv, (void ***)list, n, g);
}

const char *nh__inv_path(nh_inventory_t *inv, const char *path) {
  const char *home;
  char *buf;
  size_t n;
  if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && (home = getenv("HOME"))) {
    n = strlen(home) + strlen(path) + 1;
    if (!(buf = nh_ydoc_alloc(inv->arena, n))) return NULL;
    snprintf(buf, n, "%s%s", home, path + 1);
    return buf;
  }
  if (path[0] == '/' || !inv->base_dir) return path;
  n = strlen(inv->base_dir) + strlen(path) + 2;
  if (!(buf = nh_ydoc_alloc(inv->arena, n))) return NULL;
  snprintf(buf, n, "%s/%s", inv->base_dir, path);
  return buf;
}

/* ---- resolving ------------------------------------------------------------------------ */

/* Orders g's ancestors: itself, then each parent followed by its own ancestors
 * (depth-first, first occurrence wins). Detects cycles. */
static int group_chain(nh__ld_t *ld, nh_group_t *g, int depth) {
  size_t i, j;
  int rc;
  if (g->state == 2) return 0;
  if (g->state == 1)
    return nh__inv_fail_at(ld, g->file, g->line, g->column,
                           "group '%s' is its own ancestor (a cycle through its parent groups)",
                           g->name);
  if (depth > 200) return nh__inv_fail(ld, NULL, "groups nested too deeply at '%s'", g->name);
  g->state = 1;
  g->depth = 0;
  if ((rc = nh__inv_add_group_ref(ld->inv, &g->chain, &g->nchain, g)) < 0) return rc;
  for (i = 0; i < g->nparents; i++) {
    nh_group_t *p = g->parents[i];
    if ((rc = group_chain(ld, p, depth + 1)) < 0) return rc;
    if (p->depth + 1 > g->depth) g->depth = p->depth + 1;
    for (j = 0; j < p->nchain; j++)
      if ((rc = nh__inv_add_group_ref(ld->inv, &g->chain, &g->nchain, p->chain[j])) < 0) return rc;
  }
  g->state = 2;
  return 0;
}

/* Ansible's order: deeper groups, then higher ansible_group_priority, then later names win. */
static int ansible_cmp(const void *a, const void *b) {
  const nh_group_t *x = *(nh_group_t *const *)a, *y = *(nh_group_t *const *)b;
  if (x->depth != y->depth) return x->depth > y->depth ? -1 : 1;
  if (x->priority != y->priority) return x->priority > y->priority ? -1 : 1;
  return -strcmp(x->name, y->name);
}

#define PICK(field, unset)                            \
  do {                                                \
    if (out->field == (unset)) out->field = l->field; \
  } while (0)

/* Fills every field of out still unset from layer l. */
static void fill(nh_inv_fields_t *out, const nh_inv_fields_t *l) {
  PICK(address, NULL);
  PICK(port, 0);
  PICK(platform, NULL);
  PICK(username, NULL);
  PICK(key_file, NULL);
  if (!out->password.kind) out->password = l->password;
  if (!out->passphrase.kind) out->passphrase = l->passphrase;
  if (!out->enable_secret.kind) out->enable_secret = l->enable_secret;
  PICK(ssh.host_key_policy, NH_INV_HOSTKEY_UNSET);
  PICK(ssh.known_hosts, NULL);
  PICK(ssh.session_log, NULL);
  if (out->ssh.connect_timeout < 0) out->ssh.connect_timeout = l->ssh.connect_timeout;
  if (out->ssh.timeout < 0) out->ssh.timeout = l->ssh.timeout;
  if (out->ssh.keepalive < 0) out->ssh.keepalive = l->ssh.keepalive;
  if (out->ssh.connect_rate < 0) out->ssh.connect_rate = l->ssh.connect_rate;
  PICK(ssh.kex, NULL);
  PICK(ssh.hostkey, NULL);
  PICK(ssh.cipher, NULL);
  PICK(ssh.mac, NULL);
  PICK(ssh.jump, NULL);
  if (out->ssh.max_sessions < 0) out->ssh.max_sessions = l->ssh.max_sessions;
  if (out->ssh.max_connections < 0) out->ssh.max_connections = l->ssh.max_connections;
  PICK(http.base_url, NULL);
  PICK(http.verify, -1);
  PICK(http.ca_file, NULL);
  PICK(http.scheme, NULL);
  PICK(http.port, 0);
  PICK(http.client_cert, NULL);
  PICK(http.client_key, NULL);
  if (out->http.timeout < 0) out->http.timeout = l->http.timeout;
  PICK(http.username, NULL);
  if (!out->http.password.kind) out->http.password = l->http.password;
  PICK(http.headers, NULL);
}

/* A host's fields from its layers: own, then its chain, then the defaults; then the base URL
 * from scheme and port when no layer gives one. */
static int resolve_fields(nh_inventory_t *inv, nh_host_t *h) {
  nh_inv_fields_t *f = &h->fields;
  size_t i;
  *f = h->own;
  for (i = 0; i < h->nchain; i++) fill(f, &h->chain[i]->own);
  fill(f, &inv->defaults);
  /* data is merged on demand (nh_host_data_get, nh_host_data): most of it is never read,
   * and merging every host's copy would dominate the memory of a large inventory. */
  f->data = NULL;
  if (!f->http.base_url && (f->http.scheme || f->http.port)) {
    const char *addr = f->address ? f->address : h->name;
    int v6 = strchr(addr, ':') != NULL && addr[0] != '[';
    size_t n = strlen(addr) + 32;
    char *url = nh_ydoc_alloc(inv->arena, n);
    if (!url) return NH_ENOMEM;
    if (f->http.port)
      snprintf(url, n, "%s://%s%s%s:%d", f->http.scheme ? f->http.scheme : "https", v6 ? "[" : "",
               addr, v6 ? "]" : "", f->http.port);
    else
      snprintf(url, n, "%s://%s%s%s", f->http.scheme, v6 ? "[" : "", addr, v6 ? "]" : "");
    f->http.base_url = url;
  }
  return 0;
}

static int resolve_host(nh__ld_t *ld, nh_host_t *h, int ansible) {
  nh_inventory_t *inv = ld->inv;
  size_t i, j;
  int rc;
  for (i = 0; i < h->ngroups; i++)
    for (j = 0; j < h->groups[i]->nchain; j++)
      if ((rc = nh__inv_add_group_ref(inv, &h->chain, &h->nchain, h->groups[i]->chain[j])) < 0)
        return rc;
  if (ansible && h->nchain > 1) qsort(h->chain, h->nchain, sizeof(*h->chain), ansible_cmp);
  h->inv = inv;
  if ((rc = resolve_fields(inv, h)) < 0) return rc;
  return 0;
}

int nh__inv_resolve(nh__ld_t *ld, int ansible) {
  nh_inventory_t *inv = ld->inv;
  size_t i;
  int rc;
  ld->doc = NULL;
  for (i = 0; i < inv->ngroups; i++) {
    nh_group_t *g = inv->groups[i];
    if (!g->defined && !ansible) {
      char hint[96] = "";
      const char *names[64];
      size_t j, k = 0;
      for (j = 0; j < inv->ngroups && k < 63; j++)
        if (inv->groups[j]->defined) names[k++] = inv->groups[j]->name;
      names[k] = NULL;
      nh__inv_suggest(g->name, names, hint, sizeof(hint));
      return nh__inv_fail_at(ld, g->file, g->line, g->column, "undefined group '%s'%s", g->name,
                             hint);
    }
  }
  for (i = 0; i < inv->ngroups; i++)
    if ((rc = group_chain(ld, inv->groups[i], 0)) < 0) return rc;
  for (i = 0; i < inv->nhosts; i++)
    if ((rc = resolve_host(ld, inv->hosts[i], ansible)) < 0) return rc;
  return 0;
}

/* ---- detaching from the parsed files ----------------------------------------------------- */

/* Copies *s into the inventory's arena. Strings shared by many hosts (a group's platform) are
 * copied once per layer, not per host, since hosts point at their layers' copies. */
static int intern(nh_inventory_t *inv, const char **s) {
  char *c;
  if (!*s) return 0;
  if (!(c = nh_ydoc_strdup(inv->arena, *s, strlen(*s)))) return NH_ENOMEM;
  *s = c;
  return 0;
}

static int intern_fields(nh_inventory_t *inv, nh_inv_fields_t *f) {
  const char **strs[] = {&f->address,
                         &f->platform,
                         &f->username,
                         &f->password.value,
                         &f->key_file,
                         &f->passphrase.value,
                         &f->enable_secret.value,
                         &f->ssh.known_hosts,
                         &f->ssh.session_log,
                         &f->ssh.kex,
                         &f->ssh.hostkey,
                         &f->ssh.cipher,
                         &f->ssh.mac,
                         &f->ssh.jump,
                         &f->http.base_url,
                         &f->http.ca_file,
                         &f->http.scheme,
                         &f->http.client_cert,
                         &f->http.client_key,
                         &f->http.username,
                         &f->http.password.value};
  size_t i;
  for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
    if (intern(inv, strs[i]) < 0) return NH_ENOMEM;
  return 0;
}

/* After loading, copies every string hosts and groups use out of the parsed files and frees
 * them: the YAML node trees are several times the size of what the inventory keeps. */
int nh__inv_detach_docs(nh_inventory_t *inv) {
  size_t i, d;
  int rc;
  for (i = 0; i < inv->ngroups; i++)
    if ((rc = intern_fields(inv, &inv->groups[i]->own)) < 0) return rc;
  if ((rc = intern_fields(inv, &inv->defaults)) < 0) return rc;
  for (i = 0; i < inv->nhosts; i++) {
    nh_host_t *h = inv->hosts[i];
    if ((rc = intern_fields(inv, &h->own)) < 0) return rc;
    /* Resolve again from the interned layers (cheap: pointers only). */
    if ((rc = resolve_fields(inv, h)) < 0) return rc;
  }
  for (d = 0; d < inv->ndocs; d++) {
    const char *file = nh_ydoc_file(inv->docs[d]);
    char *copy = nh_ydoc_strdup(inv->arena, file, strlen(file));
    if (!copy) return NH_ENOMEM;
    for (i = 0; i < inv->nhosts; i++)
      if (inv->hosts[i]->file == file) inv->hosts[i]->file = copy;
    for (i = 0; i < inv->ngroups; i++)
      if (inv->groups[i]->file == file) inv->groups[i]->file = copy;
  }
  for (d = 0; d < inv->ndocs; d++) nh_ydoc_free(inv->docs[d]);
  inv->ndocs = 0;
#ifdef __GLIBC__
  /* The parse trees were most of the memory loading took; give it back to the system now
   * rather than keep it in malloc's free lists for the whole run. */
  malloc_trim(0);
#endif
  return 0;
}

/* ---- life -------------------------------------------------------------------------------- */

nh_inventory_t *nh__inv_new(const char *path, const char *base_dir) {
  nh_inventory_t *inv = calloc(1, sizeof(*inv));
  if (!inv) return NULL;
  nh__inv_fields_init(&inv->defaults);
  /* The arena keeps the path (as its file name) and the base folder as long as the
   * inventory lives. */
  if (!(inv->arena = nh_ydoc_new(path)) || !(inv->owned = nh_value_list()) ||
      (base_dir && !(inv->base_dir = nh_ydoc_strdup(inv->arena, base_dir, strlen(base_dir))))) {
    nh_inventory_free(inv);
    return NULL;
  }
  inv->path = nh_ydoc_file(inv->arena);
  return inv;
}

void nh_inventory_free(nh_inventory_t *inv) {
  size_t i;
  if (!inv) return;
  for (i = 0; i < inv->ndocs; i++) nh_ydoc_free(inv->docs[i]);
  nh_value_free(inv->owned);
  nh_ydoc_free(inv->arena);
  free(inv->host_slots);
  free(inv->group_slots);
  free(inv);
}

/* ---- accessors ------------------------------------------------------------------------ */

const char *nh_inventory_format(const nh_inventory_t *inv) {
  return inv->format ? inv->format : "nethost";
}

const char *nh_inventory_path(const nh_inventory_t *inv) {
  return inv->path;
}

size_t nh_inventory_count(const nh_inventory_t *inv) {
  return inv->nhosts;
}

const nh_host_t *nh_inventory_host(const nh_inventory_t *inv, size_t i) {
  return i < inv->nhosts ? inv->hosts[i] : NULL;
}

const nh_host_t *nh_inventory_find(const nh_inventory_t *inv, const char *name) {
  size_t s = slot_find(inv->host_slots, inv->host_slots_cap, (void **)inv->hosts, name);
  return s ? inv->hosts[s - 1] : NULL;
}

size_t nh_inventory_group_count(const nh_inventory_t *inv) {
  return inv->ngroups;
}

const nh_group_t *nh_inventory_group(const nh_inventory_t *inv, size_t i) {
  return i < inv->ngroups ? inv->groups[i] : NULL;
}

const nh_group_t *nh_inventory_find_group(const nh_inventory_t *inv, const char *name) {
  size_t s = slot_find(inv->group_slots, inv->group_slots_cap, (void **)inv->groups, name);
  return s ? inv->groups[s - 1] : NULL;
}

const nh_inv_fields_t *nh_inventory_defaults(const nh_inventory_t *inv) {
  return &inv->defaults;
}

int nh_host_in_group(const nh_host_t *host, const nh_group_t *g) {
  size_t i;
  for (i = 0; i < host->nchain; i++)
    if (host->chain[i] == g) return 1;
  return 0;
}
