/* nethost core: what the inventory's files share inside core (not a public API).
 *
 * Layers, each using only those below it: inventory_error.c (messages) < inventory.c (the
 * model) < inventory_fields.c (one field of a host/group) < the readers inventory_load.c,
 * inventory_ansible.c, inventory_ini.c < inventory_open.c (format detection, the public
 * nh_inventory_load/parse). */
#ifndef NH_INVENTORY_INT_H
#define NH_INVENTORY_INT_H

#include "inventory.h"
#include "yaml_doc.h"

struct nh_inventory_s {
  const char *path;     /* the arena's file name */
  const char *base_dir; /* relative paths in the inventory resolve against it (in the arena) */
  const char *format;
  nh_host_t **hosts; /* in the arena, in the order they were added */
  size_t nhosts;
  nh_group_t **groups; /* likewise */
  size_t ngroups;
  nh_inv_fields_t defaults;
  nh_ydoc_t **docs; /* parsed files: the strings of hosts and groups point into them */
  size_t ndocs;
  nh_ydoc_t *arena;                 /* hosts, groups and strings built while loading */
  size_t *host_slots, *group_slots; /* open-addressing hash tables of index + 1 */
  size_t host_slots_cap, group_slots_cap;
  nh_value_t *owned;   /* a list: the values freed with the inventory (layers' data, merged) */
  size_t range_hosts;  /* hosts named through Ansible host ranges so far */
  size_t group_visits; /* Ansible group entries read so far */
};

/* A loader's context: which document it reads and where errors go. */
typedef struct {
  nh_inventory_t *inv;
  nh_ydoc_t *doc;
  char *err;
  size_t errlen;
} nh__ld_t;

/* Formats "file:line:column: message" into ld->err for node (the document's file when node
 * is NULL) and returns NH_ESYNTAX. */
int nh__inv_fail(nh__ld_t *ld, const nh_ynode_t *node, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Like nh__inv_fail at an explicit position (file and line; line 0 names only the file). */
int nh__inv_fail_at(nh__ld_t *ld, const char *file, int line, int column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Appends " (did you mean 'x'?)" to buf when one of the NULL-terminated words is close to
 * word; buf is left empty otherwise. */
void nh__inv_suggest(const char *word, const char *const *words, char *buf, size_t len);

/* Fails when a scalar key appears twice among the n keys (YAML forbids it; loaders that
 * silently keep the last one hide typos). */
int nh__inv_check_dups(nh__ld_t *ld, nh_ynode_t *const *keys, int n, const char *what);

/* The pairs of a map node into *keys and *vals: their number, 0 for a null node (nothing
 * given), or a negative code after failing on anything else with "WHAT: expected EXPECTED,
 * found KIND" ("expected EXPECTED, found KIND" when what is NULL). */
int nh__inv_map_pairs(nh__ld_t *ld, const nh_ynode_t *node, const char *what, const char *expected,
                      nh_ynode_t ***keys, nh_ynode_t ***vals);

/* Takes ownership of doc (freed with the inventory). */
int nh__inv_keep_doc(nh_inventory_t *inv, nh_ydoc_t *doc);
/* Takes ownership of v (freed with the inventory). */
int nh__inv_keep_value(nh_inventory_t *inv, nh_value_t *v);

/* Initialises f to "nothing set". */
void nh__inv_fields_init(nh_inv_fields_t *f);

/* Reads one key of a nethost-format host, group or defaults map into f. what names the
 * owner in messages ("host 'sw1'"). Returns 0, 1 when key is not a field (the caller
 * handles "groups" and reports unknown keys), or a negative code. */
int nh__inv_field(nh__ld_t *ld, nh_inv_fields_t *f, const nh_ynode_t *key, const nh_ynode_t *val,
                  const char *what);

/* Reads one Ansible variable into f: ansible_* variables become fields, the rest data. */
int nh__inv_ansible_var(nh__ld_t *ld, nh_inv_fields_t *f, const nh_ynode_t *key,
                        const nh_ynode_t *val, const char *what);

/* Maps NAPALM/Ansible short driver names ("ios", "eos", "junos", "nxos_ssh", ...) to nethost
 * platforms; other names come back unchanged. */
const char *nh__inv_driver_platform(const char *name);

/* The name of a host_key_policy ("strict", "accept-new", "off"), NULL when unset. */
const char *nh__inv_policy_name(nh_inv_hostkey_t policy);

/* The field names a host, group or defaults may use (for suggestions). */
extern const char *const nh__inv_field_names[];

/* Finds or adds a host / group by name. A new host or group is zeroed with its fields
 * unset; *created tells which. NULL when out of memory. */
nh_host_t *nh__inv_host(nh_inventory_t *inv, const char *name, int *created);
nh_group_t *nh__inv_group(nh_inventory_t *inv, const char *name, int *created);
/* Records where g is defined (messages and `nethost inventory --groups` name it). */
void nh__inv_group_defined(nh_group_t *g, const char *file, int line, int column);

/* Adds g to the list (a host's groups or a group's parents) unless it is there already. */
int nh__inv_add_group_ref(nh_inventory_t *inv, nh_group_t ***list, size_t *n, nh_group_t *g);

/* After loading: checks group references and cycles, orders each host's chain (nethost
 * order, or Ansible's depth/priority/name order when ansible is set) and resolves every
 * host's fields. */
int nh__inv_resolve(nh__ld_t *ld, int ansible);

/* The model's life (inventory.c): a new, empty inventory read from path, whose relative
 * paths resolve against base_dir (NULL: the working directory); and, after a reader filled
 * it, the copy of every string it keeps out of the parsed files, which are then freed. */
nh_inventory_t *nh__inv_new(const char *path, const char *base_dir);
int nh__inv_detach_docs(nh_inventory_t *inv);

/* The readers (inventory_load.c, inventory_ansible.c, inventory_ini.c) fill the model and
 * set inv->format; the loader (inventory_open.c) picks one and calls nh__inv_resolve. */
int nh__inv_load_nethost(nh__ld_t *ld, const nh_ynode_t *root);
/* A Nornir folder whose hosts.yaml root is already loaded (ld->doc is its document). */
int nh__inv_load_nornir(nh__ld_t *ld, const char *dir, const nh_ynode_t *root);
/* Parses dir/NAME.yaml or dir/NAME.yml into a document the inventory keeps (ld->doc);
 * returns 1, 0 with *root NULL when neither exists, or a negative code. */
int nh__inv_load_part(nh__ld_t *ld, const char *dir, const char *name, nh_ynode_t **root);
int nh__inv_load_ansible(nh__ld_t *ld, const nh_ynode_t *root);
int nh__inv_load_ini(nh__ld_t *ld, const char *text, size_t len, const char *dir);
/* Adds the hosts an Ansible host pattern names ("sw[01:24]") to group (NULL: no group), each
 * with the variables of the map node vars (NULL: none). at positions messages. */
int nh__inv_ansible_hosts(nh__ld_t *ld, const char *pattern, const nh_ynode_t *at,
                          nh_group_t *group, const nh_ynode_t *vars);

/* group_vars/ and host_vars/ beside an Ansible inventory. */
int nh__inv_load_ansible_vars_dirs(nh__ld_t *ld, const char *dir);

/* Resolves a path written in the inventory: ~ is $HOME, relative paths are taken from the
 * inventory's folder. The result lives in the inventory's arena. NULL when out of memory. */
const char *nh__inv_path(nh_inventory_t *inv, const char *path);

#endif
