/* nethost core: line diffs (Myers' O(ND) algorithm), fast enough for 20 MB configurations.
 *
 * Lines are interned first (equal text, equal id), the common head and tail are skipped,
 * and only the middle is searched. Past max_cost edits the search gives up and reports the
 * rest of the middle as one replacement: still a correct diff, just not a minimal one, and
 * bounded in time and memory whatever the input. */
#ifndef NH_DIFF_H
#define NH_DIFF_H

#include <stddef.h>

typedef struct {
  const char *text;
  size_t len; /* without the line terminator */
} nh_line_t;

typedef enum { NH_DIFF_EQUAL, NH_DIFF_DELETE, NH_DIFF_INSERT } nh_diff_op_t;

/* A run of lines with the same operation: a[a_start ..] and/or b[b_start ..], count long. */
typedef struct {
  nh_diff_op_t op;
  size_t a_start;
  size_t b_start;
  size_t count;
} nh_diff_run_t;

typedef struct {
  nh_diff_run_t *runs;
  size_t nruns;
  int minimal; /* 0 when the cost limit cut the search short */
} nh_diff_t;

/* Splits text into lines (\n or \r\n; a final line without a newline counts). *lines is
 * malloc'ed and points into text. Returns 0 or NH_ENOMEM. */
int nh_lines_split(const char *text, size_t len, nh_line_t **lines, size_t *nlines);

/* Diffs a against b. max_cost 0 means the default (3,000 edits; its memory grows with the square).
 * Returns 0 or NH_ENOMEM; free the result with nh_diff_free. */
int nh_diff_lines(const nh_line_t *a, size_t na, const nh_line_t *b, size_t nb, size_t max_cost,
                  nh_diff_t *out);

void nh_diff_free(nh_diff_t *d);

#endif
