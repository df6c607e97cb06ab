/* Unit tests for core/hash.h: FNV-1a 64 against its published values (the `--shard K/N`
 * slots of every inventory depend on them staying exactly these). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "hash.h"

static void test_reference_values(void **state) {
  (void)state;
  assert_true(nh_hash_str("") == 0xcbf29ce484222325ull);
  assert_true(nh_hash_str("a") == 0xaf63dc4c8601ec8cull);
  assert_true(nh_hash_str("foobar") == 0x85944171f73967e8ull);
  /* Bytes above 0x7f count as unsigned, whatever char's sign. */
  assert_true(nh_hash_str("sw-\xc3\xa9") == 0xade522a373748f42ull);
}

static void test_bytes_and_string_agree(void **state) {
  (void)state;
  assert_true(nh_hash_bytes("foobar", 6) == nh_hash_str("foobar"));
  assert_true(nh_hash_bytes("foobar", 3) == nh_hash_str("foo"));
  assert_true(nh_hash_bytes("a\0b", 3) != nh_hash_str("a")); /* lengths, not NULs, end bytes */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reference_values),
      cmocka_unit_test(test_bytes_and_string_agree),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
