/* nethost core: a resolved host seen from outside — its fields as values, where they come
 * from, attribute tests, and reading its secrets. */
#include "error.h"
#include "inventory_int.h"
#include "hash.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_str(nh_value_t *m, const char *k, const char *s) {
  return s ? nh_value_map_set(m, k, nh_value_cstring(s)) : 0;
}

static int set_num(nh_value_t *m, const char *k, double d) {
  if (d < 0) return 0;
  if (d == (double)(int64_t)d) return nh_value_map_set(m, k, nh_value_int((int64_t)d));
  return nh_value_map_set(m, k, nh_value_float(d));
}

static nh_value_t *split_list(const char *s) {
  nh_value_t *l = nh_value_list();
  const char *p = s, *c;
  if (!l) return NULL;
  while (*p) {
    c = strchr(p, ',');
    if (!c) c = p + strlen(p);
    if (c > p && nh_value_list_push(l, nh_value_string(p, (size_t)(c - p))) < 0) {
      nh_value_free(l);
      return NULL;
    }
    p = *c ? c + 1 : c;
  }
  return l;
}

const nh_value_t *nh_host_data_get(const nh_host_t *h, const char *path) {
  const nh_value_t *v;
  size_t i;
  if (h->own.data && (v = nh_value_map_path(h->own.data, path))) return v;
  for (i = 0; i < h->nchain; i++)
    if (h->chain[i]->own.data && (v = nh_value_map_path(h->chain[i]->own.data, path))) return v;
  if (h->inv) {
    const nh_inv_fields_t *d = nh_inventory_defaults(h->inv);
    if (d->data && (v = nh_value_map_path(d->data, path))) return v;
  }
  return NULL;
}

nh_value_t *nh_host_data(const nh_host_t *h) {
  nh_value_t *m = nh_value_map();
  size_t i;
  if (!m) return NULL;
  if (h->own.data && nh_value_map_merge(m, h->own.data, 0) < 0) goto fail;
  for (i = 0; i < h->nchain; i++)
    if (h->chain[i]->own.data && nh_value_map_merge(m, h->chain[i]->own.data, 0) < 0) goto fail;
  if (h->inv) {
    const nh_inv_fields_t *d = nh_inventory_defaults(h->inv);
    if (d->data && nh_value_map_merge(m, d->data, 0) < 0) goto fail;
  }
  return m;
fail:
  nh_value_free(m);
  return NULL;
}

nh_value_t *nh_host_to_value(const nh_host_t *h, int flags) {
  const nh_inv_fields_t *f = &h->fields;
  nh_value_t *m = nh_value_map(), *groups = NULL, *ssh = NULL, *alg = NULL, *http = NULL;
  size_t i;
  int rc = 0, masked = !(flags & NH_HOST_SECRETS_OMITTED);
  if (!m) return NULL;
  rc |= set_str(m, "name", h->name);
  rc |= set_str(m, "address", f->address);
  if (f->port) rc |= nh_value_map_set(m, "port", nh_value_int(f->port));
  rc |= set_str(m, "platform", f->platform);
  rc |= set_str(m, "username", f->username);
  if (masked && f->password.kind) rc |= set_str(m, "password", "***");
  rc |= set_str(m, "key_file", f->key_file);
  if (masked && f->passphrase.kind) rc |= set_str(m, "passphrase", "***");
  if (masked && f->enable_secret.kind) rc |= set_str(m, "enable_secret", "***");
  if (!(groups = nh_value_list())) goto fail;
  for (i = 0; i < h->ngroups; i++)
    rc |= nh_value_list_push(groups, nh_value_cstring(h->groups[i]->name));
  rc |= nh_value_map_set(m, "groups", groups);
  if (!(ssh = nh_value_map())) goto fail;
  rc |= set_str(ssh, "host_key_policy", nh__inv_policy_name(f->ssh.host_key_policy));
  rc |= set_str(ssh, "known_hosts", f->ssh.known_hosts);
  rc |= set_str(ssh, "session_log", f->ssh.session_log);
  rc |= set_num(ssh, "connect_timeout", f->ssh.connect_timeout);
  rc |= set_num(ssh, "timeout", f->ssh.timeout);
  rc |= set_num(ssh, "connect_rate", f->ssh.connect_rate);
  rc |= set_num(ssh, "keepalive", f->ssh.keepalive);
  if (f->ssh.kex || f->ssh.hostkey || f->ssh.cipher || f->ssh.mac) {
    if (!(alg = nh_value_map())) {
      nh_value_free(ssh);
      goto fail;
    }
    if (f->ssh.kex) rc |= nh_value_map_set(alg, "kex", split_list(f->ssh.kex));
    if (f->ssh.hostkey) rc |= nh_value_map_set(alg, "hostkey", split_list(f->ssh.hostkey));
    if (f->ssh.cipher) rc |= nh_value_map_set(alg, "cipher", split_list(f->ssh.cipher));
    if (f->ssh.mac) rc |= nh_value_map_set(alg, "mac", split_list(f->ssh.mac));
    rc |= nh_value_map_set(ssh, "algorithms", alg);
  }
  rc |= nh_value_map_set(m, "ssh", ssh);
  if (!(http = nh_value_map())) goto fail;
  rc |= set_str(http, "base_url", f->http.base_url);
  if (f->http.verify >= 0) rc |= nh_value_map_set(http, "verify", nh_value_bool(f->http.verify));
  rc |= set_str(http, "ca_file", f->http.ca_file);
  rc |= set_str(http, "client_cert", f->http.client_cert);
  rc |= set_str(http, "client_key", f->http.client_key);
  rc |= set_num(http, "timeout", f->http.timeout);
  rc |= set_str(http, "username", f->http.username);
  if (masked && f->http.password.kind) rc |= set_str(http, "password", "***");
  if (f->http.headers) rc |= nh_value_map_set(http, "headers", nh_value_copy(f->http.headers));
  rc |= nh_value_map_set(m, "http", http);
  rc |= nh_value_map_set(m, "data", nh_host_data(h));
  if (rc) goto fail;
  return m;
fail:
  nh_value_free(m);
  return NULL;
}

/* ---- explain -------------------------------------------------------------------------- */

/* The fields explain reports, each with a test "is it set in this layer". */
typedef int (*is_set_fn)(const nh_inv_fields_t *f);
#define SET_TEST(id, expr)                        \
  static int set_##id(const nh_inv_fields_t *f) { \
    return (expr);                                \
  }
SET_TEST(address, f->address != NULL)
SET_TEST(port, f->port != 0)
SET_TEST(platform, f->platform != NULL)
SET_TEST(username, f->username != NULL)
SET_TEST(password, f->password.kind != NH_SECRET_NONE)
SET_TEST(key_file, f->key_file != NULL)
SET_TEST(passphrase, f->passphrase.kind != NH_SECRET_NONE)
SET_TEST(enable_secret, f->enable_secret.kind != NH_SECRET_NONE)
SET_TEST(policy, f->ssh.host_key_policy != NH_INV_HOSTKEY_UNSET)
SET_TEST(known_hosts, f->ssh.known_hosts != NULL)
SET_TEST(connect_timeout, f->ssh.connect_timeout >= 0)
SET_TEST(timeout, f->ssh.timeout >= 0)
SET_TEST(connect_rate, f->ssh.connect_rate >= 0)
SET_TEST(keepalive, f->ssh.keepalive >= 0)
SET_TEST(kex, f->ssh.kex != NULL)
SET_TEST(hostkey, f->ssh.hostkey != NULL)
SET_TEST(cipher, f->ssh.cipher != NULL)
SET_TEST(mac, f->ssh.mac != NULL)
SET_TEST(base_url, f->http.base_url != NULL)
SET_TEST(verify, f->http.verify >= 0)
SET_TEST(ca_file, f->http.ca_file != NULL)
SET_TEST(http_scheme, f->http.scheme != NULL)
SET_TEST(http_port, f->http.port != 0)
SET_TEST(http_username, f->http.username != NULL)
SET_TEST(http_password, f->http.password.kind != NH_SECRET_NONE)
SET_TEST(http_timeout, f->http.timeout >= 0)
SET_TEST(http_headers, f->http.headers != NULL)

static const struct {
  const char *path;
  is_set_fn is_set;
} explained[] = {
    {"address", set_address},
    {"port", set_port},
    {"platform", set_platform},
    {"username", set_username},
    {"password", set_password},
    {"key_file", set_key_file},
    {"passphrase", set_passphrase},
    {"enable_secret", set_enable_secret},
    {"ssh.host_key_policy", set_policy},
    {"ssh.known_hosts", set_known_hosts},
    {"ssh.connect_timeout", set_connect_timeout},
    {"ssh.timeout", set_timeout},
    {"ssh.connect_rate", set_connect_rate},
    {"ssh.keepalive", set_keepalive},
    {"ssh.algorithms.kex", set_kex},
    {"ssh.algorithms.hostkey", set_hostkey},
    {"ssh.algorithms.cipher", set_cipher},
    {"ssh.algorithms.mac", set_mac},
    {"http.base_url", set_base_url},
    {"http.verify", set_verify},
    {"http.ca_file", set_ca_file},
    {"http.scheme", set_http_scheme},
    {"http.port", set_http_port},
    {"http.username", set_http_username},
    {"http.password", set_http_password},
    {"http.timeout", set_http_timeout},
    {"http.headers", set_http_headers},
};

static nh_value_t *layer_name(const nh_group_t *g, int defaults) {
  char buf[300];
  if (defaults) return nh_value_cstring("defaults");
  if (!g) return nh_value_cstring("host");
  snprintf(buf, sizeof(buf), "group %s", g->name);
  return nh_value_cstring(buf);
}

/* Finds the first layer (host, chain..., defaults) for which test says "set". */
static nh_value_t *source(const nh_inventory_t *inv, const nh_host_t *h,
                          int (*test)(const nh_inv_fields_t *, const void *), const void *arg) {
  size_t i;
  if (test(&h->own, arg)) return layer_name(NULL, 0);
  for (i = 0; i < h->nchain; i++)
    if (test(&h->chain[i]->own, arg)) return layer_name(h->chain[i], 0);
  if (test(nh_inventory_defaults(inv), arg)) return layer_name(NULL, 1);
  return NULL;
}

static int test_field(const nh_inv_fields_t *f, const void *arg) {
  return ((is_set_fn)(uintptr_t)arg)(f);
}

static int test_data_key(const nh_inv_fields_t *f, const void *arg) {
  return f->data && nh_value_map_get(f->data, arg) != NULL;
}

nh_value_t *nh_host_explain(const nh_inventory_t *inv, const nh_host_t *h) {
  nh_value_t *m = nh_value_map(), *src, *data = nh_host_data(h);
  size_t i;
  char path[300];
  if (!m || !data) goto fail;
  for (i = 0; i < sizeof(explained) / sizeof(explained[0]); i++) {
    if (!(src = source(inv, h, test_field, (const void *)(uintptr_t)explained[i].is_set))) continue;
    if (nh_value_map_set(m, explained[i].path, src) < 0) goto fail;
  }
  for (i = 0; i < data->u.map.len; i++) {
    const char *k = data->u.map.keys[i];
    if (!(src = source(inv, h, test_data_key, k))) continue;
    snprintf(path, sizeof(path), "data.%s", k);
    if (nh_value_map_set(m, path, src) < 0) goto fail;
  }
  nh_value_free(data);
  return m;
fail:
  nh_value_free(data);
  nh_value_free(m);
  return NULL;
}

/* ---- attribute tests ------------------------------------------------------------------ */

static int text_match(const char *have, const char *want, int glob) {
  if (!have) return 0;
  return glob ? fnmatch(want, have, 0) == 0 : strcmp(have, want) == 0;
}

static int value_match(const nh_value_t *v, const char *want, int glob, int depth) {
  char buf[64];
  size_t i;
  if (!v) return 0;
  switch (v->type) {
  case NH_VALUE_STRING:
    return text_match(v->u.str.ptr, want, glob);
  case NH_VALUE_INT:
    snprintf(buf, sizeof(buf), "%" PRId64, v->u.integer);
    return text_match(buf, want, glob);
  case NH_VALUE_FLOAT:
    snprintf(buf, sizeof(buf), "%g", v->u.number);
    return text_match(buf, want, glob);
  case NH_VALUE_BOOL:
    return text_match(v->u.boolean ? "true" : "false", want, glob);
  case NH_VALUE_NULL:
    return text_match("null", want, glob);
  case NH_VALUE_LIST:
    if (depth > 0) return 0;
    for (i = 0; i < v->u.list.len; i++)
      if (value_match(v->u.list.items[i], want, glob, depth + 1)) return 1;
    return 0;
  default:
    return 0;
  }
}

static int num_match(double d, const char *want, int glob) {
  char buf[64];
  if (d < 0) return 0;
  snprintf(buf, sizeof(buf), "%g", d);
  return text_match(buf, want, glob);
}

int nh_host_attr_match(const nh_host_t *h, const char *key, const char *want, int glob) {
  const nh_inv_fields_t *f = &h->fields;
  char buf[32];
  size_t i;
  if (!strcmp(key, "name")) return text_match(h->name, want, glob);
  if (!strcmp(key, "groups") || !strcmp(key, "group")) {
    for (i = 0; i < h->nchain; i++)
      if (text_match(h->chain[i]->name, want, glob)) return 1;
    return 0;
  }
  if (!strcmp(key, "address") || !strcmp(key, "hostname"))
    return text_match(f->address, want, glob);
  if (!strcmp(key, "port")) {
    if (!f->port) return 0;
    snprintf(buf, sizeof(buf), "%d", f->port);
    return text_match(buf, want, glob);
  }
  if (!strcmp(key, "platform")) return text_match(f->platform, want, glob);
  if (!strcmp(key, "username")) return text_match(f->username, want, glob);
  if (!strcmp(key, "key_file")) return text_match(f->key_file, want, glob);
  if (!strcmp(key, "ssh.host_key_policy"))
    return text_match(nh__inv_policy_name(f->ssh.host_key_policy), want, glob);
  if (!strcmp(key, "ssh.known_hosts")) return text_match(f->ssh.known_hosts, want, glob);
  if (!strcmp(key, "ssh.connect_timeout")) return num_match(f->ssh.connect_timeout, want, glob);
  if (!strcmp(key, "ssh.timeout")) return num_match(f->ssh.timeout, want, glob);
  if (!strcmp(key, "http.base_url")) return text_match(f->http.base_url, want, glob);
  if (!strcmp(key, "http.verify"))
    return f->http.verify >= 0 && text_match(f->http.verify ? "true" : "false", want, glob);
  if (!strncmp(key, "data.", 5)) key += 5;
  return value_match(nh_host_data_get(h, key), want, glob, 0);
}

unsigned nh_host_shard(const nh_host_t *h, unsigned n) {
  return (unsigned)(nh_hash_str(h->name) % n);
}

/* ---- secrets -------------------------------------------------------------------------- */

int nh_secret_read(const nh_secret_t *s, const char *host, const char *what, char **out, char *err,
                   size_t errlen) {
  *out = NULL;
  if (err && errlen) err[0] = '\0';
  switch (s->kind) {
  case NH_SECRET_NONE:
    return NH_ENOENT;
  case NH_SECRET_VALUE:
    return (*out = strdup(s->value)) ? 0 : NH_ENOMEM;
  case NH_SECRET_ENV: {
    const char *v = getenv(s->value);
    if (!v) {
      if (err && errlen)
        snprintf(err, errlen,
                 "host '%s': %s_env names the environment variable %s, which is not set", host,
                 what, s->value);
      return NH_EINVAL;
    }
    return (*out = strdup(v)) ? 0 : NH_ENOMEM;
  }
  case NH_SECRET_TEMPLATE:
    if (err && errlen) {
      if (!strcmp(s->value, "!vault"))
        snprintf(err, errlen,
                 "host '%s': %s is an Ansible Vault value, which nethost cannot decrypt: give "
                 "%s_env or %s_file instead",
                 host, what, what, what);
      else
        snprintf(err, errlen,
                 "host '%s': %s is an Ansible template (%s) nethost cannot evaluate: give "
                 "%s_env or %s_file instead",
                 host, what, s->value, what, what);
    }
    return NH_EINVAL;
  case NH_SECRET_FILE: {
    FILE *f = fopen(s->value, "rb");
    char *buf;
    size_t n;
    if (!f) {
      if (err && errlen)
        snprintf(err, errlen, "host '%s': cannot read %s_file %s: %s", host, what, s->value,
                 strerror(errno));
      return NH_EINVAL;
    }
    if (!(buf = malloc(65536))) {
      fclose(f);
      return NH_ENOMEM;
    }
    n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';
    /* Files written by editors and `echo` end with a newline that is not part of it. */
    if (n && buf[n - 1] == '\n') buf[--n] = '\0';
    if (n && buf[n - 1] == '\r') buf[--n] = '\0';
    *out = buf;
    return 0;
  }
  }
  return NH_EINVAL;
}
