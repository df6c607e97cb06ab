/* nethost core: name resolution as an operation, and address literals. */
#include "error.h"
#include "net.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

int nh_addr_parse(const char *text, int port, nh_addr_t *addr) {
  char buf[64];
  size_t n;
  memset(addr, 0, sizeof(*addr));
  if (!text) return NH_EINVAL;
  n = strlen(text);
  if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
    if (n - 2 >= sizeof(buf)) return NH_EINVAL;
    memcpy(buf, text + 1, n - 2);
    buf[n - 2] = '\0';
    text = buf;
  }
  if (uv_ip4_addr(text, port, (struct sockaddr_in *)&addr->sa) == 0 && strchr(text, ':') == NULL) {
    addr->len = sizeof(struct sockaddr_in);
    return 0;
  }
  /* Only plain IPv6 literals: uv_ip6_addr also accepts "%zone" suffixes, which are fine. */
  if (strchr(text, ':') && uv_ip6_addr(text, port, (struct sockaddr_in6 *)&addr->sa) == 0) {
    addr->len = sizeof(struct sockaddr_in6);
    return 0;
  }
  memset(addr, 0, sizeof(*addr));
  return NH_EINVAL;
}

int nh_addr_format(const nh_addr_t *addr, char *buf, size_t size) {
  const struct sockaddr *sa = (const struct sockaddr *)&addr->sa;
  int rc = NH_EINVAL;
  if (sa->sa_family == AF_INET)
    rc = uv_ip4_name((const struct sockaddr_in *)sa, buf, size);
  else if (sa->sa_family == AF_INET6)
    rc = uv_ip6_name((const struct sockaddr_in6 *)sa, buf, size);
  return rc < 0 ? NH_EINVAL : 0;
}

static void resolve_cancel(nh_op_t *op) {
  nh_resolve_t *req = (nh_resolve_t *)op;
  /* A lookup already running on the thread pool cannot be stopped; its callback then
   * completes the operation (with the stop reason). */
  uv_cancel((uv_req_t *)&req->gai);
}

static const nh_op_type_t resolve_type = {"net.resolve", resolve_cancel};

static int same_addr(const nh_addr_t *a, const struct addrinfo *ai) {
  return a->len == ai->ai_addrlen && memcmp(&a->sa, ai->ai_addr, ai->ai_addrlen) == 0;
}

static void gai_cb(uv_getaddrinfo_t *gai, int status, struct addrinfo *res) {
  nh_resolve_t *req = (nh_resolve_t *)gai->data;
  const struct addrinfo *ai;
  size_t n = 0, i;
  req->gai_status = status;
  if (status < 0 || nh__op_stopping(&req->op)) {
    uv_freeaddrinfo(res);
    nh__op_done(&req->op, status == UV_ECANCELED ? NH_ECANCELED : NH_ERESOLVE);
    return;
  }
  for (ai = res; ai; ai = ai->ai_next) n++;
  req->addrs = calloc(n ? n : 1, sizeof(*req->addrs));
  if (!req->addrs) {
    uv_freeaddrinfo(res);
    nh__op_done(&req->op, NH_ENOMEM);
    return;
  }
  for (ai = res; ai; ai = ai->ai_next) {
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
        ai->ai_addrlen > sizeof(req->addrs[0].sa))
      continue;
    for (i = 0; i < req->count && !same_addr(&req->addrs[i], ai); i++) {
    }
    if (i < req->count) continue;
    memcpy(&req->addrs[req->count].sa, ai->ai_addr, ai->ai_addrlen);
    req->addrs[req->count].len = ai->ai_addrlen;
    req->count++;
  }
  uv_freeaddrinfo(res);
  nh__op_done(&req->op, req->count ? 0 : NH_ERESOLVE);
}

int nh_resolve_start(nh_loop_t *loop, nh_resolve_t *req, const char *name, int family,
                     uint64_t timeout_ms, nh_op_cb cb) {
  struct addrinfo hints;
  int rc;
  nh__op_init(&req->op, loop, &resolve_type);
  req->addrs = NULL;
  req->count = 0;
  req->gai_status = 0;
  req->family = family;
  if (!name || !*name) return NH_EINVAL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM; /* one entry per address, not one per socket type */
  req->gai.data = req;
  rc = uv_getaddrinfo(loop->uv, &req->gai, gai_cb, name, NULL, &hints);
  if (rc < 0) return rc == UV_ENOMEM ? NH_ENOMEM : NH_ERESOLVE;
  nh__op_begin(&req->op, cb, timeout_ms);
  return 0;
}

void nh_resolve_cleanup(nh_resolve_t *req) {
  free(req->addrs);
  req->addrs = NULL;
  req->count = 0;
}
