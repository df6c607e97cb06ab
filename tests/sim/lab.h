/* Building and tearing down the lab (lab.c). */
#ifndef SIM_LAB_H
#define SIM_LAB_H

#include "sim.h"

/* Creates the devices from lab->opt. */
int lab_build(sim_lab_t *lab);
/* Loads or generates the host keys (state-dir) and prepares the SSH binds. */
int lab_keys(sim_lab_t *lab);
void lab_destroy(sim_lab_t *lab);
/* Writes the inventory and the known_hosts file beside it (inventory.c). */
int inventory_write(sim_lab_t *lab, const char *path);
/* Saves / loads device configurations in --state-dir (state.c). */
void state_save(sim_lab_t *lab);
void state_load(sim_lab_t *lab);

#endif
