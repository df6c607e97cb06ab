/* nethost core: FNV-1a (64-bit), the one string hash of the tree — the inventory's name
 * tables, diff lines, metric series, the TextFSM index cache and `--shard K/N` slots.
 *
 * A header of static inline functions, like utf8.h, so that the TextFSM engine (a library
 * linked without the rest of core) shares it. The shard slots depend on its exact values:
 * `--shard` runs of one inventory on different machines must agree, so it never changes.
 */
#ifndef NH_HASH_H
#define NH_HASH_H

#include <stddef.h>
#include <stdint.h>

#define NH_FNV_OFFSET 14695981039346656037ull
#define NH_FNV_PRIME  1099511628211ull

/* The hash of len bytes at p. */
static inline uint64_t nh_hash_bytes(const void *p, size_t len) {
  const unsigned char *s = p;
  uint64_t h = NH_FNV_OFFSET;
  size_t i;
  for (i = 0; i < len; i++) h = (h ^ s[i]) * NH_FNV_PRIME;
  return h;
}

/* The hash of the NUL-terminated string s. */
static inline uint64_t nh_hash_str(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  uint64_t h = NH_FNV_OFFSET;
  while (*p) h = (h ^ *p++) * NH_FNV_PRIME;
  return h;
}

#endif
