/* The lab's HTTP API. See http.h. Plain HTTP/1.1 with keep-alive, one request at a time
 * per connection; enough for eAPI and RESTCONF clients, not a general web server. */
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ioslike.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define MAX_REQUEST (1u << 20)

typedef struct {
  uv_tcp_t tcp;
  sim_device_t *dev;
} listener_t;

typedef struct hconn {
  uv_tcp_t tcp;
  sim_device_t *dev;
  sbuf_t in;
  SSL *ssl; /* --https: TLS through memory BIOs, libuv moves the bytes */
  BIO *rbio, *wbio;
  struct hconn *prev, *next;
} hconn_t;

static listener_t *listeners;
static int nlisteners;
static hconn_t *conns;
static SSL_CTX *tls;

/* ---- responses ---- */

typedef struct {
  uv_write_t req;
  char *data;
} wreq_t;

static void on_written(uv_write_t *w, int status) {
  wreq_t *r = (wreq_t *)w;
  free(r->data);
  free(r);
}

/* Writes bytes to the socket; takes ownership of data (malloc'ed). */
static void write_raw(hconn_t *c, char *data, size_t len) {
  wreq_t *w = sim_calloc(1, sizeof *w);
  w->data = data;
  uv_buf_t buf = uv_buf_init(data, (unsigned)len);
  if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_written) < 0) {
    free(w->data);
    free(w);
  }
}

/* Sends what TLS produced for the peer. */
static void tls_flush(hconn_t *c) {
  int pending;
  while ((pending = BIO_pending(c->wbio)) > 0) {
    char *data = sim_calloc(1, (size_t)pending);
    int n = BIO_read(c->wbio, data, pending);
    if (n <= 0) {
      free(data);
      break;
    }
    write_raw(c, data, (size_t)n);
  }
}

static void send_bytes(hconn_t *c, sbuf_t *r) {
  if (!c->ssl) {
    write_raw(c, r->data, r->len); /* the buffer's memory goes with the write */
    return;
  }
  SSL_write(c->ssl, r->data, (int)r->len);
  sb_free(r);
  tls_flush(c);
}

static void respond(hconn_t *c, int status, const char *reason, const char *type, sbuf_t *body,
                    const char *extra) {
  sbuf_t r;
  sb_init(&r);
  sb_printf(&r,
            "HTTP/1.1 %d %s\r\nServer: nethost-sim\r\nContent-Type: %s\r\n"
            "Content-Length: %zu\r\nConnection: keep-alive\r\n%s\r\n",
            status, reason, type, body ? body->len : 0, extra ? extra : "");
  if (body && body->len) sb_add(&r, body->data, body->len);
  send_bytes(c, &r);
}

static void respond_json(hconn_t *c, int status, const char *reason, sbuf_t *body) {
  respond(c, status, reason, "application/json", body, NULL);
}

/* ---- the tiny JSON reading eAPI needs: the cmds list, format and id ---- */

/* Reads a JSON string at p (at its opening quote) into out; returns the end or NULL. A
 * \uXXXX escape reads as '?': eAPI commands are ASCII. */
static const char *read_string(const char *p, sbuf_t *out) {
  static const char letters[] = "ntrbf", chars[] = "\n\t\r\b\f";
  if (*p != '"') return NULL;
  for (p++; *p && *p != '"'; p++) {
    if (*p != '\\') {
      sb_putc(out, *p);
      continue;
    }
    p++;
    if (*p == '\0') return NULL;
    if (*p == 'u') {
      if (strnlen(p, 5) < 5) return NULL;
      p += 4;
      sb_putc(out, '?');
      continue;
    }
    const char *letter = strchr(letters, *p);
    sb_putc(out, letter ? chars[letter - letters] : *p); /* \" \\ \/ stand for themselves */
  }
  return *p == '"' ? p + 1 : NULL;
}

static const char *skip_ws(const char *p) {
  while (*p && isspace((unsigned char)*p)) p++;
  return p;
}

/* The value of "key": a string (into out) or a raw token (id numbers). */
static int find_value(const char *json, const char *key, sbuf_t *out) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\"", key);
  const char *p = strstr(json, pat);
  if (!p) return -1;
  p = skip_ws(p + strlen(pat));
  if (*p != ':') return -1;
  p = skip_ws(p + 1);
  if (*p == '"') return read_string(p, out) ? 0 : -1;
  const char *e = p;
  while (*e && *e != ',' && *e != '}' && !isspace((unsigned char)*e)) e++;
  sb_add(out, p, (size_t)(e - p));
  return 0;
}

/* ---- eAPI ---- */

static void run_cmds(hconn_t *c, const char *body) {
  sim_device_t *dev = c->dev;
  sbuf_t id, format, out;
  sb_init(&id);
  sb_init(&format);
  sb_init(&out);
  if (find_value(body, "id", &id) < 0) sb_puts(&id, "null");
  find_value(body, "format", &format);
  int text = format.len && strcmp(sb_str(&format), "text") == 0;
  const char *p = strstr(body, "\"cmds\"");
  p = p ? strchr(p, '[') : NULL;
  if (!p || !strstr(body, "runCmds")) {
    sb_printf(&out,
              "{\"jsonrpc\": \"2.0\", \"id\": %s, \"error\": {\"code\": -32600, "
              "\"message\": \"Invalid request: expected runCmds with params.cmds\"}}",
              id.len && id.data[0] != '"' ? sb_str(&id) : "null");
    respond_json(c, 200, "OK", &out);
    goto done;
  }
  sim_cli_t cli;
  memset(&cli, 0, sizeof cli);
  cli.dev = dev;
  cli.mode = MODE_PRIV;
  sbuf_t results;
  sb_init(&results);
  int k = 0, failed = 0;
  p = skip_ws(p + 1);
  while (*p && *p != ']' && !failed) {
    sbuf_t cmd;
    sb_init(&cmd);
    if (*p == '{') { /* {"cmd": "...", "input": "..."} */
      const char *end = strchr(p, '}');
      char obj[1024];
      snprintf(obj, sizeof obj, "%.*s", end ? (int)(end - p + 1) : 0, p);
      find_value(obj, "cmd", &cmd);
      p = end ? end + 1 : p + strlen(p);
    } else {
      p = read_string(p, &cmd);
      if (!p) {
        sb_free(&cmd);
        break;
      }
    }
    sbuf_t o;
    sb_init(&o);
    const char *command = sb_str(&cmd);
    cli_execute(&cli, command, &o);
    if (cli.error) {
      sb_clear(&out);
      sb_printf(&out,
                "{\"jsonrpc\": \"2.0\", \"id\": %s, \"error\": {\"code\": 1002, \"message\": ",
                sb_str(&id));
      char msg[512];
      snprintf(msg, sizeof msg, "CLI command %d of the request '%s' failed: invalid command", k + 1,
               command);
      sb_json_string(&out, msg);
      sb_puts(&out, ", \"data\": [");
      sb_puts(&out, results.len ? sb_str(&results) : "");
      sb_printf(&out, "%s{\"errors\": [", results.len ? ", " : "");
      sb_json_string(&out, sb_str(&o));
      sb_puts(&out, "]}]}}");
      failed = 1;
    } else {
      if (k) sb_puts(&results, ", ");
      if (text) {
        sb_puts(&results, "{\"output\": ");
        sb_json_string(&results, sb_str(&o));
        sb_putc(&results, '}');
      } else if (cli_match(command, "show version")) {
        sb_printf(&results,
                  "{\"modelName\": \"%s\", \"version\": \"%s\", \"serialNumber\": \"%s\", "
                  "\"systemMacAddress\": \"%s\", \"hardwareRevision\": \"11.01\", "
                  "\"uptime\": %ld, \"memTotal\": 32890040, \"memFree\": 25430212}",
                  dev->model, dev->version, dev->serial, dev->mac,
                  (long)(time(NULL) - dev->boot_time));
      } else if (cli_match(command, "show hostname")) {
        sb_printf(&results, "{\"hostname\": \"%s\", \"fqdn\": \"%s.lab.example\"}",
                  ioslike_hostname(dev), ioslike_hostname(dev));
      } else if (ioslike_json(&cli, command, &results)) {
        /* the command's JSON model */
      } else if (strncmp(command, "sh", 2) == 0) {
        /* Commands without a JSON model answer with their text, as "output". */
        sb_puts(&results, "{\"output\": ");
        sb_json_string(&results, sb_str(&o));
        sb_putc(&results, '}');
      } else {
        sb_puts(&results, "{}");
      }
    }
    sb_free(&o);
    sb_free(&cmd);
    k++;
    p = skip_ws(p);
    if (*p == ',') p = skip_ws(p + 1);
  }
  if (!failed) {
    sb_printf(&out, "{\"jsonrpc\": \"2.0\", \"id\": %s, \"result\": [%s]}", sb_str(&id),
              results.len ? sb_str(&results) : "");
  }
  respond_json(c, 200, "OK", &out);
  sb_free(&results);
done:
  sb_free(&id);
  sb_free(&format);
  sb_free(&out);
}

/* ---- RESTCONF ---- */

static void restconf(hconn_t *c, const char *path) {
  sim_device_t *dev = c->dev;
  ioslike_dev_t *st = dev->pstate;
  sbuf_t out;
  sb_init(&out);
  const char *host = ioslike_hostname(dev);
  /* The configuration's "version" line: the release train (15.2 of 15.2(7)E8). */
  char train[16];
  snprintf(train, sizeof train, "%.*s", (int)strcspn(dev->version, "("), dev->version);
  if (strcmp(path, "/restconf/data/Cisco-IOS-XE-native:native/hostname") == 0) {
    sb_printf(&out, "{\"Cisco-IOS-XE-native:hostname\": ");
    sb_json_string(&out, host);
    sb_puts(&out, "}");
  } else if (strcmp(path, "/restconf/data/Cisco-IOS-XE-native:native") == 0 ||
             strcmp(path, "/restconf/data/Cisco-IOS-XE-native:native/version") == 0) {
    int full = path[strlen(path) - 1] == 'e' && strstr(path, "/version") == NULL;
    if (full) {
      sb_printf(&out,
                "{\"Cisco-IOS-XE-native:native\": {\"version\": \"%s\", \"hostname\": ", train);
      sb_json_string(&out, host);
      sb_puts(&out, ", \"ntp\": {\"server\": [");
      int first = 1;
      for (size_t i = 0; i < st->s.running->nkids; i++) {
        const char *l = st->s.running->kids[i]->line;
        if (strncmp(l, "ntp server ", 11) != 0) continue;
        sb_printf(&out, "%s{\"ip-address\": ", first ? "" : ", ");
        sb_json_string(&out, l + 11);
        sb_puts(&out, "}");
        first = 0;
      }
      sb_puts(&out, "]}}}");
    } else {
      sb_printf(&out, "{\"Cisco-IOS-XE-native:version\": \"%s\"}", train);
    }
  } else if (strcmp(path, "/restconf/data/ietf-interfaces:interfaces") == 0) {
    sb_puts(&out, "{\"ietf-interfaces:interfaces\": {\"interface\": [");
    int first = 1;
    for (size_t i = 0; i < st->s.running->nkids; i++) {
      const conf_node_t *n = st->s.running->kids[i];
      if (strncmp(n->line, "interface ", 10) != 0) continue;
      sb_printf(&out, "%s{\"name\": ", first ? "" : ", ");
      sb_json_string(&out, n->line + 10);
      int enabled = conf_find(n, "shutdown") == NULL;
      for (size_t k = 0; k < n->nkids; k++)
        if (strncmp(n->kids[k]->line, "description ", 12) == 0) {
          sb_puts(&out, ", \"description\": ");
          sb_json_string(&out, n->kids[k]->line + 12);
        }
      sb_printf(&out, ", \"enabled\": %s}", enabled ? "true" : "false");
      first = 0;
    }
    sb_puts(&out, "]}}");
  } else {
    sb_puts(&out,
            "{\"errors\": {\"error\": [{\"error-type\": \"application\", "
            "\"error-tag\": \"invalid-value\", \"error-message\": \"uri keypath not found\"}]}}");
    respond(c, 404, "Not Found", "application/yang-data+json", &out, NULL);
    sb_free(&out);
    return;
  }
  respond(c, 200, "OK", "application/yang-data+json", &out, NULL);
  sb_free(&out);
}

/* ---- requests ---- */

static const char *header(const char *head, const char *name, char *buf, size_t n) {
  size_t l = strlen(name);
  for (const char *p = strstr(head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
    const char *line = p + 2;
    if (strncasecmp(line, name, l) == 0 && line[l] == ':') {
      const char *v = skip_ws(line + l + 1);
      const char *e = strstr(v, "\r\n");
      snprintf(buf, n, "%.*s", e ? (int)(e - v) : (int)strlen(v), v);
      return buf;
    }
  }
  return NULL;
}

/* Handles one complete request at the start of c->in; returns the bytes it used, 0 when
 * more are needed, -1 to close. */
static long handle(hconn_t *c) {
  const char *data = sb_str(&c->in);
  const char *end = strstr(data, "\r\n\r\n");
  if (!end) return c->in.len > 65536 ? -1 : 0;
  size_t head_len = (size_t)(end - data) + 4;
  char head[8192];
  snprintf(head, sizeof head, "%.*s", (int)(head_len < sizeof head ? head_len : sizeof head - 1),
           data);
  char value[256];
  size_t body_len =
      header(head, "Content-Length", value, sizeof value) ? strtoul(value, NULL, 10) : 0;
  if (body_len > MAX_REQUEST) return -1;
  if (c->in.len < head_len + body_len) return 0;
  char method[16] = "", path[1024] = "";
  sscanf(head, "%15s %1023s", method, path);
  char *q = strchr(path, '?');
  if (q) *q = '\0';
  sbuf_t body;
  sb_init(&body);
  sb_add(&body, data + head_len, body_len);
  const char *auth = header(head, "Authorization", value, sizeof value);
  if (!auth || strcmp(auth, "Basic YWRtaW46YWRtaW4=") != 0) {
    sbuf_t msg;
    sb_init(&msg);
    sb_puts(&msg, "{\"error\": \"authentication required\"}");
    respond(c, 401, "Unauthorized", "application/json", &msg,
            "WWW-Authenticate: Basic realm=\"nethost-sim\"\r\n");
    sb_free(&msg);
  } else if (strcmp(path, "/command-api") == 0 && c->dev->pers == &sim_arista_eos) {
    if (strcmp(method, "POST") == 0)
      run_cmds(c, sb_str(&body));
    else
      respond(c, 405, "Method Not Allowed", "text/plain", NULL, "Allow: POST\r\n");
  } else if (strncmp(path, "/restconf/", 10) == 0 && c->dev->pers == &sim_cisco_ios) {
    if (strcmp(method, "GET") == 0)
      restconf(c, path);
    else
      respond(c, 405, "Method Not Allowed", "text/plain", NULL, "Allow: GET\r\n");
  } else {
    sbuf_t msg;
    sb_init(&msg);
    sb_puts(&msg, "{\"error\": \"not found\"}");
    respond_json(c, 404, "Not Found", &msg);
    sb_free(&msg);
  }
  sb_free(&body);
  return (long)(head_len + body_len);
}

static void on_conn_closed(uv_handle_t *h) {
  hconn_t *c = h->data;
  if (c->ssl) SSL_free(c->ssl); /* frees its BIOs too */
  sb_free(&c->in);
  free(c);
}

static void conn_close(hconn_t *c) {
  if (uv_is_closing((uv_handle_t *)&c->tcp)) return;
  if (c->prev)
    c->prev->next = c->next;
  else
    conns = c->next;
  if (c->next) c->next->prev = c->prev;
  uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf) {
  static char slab[65536];
  *buf = uv_buf_init(slab, sizeof slab);
}

static void handle_all(hconn_t *c) {
  for (;;) {
    long used = handle(c);
    if (used < 0) {
      conn_close(c);
      return;
    }
    if (used == 0) return;
    sb_consume(&c->in, (size_t)used);
  }
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  hconn_t *c = s->data;
  if (n < 0) {
    conn_close(c);
    return;
  }
  if (!c->ssl) {
    sb_add(&c->in, buf->base, (size_t)n);
    handle_all(c);
    return;
  }
  BIO_write(c->rbio, buf->base, (int)n);
  if (!SSL_is_init_finished(c->ssl)) {
    int rc = SSL_do_handshake(c->ssl);
    tls_flush(c);
    if (rc <= 0) {
      int err = SSL_get_error(c->ssl, rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) conn_close(c);
      return;
    }
  }
  char plain[16384];
  int got;
  while ((got = SSL_read(c->ssl, plain, sizeof plain)) > 0) sb_add(&c->in, plain, (size_t)got);
  tls_flush(c);
  handle_all(c);
}

static void on_connection(uv_stream_t *server, int status) {
  listener_t *l = server->data;
  if (status < 0) return;
  hconn_t *c = sim_calloc(1, sizeof *c);
  c->dev = l->dev;
  sb_init(&c->in);
  uv_tcp_init(l->dev->lab->loop, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
    return;
  }
  if (tls) {
    c->ssl = SSL_new(tls);
    c->rbio = BIO_new(BIO_s_mem());
    c->wbio = BIO_new(BIO_s_mem());
    SSL_set_bio(c->ssl, c->rbio, c->wbio);
    SSL_set_accept_state(c->ssl);
  }
  c->next = conns;
  if (conns) conns->prev = c;
  conns = c;
  uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* --https: a self-signed certificate (EC P-256, CN nethost-sim) made at start, written as
 * PEM beside the inventory (lab.crt) so clients can pin it with ca_file, or trust nothing
 * and use verify = false. */
static int tls_setup(sim_lab_t *lab) {
  EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  X509 *cert = X509_new();
  int ok = key && cert;
  if (ok) {
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3650L * 86400);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"nethost-sim", -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    ok = X509_sign(cert, key, EVP_sha256()) > 0;
  }
  tls = ok ? SSL_CTX_new(TLS_server_method()) : NULL;
  if (!tls || SSL_CTX_use_certificate(tls, cert) != 1 || SSL_CTX_use_PrivateKey(tls, key) != 1) {
    fprintf(stderr, "nethost-sim: cannot set up TLS for --https\n");
    ok = 0;
  }
  if (ok && lab->opt.inventory_out) {
    char path[4096];
    snprintf(path, sizeof path, "%s", lab->opt.inventory_out);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
             "lab.crt");
    FILE *f = fopen(path, "w");
    if (f) {
      PEM_write_X509(f, cert);
      fclose(f);
    }
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok ? 0 : -1;
}

int http_start(sim_lab_t *lab) {
  if (!lab->opt.http && !lab->opt.https) return 0;
  if (lab->opt.https && tls_setup(lab) < 0) return -1;
  listeners = sim_calloc((size_t)lab->ndevs, sizeof *listeners);
  for (int i = 0; i < lab->ndevs; i++) {
    listener_t *l = &listeners[i];
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr = lab->devs[i].in;
    sa.sin_port = htons((uint16_t)lab->opt.http_port);
    l->dev = &lab->devs[i];
    uv_tcp_init(lab->loop, &l->tcp);
    l->tcp.data = l;
    nlisteners++;
    int rc = uv_tcp_bind(&l->tcp, (const struct sockaddr *)&sa, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&l->tcp, 128, on_connection);
    if (rc < 0) {
      fprintf(stderr, "nethost-sim: cannot listen on %s:%d (HTTP): %s\n", lab->devs[i].addr,
              lab->opt.http_port, uv_strerror(rc));
      return -1;
    }
  }
  return 0;
}

static int open_listeners;

static void on_listener_closed(uv_handle_t *h) {
  if (--open_listeners == 0) {
    free(listeners);
    listeners = NULL;
    nlisteners = 0;
  }
}

void http_stop(sim_lab_t *lab) {
  for (int i = 0; i < nlisteners; i++) {
    if (uv_is_closing((uv_handle_t *)&listeners[i].tcp)) continue;
    open_listeners++;
    uv_close((uv_handle_t *)&listeners[i].tcp, on_listener_closed);
  }
}

void http_close_all(sim_lab_t *lab) {
  while (conns) conn_close(conns);
  if (tls) SSL_CTX_free(tls);
  tls = NULL;
}
