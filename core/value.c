/* nethost core: a tree of plain values. */
#include "value.h"
#include "strbuf.h"
#include "grow.h"
#include "error.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static nh_value_t *value_new(nh_value_type_t type) {
  nh_value_t *v = calloc(1, sizeof(*v));
  if (v) v->type = type;
  return v;
}

nh_value_t *nh_value_null(void) {
  return value_new(NH_VALUE_NULL);
}

nh_value_t *nh_value_bool(int b) {
  nh_value_t *v = value_new(NH_VALUE_BOOL);
  if (v) v->u.boolean = b != 0;
  return v;
}

nh_value_t *nh_value_int(int64_t i) {
  nh_value_t *v = value_new(NH_VALUE_INT);
  if (v) v->u.integer = i;
  return v;
}

nh_value_t *nh_value_float(double d) {
  nh_value_t *v = value_new(NH_VALUE_FLOAT);
  if (v) v->u.number = d;
  return v;
}

nh_value_t *nh_value_string(const char *s, size_t len) {
  nh_value_t *v = value_new(NH_VALUE_STRING);
  if (!v) return NULL;
  v->u.str.ptr = malloc(len + 1);
  if (!v->u.str.ptr) {
    free(v);
    return NULL;
  }
  if (len) memcpy(v->u.str.ptr, s, len);
  v->u.str.ptr[len] = '\0';
  v->u.str.len = len;
  return v;
}

nh_value_t *nh_value_cstring(const char *s) {
  return nh_value_string(s, strlen(s));
}

nh_value_t *nh_value_list(void) {
  return value_new(NH_VALUE_LIST);
}

nh_value_t *nh_value_map(void) {
  return value_new(NH_VALUE_MAP);
}

void nh_value_free(nh_value_t *v) {
  size_t i;
  if (!v) return;
  switch (v->type) {
  case NH_VALUE_STRING:
    free(v->u.str.ptr);
    break;
  case NH_VALUE_LIST:
    for (i = 0; i < v->u.list.len; i++) nh_value_free(v->u.list.items[i]);
    free(v->u.list.items);
    break;
  case NH_VALUE_MAP:
    for (i = 0; i < v->u.map.len; i++) {
      free(v->u.map.keys[i]);
      nh_value_free(v->u.map.vals[i]);
    }
    free(v->u.map.keys);
    free(v->u.map.vals);
    break;
  default:
    break;
  }
  free(v);
}

nh_value_t *nh_value_copy(const nh_value_t *v) {
  nh_value_t *c;
  size_t i;
  switch (v->type) {
  case NH_VALUE_NULL:
    return nh_value_null();
  case NH_VALUE_BOOL:
    return nh_value_bool(v->u.boolean);
  case NH_VALUE_INT:
    return nh_value_int(v->u.integer);
  case NH_VALUE_FLOAT:
    return nh_value_float(v->u.number);
  case NH_VALUE_STRING:
    return nh_value_string(v->u.str.ptr, v->u.str.len);
  case NH_VALUE_LIST:
    if (!(c = nh_value_list())) return NULL;
    for (i = 0; i < v->u.list.len; i++) {
      nh_value_t *item = nh_value_copy(v->u.list.items[i]);
      if (!item || nh_value_list_push(c, item) < 0) goto fail;
    }
    return c;
  case NH_VALUE_MAP:
    if (!(c = nh_value_map())) return NULL;
    for (i = 0; i < v->u.map.len; i++) {
      nh_value_t *item = nh_value_copy(v->u.map.vals[i]);
      if (!item || nh_value_map_set(c, v->u.map.keys[i], item) < 0) goto fail;
    }
    return c;
  }
  return NULL;
fail:
  nh_value_free(c);
  return NULL;
}

/* Grows a pointer array to hold at least one more element. */
int nh_value_list_push(nh_value_t *list, nh_value_t *item) {
  if (!item) return NH_ENOMEM;
  if (!list || list->type != NH_VALUE_LIST) {
    nh_value_free(item);
    return NH_EINVAL;
  }
  if (nh_grow((void **)&list->u.list.items, &list->u.list.cap, list->u.list.len + 1,
              sizeof(nh_value_t *), 4) < 0) {
    nh_value_free(item);
    return NH_ENOMEM;
  }
  list->u.list.items[list->u.list.len++] = item;
  return 0;
}

static ssize_t map_index(const nh_value_t *map, const char *key) {
  size_t i;
  for (i = 0; i < map->u.map.len; i++)
    if (strcmp(map->u.map.keys[i], key) == 0) return (ssize_t)i;
  return -1;
}

int nh_value_map_set(nh_value_t *map, const char *key, nh_value_t *val) {
  ssize_t idx;
  size_t cap;
  char *k;
  if (!val) return NH_ENOMEM;
  if (!map || map->type != NH_VALUE_MAP) {
    nh_value_free(val);
    return NH_EINVAL;
  }
  idx = map_index(map, key);
  if (idx >= 0) {
    nh_value_free(map->u.map.vals[idx]);
    map->u.map.vals[idx] = val;
    return 0;
  }
  k = strdup(key);
  cap = map->u.map.cap;
  if (!k || nh_grow((void **)&map->u.map.keys, &cap, map->u.map.len + 1, sizeof(char *), 4) < 0)
    goto nomem;
  cap = map->u.map.cap;
  if (nh_grow((void **)&map->u.map.vals, &cap, map->u.map.len + 1, sizeof(nh_value_t *), 4) < 0)
    goto nomem;
  map->u.map.cap = cap;
  map->u.map.keys[map->u.map.len] = k;
  map->u.map.vals[map->u.map.len++] = val;
  return 0;
nomem:
  free(k);
  nh_value_free(val);
  return NH_ENOMEM;
}

nh_value_t *nh_value_map_get(const nh_value_t *map, const char *key) {
  ssize_t idx;
  if (!map || map->type != NH_VALUE_MAP) return NULL;
  idx = map_index(map, key);
  return idx < 0 ? NULL : map->u.map.vals[idx];
}

nh_value_t *nh_value_map_path(const nh_value_t *map, const char *dotted) {
  char part[256];
  const char *dot;
  while ((dot = strchr(dotted, '.')) != NULL) {
    size_t n = (size_t)(dot - dotted);
    if (n >= sizeof(part)) return NULL;
    memcpy(part, dotted, n);
    part[n] = '\0';
    map = nh_value_map_get(map, part);
    if (!map) return NULL;
    dotted = dot + 1;
  }
  return nh_value_map_get(map, dotted);
}

int nh_value_map_merge(nh_value_t *dst, const nh_value_t *src, int overwrite) {
  size_t i;
  int rc;
  if (dst->type != NH_VALUE_MAP || src->type != NH_VALUE_MAP) return NH_EINVAL;
  for (i = 0; i < src->u.map.len; i++) {
    const char *key = src->u.map.keys[i];
    const nh_value_t *sv = src->u.map.vals[i];
    nh_value_t *dv = nh_value_map_get(dst, key);
    if (dv && dv->type == NH_VALUE_MAP && sv->type == NH_VALUE_MAP) {
      if ((rc = nh_value_map_merge(dv, sv, overwrite)) < 0) return rc;
    } else if (!dv || overwrite) {
      if ((rc = nh_value_map_set(dst, key, nh_value_copy(sv))) < 0) return rc;
    }
  }
  return 0;
}

static void jstring(nh_strbuf_t *b, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  size_t i, start = 0;
  nh_strbuf_add(b, "\"", 1);
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char u[7];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    nh_strbuf_add(b, s + start, i - start);
    start = i + 1;
    switch (c) {
    case '"':
      esc = "\\\"";
      break;
    case '\\':
      esc = "\\\\";
      break;
    case '\n':
      esc = "\\n";
      break;
    case '\r':
      esc = "\\r";
      break;
    case '\t':
      esc = "\\t";
      break;
    default:
      memcpy(u, "\\u00", 4);
      u[4] = hex[c >> 4];
      u[5] = hex[c & 15];
      u[6] = '\0';
      esc = u;
    }
    nh_strbuf_puts(b, esc);
  }
  nh_strbuf_add(b, s + start, len - start);
  nh_strbuf_add(b, "\"", 1);
}

static void jnewline(nh_strbuf_t *b, int indent, int depth) {
  int i;
  if (!indent) return;
  nh_strbuf_add(b, "\n", 1);
  for (i = 0; i < indent * depth; i++) nh_strbuf_add(b, " ", 1);
}

static void jvalue(nh_strbuf_t *b, const nh_value_t *v, int indent, int depth) {
  char num[64];
  size_t i;
  switch (v->type) {
  case NH_VALUE_NULL:
    nh_strbuf_puts(b, "null");
    break;
  case NH_VALUE_BOOL:
    nh_strbuf_puts(b, v->u.boolean ? "true" : "false");
    break;
  case NH_VALUE_INT:
    snprintf(num, sizeof(num), "%" PRId64, v->u.integer);
    nh_strbuf_puts(b, num);
    break;
  case NH_VALUE_FLOAT:
    if (!isfinite(v->u.number)) {
      nh_strbuf_puts(b, "null");
      break;
    }
    snprintf(num, sizeof(num), "%.17g", v->u.number);
    nh_strbuf_puts(b, num);
    break;
  case NH_VALUE_STRING:
    jstring(b, v->u.str.ptr, v->u.str.len);
    break;
  case NH_VALUE_LIST:
  case NH_VALUE_MAP: {
    /* An array and an object differ only in their brackets and the keys an object writes
     * before each value. */
    int map = v->type == NH_VALUE_MAP;
    size_t n = map ? v->u.map.len : v->u.list.len;
    nh_strbuf_add(b, map ? "{" : "[", 1);
    for (i = 0; i < n; i++) {
      if (i) nh_strbuf_add(b, ",", 1);
      jnewline(b, indent, depth + 1);
      if (map) {
        jstring(b, v->u.map.keys[i], strlen(v->u.map.keys[i]));
        nh_strbuf_puts(b, indent ? ": " : ":");
      }
      jvalue(b, map ? v->u.map.vals[i] : v->u.list.items[i], indent, depth + 1);
    }
    if (n) jnewline(b, indent, depth);
    nh_strbuf_add(b, map ? "}" : "]", 1);
    break;
  }
  }
}

char *nh_value_to_json(const nh_value_t *v, int indent, size_t *len) {
  nh_strbuf_t b = {0};
  jvalue(&b, v, indent, 0);
  if (b.failed || !b.data) {
    free(b.data);
    return NULL;
  }
  if (len) *len = b.len;
  return b.data;
}
