/* The CLI that Cisco IOS and Arista EOS share (ioslike.c): modes, enable, paging, config
 * mode on the conf.c model, save / replace, and the show commands derived from the running
 * configuration (interfaces, VLANs). The personality files (ios.c, eos.c) add what differs:
 * show version, the initial configuration, the hardware. */
#ifndef SIM_IOSLIKE_H
#define SIM_IOSLIKE_H

#include "sim.h"

typedef struct ioslike_profile {
  int eos;              /* Arista EOS spellings where they differ */
  const char *if_long;  /* "GigabitEthernet1/0/" or "Ethernet" */
  const char *if_short; /* "Gi1/0/" or "Et" */
  int ports;            /* front-panel ports */
  /* What a device runs, drawn from its seed mixed with seed_salt (NULL-terminated lists). */
  const char *const *models;
  const char *const *versions;
  uint64_t seed_salt;
  /* show version; returns 0 when the command is not one this profile knows. */
  void (*show_version)(sim_cli_t *cli, sbuf_t *out);
  /* The factory configuration of a device (text, as `show running-config` body). */
  void (*initial_config)(sim_device_t *dev, sbuf_t *out);
} ioslike_profile_t;

/* The device state of an IOS-like personality (dev->pstate). */
typedef struct ioslike_dev {
  ioslike_t s;
  const ioslike_profile_t *p;
  /* EOS "configure session NAME": a copy of the running configuration that config lines
   * change until "commit" makes it the running one or "abort" drops it. */
  conf_node_t *session;
  char session_name[40];
} ioslike_dev_t;

/* The personality of an IOS-like platform (sim.h): ioslike.c's CLI with the platform's
 * own banner and profile. */
#define IOSLIKE_PERSONALITY(platform, banner, profile)                                   \
  {                                                                                      \
    platform, "sw", " --More-- ", ioslike_init, ioslike_destroy, banner, ioslike_prompt, \
        ioslike_command, ioslike_running_config, ioslike_load_config, profile            \
  }

/* A personality's init: draws the device's model and version from the lists of its
 * profile (dev->pers->profile) and builds its state. */
void ioslike_init(sim_device_t *dev);
void ioslike_destroy(sim_device_t *dev);
void ioslike_prompt(sim_cli_t *cli, sbuf_t *out);
void ioslike_command(sim_cli_t *cli, const char *line, sbuf_t *out);
void ioslike_running_config(sim_device_t *dev, sbuf_t *out);
void ioslike_load_config(sim_device_t *dev, const char *text);
/* eAPI's JSON model of a show command ("format": "json"): appends it and returns 1, or
 * returns 0 for commands that have none (their text is answered as "output"). */
int ioslike_json(sim_cli_t *cli, const char *command, sbuf_t *out);
/* The device's hostname (from its running configuration). */
const char *ioslike_hostname(sim_device_t *dev);

#endif
