/* The lab's SFTP server (protocol version 3, draft-ietf-secsh-filexfer-02) into the
 * device's flash.
 *
 * libssh has an SFTP server API, but in libssh 0.10 it reads its packets with blocking
 * calls of its own, which would stall the lab's one loop for every device. So this file
 * frames the packets itself from the channel's data callbacks: bytes accumulate until a
 * whole packet (length-prefixed, at most MAX_PACKET) is there, each packet is answered at
 * once, in order, through the channel's output buffer (which server.c sends as the
 * client's window allows). A malformed packet ends the session cleanly; the lab never
 * trusts a length it has not checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "xfer.h"

#define MAX_PACKET   (256u * 1024u + 1024u) /* a 256 KB write and its header */
#define MAX_READ     (256u * 1024u)
#define MAX_HANDLES  32
#define DIR_BATCH    64
#define NAME_MAX_LEN 256

enum {
  FXP_INIT = 1,
  FXP_VERSION = 2,
  FXP_OPEN = 3,
  FXP_CLOSE = 4,
  FXP_READ = 5,
  FXP_WRITE = 6,
  FXP_LSTAT = 7,
  FXP_FSTAT = 8,
  FXP_SETSTAT = 9,
  FXP_FSETSTAT = 10,
  FXP_OPENDIR = 11,
  FXP_READDIR = 12,
  FXP_REMOVE = 13,
  FXP_MKDIR = 14,
  FXP_RMDIR = 15,
  FXP_REALPATH = 16,
  FXP_STAT = 17,
  FXP_RENAME = 18,
  FXP_STATUS = 101,
  FXP_HANDLE = 102,
  FXP_DATA = 103,
  FXP_NAME = 104,
  FXP_ATTRS = 105,
};

enum {
  FX_OK = 0,
  FX_EOF = 1,
  FX_NO_SUCH_FILE = 2,
  FX_PERMISSION_DENIED = 3,
  FX_FAILURE = 4,
  FX_BAD_MESSAGE = 5,
  FX_OP_UNSUPPORTED = 8,
  /* Version 3 has no "no space" code; later drafts' code 14 is understood by libssh2 (and so
   * by nethost) and tells the user exactly what happened. Other clients show the text. */
  FX_NO_SPACE = 14,
};

enum { PF_READ = 1, PF_WRITE = 2, PF_APPEND = 4, PF_CREAT = 8, PF_TRUNC = 16, PF_EXCL = 32 };
enum { A_SIZE = 1, A_UIDGID = 2, A_PERMS = 4, A_TIMES = 8, A_EXTENDED = 0x80000000u };

typedef struct handle {
  int used, dir;
  int writable, append;
  sim_blob_t *blob; /* a file */
  char **names;     /* a directory: the names when it was opened */
  size_t nnames, pos;
} handle_t;

typedef struct sftp {
  sim_xfer_t base;
  sim_device_t *dev;
  const sim_term_io_t *io;
  void *ctx;
  sbuf_t in;
  sbuf_t reply;
  int inited, over;
  int eof; /* the client sent EOF: over once the requests taken before it are answered */
  handle_t h[MAX_HANDLES];
} sftp_t;

/* Reading a packet: every get checks the bytes left and sets bad instead of reading past. */
typedef struct rd {
  const unsigned char *p;
  size_t n;
  int bad;
} rd_t;

static uint32_t get_u32(rd_t *r) {
  if (r->n < 4) {
    r->bad = 1;
    r->n = 0;
    return 0;
  }
  uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
  r->p += 4;
  r->n -= 4;
  return v;
}

static uint64_t get_u64(rd_t *r) {
  uint64_t hi = get_u32(r);
  return hi << 32 | get_u32(r);
}

static const char *get_str(rd_t *r, uint32_t *len) {
  uint32_t l = get_u32(r);
  if (r->bad || l > r->n) {
    r->bad = 1;
    r->n = 0;
    *len = 0;
    return "";
  }
  const char *s = (const char *)r->p;
  r->p += l;
  r->n -= l;
  *len = l;
  return s;
}

/* A string argument as a C string (paths; an embedded NUL makes the packet bad). */
static void get_cstr(rd_t *r, char *out, size_t outsz) {
  uint32_t l;
  const char *s = get_str(r, &l);
  if (l >= outsz || memchr(s, 0, l)) {
    r->bad = 1;
    l = 0;
  }
  memcpy(out, s, l);
  out[l] = 0;
}

typedef struct attrs {
  uint32_t flags, perms;
  uint64_t size;
} attrs_t;

static void get_attrs(rd_t *r, attrs_t *a) {
  memset(a, 0, sizeof *a);
  a->flags = get_u32(r);
  if (a->flags & A_SIZE) a->size = get_u64(r);
  if (a->flags & A_UIDGID) get_u64(r);
  if (a->flags & A_PERMS) a->perms = get_u32(r);
  if (a->flags & A_TIMES) get_u64(r);
  if (a->flags & A_EXTENDED) {
    uint32_t n = get_u32(r), l;
    for (uint32_t i = 0; i < n && !r->bad; i++) {
      get_str(r, &l);
      get_str(r, &l);
    }
  }
}

/* Building replies: a packet is built in s->reply and its length patched in at the end. */
static void put_u32(sbuf_t *b, uint32_t v) {
  unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                        (unsigned char)v};
  sb_add(b, x, 4);
}

static void put_u64(sbuf_t *b, uint64_t v) {
  put_u32(b, (uint32_t)(v >> 32));
  put_u32(b, (uint32_t)v);
}

static void put_str(sbuf_t *b, const char *s, size_t len) {
  put_u32(b, (uint32_t)len);
  sb_add(b, s, len);
}

static void begin(sftp_t *s, int type, uint32_t id, int with_id) {
  sb_clear(&s->reply);
  put_u32(&s->reply, 0);
  sb_putc(&s->reply, (char)type);
  if (with_id) put_u32(&s->reply, id);
}

static void send_reply(sftp_t *s) {
  uint32_t len = (uint32_t)(s->reply.len - 4);
  unsigned char *p = (unsigned char *)s->reply.data;
  p[0] = (unsigned char)(len >> 24);
  p[1] = (unsigned char)(len >> 16);
  p[2] = (unsigned char)(len >> 8);
  p[3] = (unsigned char)len;
  s->io->write(s->ctx, s->reply.data, s->reply.len, 0);
}

static void status(sftp_t *s, uint32_t id, uint32_t code, const char *msg) {
  begin(s, FXP_STATUS, id, 1);
  put_u32(&s->reply, code);
  put_str(&s->reply, msg, strlen(msg));
  put_str(&s->reply, "en", 2);
  send_reply(s);
}

/* A file's attributes, or the root directory's when f is NULL. */
static void put_attrs(sftp_t *s, const sim_file_t *f) {
  sbuf_t *b = &s->reply;
  put_u32(b, A_SIZE | A_UIDGID | A_PERMS | A_TIMES);
  put_u64(b, f ? f->blob->len : 0);
  put_u64(b, 0); /* uid and gid 0 */
  put_u32(b, f ? 0100000u | f->mode : 040755u);
  uint32_t t = (uint32_t)(f ? f->mtime : s->dev->boot_time);
  put_u32(b, t); /* atime */
  put_u32(b, t); /* mtime */
}

/* The `ls -l` line OpenSSH's and asyncssh's clients print for a directory listing. */
static void put_longname(sftp_t *s, const char *name, const sim_file_t *f) {
  char when[32], line[NAME_MAX_LEN + 96];
  time_t t = f ? f->mtime : s->dev->boot_time;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(when, sizeof when, "%b %e %H:%M", &tm);
  char perm[11] = "drwxr-xr-x";
  if (f) {
    static const char rwx[] = "rwxrwxrwx";
    perm[0] = '-';
    for (int i = 0; i < 9; i++) perm[1 + i] = f->mode & (0400u >> i) ? rwx[i] : '-';
  }
  int n = snprintf(line, sizeof line, "%s    1 admin    admin    %10zu %s %s", perm,
                   f ? f->blob->len : (size_t)0, when, name);
  put_str(&s->reply, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static int handle_new(sftp_t *s) {
  for (int i = 0; i < MAX_HANDLES; i++)
    if (!s->h[i].used) {
      memset(&s->h[i], 0, sizeof s->h[i]);
      s->h[i].used = 1;
      return i;
    }
  return -1;
}

static void handle_close(handle_t *h) {
  if (h->blob) flash_blob_unref(h->blob);
  for (size_t i = 0; i < h->nnames; i++) free(h->names[i]);
  free(h->names);
  memset(h, 0, sizeof *h);
}

static void send_handle(sftp_t *s, uint32_t id, int i) {
  begin(s, FXP_HANDLE, id, 1);
  char hb[4] = {'h', (char)('0' + i / 10), (char)('0' + i % 10), 0};
  put_str(&s->reply, hb, 3);
  send_reply(s);
}

/* The handle a request names, or NULL (bad also marks a malformed packet). */
static handle_t *get_handle(sftp_t *s, rd_t *r) {
  uint32_t l;
  const char *hb = get_str(r, &l);
  if (r->bad || l != 3 || hb[0] != 'h' || hb[1] < '0' || hb[1] > '9' || hb[2] < '0' || hb[2] > '9')
    return NULL;
  int i = (hb[1] - '0') * 10 + (hb[2] - '0');
  if (i >= MAX_HANDLES || !s->h[i].used) return NULL;
  return &s->h[i];
}

static void do_open(sftp_t *s, uint32_t id, rd_t *r) {
  char path[1024], name[NAME_MAX_LEN];
  get_cstr(r, path, sizeof path);
  uint32_t pflags = get_u32(r);
  attrs_t a;
  get_attrs(r, &a);
  if (r->bad) return;
  if (flash_name(path, name, sizeof name)) {
    status(s, id, FX_NO_SUCH_FILE, "No such file or directory (flash: has no folders)");
    return;
  }
  if (!*name) {
    status(s, id, FX_FAILURE, "Is a directory");
    return;
  }
  sim_file_t *f = flash_find(s->dev, name);
  int write = (pflags & (PF_WRITE | PF_APPEND)) != 0;
  if (write) {
    if (f && (pflags & PF_EXCL) && (pflags & PF_CREAT)) {
      status(s, id, FX_FAILURE, "File exists");
      return;
    }
    if (!f && !(pflags & PF_CREAT)) {
      status(s, id, FX_NO_SUCH_FILE, "No such file or directory");
      return;
    }
  } else if (!f) {
    status(s, id, FX_NO_SUCH_FILE, "No such file or directory");
    return;
  }
  int i = handle_new(s);
  if (i < 0) {
    status(s, id, FX_FAILURE, "Too many open files");
    return;
  }
  if (write)
    f = flash_create(s->dev, name, (pflags & PF_TRUNC) != 0,
                     (a.flags & A_PERMS) ? a.perms : (f ? f->mode : 0644));
  handle_t *h = &s->h[i];
  h->blob = flash_blob_ref(f->blob);
  h->writable = write;
  h->append = (pflags & PF_APPEND) != 0;
  send_handle(s, id, i);
}

static void do_read(sftp_t *s, uint32_t id, rd_t *r) {
  handle_t *h = get_handle(s, r);
  uint64_t off = get_u64(r);
  uint32_t want = get_u32(r);
  if (r->bad) return;
  if (!h || h->dir) {
    status(s, id, FX_FAILURE, "Bad file handle");
    return;
  }
  const sim_blob_t *b = h->blob;
  if (off >= b->len) {
    status(s, id, FX_EOF, "End of file");
    return;
  }
  size_t n = b->len - (size_t)off;
  if (n > want) n = want;
  if (n > MAX_READ) n = MAX_READ;
  begin(s, FXP_DATA, id, 1);
  put_str(&s->reply, flash_bytes(b) + off, n);
  send_reply(s);
}

static void do_write(sftp_t *s, uint32_t id, rd_t *r) {
  handle_t *h = get_handle(s, r);
  uint64_t off = get_u64(r);
  uint32_t len;
  const char *data = get_str(r, &len);
  if (r->bad) return;
  if (!h || h->dir) {
    status(s, id, FX_FAILURE, "Bad file handle");
    return;
  }
  if (!h->writable) {
    status(s, id, FX_PERMISSION_DENIED, "File not open for writing");
    return;
  }
  if (h->append) off = h->blob->len;
  if (flash_write(s->dev, &h->blob, off, data, len)) {
    char msg[160];
    snprintf(msg, sizeof msg, "No space left on device (flash: %llu bytes total, %llu free)",
             (unsigned long long)flash_capacity(s->dev),
             (unsigned long long)(flash_capacity(s->dev) - flash_used(s->dev)));
    status(s, id, FX_NO_SPACE, msg);
    return;
  }
  status(s, id, FX_OK, "Success");
}

/* STAT, LSTAT (no links on flash) and FSTAT. */
static void do_stat(sftp_t *s, uint32_t id, rd_t *r, int by_handle) {
  const sim_file_t *f = NULL;
  sim_file_t tmp;
  if (by_handle) {
    handle_t *h = get_handle(s, r);
    if (r->bad) return;
    if (!h) {
      status(s, id, FX_FAILURE, "Bad file handle");
      return;
    }
    if (!h->dir) {
      /* The open file's own bytes, even if it was since replaced or removed. */
      memset(&tmp, 0, sizeof tmp);
      tmp.blob = h->blob;
      tmp.mode = 0644;
      tmp.mtime = time(NULL);
      f = &tmp;
    }
  } else {
    char path[1024], name[NAME_MAX_LEN];
    get_cstr(r, path, sizeof path);
    if (r->bad) return;
    if (flash_name(path, name, sizeof name) || (*name && !(f = flash_find(s->dev, name)))) {
      status(s, id, FX_NO_SUCH_FILE, "No such file or directory");
      return;
    }
  }
  begin(s, FXP_ATTRS, id, 1);
  put_attrs(s, f);
  send_reply(s);
}

static void do_setstat(sftp_t *s, uint32_t id, rd_t *r, int by_handle) {
  char path[1024], name[NAME_MAX_LEN];
  handle_t *h = NULL;
  if (by_handle)
    h = get_handle(s, r);
  else
    get_cstr(r, path, sizeof path);
  attrs_t a;
  get_attrs(r, &a);
  if (r->bad) return;
  sim_file_t *f = NULL;
  if (by_handle) {
    if (!h) {
      status(s, id, FX_FAILURE, "Bad file handle");
      return;
    }
  } else if (flash_name(path, name, sizeof name) || (*name && !(f = flash_find(s->dev, name)))) {
    status(s, id, FX_NO_SUCH_FILE, "No such file or directory");
    return;
  }
  if (a.flags & A_SIZE) {
    /* OpenSSH's clients set the size they sent when they close an upload. */
    sim_blob_t *b = flash_blob_ref(by_handle ? h->blob : f ? f->blob : NULL);
    int rc = b ? flash_truncate(s->dev, &b, a.size) : -1;
    if (by_handle && b != h->blob) { /* the handle follows its private copy */
      flash_blob_unref(h->blob);
      h->blob = flash_blob_ref(b);
    }
    if (b) flash_blob_unref(b);
    if (rc) {
      status(s, id, b ? FX_NO_SPACE : FX_FAILURE, b ? "No space left on device" : "Is a directory");
      return;
    }
  }
  /* Permissions of a named file are kept; times, owners and a handle's permissions are
   * accepted and dropped (the flash has one owner and no access times). */
  if (f && (a.flags & A_PERMS)) f->mode = a.perms & 0777;
  status(s, id, FX_OK, "Success");
}

static void do_opendir(sftp_t *s, uint32_t id, rd_t *r) {
  char path[1024], name[NAME_MAX_LEN];
  get_cstr(r, path, sizeof path);
  if (r->bad) return;
  if (flash_name(path, name, sizeof name)) {
    status(s, id, FX_NO_SUCH_FILE, "No such file or directory");
    return;
  }
  if (*name) {
    status(s, id, flash_find(s->dev, name) ? FX_FAILURE : FX_NO_SUCH_FILE,
           flash_find(s->dev, name) ? "Not a directory" : "No such file or directory");
    return;
  }
  int i = handle_new(s);
  if (i < 0) {
    status(s, id, FX_FAILURE, "Too many open files");
    return;
  }
  handle_t *h = &s->h[i];
  h->dir = 1;
  size_t n = flash_count(s->dev);
  sim_file_t **files = sim_calloc(n + 1, sizeof *files);
  n = flash_list(s->dev, files, n);
  h->names = sim_calloc(n + 1, sizeof *h->names);
  for (size_t k = 0; k < n; k++) h->names[k] = sim_strdup(files[k]->name);
  h->nnames = n;
  free(files);
  send_handle(s, id, i);
}

static void do_readdir(sftp_t *s, uint32_t id, rd_t *r) {
  handle_t *h = get_handle(s, r);
  if (r->bad) return;
  if (!h || !h->dir) {
    status(s, id, FX_FAILURE, "Bad directory handle");
    return;
  }
  begin(s, FXP_NAME, id, 1);
  size_t count_at = s->reply.len;
  put_u32(&s->reply, 0);
  uint32_t count = 0;
  while (h->pos < h->nnames && count < DIR_BATCH) {
    const char *name = h->names[h->pos++];
    const sim_file_t *f = flash_find(s->dev, name);
    if (!f) continue; /* removed since the listing began */
    put_str(&s->reply, name, strlen(name));
    put_longname(s, name, f);
    put_attrs(s, f);
    count++;
  }
  if (count == 0) {
    status(s, id, FX_EOF, "End of directory");
    return;
  }
  unsigned char *p = (unsigned char *)s->reply.data + count_at;
  p[0] = (unsigned char)(count >> 24);
  p[1] = (unsigned char)(count >> 16);
  p[2] = (unsigned char)(count >> 8);
  p[3] = (unsigned char)count;
  send_reply(s);
}

static void do_realpath(sftp_t *s, uint32_t id, rd_t *r) {
  char path[1024], name[NAME_MAX_LEN], full[NAME_MAX_LEN + 1];
  get_cstr(r, path, sizeof path);
  if (r->bad) return;
  if (flash_name(path, name, sizeof name)) {
    status(s, id, FX_NO_SUCH_FILE, "No such file or directory (flash: has no folders)");
    return;
  }
  snprintf(full, sizeof full, "/%s", name);
  begin(s, FXP_NAME, id, 1);
  put_u32(&s->reply, 1);
  put_str(&s->reply, full, strlen(full));
  put_str(&s->reply, full, strlen(full));
  put_u32(&s->reply, 0); /* no attributes */
  send_reply(s);
}

static void do_remove(sftp_t *s, uint32_t id, rd_t *r) {
  char path[1024], name[NAME_MAX_LEN];
  get_cstr(r, path, sizeof path);
  if (r->bad) return;
  if (flash_name(path, name, sizeof name) || flash_remove(s->dev, name))
    status(s, id, FX_NO_SUCH_FILE, "No such file or directory");
  else
    status(s, id, FX_OK, "Success");
}

static void do_rename(sftp_t *s, uint32_t id, rd_t *r) {
  char p1[1024], p2[1024], from[NAME_MAX_LEN], to[NAME_MAX_LEN];
  get_cstr(r, p1, sizeof p1);
  get_cstr(r, p2, sizeof p2);
  if (r->bad) return;
  if (flash_name(p1, from, sizeof from) || !flash_find(s->dev, from)) {
    status(s, id, FX_NO_SUCH_FILE, "No such file or directory");
  } else if (flash_name(p2, to, sizeof to) || !*to) {
    status(s, id, FX_FAILURE, "Invalid destination (flash: has no folders)");
  } else if (strcmp(from, to) != 0 && flash_find(s->dev, to)) {
    /* Version 3 renames never replace (OpenSSH's server behaves the same way). */
    status(s, id, FX_FAILURE, "File exists");
  } else {
    flash_rename(s->dev, from, to);
    status(s, id, FX_OK, "Success");
  }
}

static void do_close(sftp_t *s, uint32_t id, rd_t *r) {
  handle_t *h = get_handle(s, r);
  if (r->bad) return;
  if (!h) {
    status(s, id, FX_FAILURE, "Bad handle");
  } else {
    handle_close(h);
    status(s, id, FX_OK, "Success");
  }
}

/* The requests answered by a handler of their own, by packet type. */
static void (*const handlers[])(sftp_t *s, uint32_t id, rd_t *r) = {
    [FXP_OPEN] = do_open,     [FXP_CLOSE] = do_close,     [FXP_READ] = do_read,
    [FXP_WRITE] = do_write,   [FXP_OPENDIR] = do_opendir, [FXP_READDIR] = do_readdir,
    [FXP_REMOVE] = do_remove, [FXP_RENAME] = do_rename,   [FXP_REALPATH] = do_realpath,
};

/* Answers one whole packet. Returns -1 when it is malformed. */
static int packet(sftp_t *s, const unsigned char *p, size_t n) {
  rd_t r = {p + 1, n - 1, 0};
  int type = p[0];
  if (!s->inited) {
    if (type != FXP_INIT) return -1;
    get_u32(&r); /* the client's version: we answer 3, which every client speaks */
    if (r.bad) return -1;
    s->inited = 1;
    begin(s, FXP_VERSION, 0, 0);
    put_u32(&s->reply, 3);
    send_reply(s);
    return 0;
  }
  uint32_t id = get_u32(&r);
  if (r.bad) return -1;
  switch (type) {
  case FXP_STAT:
  case FXP_LSTAT: /* no links on flash */
  case FXP_FSTAT:
    do_stat(s, id, &r, type == FXP_FSTAT);
    break;
  case FXP_SETSTAT:
  case FXP_FSETSTAT:
    do_setstat(s, id, &r, type == FXP_FSETSTAT);
    break;
  case FXP_MKDIR:
  case FXP_RMDIR:
    status(s, id, FX_OP_UNSUPPORTED, "flash: has no folders");
    break;
  default: /* READLINK, SYMLINK, EXTENDED and anything newer have no handler */
    if (type < (int)(sizeof handlers / sizeof *handlers) && handlers[type])
      handlers[type](s, id, &r);
    else
      status(s, id, FX_OP_UNSUPPORTED, "Operation unsupported");
  }
  return r.bad ? -1 : 0;
}

static void over(sftp_t *s, int rc) {
  if (s->over) return;
  s->over = 1;
  sb_free(&s->in);
  s->io->done(s->ctx, rc);
}

/* Whether the replies not yet sent are over the bound: then requests wait (xfer.h). */
static int full(const sftp_t *s) {
  return s->io->pending && s->io->pending(s->ctx) > XFER_OUT_BOUND;
}

/* Answers the whole requests in s->in, in order, while the output has room: it is checked
 * before each request, so it ends at most one reply (a 256 KB READ) over the bound. What
 * is left waits for chan_resume; s->in holds at most what the client's window let it send. */
static void requests(sftp_t *s) {
  size_t off = 0;
  while (!s->over && s->in.len - off >= 4 && !full(s)) {
    const unsigned char *p = (const unsigned char *)s->in.data + off;
    uint32_t plen = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (plen == 0 || plen > MAX_PACKET) {
      fprintf(stderr, "nethost-sim: %s: sftp: bad packet length %u: closing\n", s->dev->name, plen);
      over(s, 1);
      return;
    }
    if (s->in.len - off - 4 < plen) break;
    if (packet(s, p + 4, plen)) {
      fprintf(stderr, "nethost-sim: %s: sftp: malformed packet (type %u): closing\n", s->dev->name,
              p[4]);
      over(s, 1);
      return;
    }
    off += 4 + plen;
  }
  if (s->over) return;
  if (off) sb_consume(&s->in, off);
  /* After EOF, what cannot become a whole request never will. */
  if (s->eof && (s->in.len < 4 || !full(s))) over(s, 0);
}

static size_t sftp_input(sim_xfer_t *x, const char *data, size_t len) {
  sftp_t *s = (sftp_t *)x;
  if (s->over) return len;
  if (full(s)) return 0;
  sb_add(&s->in, data, len);
  requests(s);
  return len;
}

static void sftp_eof(sim_xfer_t *x) {
  sftp_t *s = (sftp_t *)x;
  s->eof = 1;
  if (!s->over) requests(s);
}

static void sftp_free(sim_xfer_t *x) {
  sftp_t *s = (sftp_t *)x;
  for (int i = 0; i < MAX_HANDLES; i++)
    if (s->h[i].used) handle_close(&s->h[i]);
  sb_free(&s->in);
  sb_free(&s->reply);
  free(s);
}

static const sim_xfer_ops_t sftp_ops = {sftp_input, sftp_eof, sftp_free};

sim_xfer_t *sftp_new(sim_device_t *dev, const sim_term_io_t *io, void *ctx) {
  sftp_t *s = sim_calloc(1, sizeof *s);
  s->base.ops = &sftp_ops;
  s->dev = dev;
  s->io = io;
  s->ctx = ctx;
  return &s->base;
}
