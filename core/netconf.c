/* nethost core: NETCONF sessions on an SSH connection (see netconf.h).
 *
 * The session is a job on the connection like a PTY shell: it is read all the time, so the
 * channel window keeps moving, and what it reads goes through the framer (netconf_frame.c).
 * Each complete message is parsed with libxml2 (core/xml.c): the first one must be the
 * server's hello, later ones are matched to the pending RPCs by message-id (several may be in
 * flight: the server answers them in order, RFC 6241 4.1, and each reply names its request). The
 * session owns its pending write, so a cancelled RPC leaves a half-sent message to finish with the
 * same arguments, as libssh2 requires after EAGAIN.
 */
#include "netconf.h"
#include "error.h"
#include "netconf_frame.h"
#include "ssh_channel.h"
#include "xml.h"

#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#define BASE10 "urn:ietf:params:netconf:base:1.0"
#define BASE11 "urn:ietf:params:netconf:base:1.1"

static const char default_hello[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                    "<hello xmlns=\"" NH_NETCONF_NS "\"><capabilities>"
                                    "<capability>" BASE10 "</capability>"
                                    "<capability>" BASE11 "</capability>"
                                    "</capabilities></hello>";

struct nh_netconf_s {
  nh_ssh_channel_t c;    /* first member; detached: the user closed it, the job frees itself
                          * when done */
  nh_netconf_rpc_t *rpc; /* the RPCs waiting for replies, oldest first (linked by next) */
  int hello_done;        /* the server's hello arrived */
  int client_11;         /* our hello advertised base:1.1 */
  nh_nc_framer_t fr;
  char *hello;
  size_t hello_len;
  char **caps;
  size_t ncaps;
  unsigned long session_id;
};

static void nc_release(nh_ssh_channel_t *c) {
  nh_netconf_t *nc = (nh_netconf_t *)c;
  size_t i;
  nh_nc_framer_free(&nc->fr);
  nh__ssh_channel_release(c);
  free(nc->hello);
  for (i = 0; i < nc->ncaps; i++) free(nc->caps[i]);
  free(nc->caps);
  free(nc);
}

/* Takes req off the session's pending list; 1 if it was there. */
static int rpc_unlink(nh_netconf_t *nc, nh_netconf_rpc_t *req) {
  nh_netconf_rpc_t **pp;
  for (pp = &nc->rpc; *pp; pp = &(*pp)->next) {
    if (*pp == req) {
      *pp = req->next;
      req->next = NULL;
      return 1;
    }
  }
  return 0;
}

static void rpc_finish(nh_netconf_t *nc, nh_netconf_rpc_t *req, int status) {
  rpc_unlink(nc, req);
  nh__op_done(&req->op, status); /* the callback runs later, from the loop */
}

/* Every pending RPC ends with status (the session is broken or closed). */
static void rpc_done(nh_netconf_t *nc, int status) {
  while (nc->rpc) rpc_finish(nc, nc->rpc, status);
}

/* The channel's end: an RPC still waiting gets no reply, whatever ended the channel. */
static void nc_finish(nh_ssh_channel_t *c, int status) {
  rpc_done((nh_netconf_t *)c, status ? status : NH_ECLOSED);
}

static void open_forget(nh_op_t *op) {
  ((nh_netconf_open_t *)op)->nc = NULL;
}

/* The session cannot go on (bad framing, a bad hello, the channel ended): fail whoever
 * waits with status and close the channel. */
static void broken(nh_netconf_t *nc, int status) {
  nh__ssh_channel_opened(&nc->c, status);
  rpc_done(nc, status);
  nc->c.eof = 1;
}

/* Queues msg for sending in the session's current framing. */
static int queue(nh_netconf_t *nc, const char *msg, size_t len) {
  char *framed;
  size_t flen;
  int rc = nh_nc_frame_encode(nc->fr.chunked, msg, len, &framed, &flen);
  if (rc < 0) return rc;
  rc = nh__ssh_channel_queue(&nc->c, framed, flen);
  free(framed);
  return rc;
}

static int has_capability(const nh_netconf_t *nc, const char *uri) {
  size_t i;
  for (i = 0; i < nc->ncaps; i++)
    if (!strcmp(nc->caps[i], uri)) return 1;
  return 0;
}

/* Takes the server's hello (msg is the session's from now on). */
static int take_hello(nh_netconf_t *nc, char *msg, size_t len) {
  nh_ssh_t *ssh = nc->c.job.ssh;
  char err[256];
  xmlDocPtr doc = nh_xml_parse(msg, len, err, sizeof(err));
  xmlNodePtr root, caps, c;
  nc->hello = msg;
  nc->hello_len = len;
  if (!doc)
    return nh__ssh_fail_detail(ssh, "netconf", NH_EPROTO, "the server's hello is not XML: %s", err);
  root = xmlDocGetRootElement(doc);
  if (strcmp((const char *)root->name, "hello") != 0) {
    nh__ssh_fail_detail(ssh, "netconf", NH_EPROTO, "expected the server's <hello>, got <%.40s>",
                        (const char *)root->name);
    xmlFreeDoc(doc);
    return NH_EPROTO;
  }
  caps = nh_xml_child(root, "capabilities");
  for (c = nh_xml_first_element(caps); c; c = nh_xml_next_element(c)) {
    xmlChar *text;
    char **grown, *start, *end;
    if (strcmp((const char *)c->name, "capability") != 0) continue;
    if (!(text = xmlNodeGetContent(c))) continue;
    /* Capabilities are URIs: surrounding whitespace is layout, not part of them. */
    start = (char *)text;
    while (*start == ' ' || *start == '\n' || *start == '\r' || *start == '\t') start++;
    end = start + strlen(start);
    while (end > start && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == '\t'))
      *--end = 0;
    grown = realloc(nc->caps, (nc->ncaps + 1) * sizeof(*grown));
    if (grown) nc->caps = grown;
    if (!grown || !(nc->caps[nc->ncaps] = strdup(start))) {
      xmlFree(text);
      xmlFreeDoc(doc);
      return NH_ENOMEM;
    }
    nc->ncaps++;
    xmlFree(text);
  }
  if ((c = nh_xml_child(root, "session-id"))) {
    xmlChar *text = xmlNodeGetContent(c);
    if (text) nc->session_id = strtoul((const char *)text, NULL, 10);
    xmlFree(text);
  }
  xmlFreeDoc(doc);
  if (!has_capability(nc, BASE10) && !has_capability(nc, BASE11))
    return nh__ssh_fail_detail(ssh, "netconf", NH_EPROTO,
                               "the server's hello advertises neither base:1.0 nor base:1.1");
  nc->fr.chunked = nc->client_11 && has_capability(nc, BASE11);
  nc->hello_done = 1;
  return 0;
}

/* A message after the hello: a pending RPC's reply, or something to skip. */
static void take_message(nh_netconf_t *nc, char *msg, size_t len) {
  nh_netconf_rpc_t *req = nc->rpc, *r;
  char err[256];
  xmlDocPtr doc;
  xmlNodePtr root;
  xmlChar *id;
  if (!req) { /* the reply to a cancelled RPC, or a notification nobody waits for */
    free(msg);
    return;
  }
  if (!(doc = nh_xml_parse(msg, len, err, sizeof(err)))) {
    nh__ssh_fail_detail(nc->c.job.ssh, "netconf", NH_EPROTO, "a reply is not XML: %s", err);
    free(msg);
    rpc_done(nc, NH_EPROTO);
    return;
  }
  root = xmlDocGetRootElement(doc);
  id = xmlGetProp(root, (const xmlChar *)"message-id");
  /* A reply without message-id (some old servers) answers the oldest RPC in flight, as
   * servers answer in order. */
  req = NULL;
  if (!strcmp((const char *)root->name, "rpc-reply")) {
    if (!id) req = nc->rpc;
    for (r = nc->rpc; r && !req; r = r->next)
      if (!strcmp((const char *)id, r->message_id)) req = r;
  }
  xmlFree(id);
  xmlFreeDoc(doc);
  if (!req) {
    for (r = nc->rpc; r; r = r->next) r->skipped++;
    free(msg);
    return;
  }
  req->reply = msg;
  req->reply_len = len;
  rpc_finish(nc, req, 0);
}

/* Feeds n received bytes through the framer. Returns 0, or a negative code when the
 * session is broken. */
static int feed(nh_netconf_t *nc, const char *data, size_t n) {
  size_t off = 0;
  while (off < n) {
    size_t used, len;
    char *msg;
    int rc = nh_nc_framer_feed(&nc->fr, data + off, n - off, &used);
    off += used;
    if (rc < 0) {
      if (rc == NH_ETOOBIG)
        nh__ssh_fail_detail(nc->c.job.ssh, "netconf", rc, "%s", nc->fr.error);
      else if (rc != NH_ENOMEM)
        nh__ssh_fail_detail(nc->c.job.ssh, "netconf", rc, "malformed frame: %s", nc->fr.error);
      return rc;
    }
    if (rc == 0) break;
    if (!(msg = nh_nc_framer_take(&nc->fr, &len))) return NH_ENOMEM;
    if (!nc->hello_done) {
      if ((rc = take_hello(nc, msg, len)) < 0) return rc;
      nh__ssh_channel_opened(&nc->c, 0);
    } else {
      take_message(nc, msg, len);
    }
  }
  return 0;
}

/* Reads what is available. Returns 0 (EAGAIN), a negative libssh2 code, or a negative
 * NH_E* code from the framing (then nc is broken). */
static int read_all(nh_netconf_t *nc) {
  char scratch[16384];
  for (;;) {
    ssize_t n = nh__ssh_channel_read(&nc->c, scratch, sizeof(scratch));
    int rc;
    if (n <= 0) return (int)n;
    if (nc->c.detached) continue; /* draining before the close */
    if ((rc = feed(nc, scratch, (size_t)n)) < 0) {
      broken(nc, rc);
      return 0;
    }
  }
}

static int subsystem_call(nh_ssh_channel_t *c) {
  return libssh2_channel_subsystem(c->ch, "netconf");
}

static int nc_live(nh_ssh_channel_t *c) {
  nh_netconf_t *nc = (nh_netconf_t *)c;
  nh_ssh_t *ssh = c->job.ssh;
  int rc;
  if (!c->eof && (rc = read_all(nc)) < 0) {
    if (nh__ssh_fatal(rc)) return NH_ECLOSED;
    c->eof = 1;
  }
  if (!c->eof) return NH_SSH_AGAIN;
  if (c->open_op || nc->rpc) {
    if (!ssh->failure.stage)
      nh__ssh_fail_detail(ssh, "netconf", NH_ECLOSED,
                          nc->hello_done ? "the device closed the NETCONF session"
                                         : "the device closed the session before its hello");
    broken(nc, NH_ECLOSED);
  }
  return 0;
}

static const nh_ssh_channel_type_t nc_channel = {
    .requests = {{"channel_subsystem", "channel", "the server refused the netconf subsystem",
                  subsystem_call}},
    .opens_later = 1, /* with the server's hello */
    .live = nc_live,
    .finish = nc_finish,
    .forget = open_forget,
    .release = nc_release,
};

static void open_cancel(nh_op_t *op) {
  nh__ssh_channel_cancel_open((nh_ssh_channel_t *)((nh_netconf_open_t *)op)->nc, op);
}

static const nh_op_type_t open_type = {"netconf.open", open_cancel};

int nh_netconf_open(nh_netconf_open_t *req, nh_ssh_t *ssh, const char *hello, size_t max_message,
                    uint64_t timeout_ms, nh_op_cb cb) {
  nh_netconf_t *nc;
  int rc;
  req->nc = NULL;
  if (!nh_ssh_is_ready(ssh)) return NH_ECLOSED;
  nh__ssh_failure_clear(ssh);
  if (!hello) hello = default_hello;
  if (!(nc = calloc(1, sizeof(*nc)))) return NH_ENOMEM;
  nh_nc_framer_init(&nc->fr, max_message);
  nc->client_11 = strstr(hello, BASE11) != NULL;
  /* The hello always goes with the base:1.0 end marker. */
  if ((rc = queue(nc, hello, strlen(hello))) < 0) {
    nc_release(&nc->c);
    return rc;
  }
  nh__ssh_channel_init(&nc->c, &nc_channel, &req->op);
  req->nc = nc;
  nh__ssh_op_begin(&req->op, ssh, &open_type, &nc->c.job, cb, timeout_ms);
  return 0;
}

const char *nh_netconf_server_hello(const nh_netconf_t *nc, size_t *len) {
  *len = nc->hello_len;
  return nc->hello ? nc->hello : "";
}

size_t nh_netconf_capability_count(const nh_netconf_t *nc) {
  return nc->ncaps;
}

const char *nh_netconf_capability(const nh_netconf_t *nc, size_t i) {
  return i < nc->ncaps ? nc->caps[i] : NULL;
}

unsigned long nh_netconf_session_id(const nh_netconf_t *nc) {
  return nc->session_id;
}

int nh_netconf_chunked(const nh_netconf_t *nc) {
  return nc->fr.chunked;
}

nh_ssh_t *nh_netconf_ssh(const nh_netconf_t *nc) {
  return nc->c.job.ssh;
}

int nh_netconf_is_open(const nh_netconf_t *nc) {
  return nc && !nc->c.dead && !nc->c.detached && !nc->c.eof && nc->c.phase == NH_CH_LIVE &&
         nc->hello_done && nh_ssh_is_ready(nc->c.job.ssh);
}

void nh_netconf_close(nh_netconf_t *nc) {
  if (!nc) return;
  rpc_done(nc, NH_ECANCELED);
  nh__ssh_channel_detach(&nc->c);
}

static void rpc_cancel(nh_op_t *op) {
  nh_netconf_rpc_t *req = (nh_netconf_rpc_t *)op;
  /* The reply may still come: its message-id then matches nothing and it is skipped. */
  if (req->nc) rpc_unlink(req->nc, req);
  nh__op_done(op, op->reason);
}

static const nh_op_type_t rpc_type = {"netconf.rpc", rpc_cancel};

int nh_netconf_rpc(nh_netconf_rpc_t *req, nh_netconf_t *nc, const char *msg, size_t len,
                   const char *message_id, uint64_t timeout_ms, nh_op_cb cb) {
  nh_netconf_rpc_t **pp;
  int rc;
  memset(req, 0, sizeof(*req));
  if (!nh_netconf_is_open(nc)) return NH_ECLOSED;
  if (!message_id || strlen(message_id) >= sizeof(req->message_id)) return NH_EINVAL;
  nh__ssh_failure_clear(nc->c.job.ssh);
  if ((rc = queue(nc, msg, len)) < 0) return rc;
  req->nc = nc;
  strcpy(req->message_id, message_id);
  for (pp = &nc->rpc; *pp; pp = &(*pp)->next) {
  }
  *pp = req; /* the newest last: a reply without message-id answers the oldest */
  nh__ssh_op_begin(&req->op, nc->c.job.ssh, &rpc_type, NULL, cb, timeout_ms);
  return 0;
}

void nh_netconf_rpc_cleanup(nh_netconf_rpc_t *req) {
  free(req->reply);
  req->reply = NULL;
  req->reply_len = 0;
}
