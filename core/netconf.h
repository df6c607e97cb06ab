/* nethost core: NETCONF sessions (RFC 6241) over an SSH connection (RFC 6242).
 *
 * A NETCONF session is a channel on an authenticated nh_ssh_t with the subsystem
 * "netconf". Opening it sends the client's hello and waits for the server's; both sides
 * then use chunked framing when both advertise base:1.1, else the "]]>]]>" end marker. An
 * RPC sends one <rpc> message and waits, under its own deadline, for the <rpc-reply> with
 * the same message-id; replies to RPCs that were cancelled or timed out, and notifications,
 * are skipped. The connection's deadlines, cancellation and failure stages apply as for
 * exec channels; NETCONF's own failures have the stage "netconf".
 */
#ifndef NH_NETCONF_H
#define NH_NETCONF_H

#include "ssh.h"

#include <stddef.h>

typedef struct nh_netconf_s nh_netconf_t;

typedef struct {
  nh_op_t op; /* first member */
  nh_netconf_t *nc;
} nh_netconf_open_t;

/* Opens a NETCONF session on ssh. hello is the client's complete <hello> message (NULL:
 * one advertising base:1.0 and base:1.1). Replies larger than max_message bytes (0: 64 MB)
 * fail with NH_ETOOBIG. On success req->nc is the session; release it with
 * nh_netconf_close(). Failures: NH_ECHANNEL (no netconf subsystem), NH_EPROTO (a malformed
 * hello or framing), NH_ECLOSED, NH_ETIMEDOUT (no hello within timeout_ms), NH_ECANCELED. */
int nh_netconf_open(nh_netconf_open_t *req, nh_ssh_t *ssh, const char *hello, size_t max_message,
                    uint64_t timeout_ms, nh_op_cb cb);

/* After a successful open: the server's hello as received, its capabilities (count and
 * URIs), its session-id (0 if none), and whether chunked framing (base:1.1) is in use. */
const char *nh_netconf_server_hello(const nh_netconf_t *nc, size_t *len);
size_t nh_netconf_capability_count(const nh_netconf_t *nc);
const char *nh_netconf_capability(const nh_netconf_t *nc, size_t i);
unsigned long nh_netconf_session_id(const nh_netconf_t *nc);
int nh_netconf_chunked(const nh_netconf_t *nc);
/* The connection the session runs on. */
nh_ssh_t *nh_netconf_ssh(const nh_netconf_t *nc);
/* Whether the session can still carry RPCs. */
int nh_netconf_is_open(const nh_netconf_t *nc);

/* Closes the channel (in the background) and frees the session. A pending RPC completes
 * with NH_ECANCELED. The connection stays open. */
void nh_netconf_close(nh_netconf_t *nc);

typedef struct nh_netconf_rpc_s {
  nh_op_t op; /* first member */
  nh_netconf_t *nc;
  /* the result, owned by the request until nh_netconf_rpc_cleanup() */
  char *reply; /* the whole <rpc-reply> message, NUL-terminated */
  size_t reply_len;
  /* private */
  char message_id[64];
  unsigned skipped;              /* messages skipped while waiting (stale replies, notifications) */
  struct nh_netconf_rpc_s *next; /* the session's next pending RPC */
} nh_netconf_rpc_t;

/* Sends msg (a complete <rpc> element with attribute message-id = message_id) and waits for
 * the <rpc-reply> whose message-id matches. Several RPCs may be in flight on a session;
 * message_id must be unique among them (a reply without message-id answers the oldest). timeout_ms
 * 0: none. A reply that is not well-formed XML fails with NH_EPROTO. Call nh_netconf_rpc_cleanup()
 * after the callback. */
int nh_netconf_rpc(nh_netconf_rpc_t *req, nh_netconf_t *nc, const char *msg, size_t len,
                   const char *message_id, uint64_t timeout_ms, nh_op_cb cb);
void nh_netconf_rpc_cleanup(nh_netconf_rpc_t *req);

/* The namespace of NETCONF's base elements. */
#define NH_NETCONF_NS "urn:ietf:params:xml:ns:netconf:base:1.0"

#endif
