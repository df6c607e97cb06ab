/* nethost core: compiled regular expressions (see pattern.h). */
#include "pattern.h"
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nh_pattern_compile(const char *src, size_t len, uint32_t flags, nh_pattern_t **out, char *err,
                       size_t errlen) {
  nh_pattern_t *p;
  int code;
  PCRE2_SIZE off;
  *out = NULL;
  if (!(p = calloc(1, sizeof(*p))) || !(p->source = malloc(len + 1))) {
    free(p);
    return NH_ENOMEM;
  }
  memcpy(p->source, src, len);
  p->source[len] = '\0';
  p->source_len = len;
  p->flags = flags | NH_PATTERN_UTF;
  p->code = pcre2_compile((PCRE2_SPTR)src, len, p->flags, &code, &off, NULL);
  if (!p->code) {
    PCRE2_UCHAR msg[200];
    pcre2_get_error_message(code, msg, sizeof(msg));
    if (err && errlen) snprintf(err, errlen, "at offset %zu: %s", (size_t)off, (char *)msg);
    nh_pattern_free(p);
    return code == PCRE2_ERROR_HEAPLIMIT || code == PCRE2_ERROR_NOMEMORY ? NH_ENOMEM : NH_EINVAL;
  }
  pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
  pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &p->ncaptures);
  pcre2_pattern_info(p->code, PCRE2_INFO_NAMECOUNT, &p->nnames);
  *out = p;
  return 0;
}

void nh_pattern_free(nh_pattern_t *p) {
  if (!p) return;
  if (p->code) pcre2_code_free(p->code);
  free(p->source);
  free(p);
}

char *nh_pattern_prompt_at_end(const char *prompt) {
  size_t len = strlen(prompt), backslashes = 0;
  char *out;
  /* An unescaped final `$`: preceded by an even number of backslashes. */
  while (len >= 2 + backslashes && prompt[len - 2 - backslashes] == '\\') backslashes++;
  if (len == 0 || prompt[len - 1] != '$' || backslashes % 2) return strdup(prompt);
  if (!(out = malloc(len + 4 + 2))) return NULL;
  memcpy(out, "(?m)", 4);
  memcpy(out + 4, prompt, len - 1);
  memcpy(out + 4 + len - 1, "\\z", 3);
  return out;
}
