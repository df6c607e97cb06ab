/* nethost core: one HTTP transfer as an operation (an easy handle on the client's multi). */
#include "http_internal.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "container.h"
#include "grow.h"

/* Buffers */

static size_t write_cb(char *data, size_t size, size_t n, void *ud) {
  nh_http_transfer_t *t = ud;
  size_t len = size * n;
  if (t->max_body && t->body_len + len > t->max_body) {
    t->too_big = 1;
    return 0; /* CURLE_WRITE_ERROR */
  }
  if (nh_grow((void **)&t->body, &t->body_cap, t->body_len + len + 1, 1, 256) < 0) return 0;
  memcpy(t->body + t->body_len, data, len);
  t->body_len += len;
  t->body[t->body_len] = '\0';
  return len;
}

/* Headers arrive one line at a time, for every response (redirects, 100 Continue): a status
 * line starts a new set. Stored as "name\0value\0" pairs; pointers are made at the end. */
static size_t header_cb(char *data, size_t size, size_t n, void *ud) {
  nh_http_transfer_t *t = ud;
  size_t len = size * n, nlen, vstart, vend;
  const char *colon;
  t->got_header = 1;
  if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
    t->hbuf_len = 0;
    return len;
  }
  colon = memchr(data, ':', len);
  if (!colon || colon == data) return len; /* blank line, or folded junk: skipped */
  nlen = (size_t)(colon - data);
  vstart = nlen + 1;
  vend = len;
  while (vstart < vend && (data[vstart] == ' ' || data[vstart] == '\t')) vstart++;
  while (vend > vstart && (data[vend - 1] == '\r' || data[vend - 1] == '\n' ||
                           data[vend - 1] == ' ' || data[vend - 1] == '\t'))
    vend--;
  if (nh_grow((void **)&t->hbuf, &t->hbuf_cap, t->hbuf_len + nlen + (vend - vstart) + 2, 1, 256) <
      0)
    return 0;
  memcpy(t->hbuf + t->hbuf_len, data, nlen);
  t->hbuf_len += nlen;
  t->hbuf[t->hbuf_len++] = '\0';
  memcpy(t->hbuf + t->hbuf_len, data + vstart, vend - vstart);
  t->hbuf_len += vend - vstart;
  t->hbuf[t->hbuf_len++] = '\0';
  return len;
}

/* Called once connected (TLS included) and about to send: stages after this are send and
 * receive. */
static int prereq_cb(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port) {
  nh_http_transfer_t *t = ud;
  t->prereq_done = 1;
  return CURL_PREREQFUNC_OK;
}

static int make_headers(nh_http_transfer_t *t) {
  size_t i, off = 0, count = 0;
  if (t->hbuf_len == 0) return 0;
  for (i = 0; i < t->hbuf_len; i++)
    if (t->hbuf[i] == '\0') count++;
  count /= 2;
  if (!(t->headers = malloc(count * sizeof(*t->headers)))) return NH_ENOMEM;
  for (i = 0; i < count; i++) {
    t->headers[i].name = t->hbuf + off;
    off += strlen(t->hbuf + off) + 1;
    t->headers[i].value = t->hbuf + off;
    off += strlen(t->hbuf + off) + 1;
  }
  t->nheaders = count;
  return 0;
}

/* Stages and errors */

/* Which stage an unfinished transfer is in, from what it has reached so far. */
static const char *current_stage(nh_http_transfer_t *t) {
  curl_off_t dns = 0, conn = 0;
  if (t->got_header) return "receive";
  if (t->prereq_done) {
    curl_off_t up = 0;
    long req_size = 0;
    curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &req_size);
    curl_easy_getinfo(t->easy, CURLINFO_SIZE_UPLOAD_T, &up);
    /* With the request out, waiting for the response counts as receiving it. */
    return req_size > 0 ? "receive" : "send";
  }
  curl_easy_getinfo(t->easy, CURLINFO_NAMELOOKUP_TIME_T, &dns);
  curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME_T, &conn);
  if (dns == 0) return "resolve";
  if (conn == 0) return "connect";
  return t->is_https ? "tls" : "connect";
}

/* Maps a libcurl result to an NH_E* code and a stage. */
static int map_code(nh_http_transfer_t *t, CURLcode code, const char **stage) {
  long oserr = 0;
  switch (code) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    *stage = "resolve";
    return NH_ERESOLVE;
  case CURLE_COULDNT_CONNECT:
    *stage = "connect";
    curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &oserr);
    return oserr > 0 ? -(int)oserr : NH_ECONNREFUSED;
  case CURLE_OPERATION_TIMEDOUT:
    *stage = current_stage(t);
    return NH_ETIMEDOUT;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_USE_SSL_FAILED:
    *stage = "tls";
    return NH_ETLS;
  case CURLE_SEND_ERROR:
    *stage = "send";
    return NH_ECONNRESET;
  case CURLE_WRITE_ERROR:
    *stage = "receive";
    return t->too_big ? NH_ETOOBIG : NH_ENOMEM;
  case CURLE_GOT_NOTHING:
  case CURLE_RECV_ERROR:
  case CURLE_PARTIAL_FILE:
    *stage = t->got_header || t->prereq_done ? "receive" : current_stage(t);
    return NH_ECLOSED;
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_BAD_FUNCTION_ARGUMENT:
    *stage = "request";
    return NH_EINVAL;
  case CURLE_OUT_OF_MEMORY:
    *stage = current_stage(t);
    return NH_ENOMEM;
  case CURLE_LOGIN_DENIED:
    *stage = "receive";
    return NH_EAUTH;
  default:
    *stage = current_stage(t);
    return NH_EHTTP;
  }
}

/* Completion */

/* Collects the response and queues the callback. t is detached already. */
static void complete(nh_http_transfer_t *t, int rc) {
  long version = 0;
  curl_off_t connects = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
  curl_easy_getinfo(t->easy, CURLINFO_HTTP_VERSION, &version);
  curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
  t->client->connects += (size_t)connects;
  t->http_version = version == CURL_HTTP_VERSION_2_0 ? 2 : version == CURL_HTTP_VERSION_3 ? 3 : 1;
  t->elapsed = (double)(uv_hrtime() - t->op.started_ns) / 1e9;
  if (rc == 0 && make_headers(t) < 0) rc = NH_ENOMEM;
  if (rc == 0 && !t->body && nh_grow((void **)&t->body, &t->body_cap, 1, 1, 256) == 0)
    t->body[0] = '\0';
  if (rc == 0 && !t->body) rc = NH_ENOMEM;
  nh__http_client_release(t->client, t->easy);
  t->easy = NULL;
  curl_slist_free_all(t->slist);
  t->slist = NULL;
  nh__op_done(&t->op, rc);
}

static void describe(nh_http_transfer_t *t, int rc, const char *detail) {
  snprintf(t->error, sizeof(t->error), "%s (%s%s%s)", nh_strerror(rc), t->stage,
           detail && *detail ? ": " : "", detail ? detail : "");
}

static void finished(nh_http_transfer_t *t, CURLcode code) {
  int rc = 0;
  nh__http_client_detach(t->client, t);
  if (code != CURLE_OK) {
    rc = map_code(t, code, &t->stage);
    /* libcurl's messages name hosts and files, never the credentials we set as options. */
    describe(t, rc, curl_easy_strerror(code));
  }
  complete(t, rc);
}

static void fail_cb(nh_ready_t *ready) {
  nh_http_transfer_t *t = nh_container_of(ready, nh_http_transfer_t, fail);
  if (!t->easy || !nh_list_linked(&t->link)) return; /* finished or cancelled meanwhile */
  t->stage = current_stage(t);
  nh__http_client_detach(t->client, t);
  describe(t, t->fail_code, "cannot watch the socket");
  complete(t, t->fail_code);
}

static void fail_later(nh_http_transfer_t *t, int rc) {
  if (t->fail_code) return;
  t->fail_code = rc;
  nh_loop_post(t->op.loop, &t->fail, fail_cb);
}

static const nh__http_events_t events = {finished, fail_later};

static void transfer_cancel(nh_op_t *op) {
  nh_http_transfer_t *t = (nh_http_transfer_t *)op;
  nh_loop_unpost(&t->fail);
  t->stage = current_stage(t);
  nh__http_client_detach(t->client, t);
  /* The reason (timeout or cancel) replaces this status; the message says where. */
  describe(t, op->reason ? op->reason : NH_ECANCELED, NULL);
  complete(t, NH_ECANCELED);
}

static const nh_op_type_t transfer_type = {"http.transfer", transfer_cancel};

/* Start */

/* The URL for messages: no user:password, no query (it may carry tokens). */
static char *display_url(const char *url) {
  CURLU *u = curl_url();
  char *out = NULL, *tmp = NULL;
  if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
    int had_query = curl_url_get(u, CURLUPART_QUERY, &tmp, 0) == CURLUE_OK;
    curl_free(tmp);
    curl_url_set(u, CURLUPART_USER, NULL, 0);
    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
    curl_url_set(u, CURLUPART_QUERY, NULL, 0);
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    if (curl_url_get(u, CURLUPART_URL, &tmp, 0) == CURLUE_OK) {
      size_t len = strlen(tmp);
      if ((out = malloc(len + 5)) != NULL) {
        memcpy(out, tmp, len + 1);
        if (had_query) memcpy(out + len, "?...", 5);
      }
      curl_free(tmp);
    }
  }
  curl_url_cleanup(u);
  return out ? out : strdup("(invalid URL)");
}

static int has_crlf(const char *s) {
  return s && strpbrk(s, "\r\n") != NULL;
}

static int add_header(nh_http_transfer_t *t, const char *name, const char *value) {
  size_t nlen = strlen(name), vlen = strlen(value);
  char *line = malloc(nlen + vlen + 3);
  struct curl_slist *l;
  if (!line) return NH_ENOMEM;
  memcpy(line, name, nlen);
  /* "Name:" alone would remove the header; "Name;" sends it empty. */
  if (vlen == 0) {
    line[nlen] = ';';
    line[nlen + 1] = '\0';
  } else {
    line[nlen] = ':';
    line[nlen + 1] = ' ';
    memcpy(line + nlen + 2, value, vlen + 1);
  }
  l = curl_slist_append(t->slist, line);
  free(line);
  if (!l) return NH_ENOMEM;
  t->slist = l;
  return 0;
}

static int setup(nh_http_transfer_t *t, const nh_http_request_t *req) {
  CURL *e = t->easy;
  const char *method = req->method ? req->method : req->body ? "POST" : "GET";
  int has_expect = 0, rc;
  size_t i;
  CURLcode cc = CURLE_OK;

  for (i = 0; i < req->nheaders; i++) {
    const char *name = req->headers[i].name, *value = req->headers[i].value;
    if (!name || !*name || !value || has_crlf(name) || has_crlf(value) || strchr(name, ':'))
      return NH_EINVAL;
    if (strcasecmp(name, "Expect") == 0) has_expect = 1;
    if ((rc = add_header(t, name, value)) < 0) return rc;
  }
  /* No 100-continue round trip before a body: REST servers answer at once. */
  if (req->body && !has_expect && !(t->slist = curl_slist_append(t->slist, "Expect:")))
    return NH_ENOMEM;
  if (has_crlf(method) || has_crlf(req->url)) return NH_EINVAL;

#define SET(opt, val)                                       \
  do {                                                      \
    if (cc == CURLE_OK) cc = curl_easy_setopt(e, opt, val); \
  } while (0)
  SET(CURLOPT_URL, req->url);
  SET(CURLOPT_PRIVATE, (char *)t);
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_USERAGENT, "nethost/0.1");
  SET(CURLOPT_WRITEFUNCTION, write_cb);
  SET(CURLOPT_WRITEDATA, t);
  SET(CURLOPT_HEADERFUNCTION, header_cb);
  SET(CURLOPT_HEADERDATA, t);
  SET(CURLOPT_PREREQFUNCTION, prereq_cb);
  SET(CURLOPT_PREREQDATA, t);
  SET(CURLOPT_ACCEPT_ENCODING, "");
  SET(CURLOPT_TCP_KEEPALIVE, 1L);
  if (t->slist) SET(CURLOPT_HTTPHEADER, (struct curl_slist *)t->slist);
  if (strcmp(method, "GET") == 0) {
    SET(CURLOPT_HTTPGET, 1L);
  } else if (strcmp(method, "HEAD") == 0) {
    SET(CURLOPT_NOBODY, 1L);
  } else if (strcmp(method, "POST") != 0 || !req->body) {
    SET(CURLOPT_CUSTOMREQUEST, method);
  }
  if (req->body) {
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    SET(CURLOPT_COPYPOSTFIELDS, req->body);
  }
  if (req->username) {
    SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    SET(CURLOPT_USERNAME, req->username);
    SET(CURLOPT_PASSWORD, req->password ? req->password : "");
  } else if (req->bearer) {
    SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
    SET(CURLOPT_XOAUTH2_BEARER, req->bearer);
  }
  if (req->connect_timeout_ms) SET(CURLOPT_CONNECTTIMEOUT_MS, (long)req->connect_timeout_ms);
  SET(CURLOPT_SSL_VERIFYPEER, req->insecure ? 0L : 1L);
  SET(CURLOPT_SSL_VERIFYHOST, req->insecure ? 0L : 2L);
  if (req->ca_file) SET(CURLOPT_CAINFO, req->ca_file);
  if (req->client_cert) SET(CURLOPT_SSLCERT, req->client_cert);
  if (req->client_key) SET(CURLOPT_SSLKEY, req->client_key);
  if (req->follow) {
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, req->max_redirects > 0 ? req->max_redirects : 10L);
  }
  /* Over TLS, wait for an existing connection's ALPN to learn whether it can multiplex
   * rather than opening a second connection to the same host. */
  if (t->is_https) SET(CURLOPT_PIPEWAIT, 1L);
#undef SET
  if (cc == CURLE_OUT_OF_MEMORY) return NH_ENOMEM;
  return cc == CURLE_OK ? 0 : NH_EINVAL;
}

int nh_http_transfer_start(nh_http_client_t *client, nh_http_transfer_t *t,
                           const nh_http_request_t *req, nh_op_cb cb) {
  int rc;
  memset((char *)t + sizeof(nh_op_t), 0, sizeof(*t) - sizeof(nh_op_t));
  nh__op_init(&t->op, client->loop, &transfer_type);
  if (!req->url) return NH_EINVAL;
  t->client = client;
  t->max_body = req->max_body;
  t->stage = "request";
  t->is_https = strncasecmp(req->url, "https:", 6) == 0;
  if (!(t->display_url = display_url(req->url))) return NH_ENOMEM;
  if (!(t->easy = nh__http_client_easy(client))) {
    rc = NH_ENOMEM;
    goto fail;
  }
  if ((rc = setup(t, req)) < 0) goto fail;
  if ((rc = nh__http_client_attach(client, t, &events)) < 0) goto fail;
  nh__op_begin(&t->op, cb, req->timeout_ms);
  return 0;
fail:
  if (t->easy) nh__http_client_release(client, t->easy);
  t->easy = NULL;
  curl_slist_free_all(t->slist);
  t->slist = NULL;
  free(t->display_url);
  t->display_url = NULL;
  return rc;
}

void nh_http_transfer_cleanup(nh_http_transfer_t *t) {
  free(t->body);
  free(t->hbuf);
  free(t->headers);
  free(t->display_url);
  t->body = t->hbuf = t->display_url = NULL;
  t->headers = NULL;
  t->nheaders = t->body_len = t->body_cap = t->hbuf_len = t->hbuf_cap = 0;
}

const char *nh_http_transfer_header(const nh_http_transfer_t *t, const char *name) {
  size_t i;
  for (i = 0; i < t->nheaders; i++)
    if (strcasecmp(t->headers[i].name, name) == 0) return t->headers[i].value;
  return NULL;
}
