/* nethost core: the one UTF-8 decoder behind every check of text — inventory and vars files
 * (text_check.c), JSON strings (lua/l_json.c) and TextFSM subjects (textfsm/regex.c, parse.c).
 *
 * It lives in a header, as a static inline function, so that the TextFSM engine, a library
 * of its own that the fuzzer and tests/textfsm link without the rest of core, shares it too;
 * the callers' hot loops (ASCII first) keep it inlined.
 */
#ifndef NH_UTF8_H
#define NH_UTF8_H

#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 sequence at s, of which at most n bytes (n >= 1) may
 * be read, and its code point in *cp when cp is not NULL; 0 when the bytes there are not
 * valid UTF-8 as RFC 3629 defines it: overlong forms, surrogates (U+D800..U+DFFF), code
 * points beyond U+10FFFF and sequences cut short by n are all invalid. */
static inline size_t nh_utf8_decode(const unsigned char *s, size_t n, unsigned long *cp) {
  unsigned char c = s[0];
  size_t len, i;
  unsigned long v;
  if (c < 0x80) {
    len = 1, v = c;
  } else {
    if (c >= 0xC2 && c <= 0xDF)
      len = 2, v = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
      len = 3, v = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
      len = 4, v = c & 0x07;
    else
      return 0;
    if (n < len) return 0;
    for (i = 1; i < len; i++) {
      if ((s[i] & 0xC0) != 0x80) return 0;
      v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
        (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
      return 0;
  }
  if (cp) *cp = v;
  return len;
}

#endif
