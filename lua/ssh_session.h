/* nethost Lua layer: what other bindings may use of an ssh session (lua/l_ssh.c). */
#ifndef NHL_SSH_SESSION_H
#define NHL_SSH_SESSION_H

#include "runtime.h"
#include "ssh.h"

/* The connection of the ssh session at idx (raises when it is not one, or closed); *name
 * (if name) is the host's display name, alive as long as the session. Channels opened on
 * the connection by another binding must keep the session value alive. */
nh_ssh_t *nhl_ssh_session_conn(lua_State *L, int idx, const char **name);

#endif
