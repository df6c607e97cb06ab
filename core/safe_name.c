/* nethost core: file names made from untrusted data (see safe_name.h). */
#include "safe_name.h"

#include "error.h"

static int keep(unsigned char c, size_t i) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
  if (c == '.') return i > 0; /* a leading dot would make ".", ".." or a hidden file */
  return c == '-' || c == '_' || c == '+' || c == '@' || c == ':';
}

int nh_safe_name(const char *in, size_t len, char *out, size_t outsz) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = 0;
  if (len == 0) return NH_EINVAL;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    size_t need = keep(c, i) ? 1 : 3;
    if (n + need > NH_SAFE_NAME_MAX) return NH_EINVAL;
    if (n + need >= outsz) return NH_ENOMEM;
    if (need == 1) {
      out[n++] = (char)c;
    } else {
      out[n++] = '%';
      out[n++] = hex[c >> 4];
      out[n++] = hex[c & 15];
    }
  }
  out[n] = '\0';
  return (int)n;
}
