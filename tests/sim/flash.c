/* A device's flash in memory (see flash.h). */
#include "flash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_flash {
  sim_file_t *files; /* sorted by name */
  size_t nfiles;
  uint64_t used; /* bytes of every live blob of this device */
};

uint64_t flash_capacity(const sim_device_t *dev) {
  return dev->lab->opt.flash_bytes;
}

uint64_t flash_used(const sim_device_t *dev) {
  return dev->flash ? dev->flash->used : 0;
}

static sim_flash_t *flash_of(sim_device_t *dev) {
  if (!dev->flash) dev->flash = sim_calloc(1, sizeof *dev->flash);
  return dev->flash;
}

int flash_name(const char *path, char *out, size_t outsz) {
  /* "/flash:/x" too: OpenSSH's sftp puts its working folder ("/") before the path. */
  for (;;) {
    while (*path == '/') path++;
    if (strncmp(path, "flash:", 6) == 0)
      path += 6;
    else if (strncmp(path, "var/tmp", 7) == 0 && (path[7] == '/' || path[7] == 0))
      path += 7; /* Junos's /var/tmp is the flash (docs/lab.md) */
    else if (path[0] == '.' && (path[1] == '/' || path[1] == 0))
      path++;
    else
      break;
  }
  size_t n = strlen(path);
  while (n > 0 && path[n - 1] == '/') n--;
  if (n >= outsz || memchr(path, '/', n)) return -1;
  if (n == 2 && path[0] == '.' && path[1] == '.') n = 0; /* the root's parent is the root */
  memcpy(out, path, n);
  out[n] = 0;
  return 0;
}

sim_file_t *flash_find(sim_device_t *dev, const char *name) {
  if (!dev->flash || !*name) return NULL;
  for (sim_file_t *f = dev->flash->files; f; f = f->next)
    if (strcmp(f->name, name) == 0) return f;
  return NULL;
}

size_t flash_count(sim_device_t *dev) {
  return dev->flash ? dev->flash->nfiles : 0;
}

size_t flash_list(sim_device_t *dev, sim_file_t **out, size_t max) {
  size_t n = 0;
  if (!dev->flash) return 0;
  for (sim_file_t *f = dev->flash->files; f && n < max; f = f->next) out[n++] = f;
  return n;
}

static sim_blob_t *blob_new(sim_flash_t *fl) {
  sim_blob_t *b = sim_calloc(1, sizeof *b);
  b->refs = 1;
  b->flash = fl;
  return b;
}

const char *flash_bytes(const sim_blob_t *b) {
  return b->data ? b->data : "";
}

sim_blob_t *flash_blob_ref(sim_blob_t *b) {
  if (b) b->refs++;
  return b;
}

void flash_blob_unref(sim_blob_t *b) {
  if (!b || --b->refs > 0) return;
  b->flash->used -= b->len;
  free(b->data);
  free(b);
}

sim_file_t *flash_create(sim_device_t *dev, const char *name, int truncate, uint32_t mode) {
  sim_flash_t *fl = flash_of(dev);
  sim_file_t **pp = &fl->files;
  while (*pp && strcmp((*pp)->name, name) < 0) pp = &(*pp)->next;
  sim_file_t *f = *pp;
  if (f && strcmp(f->name, name) == 0) {
    if (truncate && f->blob->len > 0) {
      /* A fresh blob: whoever still reads the old one keeps it until done. */
      flash_blob_unref(f->blob);
      f->blob = blob_new(fl);
    }
    f->mtime = time(NULL);
    return f;
  }
  f = sim_calloc(1, sizeof *f);
  f->name = sim_strdup(name);
  f->blob = blob_new(fl);
  f->mtime = time(NULL);
  f->mode = mode & 0777;
  f->next = *pp;
  *pp = f;
  fl->nfiles++;
  return f;
}

static sim_file_t *unlink_file(sim_device_t *dev, const char *name) {
  if (!dev->flash || !*name) return NULL;
  for (sim_file_t **pp = &dev->flash->files; *pp; pp = &(*pp)->next) {
    sim_file_t *f = *pp;
    if (strcmp(f->name, name) == 0) {
      *pp = f->next;
      dev->flash->nfiles--;
      return f;
    }
  }
  return NULL;
}

static void file_free(sim_file_t *f) {
  flash_blob_unref(f->blob);
  free(f->name);
  free(f);
}

int flash_remove(sim_device_t *dev, const char *name) {
  sim_file_t *f = unlink_file(dev, name);
  if (!f) return -1;
  file_free(f);
  return 0;
}

int flash_rename(sim_device_t *dev, const char *from, const char *to) {
  if (!*to) return -1;
  if (strcmp(from, to) == 0) return flash_find(dev, from) ? 0 : -1;
  sim_file_t *f = unlink_file(dev, from);
  if (!f) return -1;
  flash_remove(dev, to);
  sim_file_t *g = flash_create(dev, to, 0, f->mode);
  flash_blob_unref(g->blob);
  g->blob = f->blob;
  g->mtime = f->mtime;
  f->blob = NULL;
  free(f->name);
  free(f);
  return 0;
}

int flash_write(sim_device_t *dev, sim_blob_t **bp, uint64_t off, const void *data, size_t len) {
  sim_blob_t *b = *bp;
  sim_flash_t *fl = b->flash;
  uint64_t end = off + len;
  if (end < off) return -1;
  uint64_t grow = end > b->len ? end - b->len : 0;
  /* Compared with the room left, not as used + grow: an offset near 2^64 from a client would
   * wrap the sum past the check, and the buffer doubling below would then never end. */
  uint64_t room = flash_capacity(dev) > fl->used ? flash_capacity(dev) - fl->used : 0;
  if (grow > room) return -1;
  if (b->readers > 0) {
    /* Someone sends this blob by reference: write into a copy, which costs its size. */
    if (b->len > room - grow) return -1;
    sim_blob_t *c = blob_new(fl);
    c->data = sim_realloc(NULL, b->len + 1);
    memcpy(c->data, flash_bytes(b), b->len + 1);
    c->len = b->len;
    c->cap = b->len + 1;
    fl->used += c->len;
    for (sim_file_t *f = fl->files; f; f = f->next)
      if (f->blob == b) {
        f->blob = flash_blob_ref(c);
        flash_blob_unref(b);
      }
    flash_blob_unref(b); /* the writer's reference moves to the copy */
    *bp = b = c;
  }
  if (end >= b->cap) {
    /* Doubling, so a file written in 32 KB pieces is copied a few times, not per piece;
     * the slack is not counted against the flash (it is bounded by the file's size). */
    size_t cap = b->cap ? b->cap : 4096;
    while (cap <= end) cap *= 2;
    b->data = sim_realloc(b->data, cap);
    b->cap = cap;
  }
  if (off > b->len) memset(b->data + b->len, 0, (size_t)(off - b->len));
  if (len) memcpy(b->data + off, data, len);
  if (end > b->len) {
    fl->used += end - b->len;
    b->len = (size_t)end;
    b->data[b->len] = 0;
  }
  return 0;
}

int flash_truncate(sim_device_t *dev, sim_blob_t **bp, uint64_t size) {
  sim_blob_t *b = *bp;
  if (size >= b->len) return flash_write(dev, bp, size, NULL, 0);
  if (b->readers > 0 && flash_write(dev, bp, 0, NULL, 0)) return -1; /* a private copy */
  b = *bp;
  b->flash->used -= b->len - size;
  b->len = (size_t)size;
  b->data[b->len] = 0;
  return 0;
}

void flash_free(sim_device_t *dev) {
  sim_flash_t *fl = dev->flash;
  if (!fl) return;
  while (fl->files) {
    sim_file_t *f = fl->files;
    fl->files = f->next;
    file_free(f);
  }
  free(fl);
  dev->flash = NULL;
}

int flash_digest(const sim_blob_t *b, const char *alg, char *hex, size_t hexsz) {
  const EVP_MD *md = strcmp(alg, "md5") == 0      ? EVP_md5()
                     : strcmp(alg, "sha256") == 0 ? EVP_sha256()
                     : strcmp(alg, "sha512") == 0 ? EVP_sha512()
                                                  : NULL;
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!md || !EVP_Digest(flash_bytes(b), b->len, d, &n, md, NULL) || hexsz < 2 * n + 1) return -1;
  for (unsigned i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
  return 0;
}
