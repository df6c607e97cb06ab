/* Parsers for the IOS-style CLI output Cisco IOS and Arista EOS share. Each has the
 * nh_plugin_parse_fn signature; ud is unused. Call ioslike_init() from the plugin entry
 * (it compiles the patterns, and registers their release as an unload hook). The result
 * schemas are documented in docs/plugins.md. */
#ifndef NH_IOSLIKE_H
#define NH_IOSLIKE_H

#include "textscan.h"

int ioslike_init(const nh_plugin_host_t *host, nh_plugin_t *self);

/* list of {interface, link_status, protocol_status, description, hardware_type,
 * mac_address, ip_address, mtu, bandwidth_kbps, duplex, speed, input_packets,
 * output_packets, input_errors, output_errors, crc} */
int ioslike_show_interfaces(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                            size_t len, nh_plugin_value_t **out, void *ud);
/* list of {interface, description, status, vlan, duplex, speed, type} */
int ioslike_interfaces_status(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                              size_t len, nh_plugin_value_t **out, void *ud);
/* list of {interface, ip_address, status, protocol[, method][, mtu]} */
int ioslike_ip_interface_brief(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                               size_t len, nh_plugin_value_t **out, void *ud);
/* list of {vlan_id, name, status, interfaces = {...}} */
int ioslike_vlan(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text, size_t len,
                 nh_plugin_value_t **out, void *ud);
/* list of {local_interface, neighbor, neighbor_interface[, capabilities][, hold_time]} */
int ioslike_lldp_neighbors(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                           size_t len, nh_plugin_value_t **out, void *ud);
/* list of {line, children}: the running configuration in sections */
int ioslike_running_config(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                           size_t len, nh_plugin_value_t **out, void *ud);

/* Whether the text is only blank lines (a legitimately empty answer). */
int ioslike_empty(const char *text, size_t len);

/* The platform-driver fields IOS-like CLIs share: prompts, enable, configure terminal,
 * copy running-config startup-config, indented config. The caller adds what differs. */
void ioslike_platform(nh_plugin_platform_t *p);

#endif
