/* nethost Lua layer: the `fs` module — the file operations playbooks need for backups and
 * results: folders, listing, whole-file reads and atomic writes.
 *
 * These are synchronous: they touch the local disk with small files, where a thread-pool
 * round trip would cost more than the call. Failures return nil, message (as io.open does)
 * so a playbook can decide; misuse raises. A path with a NUL byte is misuse: C would cut it
 * there and act on another file.
 *
 * What nethost writes holds configurations (enable secrets, SNMP communities), results and
 * logs, so files are created 0600 and folders 0700, whatever the umask: only the user
 * running nethost reads them, as with known_hosts. fs.safe_name turns a host name or other
 * inventory data into one path component (safe_name.h says how). */
#include "fields.h"
#include "class.h"
#include "runtime.h"
#include "digest.h"
#include "error.h"
#include "safe_name.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int push_failure(lua_State *L, const char *path) {
  return nhl_fail(L, "%s: %s", path, strerror(errno));
}

/* fs.mkdir(path [, recursive]) -> true | nil, message. An existing folder is fine. */
static int nhl_fs_mkdir(lua_State *L) {
  const char *path = nhl_checkcstring(L, 1);
  int recursive = lua_toboolean(L, 2);
  char *copy, *p;
  struct stat st;
  if (recursive) {
    copy = strdup(path);
    if (!copy) return luaL_error(L, "out of memory");
    for (p = copy + 1; *p; p++) {
      if (*p != '/') continue;
      *p = '\0';
      if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
        int r = push_failure(L, copy);
        free(copy);
        return r;
      }
      *p = '/';
    }
    free(copy);
  }
  if (mkdir(path, 0700) < 0 && !(errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
    return push_failure(L, path);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.stat(path) -> {type = "file"|"dir"|"other", size =, mtime =} | nil, message */
static int nhl_fs_stat(lua_State *L) {
  const char *path = nhl_checkcstring(L, 1);
  struct stat st;
  if (stat(path, &st) < 0) return push_failure(L, path);
  lua_createtable(L, 0, 3);
  nhl_set_string(L, "type", S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : "other");
  nhl_set_integer(L, "size", (lua_Integer)st.st_size);
  nhl_set_number(L, "mtime", (lua_Number)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9);
  return 1;
}

static int nhl_fs_exists(lua_State *L) {
  struct stat st;
  lua_pushboolean(L, stat(nhl_checkcstring(L, 1), &st) == 0);
  return 1;
}

static int nhl_fs_isdir(lua_State *L) {
  struct stat st;
  lua_pushboolean(L, stat(nhl_checkcstring(L, 1), &st) == 0 && S_ISDIR(st.st_mode));
  return 1;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* fs.list(dir) -> sorted names (without . and ..) | nil, message */
static int nhl_fs_list(lua_State *L) {
  const char *path = nhl_checkcstring(L, 1);
  DIR *d = opendir(path);
  struct dirent *e;
  const char **names;
  size_t n = 0, cap = 64, i;
  if (!d) return push_failure(L, path);
  names = malloc(cap * sizeof(*names));
  lua_newtable(L); /* keeps the strings alive while sorting */
  while (names && (e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (n == cap) {
      const char **grown = realloc(names, (cap *= 2) * sizeof(*names));
      if (!grown) break;
      names = grown;
    }
    lua_pushstring(L, e->d_name);
    names[n++] = lua_tostring(L, -1);
    lua_rawseti(L, -2, (lua_Integer)n);
  }
  closedir(d);
  if (!names) return luaL_error(L, "out of memory");
  qsort(names, n, sizeof(*names), compare_names);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, names[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  free(names);
  return 1;
}

/* fs.read(path) -> contents | nil, message */
static int nhl_fs_read(lua_State *L) {
  const char *path = nhl_checkcstring(L, 1);
  FILE *f = fopen(path, "rb");
  luaL_Buffer b;
  size_t n;
  if (!f) return push_failure(L, path);
  luaL_buffinit(L, &b);
  do {
    char *p = luaL_prepbuffer(&b);
    n = fread(p, 1, LUAL_BUFFERSIZE, f);
    luaL_addsize(&b, n);
  } while (n == LUAL_BUFFERSIZE);
  if (ferror(f)) {
    fclose(f);
    return push_failure(L, path);
  }
  fclose(f);
  luaL_pushresult(&b);
  return 1;
}

/* fs.write(path, data) -> true | nil, message. Atomic: readers see the old file or the new
 * one, never a half-written one, and a crash leaves no partial file under path. */
static int nhl_fs_write(lua_State *L) {
  size_t len, off = 0;
  const char *path = nhl_checkcstring(L, 1);
  const char *data = luaL_checklstring(L, 2, &len);
  const char *tmp = lua_pushfstring(L, "%s.tmp.%d", path, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return push_failure(L, path);
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) goto fail;
    off += (size_t)w;
  }
  if (fsync(fd) < 0 || close(fd) < 0) {
    fd = -1;
    goto fail;
  }
  if (rename(tmp, path) < 0) {
    fd = -1;
    goto fail;
  }
  lua_pushboolean(L, 1);
  return 1;
fail : {
  int err = errno;
  if (fd >= 0) close(fd);
  unlink(tmp);
  errno = err;
  return push_failure(L, path);
}
}

/* fs.remove(path) -> true | nil, message (files and empty folders) */
static int nhl_fs_remove(lua_State *L) {
  const char *path = nhl_checkcstring(L, 1);
  if (remove(path) < 0) return push_failure(L, path);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.rename(from, to) -> true | nil, message */
static int nhl_fs_rename(lua_State *L) {
  const char *from = nhl_checkcstring(L, 1), *to = nhl_checkcstring(L, 2);
  if (rename(from, to) < 0) return push_failure(L, from);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.safe_name(s) -> s as one path component (see safe_name.h). An empty name, or one too
 * long for a file name, raises: it cannot name a file, and the caller's host fails with
 * that message. */
static int nhl_fs_safe_name(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  char out[NH_SAFE_NAME_MAX + 1];
  int n = nh_safe_name(s, len, out, sizeof out);
  if (n < 0)
    return luaL_error(L, "fs.safe_name: %s name cannot be a file name",
                      len == 0 ? "an empty" : "a too long");
  lua_pushlstring(L, out, (size_t)n);
  return 1;
}

static int close_stream(lua_State *L) {
  luaL_Stream *p = (luaL_Stream *)luaL_checkudata(L, 1, LUA_FILEHANDLE);
  int rc = fclose(p->f);
  return luaL_fileresult(L, rc == 0, NULL);
}

/* fs.open(path, mode) -> file | nil, message: io.open for files nethost writes (results,
 * logs): "w" and "a" (with an optional "+") create path 0600. The handle is an ordinary Lua
 * file, so f:write, f:flush, f:close report write errors as io's files do. */
static int nhl_fs_open(lua_State *L) {
  const char *path = nhl_checkcstring(L, 1);
  const char *mode = luaL_optstring(L, 2, "r");
  int flags;
  if (!strcmp(mode, "w"))
    flags = O_WRONLY | O_CREAT | O_TRUNC;
  else if (!strcmp(mode, "w+"))
    flags = O_RDWR | O_CREAT | O_TRUNC;
  else if (!strcmp(mode, "a"))
    flags = O_WRONLY | O_CREAT | O_APPEND;
  else if (!strcmp(mode, "a+"))
    flags = O_RDWR | O_CREAT | O_APPEND;
  else if (!strcmp(mode, "r"))
    flags = O_RDONLY;
  else
    return luaL_argerror(L, 2, "mode must be r, w, a, w+ or a+");
  luaL_Stream *p = (luaL_Stream *)lua_newuserdatauv(L, sizeof(luaL_Stream), 0);
  p->closef = NULL; /* a handle that never opened is already closed */
  p->f = NULL;
  luaL_setmetatable(L, LUA_FILEHANDLE);
  int fd = open(path, flags | O_CLOEXEC, 0600);
  if (fd < 0) return push_failure(L, path);
  p->f = fdopen(fd, mode);
  if (!p->f) {
    int err = errno;
    close(fd);
    errno = err;
    return push_failure(L, path);
  }
  p->closef = close_stream;
  return 1;
}

/* fs.digest(path, algorithm) -> hex | nil, message: the digest ("md5", "sha1", "sha256",
 * "sha512") of a local file, to compare with the one a device prints. It reads the whole
 * file on the loop thread: a playbook computes it once, before its hosts run. */
static int nhl_fs_digest(lua_State *L) {
  const char *path = nhl_checkcstring(L, 1), *alg = luaL_checkstring(L, 2);
  char hex[129];
  int rc;
  if (!nh_digest_hex_len(alg))
    return luaL_argerror(L, 2, "\"md5\", \"sha1\", \"sha256\" or \"sha512\" expected");
  if ((rc = nh_file_digest(path, alg, hex, sizeof hex)) < 0)
    return nhl_fail(L, "%s: %s", path, nh_strerror(rc));
  lua_pushstring(L, hex);
  return 1;
}

int luaopen_nethost_fs(lua_State *L) {
  static const luaL_Reg funcs[] = {
      NHL_FUNC(fs, mkdir),  NHL_FUNC(fs, stat),      NHL_FUNC(fs, exists), NHL_FUNC(fs, isdir),
      NHL_FUNC(fs, list),   NHL_FUNC(fs, read),      NHL_FUNC(fs, write),  NHL_FUNC(fs, remove),
      NHL_FUNC(fs, rename), NHL_FUNC(fs, safe_name), NHL_FUNC(fs, open),   NHL_FUNC(fs, digest),
      {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
