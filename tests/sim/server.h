/* SSH listeners and sessions of the lab (server.c). */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include <arpa/inet.h>

#include "sim.h"

/* Binds and listens on every device's address; returns -1 after printing why. */
int server_start(sim_lab_t *lab);
/* Stops accepting. */
void server_stop(sim_lab_t *lab);
/* Closes every open connection (their memory is freed by the loop's close callbacks). */
void server_close_all(sim_lab_t *lab);
/* A non-blocking listening TCP socket on addr:port, or -1 with a message in err. */
int sim_listen_socket(struct in_addr addr, int port, char *err, size_t errsz);

#endif
