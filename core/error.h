/* nethost core: error codes.
 *
 * Every core function returns 0 (or a non-negative count) on success and a negative
 * NH_E* code on failure. System errors reuse libuv's codes (NH_ETIMEDOUT == UV_ETIMEDOUT),
 * so a uv_* failure can be returned as it is; the codes nethost adds live in their own
 * range below -20000. One X-macro table generates the enum, nh_strerror() and
 * nh_err_name().
 */
#ifndef NH_ERROR_H
#define NH_ERROR_H

#include <uv.h>

/* XX(name, value, message) */
#define NH_ERRNO_MAP(XX)                                           \
  XX(ECANCELED, UV_ECANCELED, "operation canceled")                \
  XX(ETIMEDOUT, UV_ETIMEDOUT, "operation timed out")               \
  XX(ENOMEM, UV_ENOMEM, "out of memory")                           \
  XX(EINVAL, UV_EINVAL, "invalid argument")                        \
  XX(ENOENT, UV_ENOENT, "no such file or directory")               \
  XX(EEXIST, UV_EEXIST, "already exists")                          \
  XX(EBUSY, UV_EBUSY, "resource busy")                             \
  XX(EAGAIN, UV_EAGAIN, "resource temporarily unavailable")        \
  XX(ECONNREFUSED, UV_ECONNREFUSED, "connection refused")          \
  XX(ECONNRESET, UV_ECONNRESET, "connection reset by peer")        \
  XX(EHOSTUNREACH, UV_EHOSTUNREACH, "host is unreachable")         \
  XX(ENETUNREACH, UV_ENETUNREACH, "network is unreachable")        \
  XX(EMFILE, UV_EMFILE, "too many open files")                     \
  XX(EOF, UV_EOF, "end of file")                                   \
  XX(EACCES, UV_EACCES, "permission denied")                       \
  XX(ENOSPC, UV_ENOSPC, "no space left on device")                 \
  XX(EPROTO, -20001, "protocol error")                             \
  XX(EBANNER, -20002, "SSH banner exchange failed")                \
  XX(EKEX, -20003, "SSH key exchange failed")                      \
  XX(EHOSTKEY, -20004, "host key verification failed")             \
  XX(EAUTH, -20005, "authentication failed")                       \
  XX(ECHANNEL, -20006, "channel failure")                          \
  XX(ECOMMAND, -20007, "command failed on the device")             \
  XX(ETOOBIG, -20008, "output exceeds the configured limit")       \
  XX(EPROMPT, -20009, "prompt not detected")                       \
  XX(EHTTP, -20010, "HTTP transfer failed")                        \
  XX(ETLS, -20011, "TLS failure")                                  \
  XX(EPARSE, -20012, "parse failed")                               \
  XX(ESYNTAX, -20013, "syntax error")                              \
  XX(ENOPARSER, -20014, "no parser for this platform and command") \
  XX(ENOPLATFORM, -20015, "unknown platform")                      \
  XX(EPLUGIN, -20016, "plugin failed to load")                     \
  XX(EABI, -20017, "plugin ABI version mismatch")                  \
  XX(EDUPLICATE, -20018, "duplicate name")                         \
  XX(ERESOLVE, -20019, "name resolution failed")                   \
  XX(ECLOSED, -20020, "connection closed")

typedef enum {
#define NH_ERR_ENUM(name, value, msg) NH_##name = (value),
  NH_ERRNO_MAP(NH_ERR_ENUM)
#undef NH_ERR_ENUM
} nh_errno_t;

/* A static, human-readable message for err. Unknown codes fall back to libuv's table. */
const char *nh_strerror(int err);

/* The symbolic name of err without the NH_ prefix, e.g. "ETIMEDOUT". */
const char *nh_err_name(int err);

#endif
