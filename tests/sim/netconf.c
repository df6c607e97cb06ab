/* nethost-sim: the NETCONF server. See netconf.h. Framing is nethost's own (core/
 * netconf_frame.c, built into the lab too); XML is read with libxml2. */
#include "netconf.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf_frame.h"

#define BASE_NS  "urn:ietf:params:xml:ns:netconf:base:1.0"
#define IETF_IF  "urn:ietf:params:xml:ns:yang:ietf-interfaces"
#define XE_NAT   "http://cisco.com/ns/yang/Cisco-IOS-XE-native"
#define JUNOS_NS "http://xml.juniper.net/xnm/1.1/xnm"

/* What a device holds for NETCONF beyond its running configuration. */
typedef struct {
  sim_device_t *dev;
  nc_model_t candidate;
  int candidate_dirty; /* the candidate differs from running (edited, not committed) */
  sim_nc_t *lock_running, *lock_candidate;
  uv_timer_t confirm_timer;
  int timer_init, confirm_pending;
  nc_model_t before_confirm;
  sim_nc_t *confirm_owner;
} nc_dev_t;

struct sim_nc {
  sim_device_t *dev;
  nc_dev_t *nd;
  const sim_term_io_t *io;
  void *ctx;
  nh_nc_framer_t fr;
  int hello_done, chunked_next, closed;
  unsigned long id;
};

static nc_dev_t **devstate;
static int ndevstate;
static unsigned long next_session_id = 1;

static int is_junos(const sim_device_t *dev) {
  return dev->pers == &sim_juniper_junos;
}

static void model_get(sim_device_t *dev, nc_model_t *m) {
  memset(m, 0, sizeof *m);
  if (is_junos(dev))
    junos_nc_get(dev, m);
  else
    ioslike_nc_get(dev, m);
}

static void model_apply(sim_device_t *dev, const nc_model_t *m, const char *how) {
  if (is_junos(dev))
    junos_nc_apply(dev, m, how);
  else
    ioslike_nc_apply(dev, m);
}

static nc_dev_t *dev_state(sim_device_t *dev) {
  if (!devstate) {
    ndevstate = dev->lab->ndevs + 1;
    devstate = sim_calloc((size_t)ndevstate, sizeof *devstate);
  }
  if (dev->index >= ndevstate) return NULL;
  if (!devstate[dev->index]) {
    nc_dev_t *nd = sim_calloc(1, sizeof *nd);
    nd->dev = dev;
    devstate[dev->index] = nd;
  }
  return devstate[dev->index];
}

/* The candidate follows running until someone edits it. */
static nc_model_t *candidate(nc_dev_t *nd) {
  if (!nd->candidate_dirty) model_get(nd->dev, &nd->candidate);
  return &nd->candidate;
}

/* ---- output ---- */

static void send_msg(sim_nc_t *s, const char *msg, size_t len) {
  char *framed;
  size_t flen;
  if (s->closed) return;
  if (nh_nc_frame_encode(s->fr.chunked, msg, len, &framed, &flen) < 0) return;
  s->io->write(s->ctx, framed, flen, 0);
  free(framed);
}

static void add_text(sbuf_t *b, const char *s) {
  for (; *s; s++) {
    if (*s == '<')
      sb_puts(b, "&lt;");
    else if (*s == '>')
      sb_puts(b, "&gt;");
    else if (*s == '&')
      sb_puts(b, "&amp;");
    else if (*s == '"')
      sb_puts(b, "&quot;");
    else
      sb_putc(b, *s);
  }
}

/* Junos sends its replies without an XML declaration (ncclient's junos handler re-parses
 * them as text and fails on one); IOS-XE sends one. */
static void reply_begin(const sim_nc_t *s, sbuf_t *b, const char *id) {
  if (!is_junos(s->dev)) sb_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  sb_printf(b, "<rpc-reply xmlns=\"%s\"", BASE_NS);
  if (id) {
    sb_puts(b, " message-id=\"");
    add_text(b, id);
    sb_puts(b, "\"");
  }
  sb_puts(b, ">");
}

static void reply_ok(sim_nc_t *s, const char *id) {
  sbuf_t b;
  sb_init(&b);
  reply_begin(s, &b, id);
  sb_puts(&b, "<ok/></rpc-reply>");
  send_msg(s, b.data, b.len);
  sb_free(&b);
}

/* An rpc-error inside <wrap> (Junos puts load-configuration's errors in its
 * <load-configuration-results>), or directly in the reply when wrap is NULL. */
static void reply_error_in(sim_nc_t *s, const char *id, const char *wrap, const char *type,
                           const char *tag, const char *path, const char *message,
                           const char *info) {
  sbuf_t b;
  sb_init(&b);
  reply_begin(s, &b, id);
  if (wrap) sb_printf(&b, "<%s>", wrap);
  sb_printf(&b,
            "<rpc-error><error-type>%s</error-type><error-tag>%s</error-tag>"
            "<error-severity>error</error-severity>",
            type, tag);
  if (path) {
    sb_puts(&b, "<error-path>");
    add_text(&b, path);
    sb_puts(&b, "</error-path>");
  }
  if (message) {
    sb_puts(&b, "<error-message xml:lang=\"en\">");
    add_text(&b, message);
    sb_puts(&b, "</error-message>");
  }
  if (info) sb_printf(&b, "<error-info>%s</error-info>", info);
  sb_puts(&b, "</rpc-error>");
  if (wrap) sb_printf(&b, "</%s>", wrap);
  sb_puts(&b, "</rpc-reply>");
  send_msg(s, b.data, b.len);
  sb_free(&b);
}

static void reply_error(sim_nc_t *s, const char *id, const char *type, const char *tag,
                        const char *path, const char *message, const char *info) {
  reply_error_in(s, id, NULL, type, tag, path, message, info);
}

/* A reply holding body (already XML). */
static void reply_body(sim_nc_t *s, const char *id, const char *body) {
  sbuf_t b;
  sb_init(&b);
  reply_begin(s, &b, id);
  sb_puts(&b, body);
  sb_puts(&b, "</rpc-reply>");
  send_msg(s, b.data, b.len);
  sb_free(&b);
}

/* ---- models as XML ---- */

/* Opens an <interface> with its <name> and, when there is one, its <description>: elements
 * of the same name in the Junos and the IETF model. */
static void open_interface(sbuf_t *b, const char *name, const char *description) {
  sb_puts(b, "<interface><name>");
  add_text(b, name);
  sb_puts(b, "</name>");
  if (description[0]) {
    sb_puts(b, "<description>");
    add_text(b, description);
    sb_puts(b, "</description>");
  }
}

static void render(sim_device_t *dev, const nc_model_t *m, sbuf_t *b) {
  int i;
  if (is_junos(dev)) {
    sb_puts(b, "<configuration><system><host-name>");
    add_text(b, m->hostname);
    sb_puts(b, "</host-name></system><interfaces>");
    for (i = 0; i < m->nif; i++) {
      open_interface(b, m->ifs[i].name, m->ifs[i].description);
      if (!m->ifs[i].enabled) sb_puts(b, "<disable/>");
      sb_puts(b, "</interface>");
    }
    sb_puts(b, "</interfaces></configuration>");
    return;
  }
  sb_printf(b, "<native xmlns=\"%s\"><hostname>", XE_NAT);
  add_text(b, m->hostname);
  sb_printf(b, "</hostname></native><interfaces xmlns=\"%s\">", IETF_IF);
  for (i = 0; i < m->nif; i++) {
    open_interface(b, m->ifs[i].name, m->ifs[i].description);
    sb_puts(b, "<type xmlns:ianaift=\"urn:ietf:params:xml:ns:yang:iana-if-type\">"
               "ianaift:ethernetCsmacd</type>");
    sb_printf(b, "<enabled>%s</enabled></interface>", m->ifs[i].enabled ? "true" : "false");
  }
  sb_puts(b, "</interfaces>");
}

/* ---- requests ---- */

static xmlNodePtr first_el(xmlNodePtr n) {
  for (n = n ? n->children : NULL; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE) return n;
  return NULL;
}

static xmlNodePtr next_el(xmlNodePtr n) {
  for (n = n ? n->next : NULL; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE) return n;
  return NULL;
}

static xmlNodePtr child(xmlNodePtr n, const char *name) {
  for (n = first_el(n); n; n = next_el(n))
    if (!strcmp((const char *)n->name, name)) return n;
  return NULL;
}

static int is(xmlNodePtr n, const char *name) {
  return n && !strcmp((const char *)n->name, name);
}

/* The text of n, trimmed, into buf. */
static const char *text_of(xmlNodePtr n, char *buf, size_t len) {
  xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
  const char *p = t ? (const char *)t : "";
  size_t l;
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
  snprintf(buf, len, "%s", p);
  l = strlen(buf);
  while (l && (buf[l - 1] == ' ' || buf[l - 1] == '\n' || buf[l - 1] == '\t' || buf[l - 1] == '\r'))
    buf[--l] = 0;
  xmlFree(t);
  return buf;
}

/* The datastore named inside <target>/<source>: "running", "candidate", ... or "". */
static const char *store(xmlNodePtr op, const char *which) {
  xmlNodePtr e = first_el(child(op, which));
  return e ? (const char *)e->name : "";
}

/* nc:operation of n ("merge" when none). */
static int deleting(xmlNodePtr n) {
  xmlChar *op = xmlGetNsProp(n, (const xmlChar *)"operation", (const xmlChar *)BASE_NS);
  int del;
  if (!op) op = xmlGetProp(n, (const xmlChar *)"operation");
  if (!op) op = xmlGetProp(n, (const xmlChar *)"delete"); /* Junos's delete="delete" */
  del = op && (!strcmp((const char *)op, "delete") || !strcmp((const char *)op, "remove"));
  xmlFree(op);
  return del;
}

static int find_if(const nc_model_t *m, const char *name) {
  int i;
  for (i = 0; i < m->nif; i++)
    if (!strcmp(m->ifs[i].name, name)) return i;
  return -1;
}

/* Applies a <config> to m. Returns 0, or fills the error and returns -1. */
static int edit(sim_device_t *dev, nc_model_t *m, xmlNodePtr config, char *tag, char *path,
                char *msg) {
  xmlNodePtr top, e, iface;
  char buf[512];
  if (is_junos(dev)) {
    top = child(config, "configuration");
    if (!top) top = config;
  } else {
    top = config;
  }
  for (e = first_el(top); e; e = next_el(e)) {
    if (is(e, "system") || is(e, "native")) {
      xmlNodePtr h = child(e, is(e, "system") ? "host-name" : "hostname");
      if (!h) continue;
      text_of(h, buf, sizeof buf);
      if (!buf[0] || strchr(buf, ' ') || strlen(buf) >= sizeof m->hostname) {
        strcpy(tag, "invalid-value");
        snprintf(path, 256, is_junos(dev) ? "/configuration/system/host-name" : "/native/hostname");
        snprintf(msg, 256, "invalid hostname '%.100s'", buf);
        return -1;
      }
      snprintf(m->hostname, sizeof m->hostname, "%.63s", buf);
    } else if (is(e, "interfaces")) {
      for (iface = first_el(e); iface; iface = next_el(iface)) {
        char name[64];
        int i;
        xmlNodePtr d, en;
        if (!is(iface, "interface")) continue;
        text_of(child(iface, "name"), name, sizeof name);
        if ((i = find_if(m, name)) < 0) {
          strcpy(tag, "invalid-value");
          snprintf(path, 256, "/interfaces/interface[name='%.64s']", name);
          snprintf(msg, 256, "interface %.64s does not exist on this device", name);
          return -1;
        }
        if (deleting(iface)) {
          m->ifs[i].description[0] = 0;
          m->ifs[i].enabled = 1;
          continue;
        }
        if ((d = child(iface, "description"))) {
          if (deleting(d)) {
            m->ifs[i].description[0] = 0;
          } else {
            text_of(d, buf, sizeof buf);
            if (strlen(buf) > 240 || strchr(buf, '"')) {
              strcpy(tag, "invalid-value");
              snprintf(path, 256, "/interfaces/interface[name='%.64s']/description", name);
              snprintf(msg, 256, "description: too long or contains a double quote");
              return -1;
            }
            snprintf(m->ifs[i].description, sizeof m->ifs[i].description, "%.250s", buf);
          }
        }
        if ((en = child(iface, "enabled"))) {
          text_of(en, buf, sizeof buf);
          if (strcmp(buf, "true") && strcmp(buf, "false")) {
            strcpy(tag, "invalid-value");
            snprintf(path, 256, "/interfaces/interface[name='%.64s']/enabled", name);
            snprintf(msg, 256, "enabled must be true or false, not '%.64s'", buf);
            return -1;
          }
          m->ifs[i].enabled = !strcmp(buf, "true");
        }
        if ((en = child(iface, "disable"))) m->ifs[i].enabled = deleting(en);
      }
    } else {
      strcpy(tag, "unknown-element");
      snprintf(path, 256, "/%s", (const char *)e->name);
      snprintf(msg, 256, "unknown element '%.64s' in the configuration", (const char *)e->name);
      return -1;
    }
  }
  return 0;
}

static void lock_denied(sim_nc_t *s, const char *id, sim_nc_t *holder) {
  char info[64];
  snprintf(info, sizeof info, "<session-id>%lu</session-id>", holder->id);
  reply_error(s, id, "protocol", "lock-denied", NULL, "Lock failed, lock is already held", info);
}

static sim_nc_t **lock_slot(nc_dev_t *nd, const char *ds) {
  if (!strcmp(ds, "running")) return &nd->lock_running;
  if (!strcmp(ds, "candidate")) return &nd->lock_candidate;
  return NULL;
}

static void stop_confirm(nc_dev_t *nd) {
  if (nd->confirm_pending && nd->timer_init) uv_timer_stop(&nd->confirm_timer);
  nd->confirm_pending = 0;
  nd->confirm_owner = NULL;
}

static void rollback_confirm(nc_dev_t *nd) {
  model_apply(nd->dev, &nd->before_confirm, "by admin via netconf (confirmed commit rolled back)");
  nd->candidate_dirty = 0;
  stop_confirm(nd);
}

static void on_confirm_timeout(uv_timer_t *t) {
  nc_dev_t *nd = t->data;
  if (nd->confirm_pending) rollback_confirm(nd);
}

/* Commits the candidate; a confirmed commit is rolled back after timeout_ms unless
 * confirmed. Returns 0, or -1 after replying with lock-denied. */
static int commit_candidate(sim_nc_t *s, const char *id, int confirmed, uint64_t timeout_ms) {
  nc_dev_t *nd = s->nd;
  if (nd->lock_candidate && nd->lock_candidate != s) {
    lock_denied(s, id, nd->lock_candidate);
    return -1;
  }
  if (confirmed) {
    if (!nd->confirm_pending) model_get(s->dev, &nd->before_confirm);
    if (!nd->timer_init) {
      uv_timer_init(s->dev->lab->loop, &nd->confirm_timer);
      nd->confirm_timer.data = nd;
      nd->timer_init = 1;
    }
    uv_timer_start(&nd->confirm_timer, on_confirm_timeout, timeout_ms, 0);
    nd->confirm_pending = 1;
    nd->confirm_owner = s;
  } else {
    stop_confirm(nd); /* a plain commit confirms a pending confirmed commit */
  }
  model_apply(s->dev, candidate(nd),
              confirmed ? "by admin via netconf commit confirmed" : "by admin via netconf");
  nd->candidate_dirty = 0;
  return 0;
}

static void do_commit(sim_nc_t *s, const char *id, xmlNodePtr op) {
  char buf[64];
  uint64_t timeout_s = 600;
  if (child(op, "confirm-timeout")) {
    text_of(child(op, "confirm-timeout"), buf, sizeof buf);
    timeout_s = strtoull(buf, NULL, 10);
    if (timeout_s == 0) {
      reply_error(s, id, "protocol", "invalid-value", NULL, "confirm-timeout must be > 0", NULL);
      return;
    }
  }
  if (commit_candidate(s, id, child(op, "confirmed") != NULL, timeout_s * 1000) == 0)
    reply_ok(s, id);
}

/* Junos's <commit-configuration>: <check/> only validates; <confirm-timeout> is in minutes
 * (a lab minute is --confirm-unit-ms), 10 by default, as in the CLI. */
static void do_commit_configuration(sim_nc_t *s, const char *id, xmlNodePtr op) {
  char buf[64];
  uint64_t minutes = 10;
  static const char ok_fmt[] = "<commit-results><routing-engine><name>re0</name><%s/>"
                               "</routing-engine></commit-results>";
  char body[160];
  if (child(op, "at-time")) {
    reply_error(s, id, "protocol", "operation-not-supported", NULL,
                "commit at a later time is not supported by the lab", NULL);
    return;
  }
  if (child(op, "check")) {
    snprintf(body, sizeof body, ok_fmt, "commit-check-success");
    reply_body(s, id, body);
    return;
  }
  if (child(op, "confirm-timeout")) {
    text_of(child(op, "confirm-timeout"), buf, sizeof buf);
    minutes = strtoull(buf, NULL, 10);
    if (minutes == 0 || minutes > 65535) {
      reply_error(s, id, "protocol", "invalid-value", "/commit-configuration/confirm-timeout",
                  "confirm-timeout must be 1..65535 minutes", NULL);
      return;
    }
  }
  if (commit_candidate(s, id, child(op, "confirmed") != NULL,
                       minutes * (uint64_t)s->dev->lab->opt.confirm_unit_ms) == 0) {
    snprintf(body, sizeof body, ok_fmt, "commit-success");
    reply_body(s, id, body);
  }
}

/* ---- Junos load-configuration (text, set and XML formats) ---- */

#define LC_WORDS 16
#define LC_WORD  256

typedef struct {
  char tag[64], path[256], msg[256];
} lc_err_t;

static int lc_fail(lc_err_t *e, const char *tag, const char *path, const char *msg) {
  /* Long names are cut: the message is for people, the tag is what programs read. */
  snprintf(e->tag, sizeof e->tag, "%.63s", tag);
  snprintf(e->path, sizeof e->path, "%.255s", path);
  snprintf(e->msg, sizeof e->msg, "%.255s", msg);
  return -1;
}

static void reset_if(nc_model_t *m, int i) {
  m->ifs[i].description[0] = 0;
  m->ifs[i].enabled = 1;
}

static void reset_all(nc_model_t *m) {
  for (int i = 0; i < m->nif; i++) reset_if(m, i);
}

/* One statement, as a path of words, applied to the model: verb "set", "delete" or
 * "replace" (reset the subtree before its contents are loaded). What the model does not
 * hold (units, other system statements) is accepted and left alone, as edit() does. */
static int lc_apply(sim_device_t *dev, nc_model_t *m, const char *verb, char w[][LC_WORD], int n,
                    lc_err_t *e) {
  char buf[512];
  /* replace resets a block (interfaces, one interface); on a statement it sets it. */
  int set = strcmp(verb, "delete") != 0, reset = !set || !strcmp(verb, "replace"), i;
  if (n == 0) return 0;
  if (!strcmp(w[0], "system")) {
    if (n >= 3 && !strcmp(w[1], "host-name") && set) {
      if (!w[2][0] || strchr(w[2], ' ') || strlen(w[2]) >= sizeof m->hostname) {
        snprintf(buf, sizeof buf, "invalid hostname '%.100s'", w[2]);
        return lc_fail(e, "invalid-value", "/configuration/system/host-name", buf);
      }
      snprintf(m->hostname, sizeof m->hostname, "%s", w[2]);
    }
    return 0;
  }
  if (strcmp(w[0], "interfaces") != 0) {
    snprintf(buf, sizeof buf, "unknown element '%.64s' in the configuration", w[0]);
    char path[128];
    snprintf(path, sizeof path, "/configuration/%.64s", w[0]);
    return lc_fail(e, "unknown-element", path, buf);
  }
  if (n == 1) {
    if (reset) reset_all(m);
    return 0;
  }
  if ((i = find_if(m, w[1])) < 0) {
    char path[128];
    snprintf(path, sizeof path, "/configuration/interfaces/interface[name='%.64s']", w[1]);
    snprintf(buf, sizeof buf, "interface %.64s does not exist on this device", w[1]);
    return lc_fail(e, "invalid-value", path, buf);
  }
  if (n == 2) {
    if (reset) reset_if(m, i);
    return 0;
  }
  if (!strcmp(w[2], "description")) {
    if (!set) {
      m->ifs[i].description[0] = 0;
    } else if (n < 4 || strlen(w[3]) > 240 || strchr(w[3], '"')) {
      char path[128];
      snprintf(path, sizeof path, "/configuration/interfaces/interface[name='%.64s']/description",
               w[1]);
      return lc_fail(e, "invalid-value", path,
                     "description: missing, too long or contains a double quote");
    } else {
      snprintf(m->ifs[i].description, sizeof m->ifs[i].description, "%s", w[3]);
    }
  } else if (!strcmp(w[2], "disable")) {
    m->ifs[i].enabled = !set;
  }
  return 0;
}

/* The next word of s (a "quoted string" is one word, without its quotes), or in text
 * format one of { } ; as a word of its own. Returns the position after it, NULL at the end. */
static const char *lc_word(const char *s, char *out, int braces) {
  size_t k = 0;
  for (;;) {
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    if (braces && *s == '#') { /* a comment line */
      while (*s && *s != '\n') s++;
      continue;
    }
    if (braces && s[0] == '/' && s[1] == '*') {
      const char *end = strstr(s + 2, "*/");
      s = end ? end + 2 : s + strlen(s);
      continue;
    }
    break;
  }
  if (!*s) return NULL;
  if (braces && (*s == '{' || *s == '}' || *s == ';')) {
    out[0] = *s;
    out[1] = 0;
    return s + 1;
  }
  if (*s == '"') {
    for (s++; *s && *s != '"'; s++) {
      if (*s == '\\' && s[1]) s++;
      if (k < LC_WORD - 1) out[k++] = *s;
    }
    if (*s == '"') s++;
  } else {
    while (*s && !strchr(" \t\r\n", *s) && !(braces && strchr("{};", *s)))
      if (k < LC_WORD - 1)
        out[k++] = *s++;
      else
        s++;
  }
  out[k] = 0;
  return s;
}

/* <configuration-set>: set and delete lines (the text a "show configuration | display set"
 * prints); blank lines and comments are skipped. */
static int lc_set(sim_device_t *dev, nc_model_t *m, const char *text, lc_err_t *e) {
  char line[2048], w[LC_WORDS + 1][LC_WORD], verb[LC_WORD];
  int lineno = 0;
  while (*text) {
    size_t l = strcspn(text, "\n");
    snprintf(line, sizeof line, "%.*s", (int)(l < sizeof line ? l : sizeof line - 1), text);
    text += l + (text[l] == '\n');
    lineno++;
    const char *p = lc_word(line, verb, 0);
    if (!p || verb[0] == '#') continue;
    if (strcmp(verb, "set") && strcmp(verb, "delete")) {
      char msg[160];
      snprintf(msg, sizeof msg, "line %d: expected set or delete, not '%.64s'", lineno, verb);
      return lc_fail(e, "invalid-value", "/load-configuration/configuration-set", msg);
    }
    int n = 0;
    while (n < LC_WORDS && (p = lc_word(p, w[n], 0)) != NULL) n++;
    if (lc_apply(dev, m, verb, w, n, e)) return -1;
  }
  return 0;
}

/* <configuration-text>: Junos's curly-brace text. Each statement is applied with the path
 * of the blocks around it; "replace:" before a block resets what it covers first (with
 * action replace), "delete:" deletes the statement. */
static int lc_text(sim_device_t *dev, nc_model_t *m, const char *text, int replace_ok,
                   lc_err_t *e) {
  char w[LC_WORDS * 2][LC_WORD], tok[LC_WORD];
  int depth[LC_WORDS], nd = 0, n = 0; /* depth[k]: words of the path before block k */
  const char *p = text;
  char pending[16] = "set";
  while ((p = lc_word(p, tok, 1)) != NULL) {
    if (!strcmp(tok, "replace:") || !strcmp(tok, "delete:")) {
      if (tok[0] == 'd' || replace_ok)
        snprintf(pending, sizeof pending, "%s", tok[0] == 'd' ? "delete" : "replace");
      continue;
    }
    if (!strcmp(tok, "{")) {
      if (nd >= LC_WORDS)
        return lc_fail(e, "invalid-value", "/configuration-text", "nested too deep");
      if (!strcmp(pending, "replace") && lc_apply(dev, m, "replace", w, n, e)) return -1;
      depth[nd++] = n;
      strcpy(pending, "set");
      continue;
    }
    if (!strcmp(tok, ";")) {
      if (lc_apply(dev, m, pending, w, n, e)) return -1;
      n = nd ? depth[nd - 1] : 0;
      strcpy(pending, "set");
      continue;
    }
    if (!strcmp(tok, "}")) {
      if (!nd) return lc_fail(e, "invalid-value", "/configuration-text", "unbalanced '}'");
      nd--;
      n = nd ? depth[nd - 1] : 0;
      continue;
    }
    if (n >= LC_WORDS * 2)
      return lc_fail(e, "invalid-value", "/configuration-text", "statement too long");
    snprintf(w[n++], LC_WORD, "%s", tok);
  }
  if (nd) return lc_fail(e, "invalid-value", "/configuration-text", "missing '}'");
  return 0;
}

/* In <configuration> loaded with action replace, elements marked replace="replace" are
 * reset before their contents are merged. */
static void lc_xml_replace(nc_model_t *m, xmlNodePtr conf) {
  for (xmlNodePtr top = first_el(conf); top; top = next_el(top)) {
    if (!is(top, "interfaces")) continue;
    xmlChar *r = xmlGetProp(top, (const xmlChar *)"replace");
    if (r) reset_all(m);
    xmlFree(r);
    for (xmlNodePtr i = first_el(top); i; i = next_el(i)) {
      char name[64];
      int k;
      if (!is(i, "interface") || !(r = xmlGetProp(i, (const xmlChar *)"replace"))) continue;
      xmlFree(r);
      if ((k = find_if(m, text_of(child(i, "name"), name, sizeof name))) >= 0) reset_if(m, k);
    }
  }
}

/* <load-configuration action= format=>: into the candidate, as Junos loads. merge adds to
 * it; replace also resets what replace="replace" (XML) or "replace:" (text) marks;
 * override and update make the loaded text the whole configuration (of what the lab
 * models: interfaces not named lose their description and are enabled; the host-name is
 * kept unless given); set takes <configuration-set>. A load is all or nothing here.
 * Results and errors come inside <load-configuration-results>, as Junos sends them. */
static void do_load_configuration(sim_nc_t *s, const char *id, xmlNodePtr op) {
  static const char *wrap = "load-configuration-results";
  nc_dev_t *nd = s->nd;
  xmlChar *a = xmlGetProp(op, (const xmlChar *)"action");
  xmlChar *rb = xmlGetProp(op, (const xmlChar *)"rollback");
  xmlChar *url = xmlGetProp(op, (const xmlChar *)"url");
  char action[16];
  lc_err_t e = {{0}, {0}, {0}};
  nc_model_t m;
  xmlNodePtr x = child(op, "configuration"), t = child(op, "configuration-text"),
             st = child(op, "configuration-set");
  int rc = 0;
  snprintf(action, sizeof action, "%s", a ? (const char *)a : "merge");
  xmlFree(a);
  if (rb || url) {
    xmlFree(rb);
    xmlFree(url);
    reply_error_in(s, id, wrap, "protocol", "operation-not-supported", NULL,
                   "the lab loads configuration given in the RPC only (no rollback or url)", NULL);
    return;
  }
  if (strcmp(action, "merge") && strcmp(action, "replace") && strcmp(action, "override") &&
      strcmp(action, "update") && strcmp(action, "set")) {
    char msg[96];
    snprintf(msg, sizeof msg, "unknown action '%.32s' (merge replace override update set)", action);
    reply_error_in(s, id, wrap, "protocol", "invalid-value", "/load-configuration/@action", msg,
                   NULL);
    return;
  }
  if (!strcmp(action, "set") != (st != NULL) || (!x && !t && !st)) {
    reply_error_in(s, id, wrap, "protocol", "missing-element", NULL,
                   "expected <configuration>, <configuration-text>, or <configuration-set> "
                   "with action=\"set\"",
                   NULL);
    return;
  }
  if (nd->lock_candidate && nd->lock_candidate != s) {
    char info[64];
    snprintf(info, sizeof info, "<session-id>%lu</session-id>", nd->lock_candidate->id);
    reply_error_in(s, id, wrap, "protocol", "lock-denied", NULL,
                   "configuration database locked by another session", info);
    return;
  }
  m = *candidate(nd);
  if (!strcmp(action, "override") || !strcmp(action, "update")) reset_all(&m);
  if (st) {
    xmlChar *text = xmlNodeGetContent(st);
    rc = lc_set(s->dev, &m, text ? (const char *)text : "", &e);
    xmlFree(text);
  } else if (t) {
    xmlChar *text = xmlNodeGetContent(t);
    rc = lc_text(s->dev, &m, text ? (const char *)text : "", !strcmp(action, "replace"), &e);
    xmlFree(text);
  } else {
    xmlNodePtr conf = x;
    if (!strcmp(action, "replace")) lc_xml_replace(&m, conf);
    rc = edit(s->dev, &m, conf, e.tag, e.path, e.msg);
  }
  if (rc < 0) {
    reply_error_in(s, id, wrap, "application", e.tag, e.path[0] ? e.path : NULL, e.msg, NULL);
    return;
  }
  nd->candidate = m;
  nd->candidate_dirty = 1;
  reply_body(s, id, "<load-configuration-results><ok/></load-configuration-results>");
}

/* Applies <config> to the model m (taken from the target datastore ds) and stores the result
 * in ds: running is applied to the device at once, candidate waits for <commit>. edit-config
 * and copy-config differ only in where m starts from. */
static void edit_into(sim_nc_t *s, const char *id, const char *ds, nc_model_t *m,
                      xmlNodePtr config) {
  char tag[64], path[256], msg[256];
  if (edit(s->dev, m, config, tag, path, msg) < 0) {
    reply_error(s, id, "application", tag, path, msg, NULL);
    return;
  }
  if (!strcmp(ds, "running")) {
    model_apply(s->dev, m, "by admin via netconf");
  } else {
    s->nd->candidate = *m;
    s->nd->candidate_dirty = 1;
  }
  reply_ok(s, id);
}

static void handle_rpc(sim_nc_t *s, xmlNodePtr rpc) {
  xmlChar *idp = xmlGetProp(rpc, (const xmlChar *)"message-id");
  char id[64];
  const char *ds;
  xmlNodePtr op = first_el(rpc);
  nc_dev_t *nd = s->nd;
  snprintf(id, sizeof id, "%s", idp ? (const char *)idp : "");
  xmlFree(idp);
  if (!op) {
    reply_error(s, id[0] ? id : NULL, "rpc", "missing-element", NULL, "empty rpc", NULL);
    return;
  }
  if (is(op, "get-config") || is(op, "get")) {
    sbuf_t b;
    nc_model_t m;
    ds = is(op, "get") ? "running" : store(op, "source");
    if (!strcmp(ds, "running"))
      model_get(s->dev, &m);
    else if (!strcmp(ds, "candidate"))
      m = *candidate(nd);
    else {
      reply_error(s, id, "protocol", "invalid-value", NULL, "unknown datastore", NULL);
      return;
    }
    sb_init(&b);
    reply_begin(s, &b, id);
    sb_puts(&b, "<data>");
    render(s->dev, &m, &b);
    sb_puts(&b, "</data></rpc-reply>");
    send_msg(s, b.data, b.len);
    sb_free(&b);
  } else if (is(op, "edit-config")) {
    nc_model_t m;
    sim_nc_t **slot;
    xmlNodePtr cfg = child(op, "config");
    ds = store(op, "target");
    slot = lock_slot(nd, ds);
    if (!slot) {
      reply_error(s, id, "protocol", "invalid-value", NULL, "unknown target", NULL);
      return;
    }
    if (*slot && *slot != s) {
      lock_denied(s, id, *slot);
      return;
    }
    if (!cfg) {
      reply_error(s, id, "protocol", "missing-element", NULL, "edit-config without <config>", NULL);
      return;
    }
    if (!strcmp(ds, "running"))
      model_get(s->dev, &m);
    else
      m = *candidate(nd);
    edit_into(s, id, ds, &m, cfg);
  } else if (is(op, "copy-config")) {
    /* A <config> source replaces what the model covers in the target. */
    nc_model_t m;
    xmlNodePtr src = child(child(op, "source"), "config");
    sim_nc_t **slot;
    ds = store(op, "target");
    slot = lock_slot(nd, ds);
    if (!slot || !src) {
      reply_error(s, id, "protocol", "operation-not-supported", NULL,
                  "copy-config supports a <config> source into running or candidate", NULL);
      return;
    }
    if (*slot && *slot != s) {
      lock_denied(s, id, *slot);
      return;
    }
    model_get(s->dev, &m);
    edit_into(s, id, ds, &m, src);
  } else if (is(op, "lock") || is(op, "unlock")) {
    sim_nc_t **slot = lock_slot(nd, store(op, "target"));
    if (!slot) {
      reply_error(s, id, "protocol", "invalid-value", NULL, "unknown target", NULL);
    } else if (is(op, "lock")) {
      if (*slot)
        lock_denied(s, id, *slot);
      else if (slot == &nd->lock_candidate && nd->candidate_dirty)
        /* RFC 6241 7.5: the candidate cannot be locked while it holds others' changes. */
        reply_error(s, id, "protocol", "lock-denied", NULL, "the candidate has uncommitted changes",
                    "<session-id>0</session-id>");
      else {
        *slot = s;
        reply_ok(s, id);
      }
    } else if (*slot != s) {
      reply_error(s, id, "protocol", "operation-failed", NULL,
                  "the lock is not held by this session", NULL);
    } else {
      *slot = NULL;
      reply_ok(s, id);
    }
  } else if (is(op, "validate")) {
    reply_ok(s, id); /* edits are checked as they are made */
  } else if (is(op, "commit")) {
    do_commit(s, id, op);
  } else if (is(op, "load-configuration") && is_junos(s->dev)) {
    do_load_configuration(s, id, op);
  } else if (is(op, "commit-configuration") && is_junos(s->dev)) {
    do_commit_configuration(s, id, op);
  } else if (is(op, "cancel-commit")) {
    if (!nd->confirm_pending)
      reply_error(s, id, "protocol", "operation-failed", NULL, "no confirmed commit is pending",
                  NULL);
    else {
      rollback_confirm(nd);
      reply_ok(s, id);
    }
  } else if (is(op, "discard-changes")) {
    nd->candidate_dirty = 0;
    reply_ok(s, id);
  } else if (is(op, "close-session")) {
    reply_ok(s, id);
    s->io->done(s->ctx, 0);
    s->closed = 1;
  } else {
    char msg[128];
    snprintf(msg, sizeof msg, "operation '%.64s' is not supported", (const char *)op->name);
    reply_error(s, id, "protocol", "operation-not-supported", NULL, msg, NULL);
  }
}

static void send_hello(sim_nc_t *s) {
  sbuf_t b;
  sb_init(&b);
  sb_printf(&b,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hello xmlns=\"%s\"><capabilities>"
            "<capability>urn:ietf:params:netconf:base:1.0</capability>"
            "%s"
            "<capability>urn:ietf:params:netconf:capability:candidate:1.0</capability>"
            "<capability>urn:ietf:params:netconf:capability:confirmed-commit:1.1</capability>"
            "<capability>urn:ietf:params:netconf:capability:validate:1.1</capability>"
            "<capability>%s</capability>"
            "</capabilities><session-id>%lu</session-id></hello>",
            BASE_NS,
            s->dev->lab->opt.netconf_base10
                ? ""
                : "<capability>urn:ietf:params:netconf:base:1.1</capability>",
            is_junos(s->dev) ? "http://xml.juniper.net/netconf/junos/1.0"
                             : IETF_IF "?module=ietf-interfaces&amp;revision=2018-02-20",
            s->id);
  send_msg(s, b.data, b.len);
  sb_free(&b);
}

static void handle_message(sim_nc_t *s, char *msg, size_t len) {
  xmlDocPtr doc = xmlReadMemory(msg, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (!root) {
    reply_error(s, NULL, "rpc", "malformed-message", NULL, "not well-formed XML", NULL);
  } else if (!s->hello_done) {
    xmlNodePtr caps = child(root, "capabilities"), c;
    int v11 = 0;
    char buf[128];
    for (c = first_el(caps); c; c = next_el(c))
      if (!strcmp(text_of(c, buf, sizeof buf), "urn:ietf:params:netconf:base:1.1")) v11 = 1;
    if (!is(root, "hello")) {
      s->io->done(s->ctx, 1);
      s->closed = 1;
    }
    s->hello_done = 1;
    s->fr.chunked = v11 && !s->dev->lab->opt.netconf_base10;
  } else if (is(root, "rpc")) {
    handle_rpc(s, root);
  } else {
    reply_error(s, NULL, "rpc", "malformed-message", NULL, "expected <rpc>", NULL);
  }
  if (doc) xmlFreeDoc(doc);
}

sim_nc_t *nc_new(sim_device_t *dev, const sim_term_io_t *io, void *ctx) {
  sim_nc_t *s;
  if (dev->pers != &sim_cisco_ios && dev->pers != &sim_juniper_junos) return NULL;
  s = sim_calloc(1, sizeof *s);
  s->dev = dev;
  s->nd = dev_state(dev);
  if (!s->nd) {
    free(s);
    return NULL;
  }
  s->io = io;
  s->ctx = ctx;
  s->id = next_session_id++;
  nh_nc_framer_init(&s->fr, 16 << 20);
  send_hello(s);
  return s;
}

void nc_input(sim_nc_t *s, const char *data, size_t len) {
  size_t off = 0;
  while (off < len && !s->closed) {
    size_t used, mlen;
    int rc = nh_nc_framer_feed(&s->fr, data + off, len - off, &used);
    off += used;
    if (rc < 0) { /* malformed framing: the session is over */
      s->io->done(s->ctx, 1);
      s->closed = 1;
      return;
    }
    if (rc == 0) break;
    {
      char *msg = nh_nc_framer_take(&s->fr, &mlen);
      if (msg) handle_message(s, msg, mlen);
      free(msg);
    }
  }
}

void nc_eof(sim_nc_t *s) {
  if (!s->closed) s->io->done(s->ctx, 0);
  s->closed = 1;
}

/* A session that ends releases its locks; the candidate it locked loses its changes. */
void nc_free(sim_nc_t *s) {
  nc_dev_t *nd = s->nd;
  if (nd->lock_running == s) nd->lock_running = NULL;
  if (nd->lock_candidate == s) {
    nd->lock_candidate = NULL;
    nd->candidate_dirty = 0;
  }
  if (nd->confirm_owner == s) nd->confirm_owner = NULL; /* the timer still runs */
  nh_nc_framer_free(&s->fr);
  free(s);
}
