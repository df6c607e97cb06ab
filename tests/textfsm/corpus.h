/* Walking the ntc-templates test corpus and reading its expected parses (.yml). Shared by
 * the conformance runner and the benchmark. */
#ifndef NH_TFSM_CORPUS_H
#define NH_TFSM_CORPUS_H

#include <stddef.h>

#include "textfsm.h"

/* A YAML node: scalar, sequence or mapping (keys[i] -> kids[i]). */
typedef struct ynode_s {
  int type; /* 0 scalar, 1 sequence, 2 mapping */
  char *str;
  size_t len;
  struct ynode_s **kids;
  char **keys;
  size_t n;
} ynode_t;

typedef struct {
  char *platform, *command;  /* command: the folder name with '_' -> ' ' */
  char *raw_path, *yml_path; /* yml_path NULL when there is no .yml */
} corpus_case_t;

/* All cases under corpus_dir/tests, sorted by path. Returns the count or -1. */
long corpus_cases(const char *corpus_dir, corpus_case_t **out);
void corpus_cases_free(corpus_case_t *c, long n);

/* Reads a whole file; NULL on failure. */
char *corpus_read(const char *path, size_t *len);

/* Loads a YAML file; NULL with a message on failure. */
ynode_t *yaml_load(const char *path, char *err, size_t errlen);
void ynode_free(ynode_t *n);
const ynode_t *ynode_get(const ynode_t *map, const char *key);

/* Compares an index parse with `parsed_sample` (keys lower-cased as ntc-templates does).
 * Returns 1 when equal; otherwise 0 with a description in why. */
int corpus_compare(const nh_tfsm_table_t *tab, const ynode_t *sample, char *why, size_t wlen);

/* Prints a table as JSON-ish text (for diagnostics). */
void corpus_print_table(const nh_tfsm_table_t *tab);

#endif
