/* nethost core: reading a whole input file with limits (see file_read.h). */
#include "file_read.h"

#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

size_t nh_input_max(void) {
  const char *s = getenv("NETHOST_MAX_INPUT");
  char *end;
  unsigned long long v;
  if (!s || !*s) return NH_INPUT_MAX_DEFAULT;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno || end == s) return NH_INPUT_MAX_DEFAULT;
  switch (*end) {
  case 'K':
  case 'k':
    v <<= 10;
    end++;
    break;
  case 'M':
  case 'm':
    v <<= 20;
    end++;
    break;
  case 'G':
  case 'g':
    v <<= 30;
    end++;
    break;
  default:
    break;
  }
  if (*end || v == 0 || v > (unsigned long long)SIZE_MAX / 2) return NH_INPUT_MAX_DEFAULT;
  return (size_t)v;
}

static int fail(char *err, size_t errlen, int rc, const char *path, const char *what) {
  if (err && errlen) snprintf(err, errlen, "%s: %s", path, what);
  return rc;
}

int nh_file_read(const char *path, char **out, size_t *len, char *err, size_t errlen) {
  size_t max = nh_input_max(), cap, n = 0;
  struct stat st;
  char *buf, msg[160];
  *out = NULL;
  *len = 0;
  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    snprintf(msg, sizeof msg, "cannot read: %s", strerror(e));
    return fail(err, errlen, e == ENOENT ? NH_ENOENT : NH_EINVAL, path, msg);
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return fail(err, errlen, NH_EINVAL, path,
                S_ISDIR(st.st_mode) ? "is a folder, not a file"
                                    : "not a regular file (a device, FIFO or socket is not read)");
  }
  if ((size_t)st.st_size > max) {
    close(fd);
    snprintf(msg, sizeof msg,
             "larger than %zu bytes, the limit for input files (NETHOST_MAX_INPUT raises it)", max);
    return fail(err, errlen, NH_ETOOBIG, path, msg);
  }
  cap = (size_t)st.st_size + 1;
  if (!(buf = malloc(cap))) {
    close(fd);
    return NH_ENOMEM;
  }
  for (;;) {
    if (n + 1 == cap) {
      /* The file grew while read. */
      char *p;
      if (cap - 1 >= max) {
        free(buf);
        close(fd);
        snprintf(msg, sizeof msg,
                 "larger than %zu bytes, the limit for input files (NETHOST_MAX_INPUT raises it)",
                 max);
        return fail(err, errlen, NH_ETOOBIG, path, msg);
      }
      cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
      if (!(p = realloc(buf, cap))) {
        free(buf);
        close(fd);
        return NH_ENOMEM;
      }
      buf = p;
    }
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      free(buf);
      close(fd);
      snprintf(msg, sizeof msg, "read error: %s", strerror(e));
      return fail(err, errlen, NH_EINVAL, path, msg);
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}
