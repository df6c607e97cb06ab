/* nethost Lua layer: the `fs` module — the file operations playbooks need for backups and
 * results: folders, listing, whole-file reads and atomic writes.
 *
 * These are synchronous: they touch the local disk with small files, where a thread-pool
 * round trip would cost more than the call. Failures return nil, message (as io.open does)
 * so a playbook can decide; misuse raises. A path with a NUL byte is misuse: C would cut it
 * there and act on another file. */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int push_failure(lua_State *L, const char *path) {
  int err = errno;
  lua_pushnil(L);
  lua_pushfstring(L, "%s: %s", path, strerror(err));
  return 2;
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
      if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
        int r = push_failure(L, copy);
        free(copy);
        return r;
      }
      *p = '/';
    }
    free(copy);
  }
  if (mkdir(path, 0777) < 0 && !(errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
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
  lua_pushstring(L, S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : "other");
  lua_setfield(L, -2, "type");
  lua_pushinteger(L, (lua_Integer)st.st_size);
  lua_setfield(L, -2, "size");
  lua_pushnumber(L, (lua_Number)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9);
  lua_setfield(L, -2, "mtime");
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
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
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

int luaopen_nethost_fs(lua_State *L) {
  static const luaL_Reg funcs[] = {{"mkdir", nhl_fs_mkdir},   {"stat", nhl_fs_stat},
                                   {"exists", nhl_fs_exists}, {"isdir", nhl_fs_isdir},
                                   {"list", nhl_fs_list},     {"read", nhl_fs_read},
                                   {"write", nhl_fs_write},   {"remove", nhl_fs_remove},
                                   {"rename", nhl_fs_rename}, {NULL, NULL}};
  luaL_newlib(L, funcs);
  return 1;
}
