/* nethost core: opening an inventory — read the file or folder, tell its format (nethost
 * YAML, Ansible YAML or INI, a Nornir folder) and hand it to that format's reader, then
 * resolve inheritance in the model. The dependencies point one way: this loader picks a
 * reader, the readers (inventory_load.c, inventory_ansible.c, inventory_ini.c) fill the
 * model (inventory.c) through the field reader (inventory_fields.c), and none of them
 * knows the loader. */
#include "inventory.h"
#include "error.h"
#include "file_read.h"
#include "inventory_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int has_ext(const char *name, const char *ext) {
  size_t n = strlen(name), e = strlen(ext);
  return n >= e && strcmp(name + n - e, ext) == 0;
}

/* Whether the root map looks like an Ansible inventory: an `all` group, or top-level
 * groups with hosts/children/vars. */
static int looks_ansible(nh_ydoc_t *doc, const nh_ynode_t *root) {
  nh_ynode_t **keys, **vals;
  int n, i;
  if (!root || root->type != NH_YNODE_MAP) return 0;
  if ((n = nh_ynode_map_pairs(doc, root, &keys, &vals, NULL, 0)) < 0) return 0;
  for (i = 0; i < n; i++) {
    const char *k = keys[i]->type == NH_YNODE_SCALAR ? keys[i]->u.scalar.text : "";
    if (strcmp(k, "hosts") == 0 || strcmp(k, "groups") == 0 || strcmp(k, "defaults") == 0) return 0;
  }
  for (i = 0; i < n; i++) {
    const char *k = keys[i]->type == NH_YNODE_SCALAR ? keys[i]->u.scalar.text : "";
    if (strcmp(k, "all") == 0) return 1;
    if (vals[i]->type == NH_YNODE_MAP) {
      nh_ynode_t **k2, **v2;
      int m = nh_ynode_map_pairs(doc, vals[i], &k2, &v2, NULL, 0), j;
      for (j = 0; j < m; j++)
        if (k2[j]->type == NH_YNODE_SCALAR &&
            (!strcmp(k2[j]->u.scalar.text, "hosts") || !strcmp(k2[j]->u.scalar.text, "children") ||
             !strcmp(k2[j]->u.scalar.text, "vars")))
          return 1;
    }
  }
  return 0;
}

/* Whether text starts (after comments and blank lines) with an INI section "[name]". */
static int looks_ini(const char *text, size_t len) {
  size_t i = 0;
  while (i < len) {
    size_t e = i;
    while (e < len && text[e] != '\n') e++;
    while (i < e && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) i++;
    if (i < e && text[i] != '#' && text[i] != ';') {
      size_t j = e;
      while (j > i && (text[j - 1] == ' ' || text[j - 1] == '\r' || text[j - 1] == '\t')) j--;
      return text[i] == '[' && j > i + 1 && text[j - 1] == ']' &&
             memchr(text + i, ',', j - i) == NULL && memchr(text + i, ' ', j - i) == NULL;
    }
    i = e + 1;
  }
  return 0;
}

static int load_ini(nh__ld_t *ld, const char *text, size_t len, const char *name, const char *dir,
                    int vars_dirs) {
  int rc;
  ld->inv->format = "ansible-ini";
  if ((rc = nh__inv_load_ini(ld, text, len, name)) < 0) return rc;
  if (vars_dirs && (rc = nh__inv_load_ansible_vars_dirs(ld, dir)) < 0) return rc;
  return nh__inv_resolve(ld, 1);
}

static int load_text(nh__ld_t *ld, const char *text, size_t len, const char *name, const char *dir,
                     int vars_dirs) {
  nh_ydoc_t *doc;
  nh_ynode_t *root;
  int rc, ansible;
  /* Only a file not named as YAML or JSON may be INI: Ansible's "hosts" files usually are. */
  int may_be_ini = !has_ext(name, ".yaml") && !has_ext(name, ".yml") && !has_ext(name, ".json");
  if (may_be_ini && looks_ini(text, len)) return load_ini(ld, text, len, name, dir, vars_dirs);
  if ((rc = nh_ydoc_parse(text, len, name, &doc, ld->err, ld->errlen)) < 0) {
    /* Not YAML: INI without a section header ("sw1 ansible_host=..." lines) is still INI. If
     * INI fails too, the YAML message is the one to show. */
    char yaml_err[1024];
    if (rc != NH_ESYNTAX || !may_be_ini || !ld->err) return rc;
    snprintf(yaml_err, sizeof(yaml_err), "%s", ld->err);
    if (load_ini(ld, text, len, name, dir, vars_dirs) == 0) return 0;
    snprintf(ld->err, ld->errlen, "%s", yaml_err);
    return rc;
  }
  if ((rc = nh__inv_keep_doc(ld->inv, doc)) < 0) return rc;
  ld->doc = doc;
  root = nh_ydoc_root(doc);
  if (!root || nh_ynode_is_null(root)) return nh__inv_resolve(ld, 0); /* an empty inventory */
  if (root->type != NH_YNODE_MAP) {
    if (may_be_ini) return load_ini(ld, text, len, name, dir, vars_dirs);
    return nh__inv_fail(ld, root,
                        "expected a map with hosts/groups/defaults (or an Ansible 'all:'), "
                        "found %s",
                        nh_ynode_kind(root));
  }
  ansible = looks_ansible(doc, root);
  if (ansible) {
    ld->inv->format = "ansible-yaml";
    if ((rc = nh__inv_load_ansible(ld, root)) < 0) return rc;
    if (vars_dirs && (rc = nh__inv_load_ansible_vars_dirs(ld, dir)) < 0) return rc;
  } else {
    ld->inv->format = "nethost";
    if ((rc = nh__inv_load_nethost(ld, root)) < 0) return rc;
  }
  return nh__inv_resolve(ld, ansible);
}

/* Whether root, the hosts.yaml of a folder, is an Ansible inventory ("all:" first). */
static int folder_is_ansible(nh__ld_t *ld, const nh_ynode_t *root) {
  nh_ynode_t **keys, **vals;
  int n;
  if (!root || root->type != NH_YNODE_MAP) return 0;
  n = nh_ynode_map_pairs(ld->doc, root, &keys, &vals, NULL, 0);
  return n > 0 && keys[0]->type == NH_YNODE_SCALAR && strcmp(keys[0]->u.scalar.text, "all") == 0 &&
         vals[0]->type == NH_YNODE_MAP;
}

/* A folder: Nornir's hosts.yaml/groups.yaml/defaults.yaml, or an Ansible YAML inventory
 * named hosts.yaml with group_vars/ and host_vars/ beside it. */
static int load_dir(nh__ld_t *ld, const char *dir) {
  nh_ynode_t *root;
  int rc;
  if ((rc = nh__inv_load_part(ld, dir, "hosts", &root)) < 0) return rc;
  if (rc == 0) {
    snprintf(ld->err, ld->errlen,
             "%s: an inventory folder needs hosts.yaml (with groups.yaml and defaults.yaml "
             "beside it if wanted)",
             dir);
    return NH_ENOENT;
  }
  if (folder_is_ansible(ld, root)) {
    ld->inv->format = "ansible-yaml";
    if ((rc = nh__inv_load_ansible(ld, root)) < 0) return rc;
    if ((rc = nh__inv_load_ansible_vars_dirs(ld, dir)) < 0) return rc;
    return nh__inv_resolve(ld, 1);
  }
  if ((rc = nh__inv_load_nornir(ld, dir, root)) < 0) return rc;
  return nh__inv_resolve(ld, 0);
}

int nh_inventory_parse(const char *text, size_t len, const char *name, const char *base_dir,
                       nh_inventory_t **out, char *err, size_t errlen) {
  nh_inventory_t *inv;
  nh__ld_t ld;
  int rc;
  *out = NULL;
  if (err && errlen) err[0] = '\0';
  if (!name) name = "<inventory>";
  if (!(inv = nh__inv_new(name, base_dir))) return NH_ENOMEM;
  ld.inv = inv;
  ld.doc = NULL;
  ld.err = err;
  ld.errlen = errlen;
  if ((rc = load_text(&ld, text, len, name, NULL, 0)) < 0 || (rc = nh__inv_detach_docs(inv)) < 0) {
    nh_inventory_free(inv);
    return rc;
  }
  *out = inv;
  return 0;
}

int nh_inventory_load(const char *path, nh_inventory_t **out, char *err, size_t errlen) {
  struct stat st;
  nh_inventory_t *inv;
  nh__ld_t ld;
  char dir[4096], *text = NULL;
  size_t len;
  int rc;
  *out = NULL;
  if (err && errlen) err[0] = '\0';
  if (stat(path, &st) != 0) {
    if (err && errlen)
      snprintf(err, errlen, "%s: cannot read the inventory: %s", path, strerror(errno));
    return NH_ENOENT;
  }
  if (S_ISDIR(st.st_mode)) {
    snprintf(dir, sizeof(dir), "%s", path);
  } else {
    const char *slash = strrchr(path, '/');
    if (slash)
      snprintf(dir, sizeof(dir), "%.*s", (int)((slash - path) ? (slash - path) : 1), path);
    else
      snprintf(dir, sizeof(dir), ".");
  }
  {
    /* Paths in the inventory resolve against its folder wherever nethost runs from. */
    char *abs = realpath(dir, NULL);
    if (abs) {
      snprintf(dir, sizeof(dir), "%s", abs);
      free(abs);
    }
  }
  if (!(inv = nh__inv_new(path, dir))) return NH_ENOMEM;
  ld.inv = inv;
  ld.doc = NULL;
  ld.err = err;
  ld.errlen = errlen;
  if (S_ISDIR(st.st_mode)) {
    rc = load_dir(&ld, dir);
  } else if ((rc = nh_file_read(path, &text, &len, err, errlen)) == 0) {
    rc = load_text(&ld, text, len, path, dir, 1);
    free(text);
  }
  if (rc == 0) rc = nh__inv_detach_docs(inv);
  if (rc < 0) {
    nh_inventory_free(inv);
    return rc;
  }
  *out = inv;
  return 0;
}
