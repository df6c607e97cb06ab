/* nethost core: a tree of plain values.
 *
 * The one data model that crosses core/ boundaries without Lua: parsed device output,
 * inventory `data`, results. Maps keep insertion order (users read parses and reports in
 * the order the device printed them). A value owns its children; nh_value_free() frees
 * the whole tree.
 */
#ifndef NH_VALUE_H
#define NH_VALUE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  NH_VALUE_NULL,
  NH_VALUE_BOOL,
  NH_VALUE_INT,
  NH_VALUE_FLOAT,
  NH_VALUE_STRING,
  NH_VALUE_LIST,
  NH_VALUE_MAP
} nh_value_type_t;

typedef struct nh_value_s nh_value_t;

struct nh_value_s {
  nh_value_type_t type;
  union {
    int boolean;
    int64_t integer;
    double number;
    struct {
      char *ptr; /* NUL-terminated; len excludes the NUL; may contain NULs */
      size_t len;
    } str;
    struct {
      nh_value_t **items;
      size_t len, cap;
    } list;
    struct {
      char **keys;
      nh_value_t **vals;
      size_t len, cap;
    } map;
  } u;
};

/* Constructors return NULL when out of memory. */
nh_value_t *nh_value_null(void);
nh_value_t *nh_value_bool(int b);
nh_value_t *nh_value_int(int64_t i);
nh_value_t *nh_value_float(double d);
nh_value_t *nh_value_string(const char *s, size_t len);
nh_value_t *nh_value_cstring(const char *s);
nh_value_t *nh_value_list(void);
nh_value_t *nh_value_map(void);

/* Deep copy; NULL when out of memory. */
nh_value_t *nh_value_copy(const nh_value_t *v);
void nh_value_free(nh_value_t *v);

/* Appends item to a list, taking ownership of item (also on failure, where it is freed).
 * Returns 0 or NH_ENOMEM/NH_EINVAL. */
int nh_value_list_push(nh_value_t *list, nh_value_t *item);

/* Sets map[key] = val, replacing (and freeing) an existing value in place, so the key
 * keeps its first position. Takes ownership of val as nh_value_list_push does. */
int nh_value_map_set(nh_value_t *map, const char *key, nh_value_t *val);

/* map[key] or NULL; a dotted path ("a.b.c") walks nested maps. */
nh_value_t *nh_value_map_get(const nh_value_t *map, const char *key);
nh_value_t *nh_value_map_path(const nh_value_t *map, const char *dotted);

/* Merges src into dst key by key: nested maps merge recursively, anything else in src
 * replaces dst's value when overwrite is non-zero, or fills only missing keys when it is
 * zero. src is not modified. */
int nh_value_map_merge(nh_value_t *dst, const nh_value_t *src, int overwrite);

/* Serialises v as JSON (UTF-8 passed through, control characters escaped). indent 0 is
 * compact; otherwise pretty-printed with that many spaces. Returns a malloc'd string the
 * caller frees, or NULL when out of memory. *len, if given, receives its length. */
char *nh_value_to_json(const nh_value_t *v, int indent, size_t *len);

#endif
