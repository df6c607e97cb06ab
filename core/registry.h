/* nethost core: the registry of platforms and parsers that plugins provide.
 *
 * Process-wide: plugins are loaded once per process (core/plugin_loader.h) and the loader
 * registers here what they provide through the plugin ABI (plugins/include/nethost/plugin.h). The
 * registry depends on nothing of the loader: each entry keeps the registrant it was given.
 * Everything registered is copied, and removed again when its plugin is unloaded or rolled back.
 * Lookups are by canonical name or alias; parsers are found by (platform, command) with the
 * device's abbreviation rules, then through parser sources (fallback resolvers such as the TextFSM
 * template index).
 */
#ifndef NH_REGISTRY_H
#define NH_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "nethost/plugin.h"
#include "pattern.h"
#include "value.h"

typedef struct nh_plugin_s nh_plugin_t;

/* One parser call: where the host's parse_error() puts its reason. The registry makes one
 * per call and reads it back; the host table (core/plugin_loader.c) writes it. */
struct nh_plugin_parse_s {
  int failed;
  int line;
  char msg[480];
};

/* Who registers an entry, as the registry keeps it: the plugin (compared on removal and
 * handed back in listings, never read here), the name messages use for it (its file), and
 * the host table its parsers are called with. The loader fills one per registration; who
 * and plugin must stay valid until nh__registry_remove_owner(plugin). */
typedef struct nh_registrant_s {
  const nh_plugin_t *plugin;
  const char *who;
  const nh_plugin_host_t *host;
} nh_registrant_t;

/* A platform driver's patterns, compiled once at registration with NH_PATTERN_LINES (they
 * are matched against the shell's receive buffer). The prompt is the plugin's prompt
 * anchored at the end of the buffer (nh_pattern_prompt_at_end). Lists are NULL-terminated
 * and never NULL; absent patterns are NULL. */
typedef struct nh_platform_patterns_s {
  nh_pattern_t *prompt;
  nh_pattern_t *enable_password;
  nh_pattern_t *privileged;
  nh_pattern_t *config_prompt;
  nh_pattern_t **paging;
  nh_pattern_t **errors;
  nh_pattern_t **confirm;
  nh_pattern_t **volatile_lines;
} nh_platform_patterns_t;

/* A platform driver, as registered (see nh_plugin_platform_t in nethost/plugin.h for the
 * meaning of each field). Strings are owned by the registry; lists are NULL-terminated and
 * never NULL themselves (an absent list is an empty one); absent strings are NULL. Valid
 * until the owning plugin is unloaded (nh_plugin_unload_all). */
typedef struct nh_platform_s {
  char *name;
  char **aliases;
  char *description;
  char *prompt_pattern;
  char **on_open;
  char **paging_patterns;
  char *enable_command;
  char *enable_password_pattern;
  char *privileged_pattern;
  char *config_enter;
  char *config_exit;
  char *config_prompt_pattern;
  char *save_command;
  char *commit_command;
  char *commit_confirmed_command;
  char **error_patterns;
  char **confirm_patterns;
  char *confirm_response;
  nh_plugin_rollback_t rollback_method;
  char *checkpoint_command;
  char *rollback_command;
  nh_plugin_config_dialect_t config_dialect;
  char *show_config_command;
  char **volatile_patterns;
  /* ABI 1.2: the device's file system (see core/platform_file.h). */
  char *file_default_dir;
  char *file_free_command;
  int (*file_free_parse)(const char *text, size_t len, const char *path, uint64_t *free_bytes);
  char *file_checksum_command;
  char *file_checksum_algorithm;
  int (*file_checksum_parse)(const char *text, size_t len, char *hex, size_t hexsz);
  nh_platform_patterns_t patterns; /* the pattern fields above, compiled */
  const nh_plugin_t *owner;        /* the plugin that registered it (NULL: built in) */
  const char *owner_file;          /* its file, for messages ("(built in)") */
} nh_platform_t;

/* The platform whose name or alias is name_or_alias (case-insensitive), or NULL. */
const nh_platform_t *nh_registry_platform(const char *name_or_alias);

/* The canonical name for name_or_alias: the platform's name if one is registered, else
 * NULL. */
const char *nh_registry_platform_name(const char *name_or_alias);

/* What a lookup found: a registered parser, or a parser source that resolved. */
typedef struct nh_parser_match_s {
  const char *platform; /* canonical platform name the parser is registered for */
  const char *command;  /* the registered command pattern, or the command as given */
  const char *source;   /* NULL for a registered parser, else the source's name */
  const nh_plugin_t *owner;
  char detail[256]; /* the source's description of what will parse ("" if none) */
} nh_parser_match_t;

/* Finds the parser for (platform, command). Returns 0 and fills *m, NH_ENOPARSER when
 * nothing matches, or NH_EINVAL (message in *errmsg, malloc'd, caller frees; may be NULL)
 * when an abbreviation is ambiguous. */
int nh_registry_find_parser(const char *platform, const char *command, nh_parser_match_t *m,
                            char **errmsg);

/* Parses text (len bytes; text[len] must be '\0') as the output of command on platform.
 * Returns 0 and a value tree in *out (the caller frees it with nh_value_free), or a
 * negative code: NH_ENOPARSER, NH_EPARSE, NH_ENOMEM, NH_EINVAL. On failure *errmsg (if
 * errmsg is not NULL) receives a malloc'd reason the caller frees, e.g. "line 3: expected
 * an interface name". */
int nh_registry_parse(const char *platform, const char *command, const char *text, size_t len,
                      nh_value_t **out, char **errmsg);

/* A resolved parser, ready to run anywhere (see core/parse_job.h): the registry is only
 * read while resolving, on the loop thread; the call itself touches no registry state. */
typedef struct nh_parser_call_s {
  char *platform;        /* canonical, owned */
  char *command;         /* as typed, owned */
  nh_plugin_parse_fn fn; /* a registered parser, or */
  int (*source_parse)(void *ud, const nh_plugin_host_t *host, nh_plugin_parse_t *p,
                      const char *platform, const char *command, const char *text, size_t len,
                      nh_plugin_value_t **out); /* a parser source's */
  void *ud;
  const nh_plugin_host_t *host; /* the host table it was registered with */
} nh_parser_call_t;

/* Resolves (platform, command) as nh_registry_parse does. 0 and a call to free with
 * nh__parser_call_free, or the codes of nh_registry_find_parser. */
int nh__registry_resolve(const char *platform, const char *command, nh_parser_call_t *call,
                         char **errmsg);
/* Runs a resolved parser; results as nh_registry_parse. Safe on any thread. */
int nh__registry_call(const nh_parser_call_t *call, const char *text, size_t len, nh_value_t **out,
                      char **errmsg);
void nh__parser_call_free(nh_parser_call_t *call);

/* Iteration for listings (`nethost plugins`), in registration order. */
typedef void (*nh_registry_platform_cb)(void *arg, const nh_platform_t *platform);
typedef void (*nh_registry_parser_cb)(void *arg, const char *platform, const char *command,
                                      const char *source, const char *detail,
                                      const nh_plugin_t *owner);
void nh_registry_each_platform(nh_registry_platform_cb cb, void *arg);
/* Registered parsers (source NULL), then each source's entries when it can list them. */
void nh_registry_each_parser(nh_registry_parser_cb cb, void *arg);

/* Whether `typed` abbreviates `pattern` as a device CLI accepts it: same number of words
 * (or more, when pattern ends in "*"), each typed word a case-insensitive prefix of the
 * pattern's word. Returns -1 for no match, else a score (higher is a better match).
 * Exposed for tests and for parser sources that want the same rules. */
int nh_registry_command_match(const char *pattern, const char *typed);

/* Registration, used by the plugin loader on behalf of a plugin (by may be NULL for a
 * platform registered by a test: "(built in)"; parsers and sources need a host table).
 * Return 0 or NH_EDUPLICATE / NH_EINVAL / NH_ENOMEM; a duplicate is logged with both files
 * (core/plugin_log.h). */
int nh__registry_add_platform(const nh_registrant_t *by, const nh_plugin_platform_t *desc);
int nh__registry_add_parser(const nh_registrant_t *by, const char *platform, const char *command,
                            nh_plugin_parse_fn fn, void *ud);
int nh__registry_add_source(const nh_registrant_t *by, const nh_plugin_parser_source_t *src);
/* Removes everything owner registered. */
void nh__registry_remove_owner(const nh_plugin_t *owner);
/* Removes everything (tests, process exit). */
void nh__registry_clear(void);

#endif
