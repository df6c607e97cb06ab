/* tfsm-parse: runs nhtextfsm and prints results as JSON (one line per parse), for the
 * differential test against the reference implementation.
 *
 *   tfsm-parse TEMPLATE RAW                      TextFSM.ParseText
 *   tfsm-parse --index DIR PLATFORM COMMAND RAW  clitable, as ntc-templates parse_output
 *   tfsm-parse --batch < pairs                   lines "TEMPLATE<TAB>RAW", one result each
 *
 * Output: {"ok":true,"header":[...],"rows":[[...],...]} or {"ok":false,"error":"..."}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "textfsm.h"

static void json_str(const char *s, size_t n) {
  putchar('"');
  for (size_t k = 0; k < n; k++) {
    unsigned char c = (unsigned char)s[k];
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20 || c == 0x7f)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

static void json_val(nh_tfsm_str_t s) {
  if (s.ptr)
    json_str(s.ptr, s.len);
  else
    printf("null");
}

static void print_result(int rc, const nh_tfsm_table_t *tab, const char *err) {
  if (rc < 0) {
    printf("{\"ok\":false,\"code\":%d,\"error\":", rc);
    json_str(err, strlen(err));
    printf("}\n");
    return;
  }
  printf("{\"ok\":true,\"header\":[");
  for (size_t c = 0; c < tab->ncols; c++) {
    if (c) putchar(',');
    json_str(tab->header[c], strlen(tab->header[c]));
  }
  printf("],\"rows\":[");
  for (size_t r = 0; r < tab->nrows; r++) {
    printf("%s[", r ? "," : "");
    for (size_t c = 0; c < tab->ncols; c++) {
      const nh_tfsm_cell_t *cell = &tab->cells[r * tab->ncols + c];
      if (c) putchar(',');
      if (cell->type == NH_TFSM_CELL_STR) {
        json_val(cell->str);
        continue;
      }
      putchar('[');
      for (size_t i = 0; i < cell->count; i++) {
        const nh_tfsm_item_t *it = &tab->items[cell->first + i];
        if (i) putchar(',');
        if (!it->is_map) {
          json_val(it->str);
          continue;
        }
        putchar('{');
        for (size_t k = 0; k < it->count; k++) {
          if (k) putchar(',');
          json_val(tab->kvs[it->first + k].key);
          putchar(':');
          json_val(tab->kvs[it->first + k].val);
        }
        putchar('}');
      }
      putchar(']');
    }
    putchar(']');
  }
  printf("]}\n");
}

static void parse_pair(const char *tpath, const char *rpath) {
  char err[2048] = "";
  nh_tfsm_template_t *t = NULL;
  nh_tfsm_table_t *tab = NULL;
  int rc = nh_tfsm_template_load_file(tpath, &t, err, sizeof err);
  if (rc == 0) {
    size_t len;
    char *raw = corpus_read(rpath, &len);
    if (!raw) {
      snprintf(err, sizeof err, "%s: cannot read", rpath);
      rc = -2;
    } else {
      rc = nh_tfsm_parse(t, raw, len, &tab, err, sizeof err);
      free(raw);
    }
  }
  print_result(rc, tab, err);
  nh_tfsm_table_free(tab);
  nh_tfsm_template_free(t);
}

int main(int argc, char **argv) {
  if (argc == 3) {
    parse_pair(argv[1], argv[2]);
    return 0;
  }
  if (argc == 6 && strcmp(argv[1], "--index") == 0) {
    char err[2048] = "";
    nh_tfsm_index_t *idx;
    nh_tfsm_table_t *tab = NULL;
    int rc = nh_tfsm_index_open(argv[2], &idx, err, sizeof err);
    if (rc == 0) {
      size_t len;
      char *raw = corpus_read(argv[5], &len);
      rc = raw ? nh_tfsm_index_parse(idx, argv[3], argv[4], raw, len, &tab, err, sizeof err) : -2;
      free(raw);
      nh_tfsm_index_free(idx);
    }
    print_result(rc, tab, err);
    nh_tfsm_table_free(tab);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "--batch") == 0) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
      if (line[n - 1] == '\n') line[--n] = '\0';
      char *tab = strchr(line, '\t');
      if (!tab) continue;
      *tab = '\0';
      parse_pair(line, tab + 1);
    }
    free(line);
    return 0;
  }
  fprintf(stderr, "usage: tfsm-parse TEMPLATE RAW | --index DIR PLATFORM COMMAND RAW | "
                  "--batch\n");
  return 2;
}
