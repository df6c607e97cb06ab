/* nethost core: host-key verification against OpenSSH known_hosts files.
 *
 * Each file is parsed once per loop into a libssh2 known-hosts collection (owned by a
 * private, never-connected session, so it outlives the connections that use it) and re-read
 * when the file changes on disk; the cache hangs on the loop and goes with it. Keys pinned under
 * accept-new are added to the collection at once, so other connections see them, and written in
 * batches: many hosts accepted in the same loop iteration cost one rewrite. A write takes an flock
 * on "FILE.lock" (other nethost processes), re-reads the file, and replaces it atomically with
 * rename(2).
 *
 * The file is read line by line, as OpenSSH reads it: a line that cannot be parsed is
 * reported with its file:line on stderr and skipped, so one bad line does not fail every
 * host. "@revoked" lines list keys that are never accepted (strict fails, accept-new does
 * not pin them); a revoked key is refused for every host, whatever the line's host
 * patterns, because libssh2 cannot match wildcard patterns and a revoked key must not slip
 * through. libssh2 cannot check host certificates, so "@cert-authority" lines are reported
 * and skipped: a host known only through one fails as unknown.
 *
 * libssh2 looks a host up by walking every entry of a collection (twice for a port other
 * than 22: "[host]:port", then "host"), so with one collection per file each connection
 * cost a scan of the whole file: 2,000 string comparisons per connection for a 2,000-device
 * lab, growing with the inventory. So the entries are indexed by host name: a line whose
 * names are plain goes into a small collection per name (a hash table of them), since
 * libssh2 matches a plain name by exact string comparison only; lines with hashed names
 * (|1|salt|hash), which only libssh2's scan can match, stay in one collection of their own.
 * A lookup reads the collections of "[host]:port" and "host" and the hashed one.
 */
#include "ssh_internal.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The entries of one host name (see above). */
typedef struct kh_bucket_s {
  struct kh_bucket_s *next; /* in the hash chain */
  LIBSSH2_KNOWNHOSTS *kh;
  char name[];
} kh_bucket_t;

typedef struct kh_file_s {
  struct kh_file_s *next;
  char *path;
  LIBSSH2_SESSION *owner;
  LIBSSH2_KNOWNHOSTS *kh; /* the lines with hashed host names */
  kh_bucket_t **index;    /* the lines with plain names, by name */
  size_t index_cap, index_count;
  struct timespec mtime;
  off_t size;
  int loaded;
  char *pending; /* lines to append */
  size_t pending_len;
  unsigned char **revoked; /* the raw key blobs of @revoked lines */
  size_t *revoked_len;
  size_t nrevoked;
} kh_file_t;

/* The cache of one loop: the files its connections read, and the node that batches their
 * writes. It goes with the loop (nh_loop_close), which writes what is still pending. */
typedef struct {
  nh_loop_state_t base; /* first member */
  kh_file_t *files;
  nh_ready_t flush_node;
} kh_cache_t;

static const char cache_key;

static void fingerprint_of(const unsigned char *digest, char *out, size_t outlen) {
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, digest, 32);
  while (n > 0 && b64[n - 1] == '=') n--; /* OpenSSH prints it unpadded */
  snprintf(out, outlen, "SHA256:%.*s", n, (const char *)b64);
}

/* The fingerprint of a key stored base64-encoded (as libssh2_knownhost.key holds it). */
static void fingerprint_b64(const char *key_b64, char *out, size_t outlen) {
  size_t len = strlen(key_b64);
  unsigned char *raw = malloc(len + 1), digest[32];
  int n;
  if (!raw) {
    snprintf(out, outlen, "?");
    return;
  }
  n = EVP_DecodeBlock(raw, (const unsigned char *)key_b64, (int)len);
  if (n < 0) {
    snprintf(out, outlen, "?");
    free(raw);
    return;
  }
  /* EVP_DecodeBlock counts padding bytes as data. */
  if (len >= 1 && key_b64[len - 1] == '=') n--;
  if (len >= 2 && key_b64[len - 2] == '=') n--;
  EVP_Digest(raw, (size_t)n, digest, NULL, EVP_sha256(), NULL);
  fingerprint_of(digest, out, outlen);
  free(raw);
}

static char *default_path(const char *configured) {
  const char *home = getenv("HOME");
  char *p;
  if (configured && configured[0] == '~' && configured[1] == '/' && home) {
    p = malloc(strlen(home) + strlen(configured));
    if (p) sprintf(p, "%s%s", home, configured + 1);
    return p;
  }
  if (configured) return strdup(configured);
  if (!home) home = ".";
  p = malloc(strlen(home) + 24);
  if (p) sprintf(p, "%s/.ssh/known_hosts", home);
  return p;
}

/* A host key type of libssh2: its bit in a known_hosts entry's type mask and its name. */
typedef struct {
  int type;
  int bit;
  const char *name;
} key_type_t;

static const key_type_t key_types[] = {
    {LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa"},
    {LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521"},
    {LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519"},
};

/* The entry of a libssh2 host key type (one of no known type for others). */
static const key_type_t *key_type_of(int type) {
  static const key_type_t unknown = {0, LIBSSH2_KNOWNHOST_KEY_UNKNOWN, "unknown"};
  size_t i;
  for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
    if (key_types[i].type == type) return &key_types[i];
  return &unknown;
}

static void free_revoked(kh_file_t *f) {
  for (size_t i = 0; i < f->nrevoked; i++) free(f->revoked[i]);
  free(f->revoked);
  free(f->revoked_len);
  f->revoked = NULL;
  f->revoked_len = NULL;
  f->nrevoked = 0;
}

/* Adds the key of "@revoked PATTERNS TYPE BASE64 [COMMENT]" (rest starts at PATTERNS).
 * Returns 0, or -1 when the line has no decodable key. */
static int add_revoked(kh_file_t *f, const char *rest) {
  char b64[8192];
  if (sscanf(rest, "%*s %*s %8191s", b64) != 1) return -1;
  size_t len = strlen(b64);
  unsigned char *raw = malloc(len + 1);
  unsigned char **r = realloc(f->revoked, (f->nrevoked + 1) * sizeof(*r));
  if (r) f->revoked = r;
  size_t *rl = realloc(f->revoked_len, (f->nrevoked + 1) * sizeof(*rl));
  if (rl) f->revoked_len = rl;
  int n = raw ? EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len) : -1;
  if (!r || !rl || n <= 0) {
    free(raw);
    return -1;
  }
  if (len >= 1 && b64[len - 1] == '=') n--; /* EVP_DecodeBlock counts padding as data */
  if (len >= 2 && b64[len - 2] == '=') n--;
  f->revoked[f->nrevoked] = raw;
  f->revoked_len[f->nrevoked++] = (size_t)n;
  return 0;
}

static int is_revoked(const kh_file_t *f, const char *key, size_t len) {
  for (size_t i = 0; i < f->nrevoked; i++)
    if (f->revoked_len[i] == len && memcmp(f->revoked[i], key, len) == 0) return 1;
  return 0;
}

static size_t name_hash(const char *name, size_t len) {
  size_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)name[i]) * 16777619u;
  return h;
}

static kh_bucket_t *bucket_find(const kh_file_t *f, const char *name, size_t len) {
  kh_bucket_t *b;
  if (!f->index_cap) return NULL;
  for (b = f->index[name_hash(name, len) & (f->index_cap - 1)]; b; b = b->next)
    if (strncmp(b->name, name, len) == 0 && b->name[len] == '\0') return b;
  return NULL;
}

/* The bucket of name, made if missing; NULL when out of memory. */
static kh_bucket_t *bucket_get(kh_file_t *f, const char *name, size_t len) {
  kh_bucket_t *b = bucket_find(f, name, len);
  if (b) return b;
  if (f->index_count >= f->index_cap) {
    size_t cap = f->index_cap ? f->index_cap * 2 : 64, i;
    kh_bucket_t **index = calloc(cap, sizeof(*index));
    if (!index) return NULL;
    for (i = 0; i < f->index_cap; i++) {
      while ((b = f->index[i])) {
        size_t slot = name_hash(b->name, strlen(b->name)) & (cap - 1);
        f->index[i] = b->next;
        b->next = index[slot];
        index[slot] = b;
      }
    }
    free(f->index);
    f->index = index;
    f->index_cap = cap;
  }
  if (!(b = malloc(sizeof(*b) + len + 1))) return NULL;
  if (!(b->kh = libssh2_knownhost_init(f->owner))) {
    free(b);
    return NULL;
  }
  memcpy(b->name, name, len);
  b->name[len] = '\0';
  size_t slot = name_hash(name, len) & (f->index_cap - 1);
  b->next = f->index[slot];
  f->index[slot] = b;
  f->index_count++;
  return b;
}

static void free_index(kh_file_t *f) {
  for (size_t i = 0; i < f->index_cap; i++) {
    kh_bucket_t *b;
    while ((b = f->index[i])) {
      f->index[i] = b->next;
      libssh2_knownhost_free(b->kh);
      free(b);
    }
  }
  free(f->index);
  f->index = NULL;
  f->index_cap = f->index_count = 0;
}

/* Adds one known_hosts entry line (p: from its host names on) to the collection of each of
 * its plain names, or to the hashed ones' collection. Returns what libssh2 returns (< 0: the
 * line cannot be parsed). */
static int add_line(kh_file_t *f, const char *p) {
  size_t len = strlen(p), names = strcspn(p, " \t"), at = 0;
  int added = 0;
  if (*p == '|') return libssh2_knownhost_readline(f->kh, p, len, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
  while (at < names) {
    size_t n = strcspn(p + at, ", \t");
    if (n) {
      kh_bucket_t *b = bucket_get(f, p + at, n);
      /* The line goes in whole: its other names in this bucket are never looked up here. */
      if (!b || libssh2_knownhost_readline(b->kh, p, len, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0)
        return -1;
      added = 1;
    }
    at += n + 1;
  }
  /* No name at all: libssh2 says what is wrong with the line. */
  return added ? 0 : libssh2_knownhost_readline(f->kh, p, len, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
}

/* Looks the server's key up as libssh2_knownhost_checkp would in one collection of the whole
 * file: a match anywhere wins; else the first entry for the host with another key of the
 * same type makes a mismatch (*known: that entry); else not found. */
static int check_key(kh_file_t *f, const char *address, int port, const char *key, size_t len,
                     int typemask, struct libssh2_knownhost **known) {
  char name[300];
  kh_bucket_t *first = NULL, *last = bucket_find(f, address, strlen(address));
  LIBSSH2_KNOWNHOSTS *order[3];
  int n = 0, i, rc = LIBSSH2_KNOWNHOST_CHECK_NOTFOUND;
  int w = snprintf(name, sizeof(name), "[%s]:%d", address, port);
  if (w > 0 && (size_t)w < sizeof(name)) first = bucket_find(f, name, (size_t)w);
  if (first) order[n++] = first->kh;
  order[n++] = f->kh;
  if (last && last != first) order[n++] = last->kh;
  for (i = 0; i < n; i++) {
    struct libssh2_knownhost *k = NULL;
    int r = libssh2_knownhost_checkp(order[i], address, port, key, len, typemask, &k);
    if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH || r == LIBSSH2_KNOWNHOST_CHECK_FAILURE) {
      *known = k;
      return r;
    }
    if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH && rc != r) {
      rc = r;
      *known = k;
    }
  }
  return rc;
}

/* Reads path into f->kh and f->revoked, line by line; bad lines are reported (file:line)
 * and skipped. Returns 0, or -1 with errno set when the file cannot be read. */
static int read_lines(kh_file_t *f, const char *path) {
  FILE *in = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  long lineno = 0;
  if (!in) return -1;
  while ((n = getline(&line, &cap, in)) >= 0) {
    lineno++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    const char *p = line + strspn(line, " \t");
    if (*p == '\0' || *p == '#') continue;
    const char *why = NULL;
    if (strncmp(p, "@revoked", 8) == 0 && (p[8] == ' ' || p[8] == '\t')) {
      if (add_revoked(f, p + 9) < 0) why = "an @revoked line without a readable key";
    } else if (strncmp(p, "@cert-authority", 15) == 0 && (p[15] == ' ' || p[15] == '\t')) {
      why = "@cert-authority is not supported (libssh2 cannot check host certificates)";
    } else if (*p == '@') {
      why = "unknown marker";
    } else if (memchr(line, '\0', (size_t)n) || add_line(f, p) < 0) {
      why = "cannot parse this line";
    }
    if (why) fprintf(stderr, "nethost: warning: %s:%ld: %s; line skipped\n", path, lineno, why);
  }
  int err = ferror(in) ? errno : 0;
  free(line);
  fclose(in);
  errno = err;
  return err ? -1 : 0;
}

/* Returns the cached collection for path, (re)reading the file if it changed. NULL with
 * *err set on failure. */
static kh_file_t *load(kh_cache_t *cache, const char *path, char *err, size_t errlen) {
  kh_file_t *f;
  struct stat st;
  int have = stat(path, &st) == 0;
  for (f = cache->files; f; f = f->next)
    if (strcmp(f->path, path) == 0) break;
  if (!f) {
    if (!(f = calloc(1, sizeof(*f))) || !(f->path = strdup(path)) ||
        !(f->owner = libssh2_session_init())) {
      if (f) free(f->path);
      free(f);
      snprintf(err, errlen, "out of memory");
      return NULL;
    }
    f->next = cache->files;
    cache->files = f;
  }
  if (f->loaded && f->pending_len == 0 &&
      (!have ? f->size != -1
             : st.st_size != f->size || st.st_mtim.tv_sec != f->mtime.tv_sec ||
                   st.st_mtim.tv_nsec != f->mtime.tv_nsec))
    f->loaded = 0; /* changed on disk: read it again */
  if (f->loaded) return f;
  if (f->kh) libssh2_knownhost_free(f->kh);
  free_index(f);
  free_revoked(f);
  if (!(f->kh = libssh2_knownhost_init(f->owner))) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (have && read_lines(f, path) < 0) {
    snprintf(err, errlen, "cannot read known_hosts file %s: %s", path, strerror(errno));
    return NULL;
  }
  f->size = have ? st.st_size : -1;
  if (have) f->mtime = st.st_mtim;
  f->loaded = 1;
  return f;
}

static int append_pending(kh_file_t *f, const char *line, size_t len) {
  char *p = realloc(f->pending, f->pending_len + len + 1);
  if (!p) return NH_ENOMEM;
  memcpy(p + f->pending_len, line, len);
  f->pending = p;
  f->pending_len += len;
  p[f->pending_len] = 0;
  return 0;
}

static int write_file(kh_file_t *f) {
  char *lock = malloc(strlen(f->path) + 16), *tmp = malloc(strlen(f->path) + 32);
  int lfd = -1, ok = 0;
  FILE *in = NULL, *out = NULL;
  struct stat st;
  char *slash;
  int made_tmp = 0;
  if (!lock || !tmp) goto done;
  /* Create ~/.ssh if needed, private as OpenSSH makes it. */
  strcpy(tmp, f->path);
  if ((slash = strrchr(tmp, '/')) && slash != tmp) {
    *slash = 0;
    mkdir(tmp, 0700);
  }
  sprintf(lock, "%s.lock", f->path);
  sprintf(tmp, "%s.tmp%ld", f->path, (long)getpid());
  if ((lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) goto done;
  if (flock(lfd, LOCK_EX) < 0) goto done;
  if (!(out = fopen(tmp, "w"))) goto done;
  made_tmp = 1;
  if ((in = fopen(f->path, "r"))) {
    char buf[8192];
    size_t n;
    int last = '\n';
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
      fwrite(buf, 1, n, out);
      last = buf[n - 1];
    }
    if (last != '\n') fputc('\n', out);
    fclose(in);
  }
  fwrite(f->pending, 1, f->pending_len, out);
  if (fflush(out) != 0 || fsync(fileno(out)) != 0) goto done;
  if (fclose(out) != 0) {
    out = NULL;
    goto done;
  }
  out = NULL;
  chmod(tmp, 0600);
  if (rename(tmp, f->path) != 0) goto done;
  ok = 1;
  if (stat(f->path, &st) == 0) {
    f->size = st.st_size;
    f->mtime = st.st_mtim;
  }
done:
  if (out) fclose(out);
  if (!ok && made_tmp) unlink(tmp);
  if (lfd >= 0) close(lfd); /* releases the flock */
  free(lock);
  free(tmp);
  return ok ? 0 : NH_EINVAL;
}

static void flush_files(kh_cache_t *cache) {
  kh_file_t *f;
  for (f = cache->files; f; f = f->next) {
    if (!f->pending_len) continue;
    if (write_file(f) < 0)
      fprintf(stderr, "nethost: warning: could not write %s: %s\n", f->path, strerror(errno));
    free(f->pending);
    f->pending = NULL;
    f->pending_len = 0;
  }
}

static void flush_cb(nh_ready_t *ready) {
  flush_files((kh_cache_t *)((char *)ready - offsetof(kh_cache_t, flush_node)));
}

static void cache_close(nh_loop_state_t *base) {
  kh_cache_t *cache = (kh_cache_t *)base;
  nh_loop_unpost(&cache->flush_node);
  flush_files(cache);
  while (cache->files) {
    kh_file_t *f = cache->files;
    cache->files = f->next;
    if (f->kh) libssh2_knownhost_free(f->kh);
    free_index(f);
    libssh2_session_free(f->owner);
    free_revoked(f);
    free(f->path);
    free(f);
  }
  free(cache);
}

/* The loop's cache, made on first use; NULL when out of memory. */
static kh_cache_t *cache_of(nh_loop_t *loop) {
  return (kh_cache_t *)nh_loop_state_get(loop, &cache_key, sizeof(kh_cache_t), cache_close);
}

void nh__knownhosts_flush(nh_loop_t *loop) {
  kh_cache_t *cache = (kh_cache_t *)nh_loop_state_find(loop, &cache_key);
  if (cache) flush_files(cache);
}

int nh__knownhosts_verify(nh_ssh_t *ssh) {
  size_t len;
  int type, rc, typemask;
  const char *key = libssh2_session_hostkey(ssh->session, &len, &type);
  const char *digest = libssh2_hostkey_hash(ssh->session, LIBSSH2_HOSTKEY_HASH_SHA256);
  struct libssh2_knownhost *known = NULL;
  kh_file_t *f;
  kh_cache_t *cache;
  char *path, err[400], oldfp[80];
  if (!key || !digest)
    return nh__ssh_fail_detail(ssh, "hostkey", NH_EHOSTKEY, "server sent no host key");
  fingerprint_of((const unsigned char *)digest, ssh->fingerprint, sizeof(ssh->fingerprint));
  if (ssh->policy == NH_HOSTKEY_OFF) return 0;
  if (!(cache = cache_of(ssh->loop)) || !(path = default_path(ssh->known_hosts))) return NH_ENOMEM;
  if (!(f = load(cache, path, err, sizeof(err)))) {
    rc = nh__ssh_fail_detail(ssh, "hostkey", NH_EHOSTKEY, "%s", err);
    free(path);
    return rc;
  }
  if (is_revoked(f, key, len)) {
    rc = nh__ssh_fail_detail(ssh, "hostkey", NH_EHOSTKEY,
                             "REVOKED host key for %s port %d: %s lists the server's %s %s as "
                             "@revoked",
                             ssh->address, ssh->port, path, key_type_of(type)->name,
                             ssh->fingerprint);
    free(path);
    return rc;
  }
  typemask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | key_type_of(type)->bit;
  rc = check_key(f, ssh->address, ssh->port, key, len, typemask, &known);
  switch (rc) {
  case LIBSSH2_KNOWNHOST_CHECK_MATCH:
    rc = 0;
    break;
  case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
    fingerprint_b64(known && known->key ? known->key : "", oldfp, sizeof(oldfp));
    rc = nh__ssh_fail_detail(ssh, "hostkey", NH_EHOSTKEY,
                             "HOST KEY CHANGED for %s port %d: %s has %s, the server offers "
                             "%s %s (possible man-in-the-middle; remove the old key if the "
                             "change is expected)",
                             ssh->address, ssh->port, path, oldfp, key_type_of(type)->name,
                             ssh->fingerprint);
    break;
  case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
    if (ssh->policy == NH_HOSTKEY_ACCEPT_NEW) {
      char host[300], line[8192];
      size_t outlen = 0;
      struct libssh2_knownhost *added = NULL;
      if (ssh->port == 22)
        snprintf(host, sizeof(host), "%s", ssh->address);
      else
        snprintf(host, sizeof(host), "[%s]:%d", ssh->address, ssh->port);
      kh_bucket_t *b = bucket_get(f, host, strlen(host));
      rc = b ? libssh2_knownhost_addc(b->kh, host, NULL, key, len, NULL, 0, typemask, &added)
             : NH_ENOMEM;
      if (rc == 0 && added &&
          libssh2_knownhost_writeline(b->kh, added, line, sizeof(line), &outlen,
                                      LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0)
        rc = append_pending(f, line, outlen);
      else
        rc = NH_ENOMEM;
      if (rc == 0) {
        nh_loop_post(ssh->loop, &cache->flush_node, flush_cb);
      } else {
        rc = nh__ssh_fail_detail(ssh, "hostkey", NH_EHOSTKEY, "cannot pin the host key");
      }
      break;
    }
    rc = nh__ssh_fail_detail(ssh, "hostkey", NH_EHOSTKEY,
                             "no host key for %s port %d in %s (the server offers %s %s); "
                             "add it (ssh-keyscan) or use host_key_policy accept-new",
                             ssh->address, ssh->port, path, key_type_of(type)->name,
                             ssh->fingerprint);
    break;
  default:
    rc = nh__ssh_fail_detail(ssh, "hostkey", NH_EHOSTKEY, "host key check failed");
  }
  free(path);
  return rc;
}
