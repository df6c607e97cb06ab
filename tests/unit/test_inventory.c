/* Unit tests: the inventory loader — nethost, Nornir and Ansible formats, inheritance,
 * secrets, patterns, and errors naming file:line:column. */

#include "test_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "inventory.h"

#define DATA NH_TEST_DATA_DIR "/inventory"

static nh_inventory_t *load(const char *path) {
  char err[1024];
  nh_inventory_t *inv = NULL;
  int rc = nh_inventory_load(path, &inv, err, sizeof(err));
  if (rc < 0) fail_msg("%s: %s", path, err);
  return inv;
}

static nh_inventory_t *parse(const char *text) {
  char err[1024];
  nh_inventory_t *inv = NULL;
  int rc = nh_inventory_parse(text, strlen(text), "t.yaml", "/base", &inv, err, sizeof(err));
  if (rc < 0) fail_msg("%s", err);
  return inv;
}

/* Loading text must fail with a message containing want. */
static void expect_error(const char *text, const char *want) {
  char err[1024];
  nh_inventory_t *inv = NULL;
  int rc = nh_inventory_parse(text, strlen(text), "t.yaml", NULL, &inv, err, sizeof(err));
  if (rc >= 0) {
    nh_inventory_free(inv);
    fail_msg("loaded, expected an error with '%s':\n%s", want, text);
  }
  assert_null(inv);
  if (!strstr(err, want)) fail_msg("error '%s' lacks '%s'", err, want);
}

static const nh_host_t *host(nh_inventory_t *inv, const char *name) {
  const nh_host_t *h = nh_inventory_find(inv, name);
  if (!h) fail_msg("no host %s", name);
  return h;
}

/* Loads a file that must read as format, with count hosts. */
static nh_inventory_t *load_as(const char *path, const char *format, size_t count) {
  nh_inventory_t *inv = load(path);
  assert_string_equal(nh_inventory_format(inv), format);
  assert_int_equal(nh_inventory_count(inv), count);
  return inv;
}

/* The connection fields a test checks of a host; NULL and 0 are not checked. */
typedef struct {
  const char *address, *platform, *username;
  int port;
} fields_t;

/* Host name, checked against want. */
static const nh_host_t *host_with(nh_inventory_t *inv, const char *name, fields_t want) {
  const nh_host_t *h = host(inv, name);
  if (want.address) assert_string_equal(h->fields.address, want.address);
  if (want.platform) assert_string_equal(h->fields.platform, want.platform);
  if (want.username) assert_string_equal(h->fields.username, want.username);
  if (want.port) assert_int_equal(h->fields.port, want.port);
  return h;
}

static const char *data_str(const nh_host_t *h, const char *path) {
  const nh_value_t *v = nh_host_data_get(h, path);
  return v && v->type == NH_VALUE_STRING ? v->u.str.ptr : NULL;
}

static void test_nethost_inheritance(void **state) {
  nh_inventory_t *inv = load_as(DATA "/lab.yaml", "nethost", 5);
  const nh_host_t *h;
  (void)state;
  assert_int_equal(nh_inventory_group_count(inv), 4);
  /* Hosts keep the file's order. */
  assert_string_equal(nh_inventory_host(inv, 0)->name, "core-1");
  assert_string_equal(nh_inventory_host(inv, 4)->name, "sw-0002");

  /* Port and username from the defaults, platform from group core. */
  h = host_with(inv, "core-1", (fields_t){"127.1.0.1", "cisco_ios", "admin", 22});
  assert_true(h->fields.ssh.timeout == 30);         /* parent group site-lon */
  assert_true(h->fields.ssh.connect_timeout == 10); /* defaults */
  assert_int_equal(h->fields.ssh.host_key_policy, NH_INV_HOSTKEY_STRICT);
  assert_string_equal(h->fields.ssh.kex, "curve25519-sha256,diffie-hellman-group14-sha1");
  assert_string_equal(h->fields.ssh.cipher, "aes128-ctr");
  /* Relative paths are taken from the inventory's folder. */
  assert_non_null(strstr(h->fields.ssh.known_hosts, "/tests/data/inventory/known_hosts"));
  assert_true(h->fields.ssh.known_hosts[0] == '/');
  /* data merges key by key: host > core > site-lon > defaults. */
  assert_string_equal(data_str(h, "pair"), "p1");
  assert_string_equal(data_str(h, "role"), "core");
  assert_string_equal(data_str(h, "site"), "lon");
  assert_string_equal(data_str(h, "dc"), "lon1");
  assert_string_equal(data_str(h, "owner"), "netops");
  assert_int_equal(h->ngroups, 1);
  assert_int_equal(h->nchain, 2);
  assert_string_equal(h->chain[1]->name, "site-lon");

  h = host_with(inv, "core-2", (fields_t){.port = 2222});
  assert_string_equal(data_str(h, "site"), "par"); /* the host's own wins */

  /* Groups in order: edge before core; edge's merge key (<<: *switching) brought core's
   * fields and parent, edge's own platform overrides them. */
  h = host_with(inv, "edge-1", (fields_t){.platform = "arista_eos"});
  assert_string_equal(data_str(h, "role"), "edge");
  assert_int_equal(h->fields.password.kind, NH_SECRET_VALUE);
  assert_int_equal(h->fields.enable_secret.kind, NH_SECRET_FILE);
  assert_true(nh_host_in_group(h, nh_inventory_find_group(inv, "site-lon")));

  h = host(inv, "sw-0001");
  assert_int_equal(h->fields.ssh.host_key_policy, NH_INV_HOSTKEY_ACCEPT_NEW);
  assert_int_equal(h->fields.http.verify, 0);
  assert_string_equal(h->fields.http.base_url, "https://127.1.0.11");
  assert_true(h->fields.ssh.known_hosts[0] == '/'); /* ~ expanded */
  assert_true(h->fields.ssh.timeout < 0);           /* unset */
  assert_string_equal(data_str(h, "site"), "hq");

  h = host(inv, "sw-0002");
  assert_non_null(strstr(h->fields.key_file, "/tests/data/inventory/keys/id_ed25519"));
  assert_int_equal(h->fields.passphrase.kind, NH_SECRET_ENV);
  nh_inventory_free(inv);
}

static void test_secrets(void **state) {
  nh_inventory_t *inv = load(DATA "/lab.yaml");
  char err[512], *s;
  const nh_host_t *h = host(inv, "core-1");
  (void)state;
  unsetenv("NETHOST_TEST_PASSWORD");
  assert_int_equal(nh_secret_read(&h->fields.password, h->name, "password", &s, err, sizeof(err)),
                   NH_EINVAL);
  assert_non_null(strstr(err, "core-1"));
  assert_non_null(strstr(err, "NETHOST_TEST_PASSWORD"));
  setenv("NETHOST_TEST_PASSWORD", "s3cret", 1);
  assert_int_equal(nh_secret_read(&h->fields.password, h->name, "password", &s, err, sizeof(err)),
                   0);
  assert_string_equal(s, "s3cret");
  free(s);
  /* A file's trailing newline is not part of the secret. */
  assert_int_equal(
      nh_secret_read(&h->fields.enable_secret, h->name, "enable_secret", &s, err, sizeof(err)), 0);
  assert_string_equal(s, "en-secret");
  free(s);
  h = host(inv, "sw-0001");
  assert_int_equal(
      nh_secret_read(&h->fields.enable_secret, h->name, "enable_secret", &s, err, sizeof(err)),
      NH_ENOENT);
  h = host(inv, "edge-1");
  assert_int_equal(nh_secret_read(&h->fields.password, h->name, "password", &s, err, sizeof(err)),
                   0);
  assert_string_equal(s, "inline-secret");
  free(s);
  nh_inventory_free(inv);
}

static void test_masked_and_explain(void **state) {
  nh_inventory_t *inv = load(DATA "/lab.yaml");
  const nh_host_t *h = host(inv, "edge-1");
  nh_value_t *v = nh_host_to_value(h, NH_HOST_SECRETS_MASKED), *e;
  char *json = nh_value_to_json(v, 0, NULL);
  (void)state;
  assert_non_null(strstr(json, "\"password\":\"***\""));
  assert_null(strstr(json, "inline-secret"));
  free(json);
  nh_value_free(v);
  v = nh_host_to_value(h, NH_HOST_SECRETS_OMITTED);
  assert_null(nh_value_map_get(v, "password"));
  nh_value_free(v);
  e = nh_host_explain(inv, host(inv, "core-2"));
  assert_string_equal(nh_value_map_get(e, "port")->u.str.ptr, "host");
  assert_string_equal(nh_value_map_get(e, "platform")->u.str.ptr, "group core");
  assert_string_equal(nh_value_map_get(e, "ssh.timeout")->u.str.ptr, "group site-lon");
  assert_string_equal(nh_value_map_get(e, "username")->u.str.ptr, "defaults");
  assert_string_equal(nh_value_map_get(e, "data.dc")->u.str.ptr, "group site-lon");
  nh_value_free(e);
  nh_inventory_free(inv);
}

/* The names a pattern selects, comma-joined. */
static char *select_names(nh_inventory_t *inv, const char *pattern) {
  static char out[1024];
  char err[256];
  size_t *idx, n, i;
  int rc = nh_inventory_select(inv, pattern, &idx, &n, err, sizeof(err));
  if (rc < 0) fail_msg("%s: %s", pattern, err);
  out[0] = '\0';
  for (i = 0; i < n; i++) {
    if (i) strcat(out, ",");
    strcat(out, nh_inventory_host(inv, idx[i])->name);
  }
  free(idx);
  return out;
}

static void test_patterns(void **state) {
  nh_inventory_t *inv = load(DATA "/lab.yaml");
  char err[256];
  size_t *idx, n;
  (void)state;
  assert_string_equal(select_names(inv, "all"), "core-1,core-2,edge-1,sw-0001,sw-0002");
  assert_string_equal(select_names(inv, "*"), "core-1,core-2,edge-1,sw-0001,sw-0002");
  assert_string_equal(select_names(inv, "core-1"), "core-1");
  assert_string_equal(select_names(inv, "sw-*"), "sw-0001,sw-0002");
  assert_string_equal(select_names(inv, "core"), "core-1,core-2,edge-1");
  assert_string_equal(select_names(inv, "site-lon"), "core-1,core-2,edge-1"); /* via children */
  assert_string_equal(select_names(inv, "edge:access"), "edge-1,sw-0001,sw-0002");
  assert_string_equal(select_names(inv, "edge,access"), "edge-1,sw-0001,sw-0002");
  assert_string_equal(select_names(inv, "core:&edge"), "edge-1");
  assert_string_equal(select_names(inv, "core:!edge"), "core-1,core-2");
  assert_string_equal(select_names(inv, "!access"), "core-1,core-2,edge-1");
  /* Unions first, then intersections, then exclusions, whatever the order written. */
  assert_string_equal(select_names(inv, "core:!core-2:access"), "core-1,edge-1,sw-0001,sw-0002");
  assert_string_equal(select_names(inv, "platform=cisco_ios"), "core-1,core-2,sw-0001,sw-0002");
  assert_string_equal(select_names(inv, "platform=arista*"), "edge-1");
  assert_string_equal(select_names(inv, "data.site=lon"), "core-1,edge-1");
  assert_string_equal(select_names(inv, "site=lon"), "core-1,edge-1");
  assert_string_equal(select_names(inv, "port=2222"), "core-2");
  assert_string_equal(select_names(inv, "data.tier=1"), "core-1,core-2,edge-1");
  assert_string_equal(select_names(inv, "~^sw-000[2-9]$"), "sw-0002");
  assert_string_equal(select_names(inv, "nothing-like-this"), "");
  assert_string_equal(select_names(inv, "ungrouped"), "");
  /* Ansible's subscripts, within a group's hosts in inventory order. */
  assert_string_equal(select_names(inv, "core[0]"), "core-1");
  assert_string_equal(select_names(inv, "core[-1]"), "edge-1");
  assert_string_equal(select_names(inv, "core[1:]"), "core-2,edge-1");
  assert_string_equal(select_names(inv, "all[0:1]:sw-*[-1]"), "core-1,core-2,sw-0002");
  /* "sw-000[12]" is a subscript, as in Ansible, and no host is named sw-000. */
  assert_int_equal(nh_inventory_select(inv, "sw-000[12]", &idx, &n, err, sizeof(err)), NH_EINVAL);
  assert_string_equal(select_names(inv, "sw-000[1-2]"), "sw-0001,sw-0002"); /* a glob */
  assert_int_equal(nh_inventory_select(inv, "core[5]", &idx, &n, err, sizeof(err)), NH_EINVAL);
  assert_non_null(strstr(err, "only 3 hosts"));
  {
    char unmatched[256];
    FILE *f = fopen("/tmp/nethost-test-inventory-limit.txt", "w");
    assert_non_null(f);
    fputs("sw-0002\ncore-1\nnot-a-host\n", f);
    fclose(f);
    assert_string_equal(select_names(inv, "@/tmp/nethost-test-inventory-limit.txt"),
                        "core-1,sw-0002");
    remove("/tmp/nethost-test-inventory-limit.txt");
    assert_int_equal(nh_inventory_select(inv, "@/nonexistent/x", &idx, &n, err, sizeof(err)),
                     NH_EINVAL);
    assert_int_equal(nh_inventory_select_ex(inv, "core:cor:&edgy:!nope", &idx, &n, unmatched,
                                            sizeof(unmatched), err, sizeof(err)),
                     0);
    assert_int_equal(n, 0);
    free(idx);
    assert_string_equal(unmatched, "cor, edgy");
  }
  /* Shards are a hash of the name: pinned, so every nethost version splits alike. */
  assert_int_equal(nh_host_shard(host(inv, "core-1"), 1000), 680);
  assert_int_equal(nh_host_shard(host(inv, "sw-0002"), 7), 1);
  assert_int_equal(nh_host_shard(host(inv, "sw-0002"), 1), 0);
  assert_int_equal(nh_inventory_select(inv, "a::b", &idx, &n, err, sizeof(err)), NH_EINVAL);
  assert_non_null(strstr(err, "empty term"));
  assert_int_equal(nh_inventory_select(inv, "~(", &idx, &n, err, sizeof(err)), NH_EINVAL);
  assert_int_equal(nh_inventory_select(inv, "=x", &idx, &n, err, sizeof(err)), NH_EINVAL);
  nh_inventory_free(inv);
}

static void test_nornir_folder(void **state) {
  nh_inventory_t *inv = load_as(DATA "/nornir", "nornir", 3);
  const nh_host_t *h;
  (void)state;
  h = host_with(inv, "r1", (fields_t){"127.4.0.1", "cisco_ios", "nornir", 0});
  assert_string_equal(data_str(h, "vendor"), "cisco");
  assert_string_equal(data_str(h, "domain"), "example.net");
  h = host_with(inv, "r2", (fields_t){.username = "lab", .port = 2022});
  assert_non_null(nh_host_data_get(h, "connection_options.netmiko.extras"));
  /* NAPALM's "eos" is arista_eos; a templated password reads the variable it looks up. */
  h = host_with(inv, "r3", (fields_t){.platform = "arista_eos"});
  assert_int_equal(h->fields.password.kind, NH_SECRET_ENV);
  assert_string_equal(h->fields.password.value, "NORNIR_R3_PW");
  nh_inventory_free(inv);
}

static void test_ansible_yaml(void **state) {
  nh_inventory_t *inv = load_as(DATA "/ansible/inventory.yml", "ansible-yaml", 7);
  const nh_host_t *h;
  char *s, err[256];
  (void)state;
  h = host_with(inv, "core-1", (fields_t){"127.2.0.1", "cisco_ios", "netops", 0});
  assert_string_equal(data_str(h, "role"), "core");
  assert_string_equal(data_str(h, "site"), "lon");
  assert_string_equal(data_str(h, "snmp_community"), "public"); /* group_vars/core/main.yml */
  assert_int_equal(nh_secret_read(&h->fields.password, h->name, "password", &s, err, sizeof(err)),
                   0);
  assert_string_equal(s, "from-group-vars"); /* group_vars/all.yml */
  free(s);
  assert_int_equal(
      nh_secret_read(&h->fields.enable_secret, h->name, "enable_secret", &s, err, sizeof(err)), 0);
  assert_string_equal(s, "enable-me");
  free(s);
  h = host_with(inv, "core-2", (fields_t){.port = 2222});
  assert_string_equal(data_str(h, "role"), "core-backup");             /* host_vars/core-2.yml */
  h = host_with(inv, "leaf-02", (fields_t){.platform = "arista_eos"}); /* from leaf-[01:03] */
  assert_non_null(strstr(h->fields.key_file, "/ansible/keys/leaf_ed25519"));
  assert_null(h->fields.address);
  host_with(inv, "fw-1", (fields_t){.platform = "juniper_junos"});
  assert_string_equal(select_names(inv, "network:!leaf"), "core-1,core-2,fw-1");
  /* Vault values and templates load, and say why when read. */
  h = host(inv, "fw-2");
  assert_int_equal(nh_secret_read(&h->fields.password, h->name, "password", &s, err, sizeof(err)),
                   NH_EINVAL);
  assert_non_null(strstr(err, "host 'fw-2': password is an Ansible Vault value"));
  assert_int_equal(
      nh_secret_read(&h->fields.enable_secret, h->name, "enable_secret", &s, err, sizeof(err)),
      NH_EINVAL);
  assert_non_null(strstr(err, "Ansible template ({{ vault_enable }})"));
  assert_string_equal(select_names(inv, "lon:&leaf"), "leaf-01");
  assert_string_equal(nh_inventory_ansible_platform("cisco.nxos.nxos"), "cisco_nxos");
  assert_string_equal(nh_inventory_ansible_platform("junos"), "juniper_junos");
  assert_string_equal(nh_inventory_ansible_platform("acme.foo.bar"), "bar");
  nh_inventory_free(inv);
}

/* Ansible's precedence: deeper groups win, then ansible_group_priority, then later names. */
static void test_ansible_precedence(void **state) {
  const char *text = "all:\n"
                     "  vars: {x: all, y: all, z: all, w: all}\n"
                     "  children:\n"
                     "    parent:\n"
                     "      vars: {x: parent, y: parent, z: parent}\n"
                     "      children:\n"
                     "        child: {vars: {x: child}, hosts: {h1: {w: host}}}\n"
                     "    other:\n"
                     "      vars: {y: other, ansible_group_priority: 10}\n"
                     "      hosts: {h1: {}}\n"
                     "    aaa: {vars: {z: aaa}, hosts: {h1: {}}}\n";
  nh_inventory_t *inv;
  const nh_host_t *h;
  (void)state;
  inv = parse(text);
  h = host(inv, "h1");
  assert_string_equal(data_str(h, "x"), "child");  /* deepest */
  assert_string_equal(data_str(h, "y"), "other");  /* same depth, higher priority */
  assert_string_equal(data_str(h, "z"), "parent"); /* same depth and priority, later name */
  assert_string_equal(data_str(h, "w"), "host");
  assert_int_equal(h->ngroups, 3);
  assert_string_equal(h->groups[0]->name, "child");
  assert_string_equal(h->chain[0]->name, "child");
  nh_inventory_free(inv);
}

static void test_ansible_ini(void **state) {
  nh_inventory_t *inv = load(DATA "/ansible/hosts.ini");
  const nh_host_t *h;
  (void)state;
  assert_string_equal(nh_inventory_format(inv), "ansible-ini");
  assert_string_equal(select_names(inv, "all"), "ungrouped-1,core-1,core-2,leaf-1,leaf-2");
  assert_string_equal(select_names(inv, "ungrouped"), "ungrouped-1");
  assert_string_equal(select_names(inv, "dc"), "core-1,core-2,leaf-1,leaf-2");
  /* The username from [dc:vars] through [dc:children]. */
  h = host_with(inv, "core-1", (fields_t){.platform = "cisco_ios", .username = "admin"});
  assert_string_equal(data_str(h, "site"), "lon");
  h = host_with(inv, "core-2", (fields_t){.port = 2222});
  assert_string_equal(data_str(h, "site"), "par is far"); /* quoted, host wins */
  host_with(inv, "leaf-2", (fields_t){.platform = "arista_eos"});
  nh_inventory_free(inv);
  /* INI without a section, which is not YAML either; and one that is: a list of words. */
  {
    const char *text = "sw1 ansible_host=10.0.0.1 note=\"a: b\"\nsw2\n";
    char err[256];
    assert_int_equal(nh_inventory_parse(text, strlen(text), "hosts", NULL, &inv, err, sizeof(err)),
                     0);
    assert_string_equal(nh_inventory_format(inv), "ansible-ini");
    assert_int_equal(nh_inventory_count(inv), 2);
    assert_string_equal(data_str(host(inv, "sw1"), "note"), "a: b");
    nh_inventory_free(inv);
    assert_int_equal(
        nh_inventory_parse(text, strlen(text), "hosts.yaml", NULL, &inv, err, sizeof(err)),
        NH_ESYNTAX);
    assert_non_null(strstr(err, "hosts.yaml:3:1: could not find expected ':'"));
  }
  /* A group name too long for INI is refused with its line, never cut short. */
  {
    char text[400], err[256];
    memset(text, 'g', sizeof(text));
    text[0] = '[';
    memcpy(text + 300, "]\nsw1\n", 7);
    text[307] = '\0';
    assert_int_equal(nh_inventory_parse(text, strlen(text), "hosts", NULL, &inv, err, sizeof(err)),
                     NH_ESYNTAX);
    assert_non_null(strstr(err, "hosts:1:1: group name longer than 255 characters"));
  }
}

static void test_yaml_features(void **state) {
  nh_inventory_t *inv;
  const nh_host_t *h;
  (void)state;
  inv = parse("hosts:\n"
              "  h1: &h {address: 10.0.0.1, port: '830', data: {b: 2, list: [x, y]}}\n"
              "  h2:\n"
              "    <<: *h\n"
              "    address: 10.0.0.2\n"
              "  h3: {password_file: pw.txt, ssh: {host_key_policy: off}}\n"
              "defaults: {data: {flag: yes, q: 'yes', n: ~}}\n");
  h = host(inv, "h2");
  assert_string_equal(h->fields.address, "10.0.0.2");
  assert_int_equal(h->fields.port, 830);
  assert_true(nh_host_data_get(h, "b")->type == NH_VALUE_INT);
  assert_true(nh_host_data_get(h, "flag")->type == NH_VALUE_BOOL);
  assert_true(nh_host_data_get(h, "q")->type == NH_VALUE_STRING);
  assert_true(nh_host_data_get(h, "n")->type == NH_VALUE_NULL);
  assert_true(nh_host_attr_match(h, "list", "y", 0));
  assert_true(nh_host_attr_match(h, "flag", "true", 0));
  h = host(inv, "h3");
  assert_string_equal(h->fields.password.value, "/base/pw.txt");
  assert_int_equal(h->fields.ssh.host_key_policy, NH_INV_HOSTKEY_OFF); /* `off` is a YAML bool */
  nh_inventory_free(inv);
  /* Null means "not set here": the value is inherited (Nornir's dumps write nulls). */
  inv = parse("defaults: {port: 22, username: u, ssh: {timeout: 3}, http: {verify: true}}\n"
              "hosts:\n"
              "  a: {port: ~, username: null, address: ~, platform: ~, password: ~, data: ~,\n"
              "      ssh: {timeout: ~}, http: ~}\n");
  h = host(inv, "a");
  assert_int_equal(h->fields.port, 22);
  assert_string_equal(h->fields.username, "u");
  assert_true(h->fields.ssh.timeout == 3);
  assert_int_equal(h->fields.http.verify, 1);
  assert_null(h->fields.address);
  nh_inventory_free(inv);
  inv =
      parse("all:\n  vars: {ansible_user: u}\n  hosts: {b: {ansible_user: ~, ansible_port: ~}}\n");
  assert_string_equal(host(inv, "b")->fields.username, "u");
  nh_inventory_free(inv);
  expect_error("hosts: {a: {plaform: ~}}\n", "unknown key 'plaform'");
  /* An empty file is an empty inventory. */
  inv = parse("# nothing\n");
  assert_int_equal(nh_inventory_count(inv), 0);
  nh_inventory_free(inv);
}

static void test_errors(void **state) {
  (void)state;
  expect_error("hosts:\n  a: {plaform: x}\n",
               "t.yaml:2:7: host 'a': unknown key 'plaform' (did you mean 'platform'?)");
  expect_error("hosts:\n  a: {ssh: {timout: 3}}\n",
               "unknown key 'timout' in ssh (did you mean 'timeout'?)");
  expect_error("hosts:\n  a: {ssh: {algorithms: {kexx: [a]}}}\n", "in ssh.algorithms");
  expect_error("hosts:\n  a: {http: {verify: maybe}}\n",
               "2:22: host 'a': expected true or false for 'verify'");
  expect_error("hosts:\n  a: {port: 70000}\n", "2:13: host 'a': expected a port (1-65535)");
  expect_error("hosts:\n  a: {port: [1]}\n", "expected a port");
  expect_error("hosts:\n  a: {address: {x: 1}}\n", "expected a string for 'address', found a map");
  expect_error("hosts:\n  a: {ssh: {connect_timeout: -1}}\n", "expected a number of seconds");
  expect_error("hosts:\n  a: {ssh: {host_key_policy: maybe}}\n",
               "expected strict, accept-new or off");
  expect_error("hosts:\n  a: {groups: [cor]}\ngroups:\n  core: {}\n",
               "t.yaml:2:16: undefined group 'cor' (did you mean 'core'?)");
  expect_error("groups:\n  a: {groups: [b]}\n  b: {groups: [a]}\nhosts: {x: {groups: [a]}}\n",
               "is its own ancestor");
  expect_error("hosts:\n  a: {}\n  a: {}\n",
               "t.yaml:3:3: duplicate host 'a' (first defined at t.yaml:2:3)");
  expect_error("groups:\n  a: {}\n  a: {}\n", "duplicate group 'a'");
  expect_error("hosts:\n  a:\n    port: 1\n    port: 2\n",
               "t.yaml:4:5: host 'a': key 'port' given twice (first at line 3)");
  expect_error("hosts:\n  a: {port: [1}\n", "t.yaml:2:");
  expect_error("hosts: [a, b]\n", "t.yaml:1:8: expected a map of hosts");
  expect_error("hostz: {}\n",
               "unknown key 'hostz': expected hosts, groups or defaults (did you mean 'hosts'?)");
  expect_error("hosts:\n  a: *nope\n", "unknown anchor '*nope'");
  expect_error("hosts:\n  a:\n    <<: [1]\n", "expected a map (or a list of maps) after '<<'");
  expect_error("a: 1\n---\nb: 2\n", "expected one YAML document");
  expect_error("- 1\n", "expected a map with hosts/groups/defaults");
  expect_error("hosts:\n  a: {name: b}\n", "'name' must be the key");
  expect_error("hosts:\n  ? [x]\n  : {}\n", "expected a host name, found a list");
  expect_error("hosts:\n  a: {data: [1]}\n", "expected a map for 'data'");
  expect_error("defaults: {groups: [x]}\n", "defaults: unknown key 'groups'");
  expect_error("all:\n  children:\n    g:\n      hostz: {}\n",
               "unknown key 'hostz': expected hosts, children or vars");
  expect_error("all:\n  hosts:\n    a: {ansible_port: abc}\n", "3:23: host 'a': expected a port");
  expect_error("all:\n  hosts:\n    sw[3:1]: {}\n", "bad host range");
  expect_error("a: &a [*a]\n", "unknown anchor");
  /* Children shared through aliases, doubling at every level: refused, not walked 2^40 times. */
  {
    char text[4096], *p = text;
    int i;
    p += sprintf(p, "x0: &x0 {hosts: {h: {}}}\nall:\n  children:\n    top:\n      children:\n");
    for (i = 1; i <= 40; i++)
      p += sprintf(p, "        a%d: &x%d {children: {l%d: *x%d, r%d: *x%d}}\n", i, i, i, i - 1, i,
                   i - 1);
    expect_error(text, "too many");
  }
  expect_error("hosts:\n\ta: {}\n", "t.yaml:2:1: found character that cannot start any token");
  expect_error("hosts:\n\ta: {}\n", "(a tab: YAML indents with spaces)");
  expect_error("hosts: {a: [1}\n", "while parsing a flow sequence that began at line 1");
}

/* A billion-laughs document and deep nesting are refused, not expanded or recursed into. */
static void test_limits(void **state) {
  char *text = malloc(400000), *p;
  int i;
  (void)state;
  p = text;
  p += sprintf(p, "hosts:\n  a:\n    data:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
  for (i = 1; i < 12; i++)
    p +=
        sprintf(p, "      l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n",
                i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
  expect_error(text, "too many");
  p = text;
  p += sprintf(p, "hosts:\n  a:\n    data:\n      x: ");
  for (i = 0; i < 100000; i++) *p++ = '[';
  *p = '\0';
  expect_error(text, "nesting deeper");
  free(text);
}

/* Garbage and mutated inventories never crash (run under ASan in CI). */
/* Parses len bytes named name (they may hold NULs); it must fail with want in the message. */
static void expect_bytes_error(const char *text, size_t len, const char *name, const char *want) {
  char err[1024];
  nh_inventory_t *inv = NULL;
  int rc = nh_inventory_parse(text, len, name, NULL, &inv, err, sizeof(err));
  if (rc >= 0) {
    nh_inventory_free(inv);
    fail_msg("%s loaded, expected an error with '%s'", name, want);
  }
  if (!strstr(err, want)) fail_msg("error '%s' lacks '%s'", err, want);
}

/* NUL bytes, bytes that are not UTF-8 and "\0" escapes are refused with the line and column
 * where they are, in every format; a NUL never cuts an address or a password short. */
static void test_bad_bytes(void **state) {
  (void)state;
  static const char yaml_nul[] = "hosts:\n  r1: {address: 10.0.0.1}\n  r2: {address: 10.0\0.0.2}\n";
  static const char ini_nul[] = "[core]\nr1 ansible_host=10.0.0.1\nr2 ansible_host=10.0\0.0.2\n";
  static const char ini_bare_nul[] = "r1 ansible_host=10.0.0.1\nr2 ansible_host=10.0\0.0.2\n";
  expect_bytes_error(yaml_nul, sizeof yaml_nul - 1, "t.yaml", "t.yaml:3:21: a NUL byte");
  expect_bytes_error(ini_nul, sizeof ini_nul - 1, "hosts", "hosts:3:21: a NUL byte");
  /* Not INI by its first line, not YAML either: the YAML reader's position is the one shown. */
  expect_bytes_error(ini_bare_nul, sizeof ini_bare_nul - 1, "hosts", "hosts:2:21: a NUL byte");
  expect_error("hosts:\n  r1: {address: 10.0.0.1}\n  r2:\n    address: caf\xe9\n",
               "t.yaml:4:17: a byte that is not UTF-8 (0xE9");
  {
    const char *t = "[core]\nr1 ansible_host=10.0.0.1\nr2 ansible_host=10.0.0.2 pw=caf\xe9\n";
    expect_bytes_error(t, strlen(t), "hosts", "hosts:3:32: a byte that is not UTF-8 (0xE9)");
  }
  /* "\0", "\x00" and "\u0000" escapes, in YAML and in JSON. */
  expect_error("hosts:\n  r1:\n    address: 10.0.0.1\n    password: \"ab\\0cd\"\n",
               "t.yaml:4:15: the value of 'password' holds a NUL character");
  expect_error("all:\n  hosts:\n    r1:\n      ansible_host: \"10.0\\x00.0.1\"\n",
               "t.yaml:4:21: the value of 'ansible_host' holds a NUL character");
  {
    const char *t = "{\"all\": {\"hosts\": {\"r1\": {\"ansible_host\": \"10.0.0.1\"},\n"
                    " \"r2\": {\"ansible_password\": \"x\\u0000y\"}}}}\n";
    expect_bytes_error(t, strlen(t), "inv.json", "inv.json:2:29: the value of 'ansible_password'");
  }
}

static void test_garbage(void **state) {
  static const char *seeds[] = {
      ("hosts:\n  a: {address: 1.2.3.4, groups: [g], data: {x: [1, 2, {y: z}]}}\ngroups:\n  g: "
       "{platform: p, groups: [h]}\n  h: &h {ssh: {timeout: 3, algorithms: {kex: [a]}}}\n"
       "defaults: {<<: *h, password_env: X}\n"),
      ("all:\n  vars: {ansible_user: u}\n  children:\n    g:\n      hosts:\n        s[1:3]: "
       "{ansible_host: h}\n"),
      "[g]\nh1 ansible_host=1 a='b c'\n[g:vars]\nx=1\n[p:children]\ng\n",
  };
  const char alphabet[] = "{}[]:,-&*!|>'\"#%@`?<<\n \t abcxyz019.~=";
  unsigned seed = 12345;
  char buf[512], err[256];
  int round, i;
  (void)state;
  for (round = 0; round < 6000; round++) {
    const char *s = seeds[round % 3];
    size_t len = strlen(s);
    nh_inventory_t *inv = NULL;
    if (len >= sizeof(buf)) len = sizeof(buf) - 1;
    memcpy(buf, s, len);
    for (i = 0; i < 1 + round % 8; i++) {
      seed = seed * 1103515245u + 12345u;
      buf[(seed >> 8) % len] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
    }
    if (round % 5 == 0) {
      seed = seed * 1103515245u + 12345u;
      len = (seed >> 8) % len;
    }
    if (nh_inventory_parse(buf, len, round % 2 ? "g.yaml" : "g", NULL, &inv, err, sizeof(err)) ==
        0) {
      size_t *idx, n;
      if (nh_inventory_select(inv, "g:&s*:!h1", &idx, &n, err, sizeof(err)) == 0) free(idx);
      if (nh_inventory_count(inv)) {
        nh_value_t *v = nh_host_to_value(nh_inventory_host(inv, 0), 0);
        nh_value_free(v);
        v = nh_host_explain(inv, nh_inventory_host(inv, 0));
        nh_value_free(v);
      }
      nh_inventory_free(inv);
    } else {
      assert_true(err[0] != '\0');
    }
  }
}

NH_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_nethost_inheritance), cmocka_unit_test(test_secrets),
             cmocka_unit_test(test_masked_and_explain), cmocka_unit_test(test_patterns),
             cmocka_unit_test(test_nornir_folder), cmocka_unit_test(test_ansible_yaml),
             cmocka_unit_test(test_ansible_ini), cmocka_unit_test(test_ansible_precedence),
             cmocka_unit_test(test_yaml_features), cmocka_unit_test(test_errors),
             cmocka_unit_test(test_limits), cmocka_unit_test(test_garbage),
             cmocka_unit_test(test_bad_bytes))
