/* nethost Lua layer: the compiled-pattern object — one Lua type ("nethost.regex") over the
 * core's nh_pattern_t, shared by the `re` module (lua/l_re.c), the shell's expect
 * (lua/l_ssh_core.c) and the platform drivers' patterns the registry compiled
 * (lua/l_plugins.c). Its methods (match, find, ...) are the re module's. */
#ifndef NHL_REGEX_H
#define NHL_REGEX_H

#include "runtime.h"
#include "pattern.h"

#define NHL_REGEX_MT "nethost.regex"

typedef struct {
  const nh_pattern_t *pattern;
  pcre2_match_data *md; /* for the re module's matches, sized for the pattern's groups */
  int owned;            /* 1: freed with the object; 0: the registry's, never freed */
} nhl_regex_t;

/* Pushes the type's metatable (created on first use with __gc and __tostring). */
void nhl_regex_metatable(lua_State *L);

/* The regex object at idx, or NULL. */
nhl_regex_t *nhl_regex_test(lua_State *L, int idx);

/* Compiles src with flags (NH_PATTERN_* / PCRE2 options) and pushes the object. Raises
 * "WHO: bad pattern ..." when it does not compile. */
nhl_regex_t *nhl_regex_compile(lua_State *L, const char *src, size_t len, uint32_t flags,
                               const char *who);

/* The regex at idx: a regex object as it is, or a pattern string compiled with flags once
 * (cached by flags and pattern, weakly). The object replaces the string at idx, so it stays
 * referenced as long as the caller's stack slot. Raises like nhl_regex_compile. */
nhl_regex_t *nhl_regex_get(lua_State *L, int idx, uint32_t flags, const char *who);

/* Pushes the object for a pattern the registry owns (one object per pattern, so two
 * lookups of a platform give equal objects). */
void nhl_regex_push_borrowed(lua_State *L, const nh_pattern_t *p);

#endif
