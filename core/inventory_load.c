/* nethost core: the nethost inventory format (one file) and Nornir's SimpleInventory folder. */
#include "error.h"
#include "inventory_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const top_names[] = {"hosts", "groups", "defaults", NULL};

static int unknown_key(nh__ld_t *ld, const nh_ynode_t *key, const char *what) {
  char hint[96];
  nh__inv_suggest(key->u.scalar.text, nh__inv_field_names, hint, sizeof(hint));
  return nh__inv_fail(ld, key, "%s: unknown key '%s'%s", what, key->u.scalar.text, hint);
}

/* Reads a `groups:` list (or one name) into *list, creating referenced groups. */
static int group_refs(nh__ld_t *ld, const nh_ynode_t *val, const char *what, nh_group_t ***list,
                      size_t *n) {
  const nh_ynode_t *const *items = &val;
  size_t count = 1, i;
  int rc;
  if (nh_ynode_is_null(val)) return 0;
  if (val->type == NH_YNODE_SEQ) {
    items = (const nh_ynode_t *const *)val->u.seq.items;
    count = val->u.seq.len;
  } else if (val->type != NH_YNODE_SCALAR) {
    return nh__inv_fail(ld, val, "%s: expected a list of group names for 'groups', found %s", what,
                        nh_ynode_kind(val));
  }
  for (i = 0; i < count; i++) {
    nh_group_t *g;
    int created;
    if (items[i]->type != NH_YNODE_SCALAR || nh_ynode_is_null(items[i]))
      return nh__inv_fail(ld, items[i], "%s: expected a group name, found %s", what,
                          nh_ynode_kind(items[i]));
    if (!(g = nh__inv_group(ld->inv, items[i]->u.scalar.text, &created))) return NH_ENOMEM;
    if (created) {
      g->file = nh_ydoc_file(ld->doc);
      g->line = items[i]->line;
      g->column = items[i]->column;
    }
    if ((rc = nh__inv_add_group_ref(ld->inv, list, n, g)) < 0) return rc;
  }
  return 0;
}

/* Reads the fields of one host, group or defaults map. groups/ngroups is NULL for defaults. */
static int entity(nh__ld_t *ld, const nh_ynode_t *name, const nh_ynode_t *val, nh_inv_fields_t *f,
                  nh_group_t ***groups, size_t *ngroups, const char *what) {
  nh_ynode_t **keys, **vals;
  int n, i, rc;
  if ((n = nh__inv_map_pairs(ld, val, what, "a map of fields", &keys, &vals)) <= 0) return n;
  if ((rc = nh__inv_check_dups(ld, keys, n, what)) < 0) return rc;
  for (i = 0; i < n; i++) {
    const char *k = keys[i]->type == NH_YNODE_SCALAR ? keys[i]->u.scalar.text : "";
    if (groups && strcmp(k, "groups") == 0) {
      if ((rc = group_refs(ld, vals[i], what, groups, ngroups)) < 0) return rc;
      continue;
    }
    if (name && strcmp(k, "name") == 0) {
      if (vals[i]->type != NH_YNODE_SCALAR || strcmp(vals[i]->u.scalar.text, name->u.scalar.text))
        return nh__inv_fail(ld, vals[i], "%s: 'name' must be the key it is written under", what);
      continue;
    }
    if ((rc = nh__inv_field(ld, f, keys[i], vals[i], what)) < 0) return rc;
    if (rc == 1) return unknown_key(ld, keys[i], what);
  }
  return 0;
}

/* What an entry of a hosts: or groups: map fills: the host's or group's own fields and the
 * groups it names (a host's groups, a group's parents). */
typedef struct {
  nh_inv_fields_t *own;
  nh_group_t ***groups;
  size_t *ngroups;
} entry_t;

static int duplicate(nh__ld_t *ld, const nh_ynode_t *key, const char *kind, const char *file,
                     int line, int column) {
  return nh__inv_fail(ld, key, "duplicate %s '%s' (first defined at %s:%d:%d)", kind,
                      key->u.scalar.text, file, line, column);
}

/* Defines the host or group that key names, where key stands. A group may exist before its
 * entry (a host or another group named it), so only a second entry is a duplicate. */
static int define(nh__ld_t *ld, const nh_ynode_t *key, int group, entry_t *e) {
  const char *name = key->u.scalar.text, *file = nh_ydoc_file(ld->doc);
  int created;
  if (group) {
    nh_group_t *g = nh__inv_group(ld->inv, name, &created);
    if (!g) return NH_ENOMEM;
    if (g->defined) return duplicate(ld, key, "group", g->file, g->line, g->column);
    nh__inv_group_defined(g, file, key->line, key->column);
    *e = (entry_t){&g->own, &g->parents, &g->nparents};
  } else {
    nh_host_t *h = nh__inv_host(ld->inv, name, &created);
    if (!h) return NH_ENOMEM;
    if (!created) return duplicate(ld, key, "host", h->file, h->line, h->column);
    h->file = file;
    h->line = key->line;
    h->column = key->column;
    *e = (entry_t){&h->own, &h->groups, &h->ngroups};
  }
  return 0;
}

/* Reads a hosts: map (group 0) or a groups: map (group 1): name: fields. */
static int entries_map(nh__ld_t *ld, const nh_ynode_t *map, int group) {
  const char *kind = group ? "group" : "host";
  nh_ynode_t **keys, **vals;
  int n, i, rc;
  char what[300];
  snprintf(what, sizeof(what), "a map of %ss (name: fields)", kind);
  if ((n = nh__inv_map_pairs(ld, map, NULL, what, &keys, &vals)) <= 0) return n;
  for (i = 0; i < n; i++) {
    entry_t e = {NULL, NULL, NULL};
    if (keys[i]->type != NH_YNODE_SCALAR || nh_ynode_is_null(keys[i]))
      return nh__inv_fail(ld, keys[i], "expected a %s name, found %s", kind,
                          nh_ynode_kind(keys[i]));
    if ((rc = define(ld, keys[i], group, &e)) < 0) return rc;
    snprintf(what, sizeof(what), "%s '%s'", kind, keys[i]->u.scalar.text);
    if ((rc = entity(ld, keys[i], vals[i], e.own, e.groups, e.ngroups, what)) < 0) return rc;
  }
  return 0;
}

int nh__inv_load_nethost(nh__ld_t *ld, const nh_ynode_t *root) {
  nh_ynode_t **keys, **vals;
  int n, i, rc;
  if ((n = nh_ynode_map_pairs(ld->doc, root, &keys, &vals, ld->err, ld->errlen)) < 0) return n;
  for (i = 0; i < n; i++) {
    const char *k;
    if (keys[i]->type != NH_YNODE_SCALAR)
      return nh__inv_fail(ld, keys[i], "expected hosts, groups or defaults, found %s",
                          nh_ynode_kind(keys[i]));
    k = keys[i]->u.scalar.text;
    if (strcmp(k, "hosts") == 0)
      rc = entries_map(ld, vals[i], 0);
    else if (strcmp(k, "groups") == 0)
      rc = entries_map(ld, vals[i], 1);
    else if (strcmp(k, "defaults") == 0)
      rc = entity(ld, NULL, vals[i], &ld->inv->defaults, NULL, NULL, "defaults");
    else {
      char hint[96];
      nh__inv_suggest(k, top_names, hint, sizeof(hint));
      return nh__inv_fail(ld, keys[i], "unknown key '%s': expected hosts, groups or defaults%s", k,
                          hint);
    }
    if (rc < 0) return rc;
  }
  return 0;
}

int nh__inv_load_part(nh__ld_t *ld, const char *dir, const char *name, nh_ynode_t **root) {
  char path[4200];
  nh_ydoc_t *doc;
  int rc;
  *root = NULL;
  snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
  if (access(path, F_OK) != 0) {
    snprintf(path, sizeof(path), "%s/%s.yml", dir, name);
    if (access(path, F_OK) != 0) return 0;
  }
  if ((rc = nh_ydoc_load(path, &doc, ld->err, ld->errlen)) < 0) return rc;
  if ((rc = nh__inv_keep_doc(ld->inv, doc)) < 0) return rc;
  ld->doc = doc;
  *root = nh_ydoc_root(doc);
  return 1;
}

int nh__inv_load_nornir(nh__ld_t *ld, const char *dir, const nh_ynode_t *root) {
  int rc;
  nh_ynode_t *part;
  ld->inv->format = "nornir";
  if ((rc = entries_map(ld, root, 0)) < 0) return rc;
  if ((rc = nh__inv_load_part(ld, dir, "groups", &part)) < 0) return rc;
  if (rc && (rc = entries_map(ld, part, 1)) < 0) return rc;
  if ((rc = nh__inv_load_part(ld, dir, "defaults", &part)) < 0) return rc;
  if (rc && (rc = entity(ld, NULL, part, &ld->inv->defaults, NULL, NULL, "defaults")) < 0)
    return rc;
  /* Nornir inventories name platforms by NAPALM driver as often as by Netmiko name. */
  {
    size_t i;
    nh_inventory_t *inv = ld->inv;
    if (inv->defaults.platform)
      inv->defaults.platform = nh__inv_driver_platform(inv->defaults.platform);
    for (i = 0; i < inv->ngroups; i++)
      if (inv->groups[i]->own.platform)
        inv->groups[i]->own.platform = nh__inv_driver_platform(inv->groups[i]->own.platform);
    for (i = 0; i < inv->nhosts; i++)
      if (inv->hosts[i]->own.platform)
        inv->hosts[i]->own.platform = nh__inv_driver_platform(inv->hosts[i]->own.platform);
  }
  return 0;
}
