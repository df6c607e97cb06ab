/* nethost core: growable arrays (see grow.h). */
#include "grow.h"
#include "error.h"

#include <stdint.h>
#include <stdlib.h>

int nh_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t min) {
  size_t ncap = *cap ? *cap : (min ? min : 1);
  void *p;
  if (need <= *cap) return 0;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return NH_ENOMEM;
    ncap *= 2;
  }
  if (elem && ncap > SIZE_MAX / elem) return NH_ENOMEM;
  if (!(p = realloc(*arr, ncap * elem))) return NH_ENOMEM;
  *arr = p;
  *cap = ncap;
  return 0;
}
