/* nethost core: the fields a host, group or defaults may set, read from YAML nodes. */
#include "error.h"
#include "inventory_int.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const nh__inv_field_names[] = {"name",
                                           "address",
                                           "hostname",
                                           "port",
                                           "platform",
                                           "username",
                                           "password",
                                           "password_env",
                                           "password_file",
                                           "key_file",
                                           "passphrase",
                                           "passphrase_env",
                                           "passphrase_file",
                                           "enable_secret",
                                           "enable_secret_env",
                                           "enable_secret_file",
                                           "groups",
                                           "ssh",
                                           "http",
                                           "data",
                                           "connection_options",
                                           "netconf",
                                           NULL};

static int is_name(const char *k, const char *const *names) {
  for (; *names; names++)
    if (strcmp(k, *names) == 0) return 1;
  return 0;
}

/* A scalar's text when node is a non-null scalar, else NULL. */
static const char *scalar_text(const nh_ynode_t *n) {
  if (!n || n->type != NH_YNODE_SCALAR || nh_ynode_is_null(n)) return NULL;
  return n->u.scalar.text;
}

static int want_string(nh__ld_t *ld, const nh_ynode_t *key, const nh_ynode_t *val, const char *what,
                       const char **out) {
  const char *s = scalar_text(val);
  if (!s)
    return nh__inv_fail(ld, val ? val : key, "%s: expected a string for '%s', found %s", what,
                        key->u.scalar.text, nh_ynode_kind(val));
  *out = s;
  return 0;
}

static int want_number(nh__ld_t *ld, const nh_ynode_t *key, const nh_ynode_t *val, const char *what,
                       double *out) {
  const char *s = scalar_text(val);
  char *end;
  double d;
  if (s) {
    d = strtod(s, &end);
    if (end != s && *end == '\0' && d >= 0 && d < 1e9) {
      *out = d;
      return 0;
    }
  }
  return nh__inv_fail(ld, val ? val : key,
                      "%s: expected a number of seconds >= 0 for '%s', found %s", what,
                      key->u.scalar.text, s ? s : nh_ynode_kind(val));
}

static int want_port(nh__ld_t *ld, const nh_ynode_t *key, const nh_ynode_t *val, const char *what,
                     int *out) {
  const char *s = scalar_text(val);
  char *end;
  long p;
  if (s) {
    p = strtol(s, &end, 10);
    if (end != s && *end == '\0' && p >= 1 && p <= 65535) {
      *out = (int)p;
      return 0;
    }
  }
  return nh__inv_fail(ld, val ? val : key, "%s: expected a port (1-65535) for '%s', found %s", what,
                      key->u.scalar.text, s ? s : nh_ynode_kind(val));
}

static int want_bool(nh__ld_t *ld, const nh_ynode_t *key, const nh_ynode_t *val, const char *what,
                     int *out) {
  nh_value_t *v;
  if (val && val->type == NH_YNODE_SCALAR && (v = nh_ynode_scalar_value(val))) {
    int ok = v->type == NH_VALUE_BOOL;
    if (ok)
      *out = v->u.boolean;
    else if (v->type == NH_VALUE_STRING &&
             (strcmp(v->u.str.ptr, "true") == 0 || strcmp(v->u.str.ptr, "false") == 0)) {
      ok = 1;
      *out = v->u.str.ptr[0] == 't';
    }
    nh_value_free(v);
    if (ok) return 0;
  }
  return nh__inv_fail(ld, val ? val : key, "%s: expected true or false for '%s', found %s", what,
                      key->u.scalar.text, nh_ynode_kind(val));
}

/* A list of names, written as a YAML list or as "a,b,c"; stored comma-joined. */
static int want_list(nh__ld_t *ld, const nh_ynode_t *key, const nh_ynode_t *val, const char *what,
                     const char **out) {
  size_t i, len = 0;
  char *buf, *p;
  if (val && val->type == NH_YNODE_SCALAR && scalar_text(val)) {
    *out = val->u.scalar.text;
    return 0;
  }
  if (!val || val->type != NH_YNODE_SEQ || val->u.seq.len == 0)
    return nh__inv_fail(ld, val ? val : key, "%s: expected a list of names for '%s', found %s",
                        what, key->u.scalar.text, nh_ynode_kind(val));
  for (i = 0; i < val->u.seq.len; i++) {
    const char *s = scalar_text(val->u.seq.items[i]);
    if (!s)
      return nh__inv_fail(ld, val->u.seq.items[i], "%s: expected a name in '%s', found %s", what,
                          key->u.scalar.text, nh_ynode_kind(val->u.seq.items[i]));
    len += strlen(s) + 1;
  }
  if (!(buf = p = nh_ydoc_alloc(ld->doc, len))) return NH_ENOMEM;
  for (i = 0; i < val->u.seq.len; i++) {
    const char *s = val->u.seq.items[i]->u.scalar.text;
    if (i) *p++ = ',';
    memcpy(p, s, strlen(s));
    p += strlen(s);
  }
  *p = '\0';
  *out = buf;
  return 0;
}

static int want_path(nh__ld_t *ld, const nh_ynode_t *key, const nh_ynode_t *val, const char *what,
                     const char **out) {
  const char *s = NULL;
  int rc = want_string(ld, key, val, what, &s);
  if (rc < 0) return rc;
  if (!(*out = nh__inv_path(ld->inv, s))) return NH_ENOMEM;
  return 0;
}

static int want_map(nh__ld_t *ld, const nh_ynode_t *key, const nh_ynode_t *val, const char *what,
                    nh_ynode_t ***keys, nh_ynode_t ***vals) {
  if (!val || val->type != NH_YNODE_MAP)
    return nh__inv_fail(ld, val ? val : key, "%s: expected a map for '%s', found %s", what,
                        key->u.scalar.text, nh_ynode_kind(val));
  return nh_ynode_map_pairs(ld->doc, val, keys, vals, ld->err, ld->errlen);
}

/* A key of a section: the section ("" for a host's own plain fields, "ssh",
 * "ssh.algorithms", "http"), its name, how its value is read (the want_*() above, or F_OWN:
 * by the section's own code) and where it goes in nh_inv_fields_t. The ssh and http
 * sections list every key they know (for null values and suggestions); the host's other
 * keys are nh__inv_field_names. */
typedef enum { F_STRING, F_PATH, F_NUMBER, F_PORT, F_BOOL, F_LIST, F_OWN } field_kind_t;

typedef struct {
  const char *section, *name;
  field_kind_t kind;
  size_t offset;
} field_t;

#define FIELD(section, name, kind, member) \
  { section, name, kind, offsetof(nh_inv_fields_t, member) }
#define OWN(section, name) \
  { section, name, F_OWN, 0 }

static const field_t fields[] = {
    FIELD("", "address", F_STRING, address),
    FIELD("", "hostname", F_STRING, address),
    FIELD("", "port", F_PORT, port),
    FIELD("", "platform", F_STRING, platform),
    FIELD("", "username", F_STRING, username),
    FIELD("", "key_file", F_PATH, key_file),
    OWN("ssh", "host_key_policy"),
    FIELD("ssh", "known_hosts", F_PATH, ssh.known_hosts),
    FIELD("ssh", "connect_timeout", F_NUMBER, ssh.connect_timeout),
    FIELD("ssh", "timeout", F_NUMBER, ssh.timeout),
    FIELD("ssh", "connect_rate", F_NUMBER, ssh.connect_rate),
    FIELD("ssh", "keepalive", F_NUMBER, ssh.keepalive),
    OWN("ssh", "algorithms"),
    FIELD("ssh", "jump", F_LIST, ssh.jump),
    FIELD("ssh", "max_sessions", F_NUMBER, ssh.max_sessions),
    FIELD("ssh", "max_connections", F_NUMBER, ssh.max_connections),
    FIELD("ssh", "session_log", F_PATH, ssh.session_log),
    FIELD("ssh.algorithms", "kex", F_LIST, ssh.kex),
    FIELD("ssh.algorithms", "hostkey", F_LIST, ssh.hostkey),
    FIELD("ssh.algorithms", "cipher", F_LIST, ssh.cipher),
    FIELD("ssh.algorithms", "mac", F_LIST, ssh.mac),
    FIELD("http", "base_url", F_STRING, http.base_url),
    FIELD("http", "verify", F_BOOL, http.verify),
    FIELD("http", "ca_file", F_PATH, http.ca_file),
    OWN("http", "scheme"),
    FIELD("http", "port", F_PORT, http.port),
    FIELD("http", "client_cert", F_PATH, http.client_cert),
    FIELD("http", "client_key", F_PATH, http.client_key),
    FIELD("http", "timeout", F_NUMBER, http.timeout),
    FIELD("http", "username", F_STRING, http.username),
    OWN("http", "password"),
    OWN("http", "password_env"),
    OWN("http", "password_file"),
    OWN("http", "headers"),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const field_t *find_field(const char *section, const char *name) {
  size_t i;
  for (i = 0; i < NFIELDS; i++)
    if (strcmp(fields[i].section, section) == 0 && strcmp(fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

/* Reads val into f's field as spec says. */
static int want_field(nh__ld_t *ld, nh_inv_fields_t *f, const field_t *spec, const nh_ynode_t *key,
                      const nh_ynode_t *val, const char *what) {
  void *at = (char *)f + spec->offset;
  switch (spec->kind) {
  case F_STRING:
    return want_string(ld, key, val, what, at);
  case F_PATH:
    return want_path(ld, key, val, what, at);
  case F_NUMBER:
    return want_number(ld, key, val, what, at);
  case F_PORT:
    return want_port(ld, key, val, what, at);
  case F_BOOL:
    return want_bool(ld, key, val, what, at);
  case F_LIST:
    return want_list(ld, key, val, what, at);
  case F_OWN:
    break;
  }
  return NH_EINVAL;
}

static int key_check(nh__ld_t *ld, const nh_ynode_t *key, const char *what) {
  if (key->type != NH_YNODE_SCALAR)
    return nh__inv_fail(ld, key, "%s: expected a name as key, found %s", what, nh_ynode_kind(key));
  return 0;
}

static int unknown(nh__ld_t *ld, const nh_ynode_t *key, const char *what, const char *section) {
  const char *names[NFIELDS + 1];
  size_t i, n = 0;
  char hint[96];
  for (i = 0; i < NFIELDS; i++)
    if (strcmp(fields[i].section, section) == 0) names[n++] = fields[i].name;
  names[n] = NULL;
  nh__inv_suggest(key->u.scalar.text, names, hint, sizeof(hint));
  return nh__inv_fail(ld, key, "%s: unknown key '%s' in %s%s", what, key->u.scalar.text, section,
                      hint);
}

/* host_key_policy's values: each policy's name first (as nethost writes it), then the other
 * spellings it accepts. */
static const struct {
  const char *name;
  nh_inv_hostkey_t policy;
} policies[] = {{"strict", NH_INV_HOSTKEY_STRICT}, {"accept-new", NH_INV_HOSTKEY_ACCEPT_NEW},
                {"off", NH_INV_HOSTKEY_OFF},       {"accept_new", NH_INV_HOSTKEY_ACCEPT_NEW},
                {"no", NH_INV_HOSTKEY_OFF},        {"false", NH_INV_HOSTKEY_OFF}};

const char *nh__inv_policy_name(nh_inv_hostkey_t policy) {
  size_t i;
  for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
    if (policies[i].policy == policy) return policies[i].name;
  return NULL;
}

/* The policy named s, or NH_INV_HOSTKEY_UNSET for no known name. */
static nh_inv_hostkey_t policy_named(const char *s) {
  size_t i;
  for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
    if (strcmp(policies[i].name, s) == 0) return policies[i].policy;
  return NH_INV_HOSTKEY_UNSET;
}

static int ssh_section(nh__ld_t *ld, nh_inv_fields_t *f, const nh_ynode_t *key,
                       const nh_ynode_t *val, const char *what) {
  nh_ynode_t **keys, **vals, **ak, **av;
  const field_t *spec;
  int n, i, j, m, rc = 0;
  if ((n = want_map(ld, key, val, what, &keys, &vals)) < 0) return n;
  if ((rc = nh__inv_check_dups(ld, keys, n, what)) < 0) return rc;
  for (i = 0; i < n && rc >= 0; i++) {
    const char *k;
    if ((rc = key_check(ld, keys[i], what)) < 0) return rc;
    k = keys[i]->u.scalar.text;
    if (!(spec = find_field("ssh", k))) return unknown(ld, keys[i], what, "ssh");
    /* A null value leaves the option unset here, so it is inherited (Nornir writes them). */
    if (nh_ynode_is_null(vals[i])) continue;
    if (spec->kind != F_OWN) {
      rc = want_field(ld, f, spec, keys[i], vals[i], what);
    } else if (strcmp(k, "host_key_policy") == 0) {
      const char *s = NULL;
      if ((rc = want_string(ld, keys[i], vals[i], what, &s)) < 0) {
        nh_value_t *v =
            vals[i] && vals[i]->type == NH_YNODE_SCALAR ? nh_ynode_scalar_value(vals[i]) : NULL;
        /* `host_key_policy: off` reads as the boolean false in YAML 1.1. */
        if (!v || v->type != NH_VALUE_BOOL || v->u.boolean) {
          nh_value_free(v);
          return rc;
        }
        nh_value_free(v);
        s = "off";
        rc = 0;
      }
      if (!(f->ssh.host_key_policy = policy_named(s)))
        return nh__inv_fail(ld, vals[i],
                            "%s: expected strict, accept-new or off for "
                            "'host_key_policy', found '%s'",
                            what, s);
    } else { /* algorithms */
      if ((m = want_map(ld, keys[i], vals[i], what, &ak, &av)) < 0) return m;
      for (j = 0; j < m && rc >= 0; j++) {
        if ((rc = key_check(ld, ak[j], what)) < 0) return rc;
        if (!(spec = find_field("ssh.algorithms", ak[j]->u.scalar.text)))
          return unknown(ld, ak[j], what, "ssh.algorithms");
        rc = want_field(ld, f, spec, ak[j], av[j], what);
      }
    }
  }
  return rc;
}

static int secret(nh__ld_t *ld, nh_secret_t *s, const nh_ynode_t *key, const nh_ynode_t *val,
                  const char *what, const char *suffix);

/* Whether k names the secret base as a value, an environment variable or a file: base,
 * base_env or base_file (the suffix is what secret() takes). */
static int is_secret_key(const char *k, const char *base) {
  size_t n = strlen(base);
  return strncmp(k, base, n) == 0 &&
         (!k[n] || strcmp(k + n, "_env") == 0 || strcmp(k + n, "_file") == 0);
}
static int data_set(nh__ld_t *ld, nh_inv_fields_t *f, const char *name, const nh_ynode_t *val);

/* http.headers: a map of header names to scalar values. */
static int http_headers(nh__ld_t *ld, nh_inv_fields_t *f, const nh_ynode_t *key,
                        const nh_ynode_t *val, const char *what) {
  nh_ynode_t **keys, **vals;
  nh_value_t *v;
  int n, i, rc;
  if ((n = want_map(ld, key, val, what, &keys, &vals)) < 0) return n;
  for (i = 0; i < n; i++)
    if (keys[i]->type != NH_YNODE_SCALAR || vals[i]->type != NH_YNODE_SCALAR)
      return nh__inv_fail(ld, keys[i]->type != NH_YNODE_SCALAR ? keys[i] : vals[i],
                          "%s: expected header: value pairs in 'headers'", what);
  if ((rc = nh_ydoc_to_value(ld->doc, val, &v, ld->err, ld->errlen)) < 0) return rc;
  if ((rc = nh__inv_keep_value(ld->inv, v)) < 0) return rc;
  f->http.headers = v;
  return 0;
}

static int http_section(nh__ld_t *ld, nh_inv_fields_t *f, const nh_ynode_t *key,
                        const nh_ynode_t *val, const char *what) {
  nh_ynode_t **keys, **vals;
  const field_t *spec;
  int n, i, rc = 0;
  if ((n = want_map(ld, key, val, what, &keys, &vals)) < 0) return n;
  if ((rc = nh__inv_check_dups(ld, keys, n, what)) < 0) return rc;
  for (i = 0; i < n && rc >= 0; i++) {
    const char *k;
    if ((rc = key_check(ld, keys[i], what)) < 0) return rc;
    k = keys[i]->u.scalar.text;
    if (!(spec = find_field("http", k))) return unknown(ld, keys[i], what, "http");
    if (nh_ynode_is_null(vals[i])) continue;
    if (spec->kind != F_OWN)
      rc = want_field(ld, f, spec, keys[i], vals[i], what);
    else if (strcmp(k, "scheme") == 0) {
      if ((rc = want_string(ld, keys[i], vals[i], what, &f->http.scheme)) == 0 &&
          strcmp(f->http.scheme, "https") != 0 && strcmp(f->http.scheme, "http") != 0)
        return nh__inv_fail(ld, vals[i], "%s: expected https or http for 'scheme', found '%s'",
                            what, f->http.scheme);
    } else if (is_secret_key(k, "password"))
      rc = secret(ld, &f->http.password, keys[i], vals[i], what, k + 8);
    else /* headers */
      rc = http_headers(ld, f, keys[i], vals[i], what);
  }
  return rc;
}

/* Sets data[name] = val (replacing a previous value of that key). */
static int data_set(nh__ld_t *ld, nh_inv_fields_t *f, const char *name, const nh_ynode_t *val) {
  nh_value_t *v;
  int rc;
  if (!f->data) {
    if (!(f->data = nh_value_map())) return NH_ENOMEM;
    if ((rc = nh__inv_keep_value(ld->inv, f->data)) < 0) return rc;
  }
  if ((rc = nh_ydoc_to_value(ld->doc, val, &v, ld->err, ld->errlen)) < 0) return rc;
  return nh_value_map_set(f->data, name, v);
}

/* Ansible inventories often hold secrets as Jinja templates or Vault blobs. nethost reads
 * `{{ lookup('env', 'NAME') }}` as password_env: NAME; anything else it cannot evaluate is
 * kept as NH_SECRET_TEMPLATE, an error when the secret is read (not when loading, so the
 * rest of the inventory stays usable). Returns 1 when val was one of these. */
static int ansible_secret(nh__ld_t *ld, nh_secret_t *s, const nh_ynode_t *val) {
  const char *t, *p, *q;
  char quote;
  if (!val || val->type != NH_YNODE_SCALAR) return 0;
  t = val->u.scalar.text;
  if (val->tag && strcmp(val->tag, "!vault") == 0) {
    s->kind = NH_SECRET_TEMPLATE;
    s->value = "!vault";
    return 1;
  }
  if (!strstr(t, "{{")) return 0;
  s->kind = NH_SECRET_TEMPLATE;
  s->value = t;
  p = strstr(t, "lookup(");
  if (!p) return 1;
  p += 7;
  while (*p == ' ') p++;
  if ((*p != '\'' && *p != '"') || strncmp(p + 1, "env", 3) != 0 || p[4] != *p) return 1;
  p += 5;
  while (*p == ' ' || *p == ',') p++;
  if (*p != '\'' && *p != '"') return 1;
  quote = *p++;
  if (!(q = strchr(p, quote)) || q == p) return 1;
  if (!(s->value = nh_ydoc_strdup(ld->doc, p, (size_t)(q - p)))) return NH_ENOMEM;
  s->kind = NH_SECRET_ENV;
  return 1;
}

static int secret(nh__ld_t *ld, nh_secret_t *s, const nh_ynode_t *key, const nh_ynode_t *val,
                  const char *what, const char *suffix) {
  int rc;
  const char *v = NULL;
  if (!strcmp(suffix, "") && (rc = ansible_secret(ld, s, val)) != 0) return rc < 0 ? rc : 0;
  if (strcmp(suffix, "_file") == 0) {
    if ((rc = want_path(ld, key, val, what, &v)) < 0) return rc;
    s->kind = NH_SECRET_FILE;
  } else {
    if ((rc = want_string(ld, key, val, what, &v)) < 0) return rc;
    s->kind = *suffix ? NH_SECRET_ENV : NH_SECRET_VALUE;
  }
  s->value = v;
  return 0;
}

/* The value at key name of the map node, or NULL (also when node is not a map). */
static const nh_ynode_t *map_get(nh__ld_t *ld, const nh_ynode_t *node, const char *name) {
  nh_ynode_t **keys, **vals;
  int n, i;
  if (!node || node->type != NH_YNODE_MAP) return NULL;
  if ((n = nh_ynode_map_pairs(ld->doc, node, &keys, &vals, NULL, 0)) < 0) return NULL;
  for (i = 0; i < n; i++)
    if (keys[i]->type == NH_YNODE_SCALAR && !strcmp(keys[i]->u.scalar.text, name)) return vals[i];
  return NULL;
}

/* Nornir keeps Netmiko's enable secret in connection_options.netmiko.extras.secret. It
 * becomes the entity's enable secret unless the entity gives one itself (enable_secret*
 * wins whatever the key order); a Jinja lookup('env', ...) there works as elsewhere. */
static int netmiko_secret(nh__ld_t *ld, nh_inv_fields_t *f, const nh_ynode_t *key,
                          const nh_ynode_t *val, const char *what) {
  const nh_ynode_t *v = map_get(ld, map_get(ld, map_get(ld, val, "netmiko"), "extras"), "secret");
  nh_secret_t s = {0};
  int rc;
  if (!v || nh_ynode_is_null(v) || f->enable_secret.kind) return 0;
  if ((rc = secret(ld, &s, key, v, what, "")) < 0) return rc;
  f->enable_secret = s;
  return 0;
}

int nh__inv_field(nh__ld_t *ld, nh_inv_fields_t *f, const nh_ynode_t *key, const nh_ynode_t *val,
                  const char *what) {
  const field_t *spec;
  const char *k;
  int rc;
  if ((rc = key_check(ld, key, what)) < 0) return rc;
  k = key->u.scalar.text;
  /* A null value leaves the field unset here, so it is inherited (Nornir writes them). */
  if (nh_ynode_is_null(val) && is_name(k, nh__inv_field_names) && strcmp(k, "name") != 0 &&
      strcmp(k, "groups") != 0)
    return 0;
  if ((spec = find_field("", k)) != NULL) return want_field(ld, f, spec, key, val, what);
  if (is_secret_key(k, "password")) return secret(ld, &f->password, key, val, what, k + 8);
  if (is_secret_key(k, "passphrase")) return secret(ld, &f->passphrase, key, val, what, k + 10);
  if (is_secret_key(k, "enable_secret"))
    return secret(ld, &f->enable_secret, key, val, what, k + 13);
  if (strcmp(k, "ssh") == 0) return ssh_section(ld, f, key, val, what);
  if (strcmp(k, "http") == 0) return http_section(ld, f, key, val, what);
  if (strcmp(k, "data") == 0) {
    nh_ynode_t **keys, **vals;
    int n, i;
    if (nh_ynode_is_null(val)) return 0;
    if ((n = want_map(ld, key, val, what, &keys, &vals)) < 0) return n;
    for (i = 0; i < n; i++) {
      if ((rc = key_check(ld, keys[i], what)) < 0) return rc;
      if ((rc = data_set(ld, f, keys[i]->u.scalar.text, vals[i])) < 0) return rc;
    }
    return 0;
  }
  /* Nornir's per-connection settings: kept in data so a Nornir inventory loads as it is;
   * Netmiko's enable secret among them is the host's enable secret. */
  if (strcmp(k, "connection_options") == 0) {
    if ((rc = netmiko_secret(ld, f, key, val, what)) < 0) return rc;
    return data_set(ld, f, k, val);
  }
  /* NETCONF settings ({port: 830}): kept in data, read by lua/nethost/netconf.lua. */
  if (strcmp(k, "netconf") == 0) return data_set(ld, f, k, val);
  return 1;
}

/* ---- Ansible variables ---------------------------------------------------------------- */

static const struct {
  const char *ansible, *nethost;
} platforms[] = {
    {"ios", "cisco_ios"},
    {"cisco.ios.ios", "cisco_ios"},
    {"iosxr", "cisco_xr"},
    {"cisco.iosxr.iosxr", "cisco_xr"},
    {"nxos", "cisco_nxos"},
    {"cisco.nxos.nxos", "cisco_nxos"},
    {"asa", "cisco_asa"},
    {"cisco.asa.asa", "cisco_asa"},
    {"eos", "arista_eos"},
    {"arista.eos.eos", "arista_eos"},
    {"junos", "juniper_junos"},
    {"junipernetworks.junos.junos", "juniper_junos"},
    {"vyos", "vyos"},
    {"vyos.vyos.vyos", "vyos"},
    {"routeros", "mikrotik_routeros"},
    {"community.routeros.routeros", "mikrotik_routeros"},
};

const char *nh__inv_driver_platform(const char *name) {
  size_t i;
  if (!strcmp(name, "nxos_ssh")) return "cisco_nxos";
  for (i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
    if (strcmp(name, platforms[i].ansible) == 0) return platforms[i].nethost;
  return name;
}

const char *nh_inventory_ansible_platform(const char *name) {
  size_t i;
  const char *dot;
  for (i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
    if (strcmp(name, platforms[i].ansible) == 0) return platforms[i].nethost;
  dot = strrchr(name, '.');
  return dot ? dot + 1 : name;
}

/* The jump hosts in ssh arguments as Ansible passes them: `-J HOPS`, `-JHOPS`,
 * `-o ProxyJump=HOPS`, `-oProxyJump=HOPS`, `-o "ProxyJump HOPS"` (quotes optional). Other
 * options (ProxyCommand among them) are not interpreted. */
static int ansible_proxyjump(nh__ld_t *ld, nh_inv_fields_t *f, const char *args) {
  const char *p = args, *v = NULL;
  size_t n;
  char *out;
  while (*p) {
    while (*p == ' ' || *p == '\t') p++;
    if (!strncmp(p, "-J", 2)) {
      v = p + 2;
    } else if (!strncmp(p, "-o", 2)) {
      const char *o = p + 2;
      while (*o == ' ' || *o == '\'' || *o == '"') o++;
      if (!strncasecmp(o, "ProxyJump", 9) && (o[9] == '=' || o[9] == ' ')) v = o + 9;
    }
    if (v) {
      while (*v == ' ' || *v == '=' || *v == '\'' || *v == '"') v++;
      n = strcspn(v, " \t'\"");
      if (n == 0 || (n == 4 && !strncasecmp(v, "none", 4))) return 0;
      if (!(out = nh_ydoc_alloc(ld->doc, n + 1))) return NH_ENOMEM;
      memcpy(out, v, n);
      out[n] = 0;
      f->ssh.jump = out;
      return 0;
    }
    p += strcspn(p, " \t");
  }
  return 0;
}

int nh__inv_ansible_var(nh__ld_t *ld, nh_inv_fields_t *f, const nh_ynode_t *key,
                        const nh_ynode_t *val, const char *what) {
  const char *k;
  int rc;
  static const char *const mapped[] = {"ansible_host",
                                       "ansible_ssh_host",
                                       "ansible_port",
                                       "ansible_ssh_port",
                                       "ansible_user",
                                       "ansible_ssh_user",
                                       "ansible_password",
                                       "ansible_ssh_pass",
                                       "ansible_become_password",
                                       "ansible_become_pass",
                                       "ansible_ssh_private_key_file",
                                       "ansible_private_key_file",
                                       "ansible_network_os",
                                       "ansible_host_key_checking",
                                       "ansible_ssh_common_args",
                                       "ansible_ssh_extra_args",
                                       NULL};
  if ((rc = key_check(ld, key, what)) < 0) return rc;
  k = key->u.scalar.text;
  if (nh_ynode_is_null(val) && is_name(k, mapped)) return 0;
  if (!strcmp(k, "ansible_host") || !strcmp(k, "ansible_ssh_host"))
    return want_string(ld, key, val, what, &f->address);
  if (!strcmp(k, "ansible_port") || !strcmp(k, "ansible_ssh_port"))
    return want_port(ld, key, val, what, &f->port);
  if (!strcmp(k, "ansible_user") || !strcmp(k, "ansible_ssh_user"))
    return want_string(ld, key, val, what, &f->username);
  if (!strcmp(k, "ansible_password") || !strcmp(k, "ansible_ssh_pass"))
    return secret(ld, &f->password, key, val, what, "");
  if (!strcmp(k, "ansible_become_password") || !strcmp(k, "ansible_become_pass"))
    return secret(ld, &f->enable_secret, key, val, what, "");
  if (!strcmp(k, "ansible_ssh_private_key_file") || !strcmp(k, "ansible_private_key_file"))
    return want_path(ld, key, val, what, &f->key_file);
  if (!strcmp(k, "ansible_network_os")) {
    const char *s = NULL, *p;
    if ((rc = want_string(ld, key, val, what, &s)) < 0) return rc;
    p = nh_inventory_ansible_platform(s);
    if (!(f->platform = nh_ydoc_strdup(ld->doc, p, strlen(p)))) return NH_ENOMEM;
    return data_set(ld, f, k, val);
  }
  if (!strcmp(k, "ansible_host_key_checking")) {
    int b;
    if ((rc = want_bool(ld, key, val, what, &b)) < 0) return rc;
    f->ssh.host_key_policy = b ? NH_INV_HOSTKEY_STRICT : NH_INV_HOSTKEY_OFF;
    return 0;
  }
  if (!strcmp(k, "ansible_ssh_common_args") || !strcmp(k, "ansible_ssh_extra_args")) {
    const char *s = NULL;
    if ((rc = want_string(ld, key, val, what, &s)) < 0) return rc;
    if ((rc = ansible_proxyjump(ld, f, s)) < 0) return rc;
    return data_set(ld, f, k, val);
  }
  return data_set(ld, f, k, val);
}
