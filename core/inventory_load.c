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

static int hosts_map(nh__ld_t *ld, const nh_ynode_t *map) {
  nh_ynode_t **keys, **vals;
  int n, i, rc;
  char what[300];
  if ((n = nh__inv_map_pairs(ld, map, NULL, "a map of hosts (name: fields)", &keys, &vals)) <= 0)
    return n;
  for (i = 0; i < n; i++) {
    nh_host_t *h;
    int created;
    if (keys[i]->type != NH_YNODE_SCALAR || nh_ynode_is_null(keys[i]))
      return nh__inv_fail(ld, keys[i], "expected a host name, found %s", nh_ynode_kind(keys[i]));
    if (!(h = nh__inv_host(ld->inv, keys[i]->u.scalar.text, &created))) return NH_ENOMEM;
    if (!created)
      return nh__inv_fail(ld, keys[i], "duplicate host '%s' (first defined at %s:%d:%d)", h->name,
                          h->file, h->line, h->column);
    h->file = nh_ydoc_file(ld->doc);
    h->line = keys[i]->line;
    h->column = keys[i]->column;
    snprintf(what, sizeof(what), "host '%s'", h->name);
    if ((rc = entity(ld, keys[i], vals[i], &h->own, &h->groups, &h->ngroups, what)) < 0) return rc;
  }
  return 0;
}

static int groups_map(nh__ld_t *ld, const nh_ynode_t *map) {
  nh_ynode_t **keys, **vals;
  int n, i, rc;
  char what[300];
  if ((n = nh__inv_map_pairs(ld, map, NULL, "a map of groups (name: fields)", &keys, &vals)) <= 0)
    return n;
  for (i = 0; i < n; i++) {
    nh_group_t *g;
    int created;
    if (keys[i]->type != NH_YNODE_SCALAR || nh_ynode_is_null(keys[i]))
      return nh__inv_fail(ld, keys[i], "expected a group name, found %s", nh_ynode_kind(keys[i]));
    if (!(g = nh__inv_group(ld->inv, keys[i]->u.scalar.text, &created))) return NH_ENOMEM;
    if (g->defined)
      return nh__inv_fail(ld, keys[i], "duplicate group '%s' (first defined at %s:%d:%d)", g->name,
                          g->file, g->line, g->column);
    nh__inv_group_defined(g, nh_ydoc_file(ld->doc), keys[i]->line, keys[i]->column);
    snprintf(what, sizeof(what), "group '%s'", g->name);
    if ((rc = entity(ld, keys[i], vals[i], &g->own, &g->parents, &g->nparents, what)) < 0)
      return rc;
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
      rc = hosts_map(ld, vals[i]);
    else if (strcmp(k, "groups") == 0)
      rc = groups_map(ld, vals[i]);
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
  if ((rc = hosts_map(ld, root)) < 0) return rc;
  if ((rc = nh__inv_load_part(ld, dir, "groups", &part)) < 0) return rc;
  if (rc && (rc = groups_map(ld, part)) < 0) return rc;
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
