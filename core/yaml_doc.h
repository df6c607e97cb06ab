/* nethost core: YAML documents as trees of nodes that remember where they were written.
 *
 * libyaml gives a stream of events; this builds them into nodes carrying their line and
 * column, so the inventory loader can say "hosts.yaml:12:5: expected a map" about any value.
 * Anchors and aliases share one node (a document is a DAG, never a cycle). Merge keys
 * (`<<: *base`) stay in the tree as written; nh_ynode_map_pairs() resolves them. Every node
 * and string of a document lives in one arena freed by nh_ydoc_free().
 *
 * nh_ydoc_to_value() turns a node into the plain nh_value_t tree (scalars typed the way
 * Ansible's and Nornir's YAML 1.1 loaders type them: yes/no/true/false are booleans,
 * ~/null/empty are null, quoted scalars are always strings).
 */
#ifndef NH_YAML_DOC_H
#define NH_YAML_DOC_H

#include <stddef.h>

#include "value.h"

typedef enum { NH_YNODE_SCALAR, NH_YNODE_SEQ, NH_YNODE_MAP } nh_ynode_type_t;

typedef struct nh_ynode_s nh_ynode_t;

struct nh_ynode_s {
  nh_ynode_type_t type;
  int line, column; /* 1-based position of the node's first character */
  int plain;        /* a plain (unquoted, non-block) scalar: its type is resolved */
  const char *tag;  /* an explicit tag ("tag:yaml.org,2002:str", ...), or NULL */
  union {
    struct {
      const char *text; /* NUL-terminated */
      size_t len;
    } scalar;
    struct {
      nh_ynode_t **items;
      size_t len;
    } seq;
    struct {
      nh_ynode_t **keys, **vals; /* as written, merge keys included */
      size_t len;
    } map;
  } u;
  /* What readers computed once about a map or list (its pairs with merge keys applied, its
   * size with aliases expanded); NULL until then, so scalars never pay for it. */
  struct nh_ynode_memo_s *memo;
};

typedef struct nh_ydoc_s nh_ydoc_t;

/* Parses the first document of text (len bytes) into *out. file names the source in
 * messages. Returns 0, or NH_ESYNTAX with "file:line:column: what was expected" in err
 * (errlen bytes, always NUL-terminated), or NH_ENOMEM. An empty stream gives a document
 * whose root is NULL. A second document in the stream is an error. */
int nh_ydoc_parse(const char *text, size_t len, const char *file, nh_ydoc_t **out, char *err,
                  size_t errlen);

/* Reads the file at path and parses it as nh_ydoc_parse does. A file that cannot be read
 * gives its negative error code and "path: reason" in err. */
int nh_ydoc_load(const char *path, nh_ydoc_t **out, char *err, size_t errlen);

void nh_ydoc_free(nh_ydoc_t *doc);

/* An empty document: an arena for memory that lives as long as it (file names it in
 * messages). NULL when out of memory. */
nh_ydoc_t *nh_ydoc_new(const char *file);

/* n bytes from the document's arena, aligned for any type, zeroed. NULL when out of
 * memory. */
void *nh_ydoc_alloc(nh_ydoc_t *doc, size_t n);

/* The document's root node (NULL for an empty document) and its file name. */
nh_ynode_t *nh_ydoc_root(const nh_ydoc_t *doc);
const char *nh_ydoc_file(const nh_ydoc_t *doc);

/* Copies s into the document's arena (for names built while reading it). NULL when out of
 * memory. */
char *nh_ydoc_strdup(nh_ydoc_t *doc, const char *s, size_t len);

/* The effective key/value pairs of a map node with merge keys applied, in the order PyYAML
 * gives them: the pairs of its `<<` maps (the last of a list first), then its own (merge
 * keys left out), each key at its first position. The map's own values win, then earlier
 * merge sources. *keys and *vals point into the arena or into the node.
 * Returns the number of pairs, or NH_ESYNTAX with a message in err when a merge value is
 * not a map or a list of maps, or NH_ENOMEM. */
int nh_ynode_map_pairs(nh_ydoc_t *doc, const nh_ynode_t *map, nh_ynode_t ***keys,
                       nh_ynode_t ***vals, char *err, size_t errlen);

/* Whether node is a plain scalar resolving to null (~, null, empty) or is NULL. */
int nh_ynode_is_null(const nh_ynode_t *node);

/* A node kind for messages: "a map", "a list", "a string", "null", ... */
const char *nh_ynode_kind(const nh_ynode_t *node);

/* Converts a scalar to a typed value (null, bool, int, float or string). */
nh_value_t *nh_ynode_scalar_value(const nh_ynode_t *node);

/* Converts node (NULL converts to null) into a value tree the caller frees. Returns 0 or
 * NH_ESYNTAX (a non-scalar map key, a bad merge, nesting or alias expansion beyond the
 * limits) with "file:line:column: message" in err, or NH_ENOMEM. */
int nh_ydoc_to_value(nh_ydoc_t *doc, const nh_ynode_t *node, nh_value_t **out, char *err,
                     size_t errlen);

#endif
