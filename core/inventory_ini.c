/* nethost core: Ansible INI inventories — [group], [group:vars], [group:children] and
 * "host key=value ..." lines. Values become YAML scalar nodes, so they are typed and checked
 * exactly as in YAML inventories. */
#include "error.h"
#include "inventory_int.h"
#include "text_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Group names longer than this are refused (with file:line), never cut short: a cut name
 * would silently merge two groups. */
#define INI_NAME_MAX 255

/* A scalar node for an INI value, so INI variables go through the same checks as YAML's. */
static nh_ynode_t *ini_node(nh__ld_t *ld, const char *s, size_t len, int line, int col,
                            int quoted) {
  nh_ynode_t *n = nh_ydoc_alloc(ld->doc, sizeof(*n));
  if (!n) return NULL;
  n->type = NH_YNODE_SCALAR;
  n->line = line;
  n->column = col;
  n->plain = !quoted;
  if (!(n->u.scalar.text = nh_ydoc_strdup(ld->doc, s, len))) return NULL;
  n->u.scalar.len = len;
  return n;
}

/* Reads the next whitespace-separated token (quotes group) starting at *p. */
static int ini_token(const char **p, const char *end, const char **start, size_t *len,
                     int *quoted) {
  const char *s = *p;
  while (s < end && (*s == ' ' || *s == '\t')) s++;
  if (s >= end || *s == '#') return 0;
  *start = s;
  *quoted = 0;
  while (s < end && *s != ' ' && *s != '\t') {
    if (*s == '"' || *s == '\'') {
      char q = *s++;
      *quoted = 1;
      while (s < end && *s != q) s++;
      if (s < end) s++;
    } else {
      s++;
    }
  }
  *len = (size_t)(s - *start);
  *p = s;
  return 1;
}

/* key=value with optional quotes around value; builds the key and value nodes. */
static int ini_pair(nh__ld_t *ld, const char *tok, size_t len, int line, int col, nh_ynode_t **k,
                    nh_ynode_t **v) {
  const char *eq = memchr(tok, '=', len);
  const char *val;
  size_t vlen;
  int quoted = 0;
  nh_ynode_t pos;
  memset(&pos, 0, sizeof(pos));
  pos.line = line;
  pos.column = col;
  if (!eq || eq == tok)
    return nh__inv_fail(ld, &pos, "expected key=value, found '%.*s'", (int)len, tok);
  val = eq + 1;
  vlen = len - (size_t)(val - tok);
  if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0]) {
    val++;
    vlen -= 2;
    quoted = 1;
  }
  if (!(*k = ini_node(ld, tok, (size_t)(eq - tok), line, col, 1))) return NH_ENOMEM;
  if (!(*v = ini_node(ld, val, vlen, line, col + (int)(val - tok), quoted))) return NH_ENOMEM;
  return 0;
}

int nh__inv_load_ini(nh__ld_t *ld, const char *text, size_t len, const char *name) {
  const char *p = text, *end = text + len;
  nh_group_t *group = NULL;
  nh_ydoc_t *doc;
  enum { HOSTS, VARS, CHILDREN } mode = HOSTS;
  int line = 0, rc, created;
  char what[300];
  const char *bad;
  size_t at;
  if (!(doc = nh_ydoc_new(name))) return NH_ENOMEM;
  if ((rc = nh__inv_keep_doc(ld->inv, doc)) < 0) return rc;
  ld->doc = doc;
  /* A NUL would cut names and values short and non-UTF-8 bytes mean a file that is not
   * text: refused where they are, as the YAML reader does. */
  if ((at = nh_text_bad_byte(text, len, &bad)) < len) {
    int bline, bcol;
    nh_text_position(text, len, at, &bline, &bcol);
    if (!text[at])
      return nh__inv_fail_at(ld, name, bline, bcol, "%s: an INI inventory is UTF-8 text", bad);
    return nh__inv_fail_at(ld, name, bline, bcol, "%s (0x%02X): an INI inventory is UTF-8 text",
                           bad, (unsigned)(unsigned char)text[at]);
  }
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p)), *s = p, *e, *ls = p;
    nh_ynode_t pos;
    if (!eol) eol = end;
    line++;
    e = eol;
    p = eol + 1;
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    if (s == e || *s == '#' || *s == ';') continue;
    memset(&pos, 0, sizeof(pos));
    pos.line = line;
    pos.column = 1 + (int)(s - ls);
    if (*s == '[') {
      const char *close = memchr(s, ']', (size_t)(e - s)), *colon;
      char gname[INI_NAME_MAX + 1];
      if (!close || close + 1 != e)
        return nh__inv_fail(ld, &pos, "expected a section header like [group] or [group:vars]");
      colon = memchr(s, ':', (size_t)(close - s));
      mode = HOSTS;
      if (colon) {
        if ((size_t)(close - colon - 1) == 4 && !strncmp(colon + 1, "vars", 4))
          mode = VARS;
        else if ((size_t)(close - colon - 1) == 8 && !strncmp(colon + 1, "children", 8))
          mode = CHILDREN;
        else
          return nh__inv_fail(ld, &pos, "unknown section kind '%.*s': expected :vars or :children",
                              (int)(close - colon - 1), colon + 1);
      }
      if ((colon ? colon : close) - s - 1 > INI_NAME_MAX)
        return nh__inv_fail(ld, &pos, "group name longer than %d characters", INI_NAME_MAX);
      snprintf(gname, sizeof(gname), "%.*s", (int)((colon ? colon : close) - s - 1), s + 1);
      if (!gname[0]) return nh__inv_fail(ld, &pos, "expected a group name in the section header");
      if (strcmp(gname, "all") == 0 || strcmp(gname, "ungrouped") == 0) {
        group = NULL;
      } else {
        if (!(group = nh__inv_group(ld->inv, gname, &created))) return NH_ENOMEM;
        if (!group->defined) nh__inv_group_defined(group, nh_ydoc_file(doc), line, 1);
      }
      continue;
    }
    if (mode == CHILDREN) {
      nh_group_t *child;
      char cname[INI_NAME_MAX + 1];
      if (!group) continue; /* [all:children] lists the top-level groups: nothing to record */
      if (e - s > INI_NAME_MAX)
        return nh__inv_fail(ld, &pos, "group name longer than %d characters", INI_NAME_MAX);
      snprintf(cname, sizeof(cname), "%.*s", (int)(e - s), s);
      if (!(child = nh__inv_group(ld->inv, cname, &created))) return NH_ENOMEM;
      if (!child->defined) nh__inv_group_defined(child, nh_ydoc_file(doc), line, 1);
      if ((rc = nh__inv_add_group_ref(ld->inv, &child->parents, &child->nparents, group)) < 0)
        return rc;
    } else if (mode == VARS) {
      const char *eq = memchr(s, '=', (size_t)(e - s)), *ks = s, *ke, *vs;
      nh_ynode_t *k, *v;
      size_t vlen;
      int quoted = 0;
      if (!eq) return nh__inv_fail(ld, &pos, "expected key=value in a :vars section");
      ke = eq;
      while (ke > ks && (ke[-1] == ' ' || ke[-1] == '\t')) ke--;
      vs = eq + 1;
      while (vs < e && (*vs == ' ' || *vs == '\t')) vs++;
      vlen = (size_t)(e - vs);
      if (vlen >= 2 && (vs[0] == '"' || vs[0] == '\'') && vs[vlen - 1] == vs[0]) {
        vs++;
        vlen -= 2;
        quoted = 1;
      }
      if (!(k = ini_node(ld, ks, (size_t)(ke - ks), line, 1, 1)) ||
          !(v = ini_node(ld, vs, vlen, line, 1 + (int)(vs - s), quoted)))
        return NH_ENOMEM;
      snprintf(what, sizeof(what), "group '%s'", group ? group->name : "all");
      if (group && !strcmp(k->u.scalar.text, "ansible_group_priority")) {
        group->priority = atoi(v->u.scalar.text);
        continue;
      }
      if ((rc = nh__inv_ansible_var(ld, group ? &group->own : &ld->inv->defaults, k, v, what)) < 0)
        return rc;
    } else {
      const char *q = s, *tok;
      size_t tlen;
      int quoted;
      char hname[1024];
      nh_ynode_t *vars = NULL, **keys = NULL, **vals = NULL;
      size_t nv = 0;
      ini_token(&q, e, &tok, &tlen, &quoted);
      snprintf(hname, sizeof(hname), "%.*s", (int)tlen, tok);
      /* The host's variables become a map node, so add_host treats them like YAML ones. */
      while (ini_token(&q, e, &tok, &tlen, &quoted)) {
        nh_ynode_t **nk, **nvv;
        if (!(nk = nh_ydoc_alloc(doc, (nv + 1) * sizeof(*nk))) ||
            !(nvv = nh_ydoc_alloc(doc, (nv + 1) * sizeof(*nvv))))
          return NH_ENOMEM;
        if (nv) {
          memcpy(nk, keys, nv * sizeof(*nk));
          memcpy(nvv, vals, nv * sizeof(*nvv));
        }
        keys = nk;
        vals = nvv;
        if ((rc = ini_pair(ld, tok, tlen, line, 1 + (int)(tok - s), &keys[nv], &vals[nv])) < 0)
          return rc;
        nv++;
      }
      if (nv) {
        if (!(vars = nh_ydoc_alloc(doc, sizeof(*vars)))) return NH_ENOMEM;
        vars->type = NH_YNODE_MAP;
        vars->line = line;
        vars->column = 1;
        vars->u.map.keys = keys;
        vars->u.map.vals = vals;
        vars->u.map.len = nv;
      }
      if ((rc = nh__inv_ansible_hosts(ld, hname, &pos, group, vars)) < 0) return rc;
    }
  }
  return 0;
}
