/* nethost core: the inventory — hosts, groups and defaults, with inheritance and selection.
 *
 * Loaded from YAML (libyaml) in nethost's format (one file with hosts/groups/defaults, or a
 * Nornir SimpleInventory folder with hosts.yaml/groups.yaml/defaults.yaml), from Ansible
 * YAML inventories (all/children/hosts/vars with group_vars/ and host_vars/ beside them) and
 * Ansible INI inventories. Every field a host uses is resolved once at load: the host's own
 * value, else its groups' in order (each group followed depth-first by its parents), else
 * the defaults' (Ansible inventories use Ansible's order instead); `data` maps merge key by
 * key, on demand (nh_host_data_get). See docs/inventory.md.
 *
 * The inventory owns everything reachable from it; hosts and groups live as long as it does.
 * Loading never keeps a secret's value outside the inventory: password_env and
 * password_file are read only when nh_secret_read() is called.
 */
#ifndef NH_INVENTORY_H
#define NH_INVENTORY_H

#include <stddef.h>

#include "value.h"

typedef enum {
  NH_SECRET_NONE = 0, /* not set */
  NH_SECRET_VALUE,    /* value is the secret itself */
  NH_SECRET_ENV,      /* value names an environment variable */
  NH_SECRET_FILE,     /* value is a file path (absolute after loading) */
  NH_SECRET_TEMPLATE  /* an Ansible template or Vault value nethost cannot evaluate (value
                         is its text, "!vault" for Vault): reading it is an error */
} nh_secret_kind_t;

typedef struct {
  nh_secret_kind_t kind;
  const char *value;
} nh_secret_t;

typedef enum {
  NH_INV_HOSTKEY_UNSET = 0,
  NH_INV_HOSTKEY_STRICT,     /* the key must be in known_hosts */
  NH_INV_HOSTKEY_ACCEPT_NEW, /* unknown hosts are added; a changed key is refused */
  NH_INV_HOSTKEY_OFF         /* no check */
} nh_inv_hostkey_t;

/* The fields one place sets (a host, a group, the defaults) and, resolved, a host's
 * effective fields. Unset is NULL for strings, 0 for port and the policy, a negative number
 * for durations and rates, -1 for verify. Strings are owned by the inventory. Paths
 * (key_file, *_file, known_hosts, ca_file) are absolute after loading: relative ones are
 * taken from the inventory's folder and ~ is the home folder. */
typedef struct {
  const char *address;
  int port;
  const char *platform;
  const char *username;
  nh_secret_t password;
  const char *key_file;
  nh_secret_t passphrase; /* of key_file */
  nh_secret_t enable_secret;
  struct {
    nh_inv_hostkey_t host_key_policy;
    const char *known_hosts;
    double connect_timeout, timeout, keepalive; /* seconds */
    double connect_rate;                        /* new connections per second */
    const char *kex, *hostkey, *cipher, *mac;   /* comma-separated, libssh2's order */
    const char *jump; /* jump hosts, comma-separated: inventory names or [user@]host[:port] */
    const char *session_log;              /* folder for one session transcript per host */
    double max_sessions, max_connections; /* as a jump host; < 0 unset */
  } ssh;
  struct {
    const char *base_url; /* resolved: scheme://address[:port] when only those are given */
    int verify;
    const char *ca_file;
    const char *scheme; /* "https" or "http", for the base URL */
    int port;           /* for the base URL; 0 unset */
    const char *client_cert, *client_key;
    double timeout; /* seconds */
    const char *username;
    nh_secret_t password; /* the API's password when it differs from the SSH one */
    nh_value_t *headers;  /* a map of header name to value, or NULL */
  } http;
  nh_value_t *data; /* a map, or NULL */
} nh_inv_fields_t;

typedef struct nh_group_s nh_group_t;
typedef struct nh_host_s nh_host_t;
typedef struct nh_inventory_s nh_inventory_t;

struct nh_group_s {
  const char *name;
  size_t index;
  nh_inv_fields_t own;
  nh_group_t **parents; /* in the order written */
  size_t nparents;
  const char *file; /* where it was defined (NULL for a group only named as a parent) */
  int line, column;
  /* loader state */
  int state, depth, priority, defined;
  nh_group_t **chain; /* itself, then its ancestors depth-first */
  size_t nchain;
};

struct nh_host_s {
  const char *name;
  size_t index;           /* position in the inventory, stable for its lifetime */
  nh_inv_fields_t fields; /* resolved; fields.data is always NULL: see nh_host_data_get */
  nh_inv_fields_t own;    /* what the host itself sets */
  nh_group_t **groups;    /* the groups it names, in order */
  size_t ngroups;
  nh_group_t **chain; /* every group it inherits from, highest precedence first */
  size_t nchain;
  const char *file;
  int line, column;
  nh_inventory_t *inv; /* the inventory it belongs to */
};

/* Loads the inventory at path (a file, or a folder with hosts.yaml). Returns 0 and *out, or
 * a negative NH_E* code with "file:line:column: message" in err (errlen bytes). */
int nh_inventory_load(const char *path, nh_inventory_t **out, char *err, size_t errlen);

/* Loads an inventory from text (name is used in messages and to guess the format; relative
 * paths resolve against base_dir, or the current folder when NULL). */
int nh_inventory_parse(const char *text, size_t len, const char *name, const char *base_dir,
                       nh_inventory_t **out, char *err, size_t errlen);

void nh_inventory_free(nh_inventory_t *inv);

/* "nethost", "nornir", "ansible-yaml" or "ansible-ini". */
const char *nh_inventory_format(const nh_inventory_t *inv);
/* The path it was loaded from. */
const char *nh_inventory_path(const nh_inventory_t *inv);

size_t nh_inventory_count(const nh_inventory_t *inv);
const nh_host_t *nh_inventory_host(const nh_inventory_t *inv, size_t i);
const nh_host_t *nh_inventory_find(const nh_inventory_t *inv, const char *name);

size_t nh_inventory_group_count(const nh_inventory_t *inv);
const nh_group_t *nh_inventory_group(const nh_inventory_t *inv, size_t i);
const nh_group_t *nh_inventory_find_group(const nh_inventory_t *inv, const char *name);
/* The defaults' own fields. */
const nh_inv_fields_t *nh_inventory_defaults(const nh_inventory_t *inv);

/* The shard (0 .. n-1) host belongs to when the inventory is split n ways: a hash of its
 * name (64-bit FNV-1a), so the split is the same on every machine, whatever the order or
 * content of the rest of the inventory. n must be > 0. */
unsigned nh_host_shard(const nh_host_t *host, unsigned n);

/* Whether host is in group g, directly or through a child group. */
int nh_host_in_group(const nh_host_t *host, const nh_group_t *g);

/* Selects hosts with Ansible's pattern language: names and globs of hosts and groups
 * ("sw-1*", "core"), "all" or "*", "~regex", attribute tests "platform=cisco_ios",
 * "data.site=lon" (globs allowed in the value), "@file" (host names, one a line), with
 * Ansible's subscripts ("core[0]", "core[-1]", "core[0:2]"), combined with ':' or ',' as
 * union, ':&' as intersection and ':!' as exclusion (unions first, then intersections, then
 * exclusions).
 * *idx receives a malloc'd array of host indices in inventory order (the caller frees it)
 * and *n its length, which may be 0. Returns 0, or NH_EINVAL with a message in err for a
 * malformed pattern. */
int nh_inventory_select(const nh_inventory_t *inv, const char *pattern, size_t **idx, size_t *n,
                        char *err, size_t errlen);

/* Like nh_inventory_select; unmatched (unmatched_len bytes) receives the terms that selected
 * no host at all, comma-separated ("" when every term matched), for a warning. */
int nh_inventory_select_ex(const nh_inventory_t *inv, const char *pattern, size_t **idx, size_t *n,
                           char *unmatched, size_t unmatched_len, char *err, size_t errlen);

/* The value at a dotted path of the host's merged data ("site", "vlans.mgmt"): the first of
 * host, its groups in order, defaults that has it (which is what merging the data maps key
 * by key gives). NULL when none has it. The value belongs to the inventory. */
const nh_value_t *nh_host_data_get(const nh_host_t *host, const char *path);

/* The host's merged data as a new map the caller frees (empty when none). NULL when out of
 * memory. */
nh_value_t *nh_host_data(const nh_host_t *host);

/* Whether host's attribute key equals want: key is a field ("platform", "port",
 * "ssh.timeout", ...), "groups" (membership), or else a path in the merged data (a "data."
 * prefix is optional). A list value matches when one of its items does. With glob, want is
 * an fnmatch pattern. Numbers and booleans compare by their text ("22", "true"). */
int nh_host_attr_match(const nh_host_t *host, const char *key, const char *want, int glob);

/* Options for nh_host_to_value. */
enum {
  NH_HOST_SECRETS_MASKED = 0, /* secrets that are set appear as "***" */
  NH_HOST_SECRETS_OMITTED = 1 /* secrets do not appear at all */
};

/* The host's resolved fields as a map (name, address, port, platform, username, password,
 * key_file, passphrase, enable_secret, groups, ssh {...}, http {... password as "***"},
 * data), unset fields
 * left out. The caller frees it. NULL when out of memory. */
nh_value_t *nh_host_to_value(const nh_host_t *host, int flags);

/* Where each of the host's resolved fields comes from: a map from field path ("platform",
 * "ssh.timeout", "data.site") to "host", "group NAME" or "defaults". The caller frees it. */
nh_value_t *nh_host_explain(const nh_inventory_t *inv, const nh_host_t *host);

/* Reads a secret now: the value itself, the environment variable, or the file (one trailing
 * newline removed). *out receives a malloc'd copy (the caller frees it, preferably after
 * wiping it). Returns 0, NH_ENOENT when the secret is not set at all (no message), or
 * NH_EINVAL with a message naming host and what is missing in err. */
int nh_secret_read(const nh_secret_t *secret, const char *host, const char *what, char **out,
                   char *err, size_t errlen);

/* Maps an Ansible network_os ("cisco.ios.ios", "ios", "arista.eos.eos", "junos", ...) to a
 * nethost platform name ("cisco_ios", ...). Unknown names come back as their last dotted
 * part. Returns a static string or a pointer into name. */
const char *nh_inventory_ansible_platform(const char *name);

#endif
