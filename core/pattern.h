/* nethost core: compiled regular expressions (PCRE2) — the one pattern type of the engine.
 *
 * Platform drivers' prompts and markers are compiled once, when their plugin registers
 * them (core/registry.c), and handed to the shell's expect (core/ssh.h) as nh_pattern_t;
 * the Lua layer wraps the same type for the `re` module and for patterns playbooks pass to
 * the shell. Every pattern is compiled with NH_PATTERN_UTF: UTF-8 syntax, and subjects that
 * are not valid UTF-8 (device output often is not) still match rather than fail.
 */
#ifndef NH_PATTERN_H
#define NH_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

/* The flags every pattern has. */
#define NH_PATTERN_UTF (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)
/* The flags of patterns matched against a receive buffer: ^ and $ at every line. */
#define NH_PATTERN_LINES (NH_PATTERN_UTF | PCRE2_MULTILINE)

typedef struct nh_pattern_s {
  pcre2_code *code;
  uint32_t flags;     /* the PCRE2 compile options it was compiled with */
  uint32_t ncaptures; /* capture groups */
  uint32_t nnames;    /* named capture groups */
  char *source;       /* the pattern as written (may hold NUL bytes: see source_len) */
  size_t source_len;
} nh_pattern_t;

/* Compiles src (len bytes, NUL bytes allowed) with flags (NH_PATTERN_UTF is always added).
 * Returns 0 and *out, NH_ENOMEM, or NH_EINVAL with the reason and offset written to
 * err[0..errlen). JIT-compiled where the platform has a JIT. */
int nh_pattern_compile(const char *src, size_t len, uint32_t flags, nh_pattern_t **out, char *err,
                       size_t errlen);

void nh_pattern_free(nh_pattern_t *p);

/* The plugin ABI matches a prompt pattern against the last line received; the shell matches
 * it against everything received so far (NH_PATTERN_LINES). A `$` that ends the pattern
 * (unescaped) becomes `\z` so a prompt-looking line in the middle of the output never ends a
 * command. Returns a malloc'd pattern, or NULL when out of memory. */
char *nh_pattern_prompt_at_end(const char *prompt);

#endif
