/* The lab's SCP: `scp -t PATH` (the device receives, "sink") and `scp -f PATH` (the device
 * sends, "source") on an exec channel, the classic rcp protocol OpenSSH's `scp -O`,
 * libssh2 and most network devices speak: control lines ("C0644 SIZE NAME", "T..." times,
 * "D"/"E" folders), each answered with a zero byte, or with \1 and a message on error.
 *
 * The sink writes the bytes into the device's flash as they arrive. The source sends a
 * file by reference (no copy, whatever its size): it holds the file's blob as a reader,
 * so a writer replacing the file meanwhile gets a blob of its own, and the blob's trailing
 * NUL is the zero byte that ends the file in the protocol. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "xfer.h"

#define MAX_LINE 1024
#define NAME_LEN 256

enum {
  S_LINE,     /* sink: reading a control line */
  S_DATA,     /* sink: a file's bytes */
  S_DATA_END, /* sink: the zero byte after them */
  S_WAIT,     /* source: waiting for the client's zero byte */
  S_OVER,
};

typedef struct scp {
  sim_xfer_t base;
  sim_device_t *dev;
  const sim_term_io_t *io;
  void *ctx;
  int source, preserve, want_dir;
  int state, step; /* source: 0 start, 1 times sent, 2 header sent, 3 data sent */
  int errors;
  char target[NAME_LEN]; /* the path's flash name ("" for the root) */
  char path[1024];       /* as the client wrote it, for messages */
  sbuf_t line;
  sim_blob_t *blob; /* sink: the file being written; source: the file being sent */
  int reading;      /* source: blob->readers counts us */
  uint64_t off, size;
  char name[NAME_LEN]; /* sink: the file being written */
} scp_t;

static void say(scp_t *s, const char *data, size_t len) {
  s->io->write(s->ctx, data, len, 0);
}

static void ack(scp_t *s) {
  say(s, "", 1);
}

/* A \1 message: the client reports it and goes on (or gives up, as libssh2 does). */
static void err(scp_t *s, const char *fmt, const char *arg, const char *why) {
  char msg[NAME_LEN + 1200];
  int n = snprintf(msg, sizeof msg, "\1scp: ");
  n += snprintf(msg + n, sizeof msg - (size_t)n, fmt, arg, why);
  if ((size_t)n >= sizeof msg - 1) n = (int)sizeof msg - 2;
  msg[n++] = '\n';
  say(s, msg, (size_t)n);
  s->errors++;
}

static void finish(scp_t *s) {
  if (s->state == S_OVER) return;
  s->state = S_OVER;
  s->io->done(s->ctx, s->errors ? 1 : 0);
}

static void sink_line(scp_t *s, const char *l) {
  switch (l[0]) {
  case 'T':
  case 'E':
    ack(s);
    return;
  case '\1': /* the client's own warning */
    return;
  case '\2':
    s->errors++;
    finish(s);
    return;
  case 'D':
    err(s, "%s: %s", s->path, "flash: has no folders");
    return;
  case 'C':
    break;
  default:
    err(s, "%s%s", "protocol error: ", "expected a control line");
    finish(s);
    return;
  }
  unsigned mode;
  unsigned long long size;
  char name[NAME_LEN], fname[NAME_LEN];
  int used = 0;
  if (sscanf(l + 1, "%o %llu %n", &mode, &size, &used) != 2 || used == 0 || !l[1 + used] ||
      strlen(l + 1 + used) >= sizeof name) {
    err(s, "%s%s", "protocol error: ", "bad C line");
    finish(s);
    return;
  }
  snprintf(name, sizeof name, "%s", l + 1 + used);
  if (*s->target) {
    snprintf(fname, sizeof fname, "%s", s->target);
  } else if (flash_name(name, fname, sizeof fname) || !*fname || strcmp(name, "..") == 0) {
    err(s, "%s: %s", name, "invalid file name");
    return;
  }
  sim_file_t *f = flash_find(s->dev, fname);
  /* The file replaces an existing one: its bytes come free unless a transfer holds them. */
  uint64_t room = flash_capacity(s->dev) - flash_used(s->dev);
  if (f && f->blob->refs == 1) room += f->blob->len;
  if (size > room) {
    char why[160];
    snprintf(why, sizeof why, "No space left on device (%llu bytes needed, %llu free)", size,
             (unsigned long long)room);
    err(s, "flash:%s: %s", fname, why);
    return;
  }
  f = flash_create(s->dev, fname, 1, mode);
  if (s->blob) flash_blob_unref(s->blob);
  s->blob = flash_blob_ref(f->blob);
  snprintf(s->name, sizeof s->name, "%s", fname);
  s->off = 0;
  s->size = size;
  s->state = size ? S_DATA : S_DATA_END;
  ack(s);
}

static void sink_input(scp_t *s, const char *data, size_t len) {
  while (len > 0 && s->state != S_OVER) {
    if (s->state == S_DATA) {
      size_t n = len;
      if (n > s->size - s->off) n = (size_t)(s->size - s->off);
      if (s->blob && flash_write(s->dev, &s->blob, s->off, data, n)) {
        /* Only when a reader forced a copy that no longer fits: drop the rest. */
        flash_blob_unref(s->blob);
        s->blob = NULL;
      }
      s->off += n;
      data += n;
      len -= n;
      if (s->off == s->size) s->state = S_DATA_END;
      continue;
    }
    if (s->state == S_DATA_END) {
      int ok = *data == 0;
      data++;
      len--;
      s->state = S_LINE;
      if (s->blob) {
        flash_blob_unref(s->blob);
        s->blob = NULL;
        if (ok)
          ack(s);
        else
          err(s, "%s: %s", s->name, "the client failed while sending");
      } else {
        err(s, "flash:%s: %s", s->name, "No space left on device");
      }
      continue;
    }
    /* S_LINE */
    const char *nl = memchr(data, '\n', len);
    size_t n = nl ? (size_t)(nl - data) + 1 : len;
    if (s->line.len + n > MAX_LINE) {
      err(s, "%s%s", "protocol error: ", "control line too long");
      finish(s);
      return;
    }
    sb_add(&s->line, data, n);
    data += n;
    len -= n;
    if (!nl) break;
    s->line.data[s->line.len - 1] = 0;
    if (memchr(s->line.data, 0, s->line.len - 1)) {
      err(s, "%s%s", "protocol error: ", "NUL in a control line");
      finish(s);
      return;
    }
    char l[MAX_LINE + 1];
    memcpy(l, s->line.data, s->line.len);
    sb_clear(&s->line);
    sink_line(s, l);
  }
}

/* Source: the next message once the client acknowledged the previous one. */
static void source_next(scp_t *s) {
  sim_file_t *f;
  char hdr[NAME_LEN + 64];
  switch (s->step) {
  case 0:
    f = *s->target ? flash_find(s->dev, s->target) : NULL;
    if (!f) {
      err(s, "%s: %s", s->path, *s->target ? "No such file or directory" : "not a regular file");
      finish(s);
      return;
    }
    s->blob = flash_blob_ref(f->blob);
    s->size = f->blob->len;
    if (s->preserve) {
      int n =
          snprintf(hdr, sizeof hdr, "T%lld 0 %lld 0\n", (long long)f->mtime, (long long)f->mtime);
      s->step = 1;
      say(s, hdr, (size_t)n);
      return;
    }
    /* fall through */
  case 1: {
    f = flash_find(s->dev, s->target);
    /* The name as the client asked for it (OpenSSH checks it against its request). */
    const char *base = strrchr(s->path, '/');
    base = base && base[1] ? base + 1 : s->path;
    int n = snprintf(hdr, sizeof hdr, "C%04o %llu %s\n", f ? f->mode : 0644,
                     (unsigned long long)s->size, base);
    s->step = 2;
    say(s, hdr, (size_t)n);
    return;
  }
  case 2:
    /* The bytes and the zero byte after them, by reference. */
    s->blob->readers++;
    s->reading = 1;
    s->step = 3;
    s->io->write_shared(s->ctx, flash_bytes(s->blob), s->blob->len + 1);
    return;
  default:
    finish(s);
  }
}

static void source_input(scp_t *s, const char *data, size_t len) {
  while (len > 0 && s->state != S_OVER) {
    if (s->line.len == 0 && data[0] == 0) {
      data++;
      len--;
      source_next(s);
      continue;
    }
    /* \1 or \2 and a message from the client: it gives up on the file. */
    const char *nl = memchr(data, '\n', len);
    size_t n = nl ? (size_t)(nl - data) + 1 : len;
    if (s->line.len + n > MAX_LINE) n = MAX_LINE - s->line.len;
    sb_add(&s->line, data, n);
    data += n;
    len -= n;
    if (nl || s->line.len >= MAX_LINE) {
      s->errors++;
      finish(s);
    }
  }
}

/* SCP answers a client's bytes with a few bytes at most (the source's file goes out by
 * reference), so it always takes everything. */
static size_t scp_input(sim_xfer_t *x, const char *data, size_t len) {
  scp_t *s = (scp_t *)x;
  if (s->source)
    source_input(s, data, len);
  else
    sink_input(s, data, len);
  return len;
}

static void scp_eof(sim_xfer_t *x) {
  scp_t *s = (scp_t *)x;
  if (!s->source && s->state != S_LINE) s->errors++; /* the client stopped mid-file */
  finish(s);
}

static void scp_free(sim_xfer_t *x) {
  scp_t *s = (scp_t *)x;
  if (s->blob) {
    if (s->reading) s->blob->readers--;
    flash_blob_unref(s->blob);
  }
  sb_free(&s->line);
  free(s);
}

static const sim_xfer_ops_t scp_ops = {scp_input, scp_eof, scp_free};

/* Splits a command line the way a POSIX shell would for these simple words: blanks
 * separate, '...' and "..." quote, a backslash escapes the next character. */
static int shell_words(const char *cmd, char **words, int max, char *buf, size_t bufsz) {
  int n = 0;
  size_t o = 0;
  const char *p = cmd;
  while (*p) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) break;
    if (n == max) return -1;
    words[n++] = buf + o;
    while (*p && *p != ' ' && *p != '\t') {
      char q = *p;
      if (q == '\'' || q == '"') {
        p++;
        while (*p && *p != q) {
          if (q == '"' && *p == '\\' && p[1]) p++;
          if (o + 1 >= bufsz) return -1;
          buf[o++] = *p++;
        }
        if (*p != q) return -1;
        p++;
      } else {
        if (q == '\\' && p[1]) p++;
        if (o + 1 >= bufsz) return -1;
        buf[o++] = *p++;
      }
    }
    buf[o++] = 0;
  }
  return n;
}

sim_xfer_t *scp_new(sim_device_t *dev, const char *command, const sim_term_io_t *io, void *ctx) {
  char buf[2048];
  char *w[16];
  int n = shell_words(command, w, 16, buf, sizeof buf);
  if (n < 2 || strcmp(w[0], "scp") != 0) return NULL;
  int to = 0, from = 0, preserve = 0, dir = 0, i = 1;
  for (; i < n && w[i][0] == '-'; i++) {
    if (strcmp(w[i], "--") == 0) {
      i++;
      break;
    }
    for (const char *o = w[i] + 1; *o; o++) {
      if (*o == 't')
        to = 1;
      else if (*o == 'f')
        from = 1;
      else if (*o == 'p')
        preserve = 1;
      else if (*o == 'd')
        dir = 1;
      else if (*o == 'r' || *o == 'v' || *o == 'q')
        continue;
      else
        return NULL; /* not an scp command the lab knows: let the CLI refuse it */
    }
  }
  if (to == from || i != n - 1) return NULL;
  scp_t *s = sim_calloc(1, sizeof *s);
  s->base.ops = &scp_ops;
  s->dev = dev;
  s->io = io;
  s->ctx = ctx;
  s->source = from;
  s->preserve = preserve;
  s->want_dir = dir;
  snprintf(s->path, sizeof s->path, "%s", w[i]);
  if (flash_name(w[i], s->target, sizeof s->target)) {
    /* A folder below the root: refuse at the first exchange. */
    s->target[0] = 0;
    s->errors = 1;
  }
  if (s->source) {
    s->state = S_WAIT;
    return &s->base;
  }
  s->state = S_LINE;
  if (s->errors || (dir && *s->target)) {
    err(s, "%s: %s", s->path, s->errors ? "No such file or directory" : "Not a directory");
    finish(s);
  } else {
    ack(s); /* ready */
  }
  return &s->base;
}
