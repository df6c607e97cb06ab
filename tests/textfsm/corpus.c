/* Corpus walking, YAML loading (libyaml events) and comparison for the TextFSM tests. */
#include "corpus.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of dir (without . and ..). */
static char **list_dir(const char *dir, size_t *n) {
  DIR *d = opendir(dir);
  *n = 0;
  if (!d) return NULL;
  char **v = NULL;
  size_t cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      v = realloc(v, cap * sizeof *v);
    }
    v[(*n)++] = strdup(e->d_name);
  }
  closedir(d);
  if (*n) qsort(v, *n, sizeof *v, cmp_str);
  return v;
}

static void free_list(char **v, size_t n) {
  for (size_t k = 0; k < n; k++) free(v[k]);
  free(v);
}

static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", a, b);
  return p;
}

long corpus_cases(const char *corpus_dir, corpus_case_t **out) {
  char *tests = join(corpus_dir, "tests");
  size_t np;
  char **plats = list_dir(tests, &np);
  corpus_case_t *cases = NULL;
  long n = 0, cap = 0;
  for (size_t p = 0; p < np; p++) {
    char *pdir = join(tests, plats[p]);
    size_t nc;
    char **cmds = list_dir(pdir, &nc);
    for (size_t c = 0; c < nc; c++) {
      char *cdir = join(pdir, cmds[c]);
      size_t nf;
      char **files = list_dir(cdir, &nf);
      for (size_t f = 0; f < nf; f++) {
        size_t l = strlen(files[f]);
        if (l < 5 || strcmp(files[f] + l - 4, ".raw") != 0) continue;
        if (n == cap) {
          cap = cap ? cap * 2 : 256;
          cases = realloc(cases, (size_t)cap * sizeof *cases);
        }
        corpus_case_t *cc = &cases[n++];
        cc->platform = strdup(plats[p]);
        cc->command = strdup(cmds[c]);
        for (char *q = cc->command; *q; q++)
          if (*q == '_') *q = ' ';
        cc->raw_path = join(cdir, files[f]);
        char *yml = strdup(cc->raw_path);
        strcpy(yml + strlen(yml) - 4, ".yml");
        struct stat st;
        if (stat(yml, &st) == 0) {
          cc->yml_path = yml;
        } else {
          free(yml);
          cc->yml_path = NULL;
        }
      }
      free_list(files, nf);
      free(cdir);
    }
    free_list(cmds, nc);
    free(pdir);
  }
  free_list(plats, np);
  free(tests);
  *out = cases;
  return n;
}

void corpus_cases_free(corpus_case_t *c, long n) {
  for (long k = 0; k < n; k++) {
    free(c[k].platform);
    free(c[k].command);
    free(c[k].raw_path);
    free(c[k].yml_path);
  }
  free(c);
}

char *corpus_read(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 65536, n = 0;
  char *b = malloc(cap);
  size_t k;
  while ((k = fread(b + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (cap - n < 2) b = realloc(b, cap *= 2);
  }
  fclose(f);
  b[n] = '\0';
  *len = n;
  return b;
}

void ynode_free(ynode_t *n) {
  if (!n) return;
  for (size_t k = 0; k < n->n; k++) {
    ynode_free(n->kids[k]);
    if (n->keys) free(n->keys[k]);
  }
  free(n->kids);
  free(n->keys);
  free(n->str);
  free(n);
}

static void add_kid(ynode_t *p, ynode_t *kid, char *key) {
  p->kids = realloc(p->kids, (p->n + 1) * sizeof *p->kids);
  p->kids[p->n] = kid;
  if (p->type == 2) {
    p->keys = realloc(p->keys, (p->n + 1) * sizeof *p->keys);
    p->keys[p->n] = key;
  }
  p->n++;
}

static ynode_t *parse_node(yaml_parser_t *ps, yaml_event_t *ev, int *ok);

static ynode_t *parse_node(yaml_parser_t *ps, yaml_event_t *ev, int *ok) {
  ynode_t *n = calloc(1, sizeof *n);
  if (ev->type == YAML_SCALAR_EVENT) {
    n->type = 0;
    n->len = ev->data.scalar.length;
    n->str = malloc(n->len + 1);
    memcpy(n->str, ev->data.scalar.value, n->len);
    n->str[n->len] = '\0';
    return n;
  }
  int end;
  if (ev->type == YAML_SEQUENCE_START_EVENT) {
    n->type = 1;
    end = YAML_SEQUENCE_END_EVENT;
  } else if (ev->type == YAML_MAPPING_START_EVENT) {
    n->type = 2;
    end = YAML_MAPPING_END_EVENT;
  } else {
    *ok = 0;
    return n;
  }
  for (;;) {
    yaml_event_t e;
    if (!yaml_parser_parse(ps, &e)) {
      *ok = 0;
      return n;
    }
    if ((int)e.type == end) {
      yaml_event_delete(&e);
      return n;
    }
    char *key = NULL;
    if (n->type == 2) {
      if (e.type != YAML_SCALAR_EVENT) {
        yaml_event_delete(&e);
        *ok = 0;
        return n;
      }
      key = strdup((char *)e.data.scalar.value);
      yaml_event_delete(&e);
      if (!yaml_parser_parse(ps, &e)) {
        free(key);
        *ok = 0;
        return n;
      }
    }
    ynode_t *kid = parse_node(ps, &e, ok);
    yaml_event_delete(&e);
    add_kid(n, kid, key);
    if (!*ok) return n;
  }
}

ynode_t *yaml_load(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open", path);
    return NULL;
  }
  yaml_parser_t ps;
  yaml_parser_initialize(&ps);
  yaml_parser_set_input_file(&ps, f);
  ynode_t *root = NULL;
  int ok = 1;
  for (;;) {
    yaml_event_t e;
    if (!yaml_parser_parse(&ps, &e)) {
      ok = 0;
      break;
    }
    int t = e.type;
    if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
      root = parse_node(&ps, &e, &ok);
      yaml_event_delete(&e);
      break;
    }
    yaml_event_delete(&e);
    if (t == YAML_STREAM_END_EVENT) break;
  }
  if (!ok) {
    snprintf(err, errlen, "%s:%zu: %s", path, ps.problem_mark.line + 1,
             ps.problem ? ps.problem : "unexpected YAML structure");
    ynode_free(root);
    root = NULL;
  }
  yaml_parser_delete(&ps);
  fclose(f);
  return root;
}

const ynode_t *ynode_get(const ynode_t *map, const char *key) {
  if (!map || map->type != 2) return NULL;
  for (size_t k = 0; k < map->n; k++)
    if (strcmp(map->keys[k], key) == 0) return map->kids[k];
  return NULL;
}

static int lower_eq(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
  return *a == *b;
}

static int str_eq(nh_tfsm_str_t s, const ynode_t *y) {
  return y->type == 0 && y->len == s.len && memcmp(y->str, s.ptr, s.len) == 0;
}

int corpus_compare(const nh_tfsm_table_t *tab, const ynode_t *sample, char *why, size_t wlen) {
  size_t want = sample && sample->type == 1 ? sample->n : 0;
  if (sample && sample->type == 0 && sample->len == 0) want = 0; /* `parsed_sample:` empty */
  if (sample && sample->type == 2) {
    snprintf(why, wlen, "parsed_sample is not a list");
    return 0;
  }
  if (tab->nrows != want) {
    snprintf(why, wlen, "%zu records, expected %zu", tab->nrows, want);
    return 0;
  }
  for (size_t r = 0; r < want; r++) {
    const ynode_t *rec = sample->kids[r];
    if (rec->type != 2 || rec->n != tab->ncols) {
      snprintf(why, wlen, "record %zu: %zu keys, expected %zu", r, tab->ncols,
               rec->type == 2 ? rec->n : 0);
      return 0;
    }
    for (size_t c = 0; c < tab->ncols; c++) {
      const ynode_t *y = NULL;
      for (size_t k = 0; k < rec->n; k++)
        if (lower_eq(tab->header[c], rec->keys[k])) y = rec->kids[k];
      if (!y) {
        snprintf(why, wlen, "record %zu: key %s not expected", r, tab->header[c]);
        return 0;
      }
      const nh_tfsm_cell_t *cell = &tab->cells[r * tab->ncols + c];
      int ok;
      if (cell->type == NH_TFSM_CELL_STR) {
        ok = str_eq(cell->str, y);
      } else {
        ok = y->type == 1 && y->n == cell->count;
        for (size_t i = 0; ok && i < cell->count; i++) {
          /* A missing item is NULL (json.null in Lua) where clitable writes "None". */
          nh_tfsm_str_t item = tab->items[cell->first + i].str;
          if (!item.ptr) item = (nh_tfsm_str_t){"None", 4};
          ok = str_eq(item, y->kids[i]);
        }
      }
      if (!ok) {
        if (cell->type == NH_TFSM_CELL_STR)
          snprintf(why, wlen, "record %zu: %s = '%.*s', expected '%s'", r, tab->header[c],
                   (int)cell->str.len, cell->str.ptr, y->type == 0 ? y->str : "(list)");
        else
          snprintf(why, wlen, "record %zu: %s: list of %zu differs", r, tab->header[c],
                   cell->count);
        return 0;
      }
    }
  }
  return 1;
}

static void print_str(nh_tfsm_str_t s) {
  putchar('"');
  for (size_t k = 0; k < s.len; k++) {
    unsigned char c = (unsigned char)s.ptr[k];
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

void corpus_print_table(const nh_tfsm_table_t *tab) {
  printf("[\n");
  for (size_t r = 0; r < tab->nrows; r++) {
    printf("  {");
    for (size_t c = 0; c < tab->ncols; c++) {
      const nh_tfsm_cell_t *cell = &tab->cells[r * tab->ncols + c];
      printf("%s\"%s\": ", c ? ", " : "", tab->header[c]);
      if (cell->type == NH_TFSM_CELL_STR) {
        print_str(cell->str);
      } else {
        printf("[");
        for (size_t i = 0; i < cell->count; i++) {
          const nh_tfsm_item_t *it = &tab->items[cell->first + i];
          if (i) printf(", ");
          if (it->is_map) {
            printf("{");
            for (size_t k = 0; k < it->count; k++) {
              if (k) printf(", ");
              print_str(tab->kvs[it->first + k].key);
              printf(": ");
              if (tab->kvs[it->first + k].val.ptr)
                print_str(tab->kvs[it->first + k].val);
              else
                printf("null");
            }
            printf("}");
          } else if (it->str.ptr) {
            print_str(it->str);
          } else {
            printf("null");
          }
        }
        printf("]");
      }
    }
    printf("}%s\n", r + 1 < tab->nrows ? "," : "");
  }
  printf("]\n");
}
