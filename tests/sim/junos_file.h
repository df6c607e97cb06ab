/* The Junos personality's file commands, over the device's flash (junos_file.c). */
#ifndef SIM_JUNOS_FILE_H
#define SIM_JUNOS_FILE_H

#include "sim.h"

/* Patterns for junos.c's list of operational commands (syntax-error columns). */
extern const char *const junos_file_patterns[];

/* Runs `show system storage`, `file list`, `file checksum` or `file delete` when line is
 * one of them (tok: its n tokens). Returns 1 when it was, 0 otherwise. */
int junos_file_command(sim_cli_t *cli, const char *line, char **tok, int n, sbuf_t *out);

#endif
