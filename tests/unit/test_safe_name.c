/* Unit tests: nh_safe_name, the one path component made from a host name or other
 * inventory data (issue 16 item 3). */

#include "test_main.h"

#include <string.h>

#include "error.h"
#include "safe_name.h"

static const char *enc(const char *in, size_t len) {
  static char out[NH_SAFE_NAME_MAX + 1];
  int n = nh_safe_name(in, len, out, sizeof out);
  assert_true(n > 0);
  assert_int_equal((size_t)n, strlen(out));
  return out;
}

static void plain_names_unchanged(void **state) {
  (void)state;
  assert_string_equal(enc("sw-0001", 7), "sw-0001");
  assert_string_equal(enc("core1.lon.example.com", 21), "core1.lon.example.com");
  assert_string_equal(enc("fe80::1", 7), "fe80::1");
  assert_string_equal(enc("a_b+c@d", 7), "a_b+c@d");
}

static void one_component(void **state) {
  (void)state;
  const char *hostile[] = {"../../PWNED", "..",   ".",    "a/b",      "/etc/passwd", ".hidden",
                           "a\\b",        "x\ny", "x\ry", "\x1b[2Jx", "a b"};
  for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
    const char *s = enc(hostile[i], strlen(hostile[i]));
    assert_null(strchr(s, '/'));
    assert_true(s[0] != '.');
    for (const char *p = s; *p; p++) assert_true(*p > ' ' && *p < 127);
  }
  assert_string_equal(enc("../../PWNED", 11), "%2E.%2F..%2FPWNED");
  assert_string_equal(enc("a\0b", 3), "a%00b");
}

static void distinct_names_distinct_files(void **state) {
  (void)state;
  char a[64], b[64];
  strcpy(a, enc("a/b", 3));
  strcpy(b, enc("a%2Fb", 5));
  assert_string_not_equal(a, b);
}

static void refused(void **state) {
  (void)state;
  char out[NH_SAFE_NAME_MAX + 1], big[300];
  memset(big, '/', sizeof big);
  assert_int_equal(nh_safe_name("", 0, out, sizeof out), NH_EINVAL);
  assert_int_equal(nh_safe_name(big, 100, out, sizeof out), NH_EINVAL);
  assert_int_equal(nh_safe_name("abcdef", 6, out, 4), NH_ENOMEM);
  memset(big, 'a', sizeof big);
  assert_int_equal(nh_safe_name(big, NH_SAFE_NAME_MAX, out, sizeof out), NH_SAFE_NAME_MAX);
  assert_int_equal(nh_safe_name(big, NH_SAFE_NAME_MAX + 1, out, sizeof out), NH_EINVAL);
}

NH_TEST_MAIN(NULL, NULL, cmocka_unit_test(plain_names_unchanged), cmocka_unit_test(one_component),
             cmocka_unit_test(distinct_names_distinct_files), cmocka_unit_test(refused))
