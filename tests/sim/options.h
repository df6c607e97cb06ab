/* Command-line options of nethost-sim (options.c). */
#ifndef SIM_OPTIONS_H
#define SIM_OPTIONS_H

#include "sim.h"

/* Fills o from argv; prints the problem and returns -1 on bad input. */
int sim_parse_options(sim_options_t *o, int argc, char **argv);
void sim_free_options(sim_options_t *o);
const char *sim_fault_name(int fault);

#endif
