/* nethost core: a platform's file system (see platform_file.h). */
#include "platform_file.h"
#include "digest.h"
#include "error.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void nh_platform_file_folder(const char *path, char *out, size_t outsz) {
  const char *end = strrchr(path, '/');
  size_t n;
  if (!end) end = strchr(path, ':');
  n = end ? (size_t)(end - path) + 1 : 0;
  if (outsz == 0) return;
  if (n >= outsz) n = outsz - 1;
  memcpy(out, path, n);
  out[n] = '\0';
}

int nh_platform_free_space(const nh_platform_t *p, const char *text, size_t len, const char *path,
                           uint64_t *free_bytes) {
  if (!p || !p->file_free_parse) return NH_ENOPLATFORM;
  return p->file_free_parse(text, len, path, free_bytes) == NH_PLUGIN_OK ? 0 : NH_EPARSE;
}

/* The only run of exactly want hex digits in text, lower-cased into hex. Two different
 * runs are ambiguous: better to say the output was not understood than to pick one. */
static int find_digest(const char *text, size_t len, size_t want, char *hex) {
  size_t i = 0, start, found = 0;
  while (i < len) {
    if (!isxdigit((unsigned char)text[i])) {
      i++;
      continue;
    }
    start = i;
    while (i < len && isxdigit((unsigned char)text[i])) i++;
    if (i - start != want) continue;
    if (found && strncasecmp(hex, text + start, want) != 0) return NH_EPARSE;
    for (size_t k = 0; k < want; k++) hex[k] = (char)tolower((unsigned char)text[start + k]);
    hex[want] = '\0';
    found = 1;
  }
  return found ? 0 : NH_EPARSE;
}

/* What a plugin's parser wrote: callers push hex as a C string and compare it with the local
 * file's digest, so it must be NUL-terminated within hexsz and be want hex digits; it is
 * lower-cased here, as the ABI promises the caller. */
static int checked_digest(char *hex, size_t hexsz, size_t want) {
  if (!memchr(hex, '\0', hexsz)) {
    hex[0] = '\0';
    return NH_EPARSE;
  }
  if (strlen(hex) != want) return NH_EPARSE;
  for (size_t k = 0; k < want; k++) {
    if (!isxdigit((unsigned char)hex[k])) return NH_EPARSE;
    hex[k] = (char)tolower((unsigned char)hex[k]);
  }
  return 0;
}

int nh_platform_checksum(const nh_platform_t *p, const char *text, size_t len, char *hex,
                         size_t hexsz) {
  size_t want;
  if (!p || !p->file_checksum_command) return NH_ENOPLATFORM;
  want = nh_digest_hex_len(p->file_checksum_algorithm);
  if (hexsz <= want) return NH_EINVAL;
  if (p->file_checksum_parse) {
    hex[0] = '\0';
    if (p->file_checksum_parse(text, len, hex, hexsz) != NH_PLUGIN_OK) return NH_EPARSE;
    return checked_digest(hex, hexsz, want);
  }
  return find_digest(text, len, want, hex);
}
