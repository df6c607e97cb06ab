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

static void reply_begin(sbuf_t *b, const char *id) {
  sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rpc-reply xmlns=\"%s\"", BASE_NS);
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
  reply_begin(&b, id);
  sb_puts(&b, "<ok/></rpc-reply>");
  send_msg(s, b.data, b.len);
  sb_free(&b);
}

static void reply_error(sim_nc_t *s, const char *id, const char *type, const char *tag,
                        const char *path, const char *message, const char *info) {
  sbuf_t b;
  sb_init(&b);
  reply_begin(&b, id);
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
  sb_puts(&b, "</rpc-error></rpc-reply>");
  send_msg(s, b.data, b.len);
  sb_free(&b);
}

/* ---- models as XML ---- */

static void render(sim_device_t *dev, const nc_model_t *m, sbuf_t *b) {
  int i;
  if (is_junos(dev)) {
    sb_puts(b, "<configuration><system><host-name>");
    add_text(b, m->hostname);
    sb_puts(b, "</host-name></system><interfaces>");
    for (i = 0; i < m->nif; i++) {
      sb_puts(b, "<interface><name>");
      add_text(b, m->ifs[i].name);
      sb_puts(b, "</name>");
      if (m->ifs[i].description[0]) {
        sb_puts(b, "<description>");
        add_text(b, m->ifs[i].description);
        sb_puts(b, "</description>");
      }
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
    sb_puts(b, "<interface><name>");
    add_text(b, m->ifs[i].name);
    sb_puts(b, "</name>");
    if (m->ifs[i].description[0]) {
      sb_puts(b, "<description>");
      add_text(b, m->ifs[i].description);
      sb_puts(b, "</description>");
    }
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

static void do_commit(sim_nc_t *s, const char *id, xmlNodePtr op) {
  nc_dev_t *nd = s->nd;
  char buf[64];
  int confirmed = child(op, "confirmed") != NULL;
  uint64_t timeout_s = 600;
  if (nd->lock_candidate && nd->lock_candidate != s) {
    lock_denied(s, id, nd->lock_candidate);
    return;
  }
  if (child(op, "confirm-timeout")) {
    text_of(child(op, "confirm-timeout"), buf, sizeof buf);
    timeout_s = strtoull(buf, NULL, 10);
    if (timeout_s == 0) {
      reply_error(s, id, "protocol", "invalid-value", NULL, "confirm-timeout must be > 0", NULL);
      return;
    }
  }
  if (confirmed) {
    if (!nd->confirm_pending) model_get(s->dev, &nd->before_confirm);
    if (!nd->timer_init) {
      uv_timer_init(s->dev->lab->loop, &nd->confirm_timer);
      nd->confirm_timer.data = nd;
      nd->timer_init = 1;
    }
    uv_timer_start(&nd->confirm_timer, on_confirm_timeout, timeout_s * 1000, 0);
    nd->confirm_pending = 1;
    nd->confirm_owner = s;
  } else {
    stop_confirm(nd); /* a plain commit confirms a pending confirmed commit */
  }
  model_apply(s->dev, candidate(nd),
              confirmed ? "by admin via netconf commit confirmed" : "by admin via netconf");
  nd->candidate_dirty = 0;
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
    reply_begin(&b, id);
    sb_puts(&b, "<data>");
    render(s->dev, &m, &b);
    sb_puts(&b, "</data></rpc-reply>");
    send_msg(s, b.data, b.len);
    sb_free(&b);
  } else if (is(op, "edit-config")) {
    char tag[64], path[256], msg[256];
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
    if (edit(s->dev, &m, cfg, tag, path, msg) < 0) {
      reply_error(s, id, "application", tag, path, msg, NULL);
      return;
    }
    if (!strcmp(ds, "running")) {
      model_apply(s->dev, &m, "by admin via netconf");
    } else {
      nd->candidate = m;
      nd->candidate_dirty = 1;
    }
    reply_ok(s, id);
  } else if (is(op, "copy-config")) {
    /* A <config> source replaces what the model covers in the target. */
    char tag[64], path[256], msg[256];
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
    if (edit(s->dev, &m, src, tag, path, msg) < 0) {
      reply_error(s, id, "application", tag, path, msg, NULL);
      return;
    }
    if (!strcmp(ds, "running")) {
      model_apply(s->dev, &m, "by admin via netconf");
    } else {
      nd->candidate = m;
      nd->candidate_dirty = 1;
    }
    reply_ok(s, id);
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
            "<capability>urn:ietf:params:netconf:base:1.1</capability>"
            "<capability>urn:ietf:params:netconf:capability:candidate:1.0</capability>"
            "<capability>urn:ietf:params:netconf:capability:confirmed-commit:1.1</capability>"
            "<capability>urn:ietf:params:netconf:capability:validate:1.1</capability>"
            "<capability>%s</capability>"
            "</capabilities><session-id>%lu</session-id></hello>",
            BASE_NS,
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
    s->fr.chunked = v11;
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
