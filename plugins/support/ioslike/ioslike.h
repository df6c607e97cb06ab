/* Parsers for the IOS-style CLI output Cisco IOS and Arista EOS share. Each has the
 * nh_plugin_parse_fn signature; ud is unused. A plugin starts with ioslike_start(), which
 * compiles the patterns (released by an unload hook) and registers the shared parsers. The result
 * schemas are documented in docs/plugins.md. */
#ifndef NH_IOSLIKE_H
#define NH_IOSLIKE_H

#include "textscan.h"

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

/* The platform-driver fields IOS-like CLIs share, for a designated initializer of an
 * nh_plugin_platform_t: prompts, paging, enable, configure terminal, copy running-config
 * startup-config, indented config. The plugin's initializer adds the fields that differ
 * (name, aliases, errors, confirmations, rollback) and sets none of these again. */
extern const char *const ioslike_on_open[];
extern const char *const ioslike_paging[];
extern const char *const ioslike_volatile[];
/* The free bytes `dir FS:` reports (file_free_parse of ABI 1.2). */
int ioslike_free_space(const char *text, size_t len, const char *path, uint64_t *free_bytes);
#define IOSLIKE_PLATFORM_FIELDS                                                                   \
  .prompt_pattern = "^[\\w.\\-/:@]+(?:\\([\\w.\\-/:]+\\))?[>#]\\s*$", .on_open = ioslike_on_open, \
  .paging_patterns = ioslike_paging, .enable_command = "enable",                                  \
  .enable_password_pattern = "[Pp]assword:\\s*$", .privileged_pattern = "#\\s*$",                 \
  .config_enter = "configure terminal", .config_exit = "end",                                     \
  .config_prompt_pattern = "\\(config[^)]*\\)#\\s*$",                                             \
  .save_command = "copy running-config startup-config", .confirm_response = "",                   \
  .checkpoint_command = "copy running-config flash:%s",                                           \
  .config_dialect = NH_PLUGIN_DIALECT_INDENT, .show_config_command = "show running-config",       \
  .volatile_patterns = ioslike_volatile,                                                          \
  .file_default_dir = "flash:", .file_free_command = "dir %s",                                    \
  .file_free_parse = ioslike_free_space, .file_checksum_command = "verify /sha512 %s",            \
  .file_checksum_algorithm = "sha512"

/* What an IOS-like plugin's entry does after NH_PLUGIN_DECLARE: ts_plugin_start with the
 * plugin's own patterns, platform, facts parser and n parsers, after compiling the shared
 * patterns and then registering the shared parsers (show interfaces, interfaces status, ip
 * interface brief, vlan, lldp neighbors, running-config and startup-config). Returns 0 or
 * the first failure's code. */
int ioslike_start(const nh_plugin_host_t *host, nh_plugin_t *self, ts_patterns_t *own,
                  const nh_plugin_platform_t *platform, const ts_facts_t *facts,
                  const ts_parser_t *parsers, size_t n);

#endif
