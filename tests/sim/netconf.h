/* nethost-sim: the NETCONF server (RFC 6241/6242) of cisco_ios (as IOS-XE: ietf-interfaces
 * and a small native model) and juniper_junos (Junos configuration XML). Both read and write
 * the same device state as the CLI through the personality's nc_get / nc_apply, so a
 * change made one way shows the other way. The candidate datastore, locks, validate,
 * commit confirmed (rolled back when its timeout passes) and rpc-errors live here. */
#ifndef SIM_NETCONF_H
#define SIM_NETCONF_H

#include "sim.h"
#include "term.h"

#define NC_MAX_IFS 128

/* The part of a device's configuration NETCONF sees. */
typedef struct nc_model {
  char hostname[64];
  int nif;
  struct {
    char name[64];
    char description[256];
    int enabled;
  } ifs[NC_MAX_IFS];
} nc_model_t;

typedef struct sim_nc sim_nc_t;

/* A session on a channel that asked for the netconf subsystem; io as for terminals
 * (write, done, enter, leave). NULL when the device's platform has no NETCONF. */
sim_nc_t *nc_new(sim_device_t *dev, const sim_term_io_t *io, void *ctx);
void nc_input(sim_nc_t *s, const char *data, size_t len);
void nc_eof(sim_nc_t *s);
void nc_free(sim_nc_t *s);

/* Per-personality hooks (ioslike.c, junos.c). */
void ioslike_nc_get(sim_device_t *dev, nc_model_t *m);
void ioslike_nc_apply(sim_device_t *dev, const nc_model_t *m);
void junos_nc_get(sim_device_t *dev, nc_model_t *m);
void junos_nc_apply(sim_device_t *dev, const nc_model_t *m, const char *how);

#endif
