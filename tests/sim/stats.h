/* Connection statistics and the per-device session log (stats.c). */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stdio.h>

#include "sim.h"

/* Records a session start on dev; returns its index in the device's log. */
size_t stats_session_start(sim_device_t *dev);
void stats_session_end(sim_device_t *dev, size_t index);
/* Prints the summary to `f` and, when path is set, writes the JSON report there. */
int stats_report(sim_lab_t *lab, FILE *f, const char *path);

#endif
