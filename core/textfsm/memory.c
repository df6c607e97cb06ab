/* Memory helpers of the TextFSM engine: the one growable-array step and the one copy of a
 * counted string. (The engine needs nothing but PCRE2, so it has its own rather than core's
 * nh_grow.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_internal.h"

int tfsm_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t min) {
  size_t c = *cap ? *cap : min;
  void *p;
  if (need <= *cap) return 0;
  while (c < need) {
    if (c > SIZE_MAX / 2) return -1;
    c *= 2;
  }
  if (c > SIZE_MAX / elem) return -1;
  if (!(p = realloc(*arr, c * elem))) return -1;
  *arr = p;
  *cap = c;
  return 0;
}

char *tfsm_strndup(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}
