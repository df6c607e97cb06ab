/* Unit tests for core/netconf_frame.c and core/xml.c: both framings round-trip whatever
 * way the bytes are split, the end marker straddling reads, messages back to back in one
 * read, a switch of framing between messages, malformed chunk headers and oversized
 * messages as clean errors, and the XML parser refusing DTDs and entities. */
#include "test_main.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "netconf_frame.h"
#include "xml.h"

/* Feeds stream to f in pieces of step bytes; collects up to 4 messages. Returns the number
 * of messages, or the error code. */
static int feed_all(nh_nc_framer_t *f, const char *stream, size_t len, size_t step, char **msgs) {
  size_t off = 0;
  int n = 0;
  while (off < len) {
    size_t piece = len - off < step ? len - off : step, pos = 0;
    while (pos < piece) {
      size_t used;
      int rc = nh_nc_framer_feed(f, stream + off + pos, piece - pos, &used);
      pos += used;
      if (rc < 0) return rc;
      if (rc == 1) {
        size_t mlen;
        assert_true(n < 4);
        msgs[n++] = nh_nc_framer_take(f, &mlen);
        assert_int_equal(mlen, strlen(msgs[n - 1]));
      } else {
        assert_int_equal(pos, piece);
      }
    }
    off += piece;
  }
  return n;
}

/* The stream, fed in pieces of every size from 1 byte to all of it, gives the two messages
 * first and second (chunked: RFC 6242 chunked framing, else end-of-message markers). */
static void expect_two_messages(const char *stream, int chunked, const char *first,
                                const char *second) {
  size_t step;
  for (step = 1; step <= strlen(stream) + 1; step++) {
    nh_nc_framer_t f;
    char *m[4];
    nh_nc_framer_init(&f, 0);
    f.chunked = chunked;
    assert_int_equal(feed_all(&f, stream, strlen(stream), step, m), 2);
    assert_string_equal(m[0], first);
    assert_string_equal(m[1], second);
    free(m[0]);
    free(m[1]);
    nh_nc_framer_free(&f);
  }
}

static void test_eom_split_anywhere(void **state) {
  (void)state;
  expect_two_messages("<a>x]]></a>]]>]]><b/>]]>]]>", 0, "<a>x]]></a>", "<b/>");
}

static void test_chunked_split_anywhere(void **state) {
  (void)state;
  expect_two_messages("\n#4\n<rpc\n#17\n message-id=\"1\"/>\n##\n\n#3\n<x/\n#1\n>\n##\n", 1,
                      "<rpc message-id=\"1\"/>", "<x/>");
}

static void test_encode_roundtrip(void **state) {
  const char *msg = "<rpc message-id=\"7\"><get/></rpc>";
  int chunked;
  (void)state;
  for (chunked = 0; chunked < 2; chunked++) {
    nh_nc_framer_t f;
    char *out, *m[4];
    size_t len;
    assert_int_equal(nh_nc_frame_encode(chunked, msg, strlen(msg), &out, &len), 0);
    nh_nc_framer_init(&f, 0);
    f.chunked = chunked;
    assert_int_equal(feed_all(&f, out, len, 3, m), 1);
    assert_string_equal(m[0], msg);
    free(m[0]);
    free(out);
    nh_nc_framer_free(&f);
  }
}

/* The hello ends with the marker and the next bytes, in the same read, are chunked. */
static void test_switch_after_hello(void **state) {
  const char stream[] = "<hello/>]]>]]>\n#4\n<ok/\n#1\n>\n##\n";
  nh_nc_framer_t f;
  size_t used, len;
  char *m;
  (void)state;
  nh_nc_framer_init(&f, 0);
  assert_int_equal(nh_nc_framer_feed(&f, stream, strlen(stream), &used), 1);
  assert_int_equal(used, strlen("<hello/>]]>]]>"));
  m = nh_nc_framer_take(&f, &len);
  assert_string_equal(m, "<hello/>");
  free(m);
  f.chunked = 1;
  assert_int_equal(nh_nc_framer_feed(&f, stream + used, strlen(stream) - used, &used), 1);
  m = nh_nc_framer_take(&f, &len);
  assert_string_equal(m, "<ok/>");
  free(m);
  nh_nc_framer_free(&f);
}

static void expect_error(const char *stream, int code, const char *what) {
  nh_nc_framer_t f;
  char *m[4];
  nh_nc_framer_init(&f, 64);
  f.chunked = 1;
  assert_int_equal(feed_all(&f, stream, strlen(stream), 1000, m), code);
  assert_non_null(strstr(f.error, what));
  /* Unusable afterwards, never a crash. */
  if (code) {
    size_t used;
    assert_int_equal(nh_nc_framer_feed(&f, "\n##\n", 4, &used), NH_EPROTO);
  }
  nh_nc_framer_free(&f);
}

static void test_chunked_errors(void **state) {
  (void)state;
  expect_error("<rpc/>", NH_EPROTO, "expected a newline");
  expect_error("\n#0\n", NH_EPROTO, "expected a size");
  expect_error("\n#05\n", NH_EPROTO, "expected a size");
  expect_error("\n##\n", NH_EPROTO, "before any chunk");
  expect_error("\n#12345678901\n", NH_EPROTO, "bad size");
  expect_error("\n#4294967296\n", NH_EPROTO, "over 4294967295");
  expect_error("\n#3x\n", NH_EPROTO, "bad size");
  expect_error("\n#2\nab\n#\n", NH_EPROTO, "expected a size");
  expect_error("\n#70\n", 0, ""); /* incomplete: no message, no error yet */
  expect_error("\n#65\n0123456789012345678901234567890123456789012345678901234567890123456789",
               NH_ETOOBIG, "exceeds the limit of 64 bytes");
}

static void test_eom_too_big(void **state) {
  nh_nc_framer_t f;
  size_t used;
  char big[200];
  (void)state;
  memset(big, 'x', sizeof(big));
  nh_nc_framer_init(&f, 100);
  assert_int_equal(nh_nc_framer_feed(&f, big, sizeof(big), &used), NH_ETOOBIG);
  nh_nc_framer_free(&f);
}

static void test_xml_safety(void **state) {
  char err[256];
  xmlDocPtr doc;
  const char *lol = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b "
                    "\"&a;&a;&a;&a;\">]><r>&b;</r>";
  const char *ext = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
  (void)state;
  assert_null(nh_xml_parse(lol, strlen(lol), err, sizeof(err)));
  assert_non_null(strstr(err, "DTD"));
  assert_null(nh_xml_parse(ext, strlen(ext), err, sizeof(err)));
  assert_null(nh_xml_parse("<a><b></a>", 10, err, sizeof(err)));
  assert_non_null(strstr(err, "line 1"));
  assert_null(nh_xml_parse("", 0, err, sizeof(err)));
  doc = nh_xml_parse("<a xmlns='u'><b>1</b><!-- c --><c/></a>", 39, err, sizeof(err));
  assert_non_null(doc);
  assert_string_equal((const char *)nh_xml_first_element(xmlDocGetRootElement(doc))->name, "b");
  assert_non_null(nh_xml_child(xmlDocGetRootElement(doc), "c"));
  xmlFreeDoc(doc);
}

NH_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_eom_split_anywhere),
             cmocka_unit_test(test_chunked_split_anywhere), cmocka_unit_test(test_encode_roundtrip),
             cmocka_unit_test(test_switch_after_hello), cmocka_unit_test(test_chunked_errors),
             cmocka_unit_test(test_eom_too_big), cmocka_unit_test(test_xml_safety))
