/* nethost plugin ABI.
 *
 * A plugin is a shared object (a CMake MODULE library, built with hidden visibility) that
 * exports exactly one symbol:
 *
 *   NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self);
 *
 * nethost dlopen()s the file with RTLD_NOW | RTLD_LOCAL and calls nh_plugin_entry once. The
 * entry must first declare itself with NH_PLUGIN_DECLARE(host, self, "name", "1.2.3"),
 * which tells nethost the ABI version the plugin was compiled against; then it registers
 * platforms, parsers and parser sources through the host table, and returns 0. Returning a
 * negative value (or failing to declare) makes nethost roll the plugin back whole: every
 * registration it made is removed, its unload hooks run, and the file is closed.
 *
 * Nothing from Lua, libuv or nethost's core crosses this boundary: parsers build their
 * results with the value builder below, and the host copies every string and descriptor
 * it is given, so a plugin may pass stack or static data.
 *
 * Compatibility. The host table starts with abi_version and size, and only ever grows at
 * its end: within one major version, fields are never removed, reordered or changed. A
 * plugin that uses a field added in a later minor version tests host->size first (see
 * NH_PLUGIN_HAS). The first three members (abi_version, size, declare) are frozen across
 * major versions too, so a plugin built for another major is refused with a message naming
 * the file and both versions instead of crashing. Descriptor structs passed by the plugin
 * (nh_plugin_platform_t, nh_plugin_parser_source_t) start with their own size for the same
 * reason: the host reads only the fields the plugin's size covers.
 *
 * Build: `pkg-config --cflags nethost-plugin` gives the include path; see docs/plugins.md.
 */
#ifndef NETHOST_PLUGIN_H
#define NETHOST_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NH_PLUGIN_ABI_MAJOR       1
#define NH_PLUGIN_ABI_MINOR       2
#define NH_PLUGIN_ABI_VERSION     ((NH_PLUGIN_ABI_MAJOR << 16) | NH_PLUGIN_ABI_MINOR)
#define NH_PLUGIN_ABI_MAJOR_OF(v) ((int)((unsigned)(v) >> 16))
#define NH_PLUGIN_ABI_MINOR_OF(v) ((int)((unsigned)(v)&0xffffu))

#if defined(__GNUC__)
#define NH_PLUGIN_EXPORT       __attribute__((visibility("default")))
#define NH_PLUGIN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NH_PLUGIN_EXPORT
#define NH_PLUGIN_PRINTF(a, b)
#endif

/* Status codes. They have the same values as nethost's own NH_E* codes. */
#define NH_PLUGIN_OK         0
#define NH_PLUGIN_ENOMEM     (-12)    /* out of memory */
#define NH_PLUGIN_EINVAL     (-22)    /* invalid argument (a malformed descriptor, ...) */
#define NH_PLUGIN_EPARSE     (-20012) /* the parser could not make sense of its input */
#define NH_PLUGIN_ENOPARSER  (-20014) /* a parser source has no parser for this command */
#define NH_PLUGIN_EPLUGIN    (-20016) /* generic plugin failure (init failed) */
#define NH_PLUGIN_EABI       (-20017) /* ABI version mismatch */
#define NH_PLUGIN_EDUPLICATE (-20018) /* a platform/parser name is already taken */

/* The plugin being loaded, as the host knows it. Opaque; passed back on every call. */
typedef struct nh_plugin_s nh_plugin_t;

/* A node of a parse result: null, bool, integer, float, string, list or map. Opaque to the
 * plugin; made and filled with the builder functions of the host table. A node is owned by
 * whoever holds it: map_set/list_push take ownership of the child (also when they fail, in
 * which case it is freed), and a parser hands the root to the host by returning it. */
typedef struct nh_plugin_value_s nh_plugin_value_t;

/* The host function table (defined below). */
typedef struct nh_plugin_host_s nh_plugin_host_t;

/* One call of a parser; opaque. Used to report why a parse failed (parse_error). */
typedef struct nh_plugin_parse_s nh_plugin_parse_t;

typedef enum {
  NH_PLUGIN_LOG_ERROR = 0,
  NH_PLUGIN_LOG_WARN = 1,
  NH_PLUGIN_LOG_INFO = 2,
  NH_PLUGIN_LOG_DEBUG = 3
} nh_plugin_log_level_t;

/* How a platform's configuration is written, for diffs and section parsing. */
typedef enum {
  NH_PLUGIN_DIALECT_INDENT = 0, /* IOS/EOS: a section is a line and the indented lines under it */
  NH_PLUGIN_DIALECT_BRACES = 1, /* Junos text form: `name { ... }`, statements end in ';' */
  NH_PLUGIN_DIALECT_SET = 2     /* Junos `display set` form: flat `set a b c` lines */
} nh_plugin_config_dialect_t;

/* How a platform undoes a configuration change. */
typedef enum {
  NH_PLUGIN_ROLLBACK_NONE = 0,
  /* Save a checkpoint (checkpoint_command, "%s" = file name), later replace the running
   * config with it (rollback_command, "%s" = the same name). IOS: `copy running-config
   * flash:X` / `configure replace flash:X force`. */
  NH_PLUGIN_ROLLBACK_REPLACE = 1,
  /* The device keeps numbered commits: rollback_command ("%d" = how many commits back)
   * in config mode, then commit_command. Junos: `rollback 1` + `commit`. */
  NH_PLUGIN_ROLLBACK_COMMIT = 2,
  /* Changes go through a named config session that can be aborted before commit, and a
   * checkpoint can be replaced like ROLLBACK_REPLACE. EOS: `configure session X`,
   * `abort`/`commit`; `configure replace flash:X`. */
  NH_PLUGIN_ROLLBACK_SESSION = 3
} nh_plugin_rollback_t;

/* A platform driver: everything the SSH interactive shell needs to drive a device CLI.
 * Patterns are PCRE2 regular expressions (UTF). Prompt, paging, password and confirmation
 * patterns are matched against the last line of the output received so far (without its
 * line terminator), so `^...$` anchors that line: "^[\\w.-]+[>#]\\s*$". Error patterns
 * are matched against each line of a command's output. Lists are
 * NULL-terminated arrays of strings; a NULL list is empty. Every string is copied at
 * registration. Unset (NULL/0) fields mean "this platform has no such thing". */
typedef struct nh_plugin_platform_s {
  size_t size;                          /* sizeof(nh_plugin_platform_t) as the plugin saw it */
  const char *name;                     /* canonical name, e.g. "cisco_ios" */
  const char *const *aliases;           /* other names: "ios", "cisco.ios.ios", ... */
  const char *description;              /* one line for `nethost plugins` */
  const char *prompt_pattern;           /* any prompt: user, privileged, config modes */
  const char *const *on_open;           /* commands sent after login: paging off, width */
  const char *const *paging_patterns;   /* "more" markers answered with a space */
  const char *enable_command;           /* "enable"; NULL if there is no privilege level */
  const char *enable_password_pattern;  /* "[Pp]assword:\\s*$" */
  const char *privileged_pattern;       /* a prompt matching this is privileged ("#\\s*$") */
  const char *config_enter;             /* "configure terminal" */
  const char *config_exit;              /* "end" */
  const char *config_prompt_pattern;    /* a prompt matching this is in config mode */
  const char *save_command;             /* "copy running-config startup-config"; NULL: none */
  const char *commit_command;           /* "commit" where changes need a commit */
  const char *commit_confirmed_command; /* "%d" = minutes: "commit confirmed %d" */
  const char *const *error_patterns;    /* output lines meaning the command failed */
  const char *const *confirm_patterns;  /* prompts that want a confirmation: "\\[confirm\\]" */
  const char *confirm_response;         /* what to answer them with ("" = just Enter) */
  nh_plugin_rollback_t rollback_method;
  const char *checkpoint_command; /* see nh_plugin_rollback_t */
  const char *rollback_command;   /* see nh_plugin_rollback_t */
  nh_plugin_config_dialect_t config_dialect;
  const char *show_config_command; /* "show running-config" / "show configuration" */
  /* --- ABI 1.1 --- */
  /* Lines of show_config_command's output that change while the configuration does not
   * (timestamps, byte counts, "ntp clock-period"): ignored when two configurations are
   * compared. Matched against each line; blank lines are always ignored. */
  const char *const *volatile_patterns;
  /* --- ABI 1.2 --- */
  /* The device's file system, for file transfers (playbooks/upload.lua). A platform that
   * leaves these unset gets no free-space check and is verified by reading the copy back. */
  /* Where a file goes when a playbook names only the file: the name is appended as it is.
   * "flash:" (IOS, EOS), "/var/tmp/" (Junos). */
  const char *file_default_dir;
  /* The command that shows the free space of the file system a path is on. "%s", if
   * present, is replaced by the path's folder: the path up to its last '/' or, without one,
   * up to its first ':' ("flash:" for "flash:image.bin"), both included. "dir %s" (IOS),
   * "show system storage" (Junos). */
  const char *file_free_command;
  /* Reads the free bytes of the file system `path` is on from file_free_command's output
   * (text is NUL-terminated, len excludes the NUL). Returns NH_PLUGIN_OK with *free_bytes
   * set, or NH_PLUGIN_EPARSE. Runs on the loop thread; must not keep pointers into text. */
  int (*file_free_parse)(const char *text, size_t len, const char *path, uint64_t *free_bytes);
  /* The command that prints a file's digest, "%s" = the file's path ("verify /sha512 %s"),
   * and the digest it prints: "md5", "sha1", "sha256" or "sha512". Both or neither. */
  const char *file_checksum_command;
  const char *file_checksum_algorithm;
  /* Optional: reads the digest from file_checksum_command's output into hex (lower case,
   * NUL-terminated, hexsz bytes available). Returns NH_PLUGIN_OK or NH_PLUGIN_EPARSE. When
   * NULL, nethost takes the only run of hex digits of the algorithm's digest length. */
  int (*file_checksum_parse)(const char *text, size_t len, char *hex, size_t hexsz);
} nh_plugin_platform_t;

/* A parser: turns the text a command printed into a value tree. text is NUL-terminated
 * (len excludes the NUL) and may contain anything, including NUL bytes and invalid UTF-8.
 * On success, return 0 and store the root in *out (empty output that legitimately means
 * "nothing" is an empty list, not an error). On failure, call host->parse_error(p, ...)
 * with a reason, free what you built, and return NH_PLUGIN_EPARSE (or NH_PLUGIN_ENOMEM).
 * A parser must run in time linear-ish in len and must not keep pointers into text.
 *
 * Threads: large outputs are parsed on a worker thread of nethost's thread pool, several
 * at once, so a parser (and a parser source's parse callback) must be reentrant: no
 * unsynchronised mutable global state. From a parser, call only the value builder,
 * parse_error and the memory functions; registration and logging belong to the entry
 * point and the loop thread. resolve() and each() always run on the loop thread. */
typedef int (*nh_plugin_parse_fn)(const nh_plugin_host_t *host, nh_plugin_parse_t *p,
                                  const char *text, size_t len, nh_plugin_value_t **out, void *ud);

/* A parser source: a fallback resolver the registry asks when no registered parser matches
 * (platform, command). The TextFSM plugin registers its template index this way.
 *
 * Lookup order in nethost: (1) parsers registered with register_parser for the platform,
 * matched by command abbreviation; (2) parser sources, in load order, each given the
 * platform's canonical name (aliases already resolved; an unknown platform name is passed
 * as given, lower-cased) and the command exactly as the user typed it — the source does its
 * own abbreviation matching. The first source whose resolve() returns 1 parses. */
typedef struct nh_plugin_parser_source_s {
  size_t size;      /* sizeof(nh_plugin_parser_source_t) as the plugin saw it */
  const char *name; /* "textfsm": shown by `nethost plugins` and in errors */
  void *ud;         /* passed to every callback below */
  /* Returns 1 if this source can parse (platform, command), 0 if not. When it returns 1
   * and what is not NULL, it may write a short description of the parser that will run
   * (e.g. the template file name) into what[0..what_len), NUL-terminated. */
  int (*resolve)(void *ud, const char *platform, const char *command, char *what, size_t what_len);
  /* Parses as nh_plugin_parse_fn does. Called only after resolve() returned 1 for the
   * same (platform, command). May return NH_PLUGIN_ENOPARSER after all. */
  int (*parse)(void *ud, const nh_plugin_host_t *host, nh_plugin_parse_t *p, const char *platform,
               const char *command, const char *text, size_t len, nh_plugin_value_t **out);
  /* Optional: calls fn once per (platform, command, detail) this source knows, for
   * `nethost plugins`. */
  void (*each)(void *ud,
               void (*fn)(void *arg, const char *platform, const char *command, const char *detail),
               void *arg);
} nh_plugin_parser_source_t;

/* The host function table. Never copied by the plugin: keep the pointer (valid until the
 * plugin is unloaded). */
struct nh_plugin_host_s {
  /* --- frozen across all ABI majors --- */
  uint32_t abi_version; /* NH_PLUGIN_ABI_VERSION of the host */
  uint32_t size;        /* sizeof(nh_plugin_host_t) of the host */
  /* Declares the plugin: the ABI version it was built for, its name ([a-z0-9_]+) and its
   * version. Must be the first call. Returns 0, or NH_PLUGIN_EABI when the ABI major
   * differs (the entry must then return that code), or NH_PLUGIN_EINVAL. */
  int (*declare)(nh_plugin_t *self, uint32_t abi_version, const char *name, const char *version);

  /* --- ABI 1.0 --- */
  /* Logging, attributed to the plugin. */
  void (*log)(nh_plugin_t *self, nh_plugin_log_level_t level, const char *fmt, ...)
      NH_PLUGIN_PRINTF(3, 4);
  void (*vlog)(nh_plugin_t *self, nh_plugin_log_level_t level, const char *fmt, va_list ap);

  /* Memory from nethost's allocator. free(NULL) is a no-op. */
  void *(*alloc)(size_t size);
  void *(*calloc)(size_t n, size_t size);
  void *(*realloc)(void *ptr, size_t size);
  void (*free)(void *ptr);
  char *(*strdup)(const char *s);

  /* Registration. Returns 0, NH_PLUGIN_EDUPLICATE when the name (or an alias) is taken
   * (the host logs both files), NH_PLUGIN_EINVAL, or NH_PLUGIN_ENOMEM. */
  int (*register_platform)(nh_plugin_t *self, const nh_plugin_platform_t *platform);
  /* Registers a parser for (platform, command). platform is a canonical name or alias of
   * any plugin's platform (or a name no plugin defines yet). command is written in full,
   * lower case, words separated by single spaces ("show ip interface brief"); users may
   * abbreviate every word as on the device ("sh ip int br"). A final word "*" accepts any
   * further arguments ("show interfaces *" parses "show interfaces Gi0/1"); an exact
   * pattern wins over a "*" one. ud is passed to fn. */
  int (*register_parser)(nh_plugin_t *self, const char *platform, const char *command,
                         nh_plugin_parse_fn fn, void *ud);
  /* Registers a fallback resolver; the descriptor is copied, ud is the plugin's. */
  int (*register_parser_source)(nh_plugin_t *self, const nh_plugin_parser_source_t *source);
  /* fn(ud) runs when the plugin is unloaded or rolled back, in reverse order. */
  int (*on_unload)(nh_plugin_t *self, void (*fn)(void *ud), void *ud);

  /* The value builder. Constructors return NULL when out of memory. */
  nh_plugin_value_t *(*value_null)(void);
  nh_plugin_value_t *(*value_bool)(int b);
  nh_plugin_value_t *(*value_int)(int64_t i);
  nh_plugin_value_t *(*value_float)(double d);
  nh_plugin_value_t *(*value_string)(const char *s, size_t len); /* copied */
  nh_plugin_value_t *(*value_list)(void);
  nh_plugin_value_t *(*value_map)(void); /* keeps insertion order */
  /* Take ownership of v (freed on failure). Setting an existing key replaces its value in
   * place. Return 0, NH_PLUGIN_ENOMEM or NH_PLUGIN_EINVAL (NULL or wrong container). */
  int (*map_set)(nh_plugin_value_t *map, const char *key, nh_plugin_value_t *v);
  int (*list_push)(nh_plugin_value_t *list, nh_plugin_value_t *v);
  size_t (*value_len)(const nh_plugin_value_t *v); /* items of a list/map, bytes of a string */
  void (*value_free)(nh_plugin_value_t *v);

  /* Records why a parse failed (shown to the user with the platform and command). line is
   * the 1-based input line the problem is on, or 0. Always returns NH_PLUGIN_EPARSE. */
  int (*parse_error)(nh_plugin_parse_t *p, int line, const char *fmt, ...) NH_PLUGIN_PRINTF(3, 4);
};

/* Whether the host table has member `field` (it may be older than the plugin's header). */
#define NH_PLUGIN_HAS(host, field) \
  ((host)->size >= offsetof(nh_plugin_host_t, field) + sizeof(((nh_plugin_host_t *)0)->field))

/* The first statement of every nh_plugin_entry. */
#define NH_PLUGIN_DECLARE(host, self, name, version)                                               \
  do {                                                                                             \
    int nh_plugin_declare_rc_ = (host)->declare((self), NH_PLUGIN_ABI_VERSION, (name), (version)); \
    if (nh_plugin_declare_rc_ < 0) return nh_plugin_declare_rc_;                                   \
  } while (0)

/* The PTY width (columns) nethost's shell asks for unless a playbook chooses another. A
 * platform whose CLI wraps long lines sets its terminal to the same width in `on_open`, e.g.
 * "terminal width " NH_PLUGIN_SHELL_WIDTH_STR. */
#define NH_PLUGIN_SHELL_WIDTH     511
#define NH_PLUGIN_SHELL_WIDTH_STR "511"

/* The entry point every plugin defines (and the only symbol it exports). */
NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self);

/* Builder shorthands: map[key] = a string / integer / ... . Return 0 or a negative code. */
static inline int nh_plugin_set_strn(const nh_plugin_host_t *h, nh_plugin_value_t *map,
                                     const char *key, const char *s, size_t len) {
  return h->map_set(map, key, h->value_string(s, len));
}
static inline int nh_plugin_set_str(const nh_plugin_host_t *h, nh_plugin_value_t *map,
                                    const char *key, const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return h->map_set(map, key, h->value_string(s, n));
}
static inline int nh_plugin_set_int(const nh_plugin_host_t *h, nh_plugin_value_t *map,
                                    const char *key, int64_t i) {
  return h->map_set(map, key, h->value_int(i));
}
static inline int nh_plugin_set_bool(const nh_plugin_host_t *h, nh_plugin_value_t *map,
                                     const char *key, int b) {
  return h->map_set(map, key, h->value_bool(b));
}

#ifdef __cplusplus
}
#endif

#endif
