/* Unit tests for core/yaml_doc: node positions and types, anchors, aliases and merge keys,
 * scalar typing (plain versus quoted, explicit tags), conversion to values, and the errors
 * that name file:line:column (syntax, a second document, nesting, a bad merge, an alias
 * bomb, an unreadable file). */
#include "test_main.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "value.h"
#include "yaml_doc.h"

static nh_ydoc_t *parse_ok(const char *text) {
  nh_ydoc_t *doc = NULL;
  char err[256];
  int rc = nh_ydoc_parse(text, strlen(text), "t.yaml", &doc, err, sizeof err);
  if (rc != 0) fail_msg("parse failed: %s", err);
  return doc;
}

/* Parses text, which must fail with rc, and checks the message contains want. */
static void parse_fails(const char *text, int rc, const char *want) {
  nh_ydoc_t *doc = NULL;
  char err[256];
  assert_int_equal(nh_ydoc_parse(text, strlen(text), "t.yaml", &doc, err, sizeof err), rc);
  assert_null(doc);
  if (!strstr(err, want)) fail_msg("message '%s' lacks '%s'", err, want);
}

/* The compact JSON of a node's value. */
static char *json_of(nh_ydoc_t *doc, const nh_ynode_t *n) {
  nh_value_t *v = NULL;
  char err[256];
  assert_int_equal(nh_ydoc_to_value(doc, n, &v, err, sizeof err), 0);
  char *json = nh_value_to_json(v, 0, NULL);
  nh_value_free(v);
  assert_non_null(json);
  return json;
}

static void test_nodes_and_positions(void **state) {
  (void)state;
  nh_ydoc_t *doc = parse_ok("hosts:\n  r1: {port: 22}\n  r2: [a, 'b']\n");
  nh_ynode_t *root = nh_ydoc_root(doc);
  assert_int_equal(root->type, NH_YNODE_MAP);
  assert_string_equal(nh_ydoc_file(doc), "t.yaml");
  nh_ynode_t *hosts = root->u.map.vals[0];
  assert_int_equal(hosts->u.map.len, 2);
  nh_ynode_t *r2 = hosts->u.map.vals[1];
  assert_int_equal(r2->type, NH_YNODE_SEQ);
  assert_int_equal(r2->line, 3);
  assert_int_equal(r2->u.seq.items[1]->column, 11); /* the opening quote */
  assert_true(r2->u.seq.items[0]->plain);
  assert_false(r2->u.seq.items[1]->plain); /* quoted */
  assert_string_equal(nh_ynode_kind(r2), "a list");
  assert_string_equal(nh_ynode_kind(hosts->u.map.vals[0]), "a map");
  nh_ydoc_free(doc);
}

static void test_empty_document(void **state) {
  (void)state;
  nh_ydoc_t *doc = parse_ok("");
  assert_null(nh_ydoc_root(doc));
  char *json = json_of(doc, NULL);
  assert_string_equal(json, "null");
  free(json);
  nh_ydoc_free(doc);
}

static void test_scalar_types(void **state) {
  (void)state;
  nh_ydoc_t *doc = parse_ok("[~, null, true, no, 12, -0x1F, 1.5, '12', \"true\", !!str 7, "
                            "!!int '9', 10.0.0.1, 0o17]\n");
  char *json = json_of(doc, nh_ydoc_root(doc));
  assert_string_equal(json,
                      "[null,null,true,false,12,-31,1.5,\"12\",\"true\",\"7\",9,\"10.0.0.1\",15]");
  free(json);
  assert_true(nh_ynode_is_null(NULL));
  assert_true(nh_ynode_is_null(nh_ydoc_root(doc)->u.seq.items[0]));
  assert_false(nh_ynode_is_null(nh_ydoc_root(doc)->u.seq.items[7]));
  nh_ydoc_free(doc);
}

static void test_anchors_and_merge_keys(void **state) {
  (void)state;
  nh_ydoc_t *doc = parse_ok("base: &b {platform: ios, port: 22}\n"
                            "extra: &e {site: lon}\n"
                            "host:\n  <<: [*b, *e]\n  port: 2222\n  ref: *e\n");
  nh_ynode_t *host = nh_ydoc_root(doc)->u.map.vals[2];
  nh_ynode_t **keys, **vals;
  char err[256];
  int n = nh_ynode_map_pairs(doc, host, &keys, &vals, err, sizeof err);
  /* PyYAML's order: the last merge source first, then the earlier, then the map's own keys,
   * each at its first position. */
  assert_int_equal(n, 4);
  assert_string_equal(keys[0]->u.scalar.text, "site");
  assert_string_equal(keys[2]->u.scalar.text, "port");
  assert_string_equal(vals[2]->u.scalar.text, "2222"); /* the map's own key wins */
  assert_string_equal(keys[1]->u.scalar.text, "platform");
  char *json = json_of(doc, host);
  assert_string_equal(json, "{\"site\":\"lon\",\"platform\":\"ios\",\"port\":2222,"
                            "\"ref\":{\"site\":\"lon\"}}");
  free(json);
  nh_ydoc_free(doc);
}

static void test_bad_merge(void **state) {
  (void)state;
  nh_ydoc_t *doc = parse_ok("host:\n  <<: just a string\n");
  nh_ynode_t **keys, **vals;
  char err[256];
  nh_ynode_t *host = nh_ydoc_root(doc)->u.map.vals[0];
  assert_int_equal(nh_ynode_map_pairs(doc, host, &keys, &vals, err, sizeof err), NH_ESYNTAX);
  assert_non_null(strstr(err, "t.yaml:2:"));
  nh_value_t *v = NULL;
  assert_int_equal(nh_ydoc_to_value(doc, host, &v, err, sizeof err), NH_ESYNTAX);
  assert_null(v);
  nh_ydoc_free(doc);
}

static void test_syntax_errors(void **state) {
  (void)state;
  parse_fails("a: [1, 2\nb: 3\n", NH_ESYNTAX, "t.yaml:");
  parse_fails("a: 1\n---\nb: 2\n", NH_ESYNTAX, "t.yaml:2:1: expected one YAML document");
  parse_fails("a: *nowhere\n", NH_ESYNTAX, "t.yaml:1:");
  /* Nesting deeper than the limit is refused while parsing, not by a stack overflow. */
  size_t depth = 300;
  char *deep = malloc(2 * depth + 1);
  memset(deep, '[', depth);
  memset(deep + depth, ']', depth);
  deep[2 * depth] = '\0';
  parse_fails(deep, NH_ESYNTAX, "nesting deeper than");
  free(deep);
}

/* Parses len bytes (they may hold NULs), which must fail; the message must contain want. */
static void parse_bytes_fails(const char *text, size_t len, const char *want) {
  nh_ydoc_t *doc = NULL;
  char err[256];
  assert_int_equal(nh_ydoc_parse(text, len, "t.yaml", &doc, err, sizeof err), NH_ESYNTAX);
  assert_null(doc);
  if (!strstr(err, want)) fail_msg("message '%s' lacks '%s'", err, want);
}

/* A NUL byte, bytes that are not UTF-8 and control characters are reported at their own
 * line and column (libyaml's reader reports them before the parser gets there, at 1:1). */
static void test_bad_bytes(void **state) {
  (void)state;
  static const char nul[] = "a: 1\nb:\n  c: x\0y\n";
  parse_bytes_fails(nul, sizeof nul - 1, "t.yaml:3:7: a NUL byte");
  parse_fails("a: 1\nb: caf\xe9\n", NH_ESYNTAX, "t.yaml:2:7: a byte that is not UTF-8 (0xE9");
  parse_fails("a: 1\r\nb: 2\r\nc: \xc3\xa9\xff\n", NH_ESYNTAX,
              "t.yaml:3:5: a byte that is not UTF-8 (0xFF");
  parse_fails("a: 1\n\n  b: x\x01\n", NH_ESYNTAX, "t.yaml:3:7: control characters");
  /* Far beyond the reader's first chunk of input. */
  size_t lines = 5000, n = 0;
  char *big = malloc(lines * 16 + 32);
  for (size_t i = 0; i < lines; i++) n += (size_t)sprintf(big + n, "k%zu: v\n", i);
  n += (size_t)sprintf(big + n, "bad: \"x\xfe\"\n");
  char want[64];
  snprintf(want, sizeof want, "t.yaml:%zu:8: a byte that is not UTF-8 (0xFE", lines + 1);
  parse_fails(big, NH_ESYNTAX, want);
  free(big);
}

/* A "\0" escape would make a scalar that every C string cuts short: refused, naming the
 * field and where it is, never the value. */
static void test_nul_escape(void **state) {
  (void)state;
  parse_fails("r1:\n  host: 10.0.0.1\n  password: \"se\\0cret\"\n", NH_ESYNTAX,
              "t.yaml:3:13: the value of 'password' holds a NUL character");
  parse_fails("r1: {host: \"10.0\\x00.0.1\"}\n", NH_ESYNTAX,
              "t.yaml:1:12: the value of 'host' holds a NUL");
  parse_fails("list:\n  - ok\n  - \"x\\u0000\"\n", NH_ESYNTAX,
              "t.yaml:3:5: an item of the list that began at line 2 holds a NUL");
  parse_fails("\"k\\0\": 1\n", NH_ESYNTAX, "t.yaml:1:1: a key holds a NUL");
  parse_fails("\"\\0\"\n", NH_ESYNTAX, "t.yaml:1:1: a value holds a NUL");
  /* The secret itself never appears in the message. */
  {
    nh_ydoc_t *doc = NULL;
    char err[256];
    const char *t = "password: \"hunter2\\0\"\n";
    assert_int_equal(nh_ydoc_parse(t, strlen(t), "t.yaml", &doc, err, sizeof err), NH_ESYNTAX);
    assert_null(strstr(err, "hunter2"));
  }
  /* Other escapes still work. */
  nh_ydoc_t *doc = parse_ok("a: \"x\\ty\"\n");
  assert_string_equal(nh_ydoc_root(doc)->u.map.vals[0]->u.scalar.text, "x\ty");
  nh_ydoc_free(doc);
}

/* A "billion laughs" document: each level doubles; conversion stops at the limit. */
static void test_alias_bomb(void **state) {
  (void)state;
  char text[2048];
  size_t n = (size_t)snprintf(text, sizeof text, "a0: &a0 [x, x]\n");
  for (int i = 1; i < 30; i++)
    n +=
        (size_t)snprintf(text + n, sizeof text - n, "a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1);
  nh_ydoc_t *doc = parse_ok(text);
  nh_value_t *v = NULL;
  char err[256];
  assert_int_equal(nh_ydoc_to_value(doc, nh_ydoc_root(doc), &v, err, sizeof err), NH_ESYNTAX);
  assert_null(v);
  assert_non_null(strstr(err, "too many"));
  nh_ydoc_free(doc);
}

static void test_load(void **state) {
  (void)state;
  nh_ydoc_t *doc = NULL;
  char err[256];
  assert_int_equal(nh_ydoc_load("/nonexistent/x.yaml", &doc, err, sizeof err), NH_ENOENT);
  assert_null(doc);
  assert_non_null(strstr(err, "/nonexistent/x.yaml: cannot read"));
  assert_int_equal(nh_ydoc_load(NH_TEST_DATA_DIR "/inventory/lab.yaml", &doc, err, sizeof err), 0);
  assert_int_equal(nh_ydoc_root(doc)->type, NH_YNODE_MAP);
  assert_non_null(strstr(nh_ydoc_file(doc), "lab.yaml"));
  /* The arena: zeroed memory and copies that live as long as the document. */
  char *copy = nh_ydoc_strdup(doc, "core-1xyz", 6);
  assert_string_equal(copy, "core-1");
  int *zeros = nh_ydoc_alloc(doc, 64 * sizeof(int));
  for (int i = 0; i < 64; i++) assert_int_equal(zeros[i], 0);
  nh_ydoc_free(doc);
}

NH_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_nodes_and_positions),
             cmocka_unit_test(test_empty_document), cmocka_unit_test(test_scalar_types),
             cmocka_unit_test(test_anchors_and_merge_keys), cmocka_unit_test(test_bad_merge),
             cmocka_unit_test(test_syntax_errors), cmocka_unit_test(test_alias_bomb),
             cmocka_unit_test(test_load), cmocka_unit_test(test_bad_bytes),
             cmocka_unit_test(test_nul_escape))
