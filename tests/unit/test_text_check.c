/* Unit tests for core/text_check: the first NUL or non-UTF-8 byte of a text input, and the
 * line and column of a byte offset (LF, CRLF and lone CR lines; columns in characters). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "text_check.h"

static size_t bad(const char *text, size_t len, const char *want_what) {
  const char *what = NULL;
  size_t at = nh_text_bad_byte(text, len, &what);
  if (want_what) {
    assert_non_null(what);
    assert_string_equal(what, want_what);
  } else {
    assert_null(what);
  }
  return at;
}

static void test_bad_byte(void **state) {
  (void)state;
  /* Valid text, with two-, three- and four-byte characters. */
  const char *ok = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n";
  assert_int_equal(bad(ok, strlen(ok), NULL), strlen(ok));
  assert_int_equal(bad("a\0b", 3, "a NUL byte"), 1);
  assert_int_equal(bad("ab\xff", 3, "a byte that is not UTF-8"), 2);
  /* A stray continuation byte, a truncated sequence, an overlong NUL, a surrogate and a
   * code point beyond U+10FFFF are all refused at their first byte. */
  assert_int_equal(bad("x\x80", 2, "a byte that is not UTF-8"), 1);
  assert_int_equal(bad("xy\xe2\x82", 4, "a byte that is not UTF-8"), 2);
  assert_int_equal(bad("\xc0\x80", 2, "a byte that is not UTF-8"), 0);
  assert_int_equal(bad("a\xed\xa0\x80", 4, "a byte that is not UTF-8"), 1);
  assert_int_equal(bad("\xf4\x90\x80\x80", 4, "a byte that is not UTF-8"), 0);
  assert_int_equal(bad("\xe0\x9f\xbf", 3, "a byte that is not UTF-8"), 0); /* overlong */
}

static void test_position(void **state) {
  (void)state;
  int line, col;
  const char *t = "ab\ncd\r\nef\rg\xc3\xa9h";
  nh_text_position(t, strlen(t), 0, &line, &col);
  assert_int_equal(line, 1);
  assert_int_equal(col, 1);
  nh_text_position(t, strlen(t), 4, &line, &col); /* 'd' */
  assert_int_equal(line, 2);
  assert_int_equal(col, 2);
  nh_text_position(t, strlen(t), 7, &line, &col); /* 'e', after CRLF */
  assert_int_equal(line, 3);
  assert_int_equal(col, 1);
  nh_text_position(t, strlen(t), 13, &line, &col); /* 'h', after a lone CR and an e-acute */
  assert_int_equal(line, 4);
  assert_int_equal(col, 3);
  /* An offset past the end is the end. */
  nh_text_position("a\nb", 3, 99, &line, &col);
  assert_int_equal(line, 2);
  assert_int_equal(col, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_byte),
      cmocka_unit_test(test_position),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
