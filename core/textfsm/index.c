/* The template index (clitable.IndexTable + CliTable.ParseCmd).
 *
 * The `index` file is read as texttable.CsvToTable reads it: the first non-comment line is
 * the header; later lines starting with '#' are skipped; fields are split on ',' and
 * stripped; a line whose field count differs from the header's is silently dropped (so a
 * regex containing a comma makes its line vanish, in the reference too). In the Command
 * column `abc[[xyz]]` becomes `abc(x(y(z)?)?)?`. A row matches when each of its Platform
 * and Command regexes matches the start of the given value (re.match), and the first
 * matching row wins.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_internal.h"
#include "../hash.h"

typedef struct {
  char *templates; /* the Template column, e.g. "a.textfsm:b.textfsm" */
  char *platform_src, *command_src;
  tfsm_re_t *platform, *command; /* NULL: empty field, matches anything */
} index_row_t;

typedef struct {
  char *file;
  nh_tfsm_template_t *tpl; /* NULL when loading failed: rc and msg say why */
  int rc;
  char *msg;
} cache_entry_t;

struct nh_tfsm_index_s {
  char *dir;
  index_row_t *rows;
  size_t nrows;
  cache_entry_t *cache; /* open addressing, power-of-two size */
  size_t cache_cap, cache_len;
  pthread_mutex_t lock; /* guards the cache: parses may run on several threads */
};

/* CliTable._Completion applied by re.sub(r'(\[\[.+?\]\])', ...). */
static char *expand_completion(const char *s, size_t n) {
  tfsm_buf_t b = {0};
  for (size_t i = 0; i < n;) {
    if (i + 1 < n && s[i] == '[' && s[i + 1] == '[') {
      size_t j = i + 3;
      while (j + 1 < n && !(s[j] == ']' && s[j + 1] == ']')) j++;
      if (j + 1 < n && j >= i + 3) {
        size_t chars = 0;
        tfsm_buf_addc(&b, '(');
        for (size_t k = i + 2; k < j;) {
          size_t cl = 1;
          while (k + cl < j && ((unsigned char)s[k + cl] & 0xc0) == 0x80) cl++;
          if (chars) tfsm_buf_addc(&b, '(');
          tfsm_buf_add(&b, s + k, cl);
          chars++;
          k += cl;
        }
        for (size_t k = 0; k < chars; k++) tfsm_buf_adds(&b, ")?");
        i = j + 2;
        continue;
      }
    }
    tfsm_buf_addc(&b, s[i++]);
  }
  return tfsm_buf_finish(&b);
}

static tfsm_re_t *compile_field(const char *src, const char *what, char *err, size_t errlen) {
  char msg[256];
  char **names;
  int *groups;
  size_t nn;
  int ng;
  char *pat = nh_tfsm_pyre_translate(src, strlen(src), &names, &groups, &nn, &ng, msg, sizeof msg);
  tfsm_re_t *re = NULL;
  if (pat) re = tfsm_regex_compile(pat, strlen(pat), 0, msg, sizeof msg);
  if (!re) tfsm_errf(err, errlen, "index: bad %s regex '%s': %s", what, src, msg);
  for (size_t k = 0; pat && k < nn; k++) free(names[k]);
  if (pat) {
    free(names);
    free(groups);
  }
  free(pat);
  return re;
}

/* Splits [s, s+n) on ',' into stripped fields. Returns the count (up to max). */
static size_t split_fields(const char *s, size_t n, const char **f, size_t *fl, size_t max) {
  size_t nf = 0, start = 0;
  for (size_t k = 0; k <= n; k++) {
    if (k < n && s[k] != ',') continue;
    if (nf < max) {
      const char *p = s + start;
      size_t l = k - start;
      tfsm_lstrip(&p, &l);
      tfsm_rstrip(p, &l);
      f[nf] = p;
      fl[nf] = l;
    }
    nf++;
    start = k + 1;
  }
  return nf;
}

void nh_tfsm_index_free(nh_tfsm_index_t *idx) {
  if (!idx) return;
  for (size_t k = 0; k < idx->nrows; k++) {
    free(idx->rows[k].templates);
    free(idx->rows[k].platform_src);
    free(idx->rows[k].command_src);
    tfsm_regex_free(idx->rows[k].platform);
    tfsm_regex_free(idx->rows[k].command);
  }
  free(idx->rows);
  for (size_t k = 0; k < idx->cache_cap; k++) {
    free(idx->cache[k].file);
    free(idx->cache[k].msg);
    nh_tfsm_template_free(idx->cache[k].tpl);
  }
  free(idx->cache);
  pthread_mutex_destroy(&idx->lock);
  free(idx->dir);
  free(idx);
}

const char *nh_tfsm_index_dir(const nh_tfsm_index_t *idx) {
  return idx->dir;
}

int nh_tfsm_index_open(const char *dir, nh_tfsm_index_t **out, char *err, size_t errlen) {
  *out = NULL;
  char path[4096];
  snprintf(path, sizeof path, "%s/index", dir);
  FILE *f = fopen(path, "rb");
  if (!f) {
    tfsm_errf(err, errlen,
              "%s: cannot open the TextFSM index (set NET_TEXTFSM to a template "
              "folder such as ntc-templates/templates)",
              path);
    return NH_TFSM_ENOENT;
  }
  nh_tfsm_index_t *idx = calloc(1, sizeof *idx);
  if (!idx) {
    fclose(f);
    return NH_TFSM_ENOMEM;
  }
  idx->dir = strdup(dir);
  pthread_mutex_init(&idx->lock, NULL);
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  int have_header = 0, rc = 0;
  int col_t = -1, col_p = -1, col_c = -1;
  size_t ncols = 0;
  int line_no = 0;
  if (!idx->dir) rc = NH_TFSM_ENOMEM;
  while (rc == 0 && (got = getline(&line, &cap, f)) > 0) {
    line_no++;
    size_t n = (size_t)got;
    const char *fields[64];
    size_t fl[64];
    if (!have_header) {
      char *hash = memchr(line, '#', n);
      size_t hn = hash ? (size_t)(hash - line) : n;
      const char *hp = line;
      tfsm_lstrip(&hp, &hn);
      tfsm_rstrip(hp, &hn);
      if (hn == 0) continue;
      ncols = split_fields(hp, hn, fields, fl, 64);
      for (size_t k = 0; k < ncols && k < 64; k++) {
        if (fl[k] == 8 && memcmp(fields[k], "Template", 8) == 0) col_t = (int)k;
        if (fl[k] == 8 && memcmp(fields[k], "Platform", 8) == 0) col_p = (int)k;
        if (fl[k] == 7 && memcmp(fields[k], "Command", 7) == 0) col_c = (int)k;
      }
      if (col_t < 0) {
        tfsm_errf(err, errlen, "%s: Index file does not have 'Template' column.", path);
        rc = NH_TFSM_ESYNTAX;
      }
      have_header = 1;
      continue;
    }
    if (line[0] == '#') continue;
    if (split_fields(line, n, fields, fl, 64) != ncols) continue;
    index_row_t row = {0};
    row.templates = tfsm_strndup(fields[col_t], fl[col_t]);
    if (col_p >= 0) row.platform_src = tfsm_strndup(fields[col_p], fl[col_p]);
    if (col_c >= 0) {
      char *raw = tfsm_strndup(fields[col_c], fl[col_c]);
      row.command_src = raw ? expand_completion(raw, fl[col_c]) : NULL;
      free(raw);
    }
    if (!row.templates || (col_p >= 0 && !row.platform_src) || (col_c >= 0 && !row.command_src)) {
      rc = NH_TFSM_ENOMEM;
    } else {
      char msg[512];
      if (row.platform_src && row.platform_src[0]) {
        row.platform = compile_field(row.platform_src, "Platform", msg, sizeof msg);
        if (!row.platform) rc = NH_TFSM_ESYNTAX;
      }
      if (rc == 0 && row.command_src && row.command_src[0]) {
        row.command = compile_field(row.command_src, "Command", msg, sizeof msg);
        if (!row.command) rc = NH_TFSM_ESYNTAX;
      }
      if (rc == NH_TFSM_ESYNTAX) tfsm_errf(err, errlen, "%s:%d: %s", path, line_no, msg);
    }
    index_row_t *rows = rc == 0 ? realloc(idx->rows, (idx->nrows + 1) * sizeof *rows) : NULL;
    if (!rows) {
      if (rc == 0) rc = NH_TFSM_ENOMEM;
      free(row.templates);
      free(row.platform_src);
      free(row.command_src);
      tfsm_regex_free(row.platform);
      tfsm_regex_free(row.command);
      break;
    }
    idx->rows = rows;
    idx->rows[idx->nrows++] = row;
  }
  free(line);
  fclose(f);
  if (rc == 0 && !have_header) {
    tfsm_errf(err, errlen, "%s: empty index", path);
    rc = NH_TFSM_ESYNTAX;
  }
  if (rc == NH_TFSM_ENOMEM) tfsm_errf(err, errlen, "%s: out of memory", path);
  if (rc < 0) {
    nh_tfsm_index_free(idx);
    return rc;
  }
  *out = idx;
  return 0;
}

/* Whether re matches the start of s (len bytes; valid: s is valid UTF-8). An empty
 * field (no regex) matches anything; invalid UTF-8 never matches a regex. */
static int field_matches(tfsm_re_t *re, const char *s, size_t len, int valid,
                         pcre2_match_data *md) {
  if (!re) return 1;
  return valid && md && tfsm_regex_match(re, s, len, md) > 0;
}

const char *nh_tfsm_index_lookup(const nh_tfsm_index_t *idx, const char *platform,
                                 const char *command) {
  size_t plen = strlen(platform), clen = strlen(command);
  int pvalid = tfsm_utf8_valid(platform, plen) == plen;
  int cvalid = tfsm_utf8_valid(command, clen) == clen;
  pcre2_match_data *md = tfsm_scratch_md();
  for (size_t k = 0; k < idx->nrows; k++) {
    const index_row_t *r = &idx->rows[k];
    /* Both must match; the platform test is the cheaper filter. */
    if (field_matches(r->platform, platform, plen, pvalid, md) &&
        field_matches(r->command, command, clen, cvalid, md))
      return r->templates;
  }
  return NULL;
}

void nh_tfsm_index_each(const nh_tfsm_index_t *idx,
                        void (*fn)(void *arg, const char *platform, const char *command,
                                   const char *templates),
                        void *arg) {
  for (size_t k = 0; k < idx->nrows; k++)
    fn(arg, idx->rows[k].platform_src ? idx->rows[k].platform_src : "",
       idx->rows[k].command_src ? idx->rows[k].command_src : "", idx->rows[k].templates);
}

/* The compiled template for file (relative to the index folder), from the cache or
 * loaded now. Load failures are cached too: a broken template is reported each time
 * without re-reading it. */
static int get_template(nh_tfsm_index_t *idx, const char *file, nh_tfsm_template_t **out, char *err,
                        size_t errlen) {
  if (idx->cache_len * 2 >= idx->cache_cap) {
    size_t cap = idx->cache_cap ? idx->cache_cap * 2 : 256;
    cache_entry_t *c = calloc(cap, sizeof *c);
    if (!c) return NH_TFSM_ENOMEM;
    for (size_t k = 0; k < idx->cache_cap; k++) {
      if (!idx->cache[k].file) continue;
      size_t h = nh_hash_str(idx->cache[k].file) & (cap - 1);
      while (c[h].file) h = (h + 1) & (cap - 1);
      c[h] = idx->cache[k];
    }
    free(idx->cache);
    idx->cache = c;
    idx->cache_cap = cap;
  }
  size_t h = nh_hash_str(file) & (idx->cache_cap - 1);
  while (idx->cache[h].file && strcmp(idx->cache[h].file, file) != 0)
    h = (h + 1) & (idx->cache_cap - 1);
  cache_entry_t *e = &idx->cache[h];
  if (!e->file) {
    char path[4096];
    char msg[1024];
    snprintf(path, sizeof path, "%s/%s", idx->dir, file);
    msg[0] = '\0';
    int rc = nh_tfsm_template_load_file(path, &e->tpl, msg, sizeof msg);
    if (rc == NH_TFSM_ENOMEM) {
      tfsm_errf(err, errlen, "%s", msg);
      return rc;
    }
    e->file = strdup(file);
    e->msg = rc < 0 ? strdup(msg) : NULL;
    if (!e->file || (rc < 0 && !e->msg)) {
      free(e->file);
      free(e->msg);
      nh_tfsm_template_free(e->tpl);
      memset(e, 0, sizeof *e);
      return NH_TFSM_ENOMEM;
    }
    e->rc = rc;
    idx->cache_len++;
  }
  if (e->rc < 0) {
    tfsm_errf(err, errlen, "%s", e->msg);
    return e->rc;
  }
  *out = e->tpl;
  return 0;
}

int nh_tfsm_index_parse(nh_tfsm_index_t *idx, const char *platform, const char *command,
                        const char *text, size_t len, nh_tfsm_table_t **out, char *err,
                        size_t errlen) {
  *out = NULL;
  const char *templates = nh_tfsm_index_lookup(idx, platform, command);
  if (!templates) {
    tfsm_errf(err, errlen, "No template found for attributes: platform '%s', command '%s'",
              platform, command);
    return NH_TFSM_ENOPARSER;
  }
  /* Load every template first, as clitable opens every file before parsing. */
  nh_tfsm_template_t *tpls[16];
  size_t ntpl = 0;
  for (const char *p = templates;;) {
    const char *c = strchr(p, ':');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    char file[1024];
    if (ntpl == 16 || n >= sizeof file) {
      tfsm_errf(err, errlen, "index: too many templates in '%s'", templates);
      return NH_TFSM_ESYNTAX;
    }
    memcpy(file, p, n);
    file[n] = '\0';
    pthread_mutex_lock(&idx->lock);
    int rc = get_template(idx, file, &tpls[ntpl], err, errlen);
    pthread_mutex_unlock(&idx->lock);
    if (rc < 0) return rc;
    ntpl++;
    if (!c) break;
    p = c + 1;
  }
  nh_tfsm_table_t *tab = NULL;
  char *keys[64];
  size_t nkeys = 0;
  for (size_t k = 0; k < ntpl; k++) {
    nh_tfsm_table_t *t = NULL;
    int rc = nh_tfsm_parse(tpls[k], text, len, &t, err, errlen);
    if (rc == 0) rc = tfsm_table_stringify_items(t);
    if (rc < 0) {
      nh_tfsm_table_free(t);
      nh_tfsm_table_free(tab);
      return rc;
    }
    /* The superkey: the first template's Key values (or the first later one's). */
    if (nkeys == 0)
      for (size_t v = 0; v < tpls[k]->nvalues && nkeys < 64; v++)
        if (tpls[k]->values[v].opts & NH_TFSM_OPT_KEY) keys[nkeys++] = tpls[k]->values[v].name;
    if (!tab) {
      tab = t;
      continue;
    }
    rc = tfsm_table_extend(tab, t, keys, nkeys, err, errlen);
    nh_tfsm_table_free(t);
    if (rc < 0) {
      nh_tfsm_table_free(tab);
      return rc;
    }
  }
  *out = tab;
  return 0;
}
