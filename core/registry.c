/* nethost core: the registry of platforms, parsers and parser sources. */
#include "registry.h"
#include "error.h"
#include "digest.h"
#include "plugin_log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
  char *platform; /* canonical name when known at registration, else as given (lower) */
  char *command;  /* normalised pattern: lower case, single spaces */
  nh_plugin_parse_fn fn;
  void *ud;
  nh_registrant_t by;
} parser_t;

typedef struct {
  nh_plugin_parser_source_t src; /* copied; fields beyond the plugin's size are zero */
  char *name;
  nh_registrant_t by;
} source_t;

static struct {
  nh_platform_t **platforms;
  size_t nplatforms;
  parser_t *parsers;
  size_t nparsers;
  source_t *sources;
  size_t nsources;
} reg;

/* The registrant kept with an entry; NULL (a test's platform) stands for "built in". */
static nh_registrant_t registrant(const nh_registrant_t *by) {
  nh_registrant_t none = {.plugin = NULL, .who = "(built in)", .host = NULL};
  return by ? *by : none;
}

/* The descriptor's strings and string lists the registry keeps a copy of, each a field of
 * the same name in nh_plugin_platform_t and nh_platform_t. Copying and freeing go through
 * these lists, so a new ABI field is named once here. */
#define PLATFORM_STRINGS(X)   \
  X(name)                     \
  X(description)              \
  X(prompt_pattern)           \
  X(enable_command)           \
  X(enable_password_pattern)  \
  X(privileged_pattern)       \
  X(config_enter)             \
  X(config_exit)              \
  X(config_prompt_pattern)    \
  X(save_command)             \
  X(commit_command)           \
  X(commit_confirmed_command) \
  X(confirm_response)         \
  X(checkpoint_command)       \
  X(rollback_command)         \
  X(show_config_command)      \
  X(file_default_dir)         \
  X(file_free_command)        \
  X(file_checksum_command)    \
  X(file_checksum_algorithm)
#define PLATFORM_LISTS(X) \
  X(aliases)              \
  X(on_open)              \
  X(paging_patterns)      \
  X(error_patterns)       \
  X(confirm_patterns)     \
  X(volatile_patterns)

/* The patterns compiled at registration: the descriptor's field and its slot in
 * nh_platform_patterns_t (the prompt, anchored first, is compiled apart). */
#define PLATFORM_PATTERNS(X)                  \
  X(enable_password_pattern, enable_password) \
  X(privileged_pattern, privileged)           \
  X(config_prompt_pattern, config_prompt)
#define PLATFORM_PATTERN_LISTS(X) \
  X(paging_patterns, paging)      \
  X(error_patterns, errors)       \
  X(confirm_patterns, confirm)    \
  X(volatile_patterns, volatile_lines)

/* Copies a NULL-terminated list; an absent list becomes an empty one. */
static char **dup_list(const char *const *list, int *failed) {
  size_t n = 0, i;
  char **copy;
  while (list && list[n]) n++;
  if (!(copy = calloc(n + 1, sizeof(*copy)))) {
    *failed = 1;
    return NULL;
  }
  for (i = 0; i < n; i++) {
    if (!(copy[i] = strdup(list[i]))) *failed = 1;
  }
  return copy;
}

static void free_list(char **list) {
  size_t i;
  if (!list) return;
  for (i = 0; list[i]; i++) free(list[i]);
  free(list);
}

static void free_patterns(nh_pattern_t **list) {
  size_t i;
  if (!list) return;
  for (i = 0; list[i]; i++) nh_pattern_free(list[i]);
  free(list);
}

static void free_platform(nh_platform_t *p) {
  if (!p) return;
  nh_pattern_free(p->patterns.prompt);
#define FREE_PATTERN(field, slot)      nh_pattern_free(p->patterns.slot);
#define FREE_PATTERN_LIST(field, slot) free_patterns(p->patterns.slot);
  PLATFORM_PATTERNS(FREE_PATTERN)
  PLATFORM_PATTERN_LISTS(FREE_PATTERN_LIST)
#define FREE_STRING(field) free(p->field);
#define FREE_LIST(field)   free_list(p->field);
  PLATFORM_STRINGS(FREE_STRING)
  PLATFORM_LISTS(FREE_LIST)
#undef FREE_PATTERN
#undef FREE_PATTERN_LIST
#undef FREE_STRING
#undef FREE_LIST
  free(p);
}

static int name_matches(const nh_platform_t *p, const char *name) {
  size_t i;
  if (strcasecmp(p->name, name) == 0) return 1;
  for (i = 0; p->aliases[i]; i++) {
    if (strcasecmp(p->aliases[i], name) == 0) return 1;
  }
  return 0;
}

const nh_platform_t *nh_registry_platform(const char *name_or_alias) {
  size_t i;
  if (!name_or_alias) return NULL;
  for (i = 0; i < reg.nplatforms; i++) {
    if (name_matches(reg.platforms[i], name_or_alias)) return reg.platforms[i];
  }
  return NULL;
}

const char *nh_registry_platform_name(const char *name_or_alias) {
  const nh_platform_t *p = nh_registry_platform(name_or_alias);
  return p ? p->name : NULL;
}

static int valid_name(const char *s) {
  if (!s || !*s) return 0;
  for (; *s; s++) {
    if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s)) return 0;
  }
  return 1;
}

/* Compiles one of a platform's patterns into *out (NULL stays NULL); logs why it does not
 * compile. A plugin with a broken pattern fails at load, naming it, instead of in the middle
 * of a run's SSH session. */
static int compile_one(const char *who, const char *platform, const char *field,
                       const char *pattern, nh_pattern_t **out) {
  char why[240];
  int rc;
  *out = NULL;
  if (!pattern) return 0;
  rc = nh_pattern_compile(pattern, strlen(pattern), NH_PATTERN_LINES, out, why, sizeof(why));
  if (rc == NH_EINVAL)
    nh__plugin_log(NH_PLUGIN_LOG_ERROR, who,
                   "platform %s: %s '%s' is not a valid PCRE2 pattern (%s)", platform, field,
                   pattern, why);
  return rc;
}

/* Compiles a NULL-terminated list (NULL: empty) into a NULL-terminated array. */
static int compile_list(const char *who, const char *platform, const char *field,
                        const char *const *list, nh_pattern_t ***out) {
  size_t n = 0, i;
  int rc;
  while (list && list[n]) n++;
  if (!(*out = calloc(n + 1, sizeof(**out)))) return NH_ENOMEM;
  for (i = 0; i < n; i++) {
    if ((rc = compile_one(who, platform, field, list[i], &(*out)[i])) < 0) return rc;
  }
  return 0;
}

/* Compiles every pattern of d into p->patterns; what was compiled before a failure is freed
 * with the platform. */
static int compile_patterns(const char *who, const nh_plugin_platform_t *d, nh_platform_t *p) {
  nh_platform_patterns_t *pp = &p->patterns;
  char *prompt = NULL;
  int rc;
  if (d->prompt_pattern && !(prompt = nh_pattern_prompt_at_end(d->prompt_pattern)))
    return NH_ENOMEM;
  rc = compile_one(who, d->name, "prompt_pattern", prompt, &pp->prompt);
  free(prompt);
#define COMPILE_PATTERN(field, slot) \
  if (rc >= 0) rc = compile_one(who, d->name, #field, d->field, &pp->slot);
#define COMPILE_PATTERN_LIST(field, slot) \
  if (rc >= 0) rc = compile_list(who, d->name, #field, d->field, &pp->slot);
  PLATFORM_PATTERNS(COMPILE_PATTERN)
  PLATFORM_PATTERN_LISTS(COMPILE_PATTERN_LIST)
#undef COMPILE_PATTERN
#undef COMPILE_PATTERN_LIST
  return rc < 0 ? rc : 0;
}

/* Checks the file-system fields (ABI 1.2) of a descriptor: the free-space command needs
 * its parser, the checksum command its algorithm (a known one) and the other way round. */
static int check_file_fields(const nh_plugin_platform_t *d, const char **why) {
  if (!d->file_free_command != !d->file_free_parse) {
    *why = "file_free_command and file_free_parse go together";
    return NH_EINVAL;
  }
  if (!d->file_checksum_command != !d->file_checksum_algorithm) {
    *why = "file_checksum_command and file_checksum_algorithm go together";
    return NH_EINVAL;
  }
  if (d->file_checksum_algorithm && !nh_digest_hex_len(d->file_checksum_algorithm)) {
    *why = "file_checksum_algorithm must be md5, sha1, sha256 or sha512";
    return NH_EINVAL;
  }
  if (d->file_checksum_parse && !d->file_checksum_command) {
    *why = "file_checksum_parse needs file_checksum_command";
    return NH_EINVAL;
  }
  return 0;
}

int nh__registry_add_platform(const nh_registrant_t *registering, const nh_plugin_platform_t *d) {
  nh_registrant_t by = registrant(registering);
  nh_platform_t *p, **grown;
  nh_plugin_platform_t desc;
  const nh_platform_t *clash;
  const char *why;
  int failed = 0, rc;
  size_t i;
  if (!d || d->size < offsetof(nh_plugin_platform_t, aliases) + sizeof(d->aliases) ||
      !valid_name(d->name))
    return NH_EINVAL;
  /* Read only the fields the plugin's struct has; newer ones stay zero. */
  memset(&desc, 0, sizeof(desc));
  memcpy(&desc, d, d->size < sizeof(desc) ? d->size : sizeof(desc));
  if (check_file_fields(&desc, &why) < 0) {
    nh__plugin_log(NH_PLUGIN_LOG_ERROR, by.who, "platform %s: %s", desc.name, why);
    return NH_EINVAL;
  }
  if ((clash = nh_registry_platform(desc.name)) != NULL) {
    nh__plugin_log(NH_PLUGIN_LOG_ERROR, by.who, "platform '%s' is already defined by %s", desc.name,
                   clash->owner_file);
    return NH_EDUPLICATE;
  }
  for (i = 0; desc.aliases && desc.aliases[i]; i++) {
    if (!valid_name(desc.aliases[i])) return NH_EINVAL;
    if ((clash = nh_registry_platform(desc.aliases[i])) != NULL) {
      nh__plugin_log(NH_PLUGIN_LOG_ERROR, by.who,
                     "platform alias '%s' (of %s) is already taken by platform '%s' of %s",
                     desc.aliases[i], desc.name, clash->name, clash->owner_file);
      return NH_EDUPLICATE;
    }
  }
  if (!(p = calloc(1, sizeof(*p)))) return NH_ENOMEM;
  if ((rc = compile_patterns(by.who, &desc, p)) < 0) {
    free_platform(p);
    return rc;
  }
  p->owner = by.plugin;
  p->owner_file = by.who;
#define COPY_STRING(field) \
  if (desc.field && !(p->field = strdup(desc.field))) failed = 1;
#define COPY_LIST(field) p->field = dup_list(desc.field, &failed);
  PLATFORM_STRINGS(COPY_STRING)
  PLATFORM_LISTS(COPY_LIST)
#undef COPY_STRING
#undef COPY_LIST
  p->rollback_method = desc.rollback_method;
  p->config_dialect = desc.config_dialect;
  p->file_free_parse = desc.file_free_parse;
  p->file_checksum_parse = desc.file_checksum_parse;
  if (failed || !(grown = realloc(reg.platforms, (reg.nplatforms + 1) * sizeof(*grown)))) {
    free_platform(p);
    return NH_ENOMEM;
  }
  reg.platforms = grown;
  reg.platforms[reg.nplatforms++] = p;
  return 0;
}

/* Lower-cases and collapses whitespace; NULL when out of memory. */
static char *normalise_command(const char *s) {
  char *out = malloc(strlen(s) + 1), *o = out;
  int space = 0;
  if (!out) return NULL;
  while (isspace((unsigned char)*s)) s++;
  for (; *s; s++) {
    if (isspace((unsigned char)*s)) {
      space = 1;
      continue;
    }
    if (space && o != out) *o++ = ' ';
    space = 0;
    *o++ = (char)tolower((unsigned char)*s);
  }
  *o = '\0';
  return out;
}

/* The canonical name a parser for `platform` is filed under. */
static char *parser_platform(const char *platform) {
  const char *canon = nh_registry_platform_name(platform);
  return normalise_command(canon ? canon : platform);
}

int nh__registry_add_parser(const nh_registrant_t *by, const char *platform, const char *command,
                            nh_plugin_parse_fn fn, void *ud) {
  parser_t p, *grown;
  size_t i;
  if (!by || !by->host || !valid_name(platform) || !command || !fn) return NH_EINVAL;
  p.platform = parser_platform(platform);
  p.command = normalise_command(command);
  p.fn = fn;
  p.ud = ud;
  p.by = *by;
  if (!p.platform || !p.command) goto nomem;
  if (!*p.command) {
    free(p.platform);
    free(p.command);
    return NH_EINVAL;
  }
  for (i = 0; i < reg.nparsers; i++) {
    if (strcmp(reg.parsers[i].platform, p.platform) == 0 &&
        strcmp(reg.parsers[i].command, p.command) == 0) {
      nh__plugin_log(NH_PLUGIN_LOG_ERROR, by->who,
                     "parser '%s' for platform %s is already defined by %s", p.command, p.platform,
                     reg.parsers[i].by.who);
      free(p.platform);
      free(p.command);
      return NH_EDUPLICATE;
    }
  }
  if (!(grown = realloc(reg.parsers, (reg.nparsers + 1) * sizeof(*grown)))) goto nomem;
  reg.parsers = grown;
  reg.parsers[reg.nparsers++] = p;
  return 0;
nomem:
  free(p.platform);
  free(p.command);
  return NH_ENOMEM;
}

int nh__registry_add_source(const nh_registrant_t *by, const nh_plugin_parser_source_t *s) {
  source_t src, *grown;
  size_t i;
  if (!by || !by->host || !s || s->size < offsetof(nh_plugin_parser_source_t, each) ||
      !valid_name(s->name) || !s->resolve || !s->parse)
    return NH_EINVAL;
  memset(&src, 0, sizeof(src));
  memcpy(&src.src, s, s->size < sizeof(src.src) ? s->size : sizeof(src.src));
  for (i = 0; i < reg.nsources; i++) {
    if (strcmp(reg.sources[i].name, s->name) == 0) {
      nh__plugin_log(NH_PLUGIN_LOG_ERROR, by->who, "parser source '%s' is already defined by %s",
                     s->name, reg.sources[i].by.who);
      return NH_EDUPLICATE;
    }
  }
  if (!(src.name = strdup(s->name))) return NH_ENOMEM;
  src.src.name = src.name;
  src.by = *by;
  if (!(grown = realloc(reg.sources, (reg.nsources + 1) * sizeof(*grown)))) {
    free(src.name);
    return NH_ENOMEM;
  }
  reg.sources = grown;
  reg.sources[reg.nsources++] = src;
  return 0;
}

void nh__registry_remove_owner(const nh_plugin_t *owner) {
  size_t i, j;
  for (i = j = 0; i < reg.nplatforms; i++) {
    if (reg.platforms[i]->owner == owner)
      free_platform(reg.platforms[i]);
    else
      reg.platforms[j++] = reg.platforms[i];
  }
  reg.nplatforms = j;
  for (i = j = 0; i < reg.nparsers; i++) {
    if (reg.parsers[i].by.plugin == owner) {
      free(reg.parsers[i].platform);
      free(reg.parsers[i].command);
    } else {
      reg.parsers[j++] = reg.parsers[i];
    }
  }
  reg.nparsers = j;
  for (i = j = 0; i < reg.nsources; i++) {
    if (reg.sources[i].by.plugin == owner)
      free(reg.sources[i].name);
    else
      reg.sources[j++] = reg.sources[i];
  }
  reg.nsources = j;
}

void nh__registry_clear(void) {
  size_t i;
  for (i = 0; i < reg.nplatforms; i++) free_platform(reg.platforms[i]);
  for (i = 0; i < reg.nparsers; i++) {
    free(reg.parsers[i].platform);
    free(reg.parsers[i].command);
  }
  for (i = 0; i < reg.nsources; i++) free(reg.sources[i].name);
  free(reg.platforms);
  free(reg.parsers);
  free(reg.sources);
  memset(&reg, 0, sizeof(reg));
}

/* Next word of s: sets *w and *n, returns the rest, or NULL at the end. */
static const char *next_word(const char *s, const char **w, size_t *n) {
  while (*s && isspace((unsigned char)*s)) s++;
  if (!*s) return NULL;
  *w = s;
  while (*s && !isspace((unsigned char)*s)) s++;
  *n = (size_t)(s - *w);
  return s;
}

int nh_registry_command_match(const char *pattern, const char *typed) {
  const char *pw = NULL, *tw = NULL;
  size_t pn = 0, tn = 0;
  int score = 0;
  for (;;) {
    const char *prest = next_word(pattern, &pw, &pn);
    const char *trest = next_word(typed, &tw, &tn);
    if (prest && pn == 1 && *pw == '*' && !next_word(prest, &pw, &pn)) {
      /* A final "*" takes any further words; it ranks below every exact pattern. */
      return score;
    }
    if (!prest && !trest) return score + 10000;
    if (!prest || !trest) return -1;
    if (tn > pn || strncasecmp(pw, tw, tn) != 0) return -1;
    score += tn == pn ? 2 : 1; /* a full word is a better match than an abbreviation */
    pattern = prest;
    typed = trest;
  }
}

/* The best registered parser for (platform, command); NH_EINVAL when two tie. */
static int find_registered(const char *platform, const char *command, const parser_t **found,
                           char **errmsg) {
  const parser_t *best = NULL, *tie = NULL;
  int best_score = -1;
  size_t i;
  for (i = 0; i < reg.nparsers; i++) {
    const parser_t *p = &reg.parsers[i];
    int score;
    if (strcmp(p->platform, platform) != 0) continue;
    if ((score = nh_registry_command_match(p->command, command)) < 0) continue;
    if (score > best_score) {
      best = p;
      best_score = score;
      tie = NULL;
    } else if (score == best_score) {
      tie = p;
    }
  }
  if (!best) return NH_ENOPARSER;
  if (tie) {
    if (errmsg) {
      size_t n = strlen(command) + strlen(best->command) + strlen(tie->command) + 64;
      if ((*errmsg = malloc(n)) != NULL)
        snprintf(*errmsg, n, "ambiguous command '%s': '%s' or '%s'", command, best->command,
                 tie->command);
    }
    return NH_EINVAL;
  }
  *found = best;
  return 0;
}

int nh_registry_find_parser(const char *platform, const char *command, nh_parser_match_t *m,
                            char **errmsg) {
  const parser_t *p = NULL;
  char *canon;
  size_t i;
  int rc;
  if (errmsg) *errmsg = NULL;
  if (!platform || !command || !m) return NH_EINVAL;
  memset(m, 0, sizeof(*m));
  if (!(canon = parser_platform(platform))) return NH_ENOMEM;
  rc = find_registered(canon, command, &p, errmsg);
  if (rc == 0) {
    m->platform = p->platform;
    m->command = p->command;
    m->owner = p->by.plugin;
  } else if (rc == NH_ENOPARSER) {
    for (i = 0; i < reg.nsources; i++) {
      source_t *s = &reg.sources[i];
      m->detail[0] = '\0';
      if (s->src.resolve(s->src.ud, canon, command, m->detail, sizeof(m->detail)) == 1) {
        m->detail[sizeof(m->detail) - 1] = '\0';
        m->platform = nh_registry_platform_name(platform);
        m->command = NULL;
        m->source = s->name;
        m->owner = s->by.plugin;
        rc = 0;
        break;
      }
    }
    m->detail[sizeof(m->detail) - 1] = '\0';
  }
  free(canon);
  return rc;
}

static char *parse_message(const nh_plugin_parse_t *p) {
  char buf[512];
  if (!p->failed) return strdup("the parser failed without saying why");
  if (p->line > 0)
    snprintf(buf, sizeof(buf), "line %d: %s", p->line, p->msg);
  else
    snprintf(buf, sizeof(buf), "%s", p->msg);
  return strdup(buf);
}

int nh__registry_resolve(const char *platform, const char *command, nh_parser_call_t *call,
                         char **errmsg) {
  const parser_t *p = NULL;
  size_t i;
  int rc;
  if (errmsg) *errmsg = NULL;
  memset(call, 0, sizeof(*call));
  if (!platform || !command) return NH_EINVAL;
  if (!(call->platform = parser_platform(platform)) || !(call->command = strdup(command))) {
    nh__parser_call_free(call);
    return NH_ENOMEM;
  }
  rc = find_registered(call->platform, command, &p, errmsg);
  if (rc == 0) {
    call->fn = p->fn;
    call->ud = p->ud;
    call->host = p->by.host;
    return 0;
  }
  if (rc == NH_ENOPARSER) {
    for (i = 0; i < reg.nsources; i++) {
      source_t *s = &reg.sources[i];
      char what[8];
      if (s->src.resolve(s->src.ud, call->platform, command, what, sizeof(what)) != 1) continue;
      call->source_parse = s->src.parse;
      call->ud = s->src.ud;
      call->host = s->by.host;
      return 0;
    }
  }
  nh__parser_call_free(call);
  return rc;
}

void nh__parser_call_free(nh_parser_call_t *call) {
  free(call->platform);
  free(call->command);
  call->platform = call->command = NULL;
}

int nh__registry_call(const nh_parser_call_t *call, const char *text, size_t len, nh_value_t **out,
                      char **errmsg) {
  nh_plugin_parse_t ctx;
  nh_plugin_value_t *root = NULL;
  int rc;
  if (errmsg) *errmsg = NULL;
  *out = NULL;
  memset(&ctx, 0, sizeof(ctx));
  if (call->fn) {
    rc = call->fn(call->host, &ctx, text, len, &root, call->ud);
  } else if (call->source_parse) {
    rc = call->source_parse(call->ud, call->host, &ctx, call->platform, call->command, text, len,
                            &root);
  } else {
    return NH_EINVAL;
  }
  if (rc == 0 && !root) {
    rc = NH_EPARSE;
    if (!ctx.failed) snprintf(ctx.msg, sizeof(ctx.msg), "the parser returned nothing");
    ctx.failed = 1;
  }
  if (rc < 0) {
    nh_value_free((nh_value_t *)root);
    if (rc == NH_ENOPARSER) return rc; /* a source that resolved, then declined */
    if (errmsg) *errmsg = parse_message(&ctx);
    return rc == NH_ENOMEM ? rc : NH_EPARSE;
  }
  *out = (nh_value_t *)root;
  return 0;
}

int nh_registry_parse(const char *platform, const char *command, const char *text, size_t len,
                      nh_value_t **out, char **errmsg) {
  nh_parser_call_t call;
  int rc;
  *out = NULL;
  if (!text) return NH_EINVAL;
  if ((rc = nh__registry_resolve(platform, command, &call, errmsg)) < 0) return rc;
  rc = nh__registry_call(&call, text, len, out, errmsg);
  nh__parser_call_free(&call);
  return rc;
}

void nh_registry_each_platform(nh_registry_platform_cb cb, void *arg) {
  size_t i;
  for (i = 0; i < reg.nplatforms; i++) cb(arg, reg.platforms[i]);
}

typedef struct {
  nh_registry_parser_cb cb;
  void *arg;
  const source_t *source;
} each_ctx_t;

static void each_source_entry(void *arg, const char *platform, const char *command,
                              const char *detail) {
  each_ctx_t *ctx = arg;
  ctx->cb(ctx->arg, platform, command, ctx->source->name, detail, ctx->source->by.plugin);
}

void nh_registry_each_parser(nh_registry_parser_cb cb, void *arg) {
  size_t i;
  for (i = 0; i < reg.nparsers; i++) {
    cb(arg, reg.parsers[i].platform, reg.parsers[i].command, NULL, NULL, reg.parsers[i].by.plugin);
  }
  for (i = 0; i < reg.nsources; i++) {
    each_ctx_t ctx = {cb, arg, &reg.sources[i]};
    if (reg.sources[i].src.each)
      reg.sources[i].src.each(reg.sources[i].src.ud, each_source_entry, &ctx);
  }
}
