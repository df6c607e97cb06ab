/* nhtextfsm: a TextFSM engine on PCRE2.
 *
 * Reads TextFSM templates (the language of Google's textfsm, as used by the ntc-templates
 * library) and runs them over command output. Behaviour follows the reference Python
 * implementation (textfsm 1.1 + clitable): the same records, in the same order, with the
 * same options semantics; Python regular expressions are translated to PCRE2 (UTF + UCP,
 * JIT-compiled, anchored as re.match is).
 *
 * Plain C with no Lua and no libuv: the Lua binding (lua/l_textfsm.c) and the built-in
 * parser source (core/textfsm_source.c) both build on it. Status codes have the values of
 * nethost's NH_E* codes so callers can pass them on (core/textfsm_source.c asserts it).
 *
 * Ownership: nh_tfsm_template_load() returns a template the caller frees with
 * nh_tfsm_template_free(); it may run any number of parses, on several threads at once
 * (nethost parses large outputs on libuv's thread pool). An index may be used from
 * several threads too; opening and freeing are the caller's to order. A table returned by a
 * parse owns all its memory (its strings point into buffers the table holds) and is freed
 * with nh_tfsm_table_free(). An index owns the templates it compiled (its cache).
 */
#ifndef NH_TEXTFSM_H
#define NH_TEXTFSM_H

#include <stddef.h>

/* Status codes (the same numbers as core/error.h). */
#define NH_TFSM_OK        0
#define NH_TFSM_ENOMEM    (-12)    /* NH_ENOMEM */
#define NH_TFSM_ENOENT    (-2)     /* NH_ENOENT: template or index file not found */
#define NH_TFSM_EPARSE    (-20012) /* NH_EPARSE: the template's Error action fired */
#define NH_TFSM_ESYNTAX   (-20013) /* NH_ESYNTAX: the template (or index) is invalid */
#define NH_TFSM_ENOPARSER (-20014) /* NH_ENOPARSER: the index has no template for this */

/* Value options (bit flags). */
#define NH_TFSM_OPT_REQUIRED 0x01u
#define NH_TFSM_OPT_FILLDOWN 0x02u
#define NH_TFSM_OPT_FILLUP   0x04u
#define NH_TFSM_OPT_KEY      0x08u
#define NH_TFSM_OPT_LIST     0x10u

/* A string inside a table: not NUL-terminated; ptr == NULL is Python's None. */
typedef struct {
  const char *ptr;
  size_t len;
} nh_tfsm_str_t;

typedef enum {
  NH_TFSM_CELL_STR = 0, /* str (ptr is never NULL in a finished table: None becomes "") */
  NH_TFSM_CELL_LIST = 1 /* items[first .. first+count) of the table's item array */
} nh_tfsm_cell_type_t;

typedef struct {
  nh_tfsm_cell_type_t type;
  nh_tfsm_str_t str;
  size_t first, count;
} nh_tfsm_cell_t;

/* An item of a List value: a string (str.ptr may be NULL: None), or, when the Value's
 * regex has named groups, a map: kvs[first .. first+count) of the table's pair array. */
typedef struct {
  int is_map;
  nh_tfsm_str_t str;
  size_t first, count;
} nh_tfsm_item_t;

typedef struct {
  nh_tfsm_str_t key, val;
} nh_tfsm_kv_t;

/* The result of a parse: nrows records of ncols columns (the template's Values, in
 * declaration order). Cell (r, c) is cells[r * ncols + c]. */
typedef struct nh_tfsm_table_s {
  size_t ncols, nrows;
  char **header;         /* ncols NUL-terminated names, as written in the template */
  unsigned *options;     /* ncols NH_TFSM_OPT_* flag sets */
  nh_tfsm_cell_t *cells; /* nrows * ncols */
  nh_tfsm_item_t *items; /* List items */
  size_t nitems;
  nh_tfsm_kv_t *kvs; /* pairs of map items */
  size_t nkvs;
  /* private */
  size_t cap_rows, cap_items, cap_kvs;
  char **bufs;
  size_t nbufs;
} nh_tfsm_table_t;

typedef struct nh_tfsm_template_s nh_tfsm_template_t;
typedef struct nh_tfsm_index_s nh_tfsm_index_t;

/* Compiles a template from text. name is used in error messages ("name:LINE: reason").
 * Returns 0 and stores the template in *out, or a negative code with a message in
 * err[0..errlen) (NUL-terminated; err may be NULL). */
int nh_tfsm_template_load(const char *name, const char *text, size_t len, nh_tfsm_template_t **out,
                          char *err, size_t errlen);
/* Reads and compiles a template file (the path is the name in messages). */
int nh_tfsm_template_load_file(const char *path, nh_tfsm_template_t **out, char *err,
                               size_t errlen);
void nh_tfsm_template_free(nh_tfsm_template_t *t);
/* The template's name as given at load. */
const char *nh_tfsm_template_name(const nh_tfsm_template_t *t);

/* Parses text (any bytes; invalid UTF-8 is read as U+FFFD, as Python's errors="replace")
 * with the template, as TextFSM.ParseText does. Returns 0 and a table in *out (possibly
 * with zero rows), NH_TFSM_EPARSE when an Error action fired (message in err, naming the
 * rule line and the input line), or NH_TFSM_ENOMEM. */
int nh_tfsm_parse(const nh_tfsm_template_t *t, const char *text, size_t len, nh_tfsm_table_t **out,
                  char *err, size_t errlen);

void nh_tfsm_table_free(nh_tfsm_table_t *tab);

/* Opens the template folder dir (which holds the `index` file). The index is read now;
 * templates are compiled on first use and cached for the index's lifetime. */
int nh_tfsm_index_open(const char *dir, nh_tfsm_index_t **out, char *err, size_t errlen);
void nh_tfsm_index_free(nh_tfsm_index_t *idx);
const char *nh_tfsm_index_dir(const nh_tfsm_index_t *idx);

/* The Template column of the first index row whose Platform and Command regexes match
 * (re.match: anchored at the start only) platform and command, as clitable selects it
 * (e.g. "a.textfsm:b.textfsm"), or NULL when no row matches. Valid until the index is
 * freed. */
const char *nh_tfsm_index_lookup(const nh_tfsm_index_t *idx, const char *platform,
                                 const char *command);

/* Parses text with the templates the index selects for (platform, command), as
 * clitable.CliTable.ParseCmd does: several templates are merged on the first one's Key
 * values, and List items that are maps are made strings the way clitable does (their
 * Python repr); a missing item stays NULL (clitable: "None"). Returns 0, NH_TFSM_ENOPARSER when no
 * row matches, NH_TFSM_ESYNTAX or NH_TFSM_ENOENT when a selected template cannot be loaded,
 * NH_TFSM_EPARSE, or NH_TFSM_ENOMEM. */
int nh_tfsm_index_parse(nh_tfsm_index_t *idx, const char *platform, const char *command,
                        const char *text, size_t len, nh_tfsm_table_t **out, char *err,
                        size_t errlen);

/* Calls fn for every index row (for listings). */
void nh_tfsm_index_each(const nh_tfsm_index_t *idx,
                        void (*fn)(void *arg, const char *platform, const char *command,
                                   const char *templates),
                        void *arg);

/* Translates a Python regular expression into PCRE2 syntax (exposed for tests). Named
 * groups become plain numbered groups; names[i] (malloc'd, *nnames entries) is the name
 * of group groups[i]. Returns a malloc'd pattern or NULL with a message in err. */
char *nh_tfsm_pyre_translate(const char *pat, size_t len, char ***names, int **groups,
                             size_t *nnames, int *ngroups, char *err, size_t errlen);

#endif
