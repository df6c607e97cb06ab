/* nethost core: bad bytes in text input and their positions (see text_check.h). */
#include "text_check.h"

#include "utf8.h"

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
    if (!(n = nh_utf8_decode(s + i, len - i, NULL))) {
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
