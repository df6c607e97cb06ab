/* nethost core: the TCP probe — can a connection to host:port be opened, and how fast? */
#include "error.h"
#include "net.h"

#include <string.h>

enum { PHASE_IDLE, PHASE_RESOLVING, PHASE_CONNECTING, PHASE_CLOSING };

static void tcp_closed(uv_handle_t *handle) {
  nh_tcp_probe_t *req = (nh_tcp_probe_t *)handle->data;
  req->phase = PHASE_IDLE;
  /* 0 (a verdict was reached) or a local failure such as EMFILE; a requested stop
   * overrides it. */
  nh__op_done(&req->op, req->close_status);
}

static void close_tcp(nh_tcp_probe_t *req) {
  if (req->phase == PHASE_CLOSING) return;
  if (!req->elapsed_ns) req->elapsed_ns = uv_hrtime() - req->connect_ns;
  req->phase = PHASE_CLOSING;
  uv_close((uv_handle_t *)&req->tcp, tcp_closed);
}

static void probe_cancel(nh_op_t *op) {
  nh_tcp_probe_t *req = (nh_tcp_probe_t *)op;
  if (req->phase == PHASE_RESOLVING)
    nh_op_cancel(&req->resolve.op); /* resolved_cb then completes the probe */
  else if (req->phase == PHASE_CONNECTING)
    close_tcp(req); /* connect_cb runs with UV_ECANCELED, then tcp_closed */
}

static const nh_op_type_t probe_type = {"net.tcp_probe", probe_cancel};

static void connect_cb(uv_connect_t *connect, int status) {
  nh_tcp_probe_t *req = (nh_tcp_probe_t *)connect->data;
  if (req->phase != PHASE_CONNECTING) return; /* cancelled: the close is under way */
  req->elapsed_ns = uv_hrtime() - req->connect_ns;
  req->connect_status = status;
  close_tcp(req);
}

/* Returns an error only when nothing was started; any later failure completes the probe
 * through the close callback. */
static int start_connect(nh_tcp_probe_t *req) {
  int rc;
  if ((rc = uv_tcp_init(req->op.loop->uv, &req->tcp)) < 0) return rc;
  req->tcp.data = req;
  req->connect.data = req;
  req->connect_ns = uv_hrtime();
  req->phase = PHASE_CONNECTING;
  rc = uv_tcp_connect(&req->connect, &req->tcp, (const struct sockaddr *)&req->addr.sa, connect_cb);
  if (rc < 0) {
    /* A synchronous failure (EADDRNOTAVAIL, EMFILE, ...): no connect callback will come. */
    req->connect_status = rc;
    if (rc == UV_EMFILE || rc == UV_ENFILE || rc == UV_ENOMEM) req->close_status = rc;
    close_tcp(req);
  }
  return 0;
}

static void resolved_cb(nh_op_t *op, int status) {
  nh_tcp_probe_t *req = (nh_tcp_probe_t *)op->data;
  int rc;
  req->phase = PHASE_IDLE;
  if (status == 0) {
    memcpy(&req->addr, &req->resolve.addrs[0], sizeof(req->addr));
    if (req->addr.sa.ss_family == AF_INET)
      ((struct sockaddr_in *)&req->addr.sa)->sin_port = htons((uint16_t)req->port);
    else
      ((struct sockaddr_in6 *)&req->addr.sa)->sin6_port = htons((uint16_t)req->port);
  }
  nh_resolve_cleanup(&req->resolve);
  if (status < 0 || nh__op_stopping(&req->op)) {
    nh__op_done(&req->op, status);
    return;
  }
  if ((rc = start_connect(req)) < 0) nh__op_done(&req->op, rc);
}

int nh_tcp_probe_start(nh_loop_t *loop, nh_tcp_probe_t *req, const char *host, int port,
                       uint64_t timeout_ms, nh_op_cb cb) {
  int rc;
  nh__op_init(&req->op, loop, &probe_type);
  req->elapsed_ns = 0;
  req->connect_status = 0;
  req->close_status = 0;
  req->port = port;
  req->phase = PHASE_IDLE;
  if (!host || port < 1 || port > 65535) return NH_EINVAL;
  if (nh_addr_parse(host, port, &req->addr) == 0) {
    if ((rc = start_connect(req)) < 0) return rc;
  } else {
    if ((rc = nh_resolve_start(loop, &req->resolve, host, AF_UNSPEC, 0, resolved_cb)) < 0)
      return rc;
    req->resolve.op.data = req;
    req->phase = PHASE_RESOLVING;
  }
  nh__op_begin(&req->op, cb, timeout_ms);
  return 0;
}

int nh_tcp_probe_state(const nh_tcp_probe_t *req, int status) {
  if (status == NH_ETIMEDOUT) return NH_PROBE_TIMEOUT;
  if (status != 0) return -1;
  switch (req->connect_status) {
  case 0:
    return NH_PROBE_OPEN;
  case UV_ECONNREFUSED:
    return NH_PROBE_REFUSED;
  case UV_ETIMEDOUT:
    return NH_PROBE_TIMEOUT;
  default:
    return NH_PROBE_UNREACHABLE;
  }
}

const char *nh_probe_state_name(int state) {
  static const char *const names[] = {"open", "refused", "timeout", "unreachable"};
  return state >= 0 && state <= NH_PROBE_UNREACHABLE ? names[state] : "error";
}
