/* nethost core: the plugin loader.
 *
 * Loads shared objects that implement the plugin ABI (plugins/include/nethost/plugin.h) with
 * dlopen(RTLD_NOW | RTLD_LOCAL), calls their nh_plugin_entry with the host table, and
 * rolls a failed plugin back whole (its registrations removed, its unload hooks run, the
 * file closed). Search order, decided by the caller: the built-in plugin folder, then each
 * folder of NETHOST_PLUGIN_PATH, then each --plugins DIR. A file already loaded (same real
 * path) is skipped. Process-wide, like the registry it fills: the loader registers into the
 * registry (core/registry.h), never the other way round.
 */
#ifndef NH_PLUGIN_LOADER_H
#define NH_PLUGIN_LOADER_H

#include <stddef.h>

#include "nethost/plugin.h"
#include "plugin_log.h" /* nh_plugin_set_log: where loader messages go */
#include "registry.h"

/* A loaded plugin. Fields are read-only for users of this header. */
struct nh_plugin_s {
  char *file;           /* the path it was loaded from */
  char *name;           /* as declared */
  char *version;        /* as declared */
  unsigned abi_version; /* the ABI it was built for */
  void *handle;         /* dlopen handle; NULL for a built-in plugin */
  int declared;
  struct nh_plugin_hook_s *hooks; /* unload hooks, newest first */
};

/* Loads one plugin file. Returns 0, or a negative code (NH_EPLUGIN, NH_EABI, NH_EDUPLICATE,
 * NH_ENOMEM) with a malloc'd message naming the file in *errmsg (caller frees; errmsg may
 * be NULL). Loading an already loaded file returns 0 and does nothing. */
int nh_plugin_load(const char *path, char **errmsg);

/* A plugin's entry point: nh_plugin_entry of a plugin file, or a built-in plugin's. */
typedef int (*nh_plugin_entry_fn)(const nh_plugin_host_t *host, nh_plugin_t *self);

/* Starts a plugin compiled into nethost through the same host table and rollback as a file
 * (the TextFSM parser source is one, core/textfsm_source.c). name stands where a file's
 * path would, in listings and messages ("(built-in textfsm)"). Starting the same name
 * again returns 0 and does nothing. Errors as nh_plugin_load(). */
int nh_plugin_add_builtin(const char *name, nh_plugin_entry_fn entry, char **errmsg);

/* Loads every *.so in dir, in name order. A plugin that fails is reported through the log
 * sink as a warning and skipped. A missing folder is not an error. Returns the number of
 * plugins loaded, or a negative code when dir exists but cannot be read. */
int nh_plugin_load_dir(const char *dir);

/* Loads each folder of a ':'-separated list (NETHOST_PLUGIN_PATH); empty entries are
 * skipped. Returns the number of plugins loaded. */
int nh_plugin_load_path(const char *path_list);

/* Unloads every plugin, newest first (unload hooks, registry entries, dlclose). */
void nh_plugin_unload_all(void);

/* Loaded plugins in load order. */
size_t nh_plugin_count(void);
const nh_plugin_t *nh_plugin_at(size_t i);

/* Messages of loads that failed since start (for `nethost plugins` and for errors that
 * say why a parser is missing). */
size_t nh_plugin_failure_count(void);
const char *nh_plugin_failure(size_t i);

/* The host table handed to plugins; the loader registers it with each parser (and tests
 * that register parsers themselves use it too). */
const nh_plugin_host_t *nh__plugin_host(void);

#endif
