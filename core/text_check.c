/* nethost core: bad bytes in text input and their positions (see text_check.h). */
#include "text_check.h"

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t want, i;
  unsigned cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF)
    want = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    want = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    want = 4, cp = c & 0x07;
  else
    return 0;
  if (n < want) return 0;
  for (i = 1; i < want; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((want == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (want == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return want;
}

size_t nh_text_bad_byte(const char *text, size_t len, const char **what) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0, n;
  while (i < len) {
    if (s[i] >= 0x01 && s[i] < 0x80) {
      i++;
      continue;
    }
    if (s[i] == 0) {
      if (what) *what = "a NUL byte";
      return i;
    }
    if (!(n = utf8_seq(s + i, len - i))) {
      if (what) *what = "a byte that is not UTF-8";
      return i;
    }
    i += n;
  }
  if (what) *what = NULL;
  return len;
}

void nh_text_position(const char *text, size_t len, size_t offset, int *line, int *column) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i;
  int l = 1, c = 1;
  if (offset > len) offset = len;
  for (i = 0; i < offset; i++) {
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n'))) {
      l++;
      c = 1;
    } else if (s[i] != '\r' && (s[i] & 0xC0) != 0x80) {
      c++; /* continuation bytes belong to the character their lead byte counted */
    }
  }
  *line = l;
  *column = c;
}
