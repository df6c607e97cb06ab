/* Unit tests for core/value: constructors, maps (replace, order, get, dotted paths), lists,
 * deep copies, merges, JSON output, and the error paths (a NULL child means out of memory;
 * the wrong container type is refused and the child freed). Leaks show under ASan. */
#include "test_main.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "value.h"

/* The compact JSON of v, compared with want; frees the text. */
static void assert_json(const nh_value_t *v, const char *want) {
  size_t len = 0;
  char *json = nh_value_to_json(v, 0, &len);
  assert_non_null(json);
  assert_string_equal(json, want);
  assert_int_equal(len, strlen(want));
  free(json);
}

static void test_scalars(void **state) {
  (void)state;
  nh_value_t *s = nh_value_string("a\0b", 3);
  assert_int_equal(s->type, NH_VALUE_STRING);
  assert_int_equal(s->u.str.len, 3);
  assert_int_equal(s->u.str.ptr[3], '\0'); /* NUL-terminated past len */
  assert_json(s, "\"a\\u0000b\"");
  nh_value_free(s);
  nh_value_t *i = nh_value_int(INT64_MIN);
  assert_json(i, "-9223372036854775808");
  nh_value_free(i);
  nh_value_t *f = nh_value_float(NAN);
  assert_json(f, "null"); /* JSON has no NaN */
  nh_value_free(f);
  nh_value_t *b = nh_value_bool(7);
  assert_json(b, "true");
  nh_value_free(b);
  nh_value_free(NULL); /* harmless */
}

static void test_map_set_get_replace(void **state) {
  (void)state;
  nh_value_t *m = nh_value_map();
  assert_int_equal(nh_value_map_set(m, "b", nh_value_int(1)), 0);
  assert_int_equal(nh_value_map_set(m, "a", nh_value_cstring("x")), 0);
  assert_int_equal(nh_value_map_set(m, "b", nh_value_int(2)), 0); /* replaces, keeps place */
  assert_int_equal(m->u.map.len, 2);
  assert_int_equal(nh_value_map_get(m, "b")->u.integer, 2);
  assert_null(nh_value_map_get(m, "c"));
  assert_json(m, "{\"b\":2,\"a\":\"x\"}");
  /* Many keys: the arrays grow. */
  char key[16];
  for (int k = 0; k < 200; k++) {
    snprintf(key, sizeof key, "k%d", k);
    assert_int_equal(nh_value_map_set(m, key, nh_value_int(k)), 0);
  }
  assert_int_equal(m->u.map.len, 202);
  assert_int_equal(nh_value_map_get(m, "k199")->u.integer, 199);
  nh_value_free(m);
}

static void test_error_paths(void **state) {
  (void)state;
  nh_value_t *l = nh_value_list();
  nh_value_t *m = nh_value_map();
  /* A NULL child is a constructor that ran out of memory. */
  assert_int_equal(nh_value_map_set(m, "a", NULL), NH_ENOMEM);
  assert_int_equal(nh_value_list_push(l, NULL), NH_ENOMEM);
  /* The wrong container: refused, and the child is freed (ASan would report a leak). */
  assert_int_equal(nh_value_map_set(l, "a", nh_value_int(1)), NH_EINVAL);
  assert_int_equal(nh_value_list_push(m, nh_value_int(1)), NH_EINVAL);
  assert_int_equal(nh_value_map_set(NULL, "a", nh_value_int(1)), NH_EINVAL);
  assert_null(nh_value_map_get(l, "a"));
  assert_int_equal(nh_value_map_merge(m, l, 1), NH_EINVAL);
  assert_int_equal(l->u.list.len, 0);
  assert_int_equal(m->u.map.len, 0);
  nh_value_free(l);
  nh_value_free(m);
}

static nh_value_t *sample(void) {
  nh_value_t *root = nh_value_map(), *ssh = nh_value_map(), *list = nh_value_list();
  assert_int_equal(nh_value_map_set(ssh, "port", nh_value_int(22)), 0);
  assert_int_equal(nh_value_map_set(ssh, "user", nh_value_cstring("admin")), 0);
  assert_int_equal(nh_value_list_push(list, nh_value_float(1.5)), 0);
  assert_int_equal(nh_value_list_push(list, nh_value_null()), 0);
  assert_int_equal(nh_value_map_set(root, "ssh", ssh), 0);
  assert_int_equal(nh_value_map_set(root, "list", list), 0);
  return root;
}

static void test_path_and_copy(void **state) {
  (void)state;
  nh_value_t *root = sample();
  assert_int_equal(nh_value_map_path(root, "ssh.port")->u.integer, 22);
  assert_null(nh_value_map_path(root, "ssh.nothing"));
  assert_null(nh_value_map_path(root, "list.0")); /* only maps are walked */
  char longkey[400];
  memset(longkey, 'k', sizeof longkey - 1);
  longkey[sizeof longkey - 1] = '\0';
  longkey[300] = '.';
  assert_null(nh_value_map_path(root, longkey)); /* a part longer than a key may be */
  nh_value_t *copy = nh_value_copy(root);
  nh_value_free(root); /* the copy owns all its memory */
  assert_json(copy, "{\"ssh\":{\"port\":22,\"user\":\"admin\"},\"list\":[1.5,null]}");
  nh_value_free(copy);
}

static void test_merge(void **state) {
  (void)state;
  nh_value_t *dst = sample(), *src = nh_value_map(), *ssh = nh_value_map();
  assert_int_equal(nh_value_map_set(ssh, "port", nh_value_int(2222)), 0);
  assert_int_equal(nh_value_map_set(ssh, "timeout", nh_value_int(30)), 0);
  assert_int_equal(nh_value_map_set(src, "ssh", ssh), 0);
  assert_int_equal(nh_value_map_set(src, "list", nh_value_cstring("not a list")), 0);
  /* Without overwrite: only missing keys are added, maps merged deeply. */
  assert_int_equal(nh_value_map_merge(dst, src, 0), 0);
  assert_json(dst, "{\"ssh\":{\"port\":22,\"user\":\"admin\",\"timeout\":30},\"list\":[1.5,null]}");
  /* With overwrite: src wins, also over a value of another type. */
  assert_int_equal(nh_value_map_merge(dst, src, 1), 0);
  assert_json(
      dst, "{\"ssh\":{\"port\":2222,\"user\":\"admin\",\"timeout\":30},\"list\":\"not a list\"}");
  nh_value_free(dst);
  nh_value_free(src);
}

static void test_json_escapes_and_indent(void **state) {
  (void)state;
  nh_value_t *m = nh_value_map();
  assert_int_equal(nh_value_map_set(m, "q\"", nh_value_cstring("a\\b\n\t\r\x01")), 0);
  assert_json(m, "{\"q\\\"\":\"a\\\\b\\n\\t\\r\\u0001\"}");
  assert_int_equal(nh_value_map_set(m, "l", nh_value_list()), 0);
  char *json = nh_value_to_json(m, 2, NULL);
  assert_non_null(json);
  assert_string_equal(json, "{\n  \"q\\\"\": \"a\\\\b\\n\\t\\r\\u0001\",\n  \"l\": []\n}");
  free(json);
  nh_value_free(m);
}

NH_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_scalars), cmocka_unit_test(test_map_set_get_replace),
             cmocka_unit_test(test_error_paths), cmocka_unit_test(test_path_and_copy),
             cmocka_unit_test(test_merge), cmocka_unit_test(test_json_escapes_and_indent))
