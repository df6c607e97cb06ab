/* nethost core: message digests by name, of local files (OpenSSL's EVP underneath). */
#ifndef NH_DIGEST_H
#define NH_DIGEST_H

#include <stddef.h>

/* The length in hex digits of a digest of alg ("md5", "sha1", "sha256", "sha512"), or 0 for
 * an algorithm nethost does not know. */
size_t nh_digest_hex_len(const char *alg);

/* The digest of a local file (alg as nh_digest_hex_len), in lower-case hex. Reads the whole
 * file: call it once per file, not per host. 0, NH_EINVAL for an unknown algorithm, or a
 * negative errno-style code naming why the file could not be read. */
int nh_file_digest(const char *path, const char *alg, char *hex, size_t hexsz);

#endif
