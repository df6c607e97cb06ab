/* nethost core: host selection with Ansible's pattern language (-l/--limit). */
#include "error.h"
#include "inventory_int.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_glob(const char *s) {
  return strpbrk(s, "*?[") != NULL;
}

/* Marks in sel every host in a group gsel marks (directly or through child groups): one
 * pass over the hosts, however many groups matched. */
static void mark_groups(const nh_inventory_t *inv, const unsigned char *gsel, unsigned char *sel) {
  size_t i, j;
  for (i = 0; i < inv->nhosts; i++)
    for (j = 0; j < inv->hosts[i]->nchain && !sel[i]; j++)
      if (gsel[inv->hosts[i]->chain[j]->index]) sel[i] = 1;
}

static int mark_group(const nh_inventory_t *inv, const nh_group_t *g, unsigned char *sel) {
  unsigned char *gsel = calloc(inv->ngroups + 1, 1);
  if (!gsel) return NH_ENOMEM;
  gsel[g->index] = 1;
  mark_groups(inv, gsel, sel);
  free(gsel);
  return 0;
}

static int regex_term(const nh_inventory_t *inv, const char *re, unsigned char *sel, char *err,
                      size_t errlen) {
  pcre2_code *code;
  pcre2_match_data *md;
  int ecode;
  PCRE2_SIZE eoff;
  size_t i;
  if (!(code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ecode, &eoff, NULL))) {
    char msg[128];
    pcre2_get_error_message(ecode, (PCRE2_UCHAR *)msg, sizeof(msg));
    snprintf(err, errlen, "pattern '~%s': %s at offset %zu", re, msg, (size_t)eoff);
    return NH_EINVAL;
  }
  if (!(md = pcre2_match_data_create_from_pattern(code, NULL))) {
    pcre2_code_free(code);
    return NH_ENOMEM;
  }
  for (i = 0; i < inv->nhosts; i++)
    if (pcre2_match(code, (PCRE2_SPTR)inv->hosts[i]->name, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >=
        0)
      sel[i] = 1;
  for (i = 0; i < inv->ngroups; i++)
    if (pcre2_match(code, (PCRE2_SPTR)inv->groups[i]->name, PCRE2_ZERO_TERMINATED, 0, 0, md,
                    NULL) >= 0)
      mark_group(inv, inv->groups[i], sel);
  pcre2_match_data_free(md);
  pcre2_code_free(code);
  return 0;
}

/* Marks the hosts one term selects (without a subscript). */
static int base_term(const nh_inventory_t *inv, const char *t, unsigned char *sel, char *err,
                     size_t errlen) {
  const char *eq;
  const nh_group_t *g;
  const nh_host_t *h;
  size_t i;
  if (!strcmp(t, "all") || !strcmp(t, "*")) {
    memset(sel, 1, inv->nhosts);
    return 0;
  }
  if (t[0] == '~') return regex_term(inv, t + 1, sel, err, errlen);
  if ((eq = strchr(t, '=')) != NULL) {
    char key[256];
    const char *want = eq + 1;
    int glob = has_glob(want);
    if (eq == t || (size_t)(eq - t) >= sizeof(key)) {
      snprintf(err, errlen, "pattern term '%s': expected attribute=value", t);
      return NH_EINVAL;
    }
    memcpy(key, t, (size_t)(eq - t));
    key[eq - t] = '\0';
    for (i = 0; i < inv->nhosts; i++)
      if (nh_host_attr_match(inv->hosts[i], key, want, glob)) sel[i] = 1;
    return 0;
  }
  if (has_glob(t)) {
    for (i = 0; i < inv->nhosts; i++)
      if (fnmatch(t, inv->hosts[i]->name, 0) == 0) sel[i] = 1;
    unsigned char *gsel = calloc(inv->ngroups + 1, 1);
    if (!gsel) return NH_ENOMEM;
    for (i = 0; i < inv->ngroups; i++) gsel[i] = fnmatch(t, inv->groups[i]->name, 0) == 0;
    mark_groups(inv, gsel, sel);
    free(gsel);
    return 0;
  }
  if ((g = nh_inventory_find_group(inv, t)) != NULL && mark_group(inv, g, sel) < 0)
    return NH_ENOMEM;
  if ((h = nh_inventory_find(inv, t)) != NULL) sel[h->index] = 1;
  if (!g && !h && !strcmp(t, "ungrouped"))
    for (i = 0; i < inv->nhosts; i++)
      if (!inv->hosts[i]->ngroups) sel[i] = 1;
  return 0;
}

/* Parses an Ansible subscript at the end of t ("[0]", "[-1]", "[1:3]", "[2:]", "[:4]"): cuts
 * it off t and returns 1 with the inclusive bounds (INT_MIN/INT_MAX for open ends). */
static int subscript(char *t, long *from, long *to, int *range) {
  size_t len = strlen(t);
  char *open, *p, *end;
  if (len < 3 || t[len - 1] != ']' || !(open = strrchr(t, '[')) || open == t) return 0;
  p = open + 1;
  for (end = p; end < t + len - 1; end++)
    if (!((*end >= '0' && *end <= '9') || *end == '-' || *end == ':')) return 0;
  *range = memchr(p, ':', (size_t)(t + len - 1 - p)) != NULL;
  if (!*range) {
    *from = strtol(p, &end, 10);
    if (end == p || *end != ']') return 0;
    *to = *from;
  } else {
    *from = *p == ':' ? LONG_MIN : strtol(p, &end, 10);
    if (*p != ':' && *end != ':') return 0;
    p = strchr(p, ':') + 1;
    *to = *p == ']' ? LONG_MAX : strtol(p, &end, 10);
    if (*p != ']' && *end != ']') return 0;
  }
  *open = '\0';
  return 1;
}

/* Marks the hosts in the file (one name per line, as Ansible's retry files). */
static int file_term(const nh_inventory_t *inv, const char *path, unsigned char *sel, char *err,
                     size_t errlen) {
  FILE *f = fopen(path, "r");
  char line[1024];
  if (!f) {
    snprintf(err, errlen, "pattern '@%s': cannot read the file: %s", path, strerror(errno));
    return NH_EINVAL;
  }
  while (fgets(line, sizeof(line), f)) {
    const nh_host_t *h;
    line[strcspn(line, "\r\n")] = '\0';
    if ((h = nh_inventory_find(inv, line)) != NULL) sel[h->index] = 1;
  }
  fclose(f);
  return 0;
}

/* Marks the hosts one term selects, with Ansible's subscripts: "core[0]" is the first host of
 * core, "core[-1]" the last, "core[0:2]" the first three (bounds included). */
static int term(const nh_inventory_t *inv, char *t, unsigned char *sel, char *err, size_t errlen) {
  long from, to, count = 0, k = 0;
  int range, rc;
  size_t i;
  if (t[0] == '@') return file_term(inv, t + 1, sel, err, errlen);
  if (t[0] == '~' || strchr(t, '=') || !subscript(t, &from, &to, &range))
    return base_term(inv, t, sel, err, errlen);
  if ((rc = base_term(inv, t, sel, err, errlen)) < 0) return rc;
  for (i = 0; i < inv->nhosts; i++) count += sel[i];
  if (from < 0 && from != LONG_MIN) from += count;
  if (to < 0) to += count;
  if (!range && (from < 0 || from >= count)) {
    snprintf(err, errlen, "pattern '%s[%ld]': only %ld host%s match '%s'", t, from, count,
             count == 1 ? "" : "s", t);
    return NH_EINVAL;
  }
  for (i = 0; i < inv->nhosts; i++)
    if (sel[i]) {
      sel[i] = k >= from && k <= to;
      k++;
    }
  return 0;
}

int nh_inventory_select(const nh_inventory_t *inv, const char *pattern, size_t **idx, size_t *n,
                        char *err, size_t errlen) {
  return nh_inventory_select_ex(inv, pattern, idx, n, NULL, 0, err, errlen);
}

/* The end of the term starting at p: the next separator outside brackets. */
static const char *term_end(const char *p, char sep) {
  int depth = 0;
  for (; *p; p++) {
    if (*p == '[')
      depth++;
    else if (*p == ']' && depth)
      depth--;
    else if (*p == sep && !depth)
      return p;
  }
  return NULL;
}

int nh_inventory_select_ex(const nh_inventory_t *inv, const char *pattern, size_t **idx, size_t *n,
                           char *unmatched, size_t unmatched_len, char *err, size_t errlen) {
  unsigned char *uni = NULL, *tmp = NULL, *and_mask = NULL, *not_mask = NULL;
  const char *p = pattern;
  char sep = term_end(pattern, ',') ? ',' : ':';
  char buf[1024];
  size_t i, count = 0, nh = inv->nhosts;
  int rc = 0, unions = 0;
  *idx = NULL;
  *n = 0;
  if (err && errlen) err[0] = '\0';
  if (unmatched && unmatched_len) unmatched[0] = '\0';
  uni = calloc(nh + 1, 1);
  tmp = calloc(nh + 1, 1);
  and_mask = malloc(nh + 1);
  not_mask = calloc(nh + 1, 1);
  if (!uni || !tmp || !and_mask || !not_mask) {
    rc = NH_ENOMEM;
    goto done;
  }
  memset(and_mask, 1, nh + 1);
  for (;;) {
    const char *end = term_end(p, sep);
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char op = 0;
    while (len && (*p == ' ' || *p == '\t')) p++, len--;
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
    if (len && (*p == '&' || *p == '!')) op = *p++, len--;
    if (!len || len >= sizeof(buf)) {
      snprintf(err, errlen, "pattern '%s': %s at offset %zu", pattern,
               len ? "term too long" : "empty term", (size_t)(p - pattern));
      rc = NH_EINVAL;
      goto done;
    }
    memcpy(buf, p, len);
    buf[len] = '\0';
    memset(tmp, 0, nh + 1);
    if ((rc = term(inv, buf, tmp, err, errlen)) < 0) goto done;
    if (unmatched && op != '!' && !memchr(tmp, 1, nh)) {
      /* As Ansible warns: a name that matches nothing is most often a typo. */
      size_t used = strlen(unmatched);
      snprintf(unmatched + used, unmatched_len - used, "%s%.*s", used ? ", " : "", (int)len, p);
    }
    for (i = 0; i < nh; i++) {
      if (op == '&')
        and_mask[i] &= tmp[i];
      else if (op == '!')
        not_mask[i] |= tmp[i];
      else
        uni[i] |= tmp[i];
    }
    if (!op) unions++;
    if (!end) break;
    p = end + 1;
  }
  /* As Ansible: a pattern that only narrows (":&x", "!x") starts from all hosts. */
  if (!unions) memset(uni, 1, nh);
  for (i = 0; i < nh; i++)
    if (uni[i] && and_mask[i] && !not_mask[i]) count++;
  if (count && !(*idx = malloc(count * sizeof(**idx)))) {
    rc = NH_ENOMEM;
    goto done;
  }
  for (i = 0, count = 0; i < nh; i++)
    if (uni[i] && and_mask[i] && !not_mask[i]) (*idx)[count++] = i;
  *n = count;
done:
  free(uni);
  free(tmp);
  free(and_mask);
  free(not_mask);
  return rc;
}
