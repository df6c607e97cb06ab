/* nethost core: host selection with Ansible's pattern language (-l/--limit). */
#include "error.h"
#include "inventory_int.h"

#include <fnmatch.h>
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

/* Marks the hosts one term selects. */
static int term(const nh_inventory_t *inv, const char *t, unsigned char *sel, char *err,
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

int nh_inventory_select(const nh_inventory_t *inv, const char *pattern, size_t **idx, size_t *n,
                        char *err, size_t errlen) {
  unsigned char *uni = NULL, *tmp = NULL, *and_mask = NULL, *not_mask = NULL;
  const char *p = pattern;
  char sep = strchr(pattern, ',') ? ',' : ':';
  char buf[1024];
  size_t i, count = 0, nh = inv->nhosts;
  int rc = 0, unions = 0, intersections = 0;
  *idx = NULL;
  *n = 0;
  if (err && errlen) err[0] = '\0';
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
    const char *end = strchr(p, sep);
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
    for (i = 0; i < nh; i++) {
      if (op == '&')
        and_mask[i] &= tmp[i];
      else if (op == '!')
        not_mask[i] |= tmp[i];
      else
        uni[i] |= tmp[i];
    }
    if (op == '&')
      intersections++;
    else if (!op)
      unions++;
    if (!end) break;
    p = end + 1;
  }
  /* As Ansible: a pattern that only narrows (":&x", "!x") starts from all hosts. */
  if (!unions) memset(uni, 1, nh);
  (void)intersections;
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
