/* nethost core: message digests by name (see digest.h). */
#include "digest.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

static const struct {
  const char *name;
  size_t hex_len;
} digests[] = {{"md5", 32}, {"sha1", 40}, {"sha256", 64}, {"sha512", 128}};

size_t nh_digest_hex_len(const char *alg) {
  size_t i;
  for (i = 0; alg && i < sizeof digests / sizeof *digests; i++) {
    if (!strcmp(alg, digests[i].name)) return digests[i].hex_len;
  }
  return 0;
}

int nh_file_digest(const char *path, const char *alg, char *hex, size_t hexsz) {
  static const char digits[] = "0123456789abcdef";
  unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0, i;
  const EVP_MD *type = alg ? EVP_get_digestbyname(alg) : NULL;
  size_t want = nh_digest_hex_len(alg), n;
  EVP_MD_CTX *ctx;
  FILE *f;
  int rc = 0;
  if (!want || !type || hexsz <= want) return NH_EINVAL;
  if (!(f = fopen(path, "rb"))) return -errno;
  if (!(ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(ctx, type, NULL)) {
    rc = NH_ENOMEM;
    goto done;
  }
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    if (!EVP_DigestUpdate(ctx, buf, n)) {
      rc = NH_ENOMEM;
      goto done;
    }
  }
  if (ferror(f)) {
    rc = -EIO;
    goto done;
  }
  if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || 2 * (size_t)mdlen != want) {
    rc = NH_EINVAL;
    goto done;
  }
  for (i = 0; i < mdlen; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[2 * mdlen] = '\0';
done:
  EVP_MD_CTX_free(ctx);
  fclose(f);
  return rc;
}
