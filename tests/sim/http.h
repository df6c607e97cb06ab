/* The lab's HTTP API (http.c): per device, on the device's address and --http-port, an
 * Arista eAPI-style JSON-RPC endpoint (POST /command-api, runCmds) and a RESTCONF-style
 * JSON tree (GET /restconf/data/...), with basic auth (admin/admin). */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include "sim.h"

/* Listens on every device when --http is given; returns -1 after printing why. */
int http_start(sim_lab_t *lab);
void http_stop(sim_lab_t *lab);
void http_close_all(sim_lab_t *lab);

#endif
