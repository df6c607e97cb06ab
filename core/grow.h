/* nethost core: the one growable-array step — byte buffers (exec output, HTTP bodies) and
 * arrays of pointers or structs (inventory hosts, value lists) all grow through it. */
#ifndef NH_GROW_H
#define NH_GROW_H

#include <stddef.h>

/* Makes room in *arr (holding *cap elements of elem bytes) for at least need elements:
 * nothing when it has room, else a capacity doubled from *cap (or from min when it is 0)
 * until it fits. Returns 0, or NH_ENOMEM (also when need * elem would overflow), leaving
 * *arr and *cap as they were. */
int nh_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t min);

#endif
