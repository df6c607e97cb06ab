/* nethost core: the struct that embeds a member, from a pointer to that member — how a
 * callback handed a uv_timer_t, an nh_ready_t or a uv_poll_t finds the object it belongs to,
 * as the Linux kernel and libuv's own code do. */
#ifndef NH_CONTAINER_H
#define NH_CONTAINER_H

#include <stddef.h>

#define nh_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#endif
