/* acme_os: the worked example of docs/plugins.md — a complete nethost plugin for a made-up
 * vendor, AcmeOS. It defines the platform driver the SSH shell uses and two parsers, with
 * nothing but the plugin header and the C library. Build it out of tree:
 *
 *   cc $(pkg-config --cflags nethost-plugin) -shared -o acme_os.so acme_os.c
 */
#include <nethost/plugin.h>

#include <stdlib.h>
#include <string.h>

/* A line of the input: [p, p + len), without its terminator. */
typedef struct {
  const char *p;
  size_t len;
} line_t;

/* Moves *at past the next line of text[0..end) and returns it; 0 at the end. */
static int next_line(const char **at, const char *end, line_t *line) {
  const char *s = *at, *e = s;
  if (s >= end) return 0;
  while (e < end && *e != '\n' && *e != '\r') e++;
  line->p = s;
  line->len = (size_t)(e - s);
  if (e < end && *e == '\r') e++;
  if (e < end && *e == '\n') e++;
  *at = e;
  return 1;
}

/* If line starts with prefix, stores the rest (trimmed) and returns 1. */
static int field(const line_t *line, const char *prefix, line_t *rest) {
  size_t n = strlen(prefix);
  if (line->len < n || memcmp(line->p, prefix, n) != 0) return 0;
  rest->p = line->p + n;
  rest->len = line->len - n;
  while (rest->len && *rest->p == ' ') rest->p++, rest->len--;
  while (rest->len && rest->p[rest->len - 1] == ' ') rest->len--;
  return 1;
}

/* show version -> {hostname, version, model, serial, uptime}
 *
 *   AcmeOS version 3.1.4 (build 2024-05-01)
 *   Hostname: edge-01
 *   Model: ACME-4800
 *   Serial: AC123456
 *   Uptime: 12 days, 3:04:05
 */
static int parse_version(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                         size_t len, nh_plugin_value_t **out, void *ud) {
  static const struct {
    const char *prefix, *key;
  } fields[] = {
      {"Hostname:", "hostname"}, {"Model:", "model"}, {"Serial:", "serial"}, {"Uptime:", "uptime"}};
  const char *at = text, *end = text + len;
  nh_plugin_value_t *facts = h->value_map();
  line_t line, rest;
  int have_version = 0, rc = 0;
  size_t i;
  (void)ud; /* registered without user data */
  if (!facts) return NH_PLUGIN_ENOMEM;
  while (rc == 0 && next_line(&at, end, &line)) {
    if (field(&line, "AcmeOS version", &rest)) {
      size_t n = 0;
      while (n < rest.len && rest.p[n] != ' ') n++; /* "3.1.4 (build ...)" -> "3.1.4" */
      rc = nh_plugin_set_strn(h, facts, "version", rest.p, n);
      have_version = 1;
      continue;
    }
    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
      if (field(&line, fields[i].prefix, &rest)) {
        rc = nh_plugin_set_strn(h, facts, fields[i].key, rest.p, rest.len);
        break;
      }
    }
  }
  if (rc < 0) { /* the builder ran out of memory */
    h->value_free(facts);
    return rc;
  }
  if (!have_version) {
    /* Never return something half-parsed as success: say what was missing. */
    h->value_free(facts);
    return h->parse_error(p, 1, "no 'AcmeOS version' line: not AcmeOS show version output");
  }
  *out = facts;
  return 0;
}

/* show ports -> list of {interface, status, speed}
 *
 *   Port   State  Speed
 *   p1     up     10G
 *   p2     down   -
 */
static int parse_ports(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                       size_t len, nh_plugin_value_t **out, void *ud) {
  const char *at = text, *end = text + len;
  nh_plugin_value_t *ports = h->value_list();
  line_t line;
  int header = 0, rc = 0;
  (void)ud;
  if (!ports) return NH_PLUGIN_ENOMEM;
  while (rc == 0 && next_line(&at, end, &line)) {
    const char *word[3];
    size_t wlen[3], n = 0, i = 0;
    nh_plugin_value_t *port;
    while (n < 3) { /* split into three words */
      while (i < line.len && line.p[i] == ' ') i++;
      if (i == line.len) break;
      word[n] = line.p + i;
      while (i < line.len && line.p[i] != ' ') i++;
      wlen[n] = (size_t)(line.p + i - word[n]);
      n++;
    }
    if (n == 0) continue; /* blank line */
    if (!header) {
      if (n == 3 && wlen[0] == 4 && memcmp(word[0], "Port", 4) == 0) {
        header = 1;
        continue;
      }
      h->value_free(ports);
      return h->parse_error(p, 0, "expected the 'Port State Speed' header");
    }
    if (n != 3) {
      h->value_free(ports);
      return h->parse_error(p, 0, "a port line needs three columns");
    }
    if (!(port = h->value_map()) || (rc = h->list_push(ports, port)) < 0) {
      rc = NH_PLUGIN_ENOMEM;
      break;
    }
    if ((rc = nh_plugin_set_strn(h, port, "interface", word[0], wlen[0])) < 0 ||
        (rc = nh_plugin_set_strn(h, port, "status", word[1], wlen[1])) < 0 ||
        (rc = nh_plugin_set_strn(h, port, "speed", word[2], wlen[2])) < 0)
      break;
  }
  if (rc < 0) {
    h->value_free(ports);
    return rc;
  }
  /* No output at all means "no ports": an empty list. A header-less text is not. */
  *out = ports;
  return 0;
}

/* The platform driver: how nethost's SSH shell talks to an AcmeOS CLI. Fields left out
 * are zero, which means "AcmeOS has no such thing". */
static const char *const aliases[] = {"acme", "acme.os", NULL};
static const char *const on_open[] = {"set pager off", NULL};
static const char *const paging[] = {"^-- more --$", NULL};
static const char *const errors[] = {"^ERROR:", "^Unknown command", NULL};
static const char *const confirm[] = {"\\(y/n\\)\\s*$", NULL};

static const nh_plugin_platform_t acme = {
    .size = sizeof(nh_plugin_platform_t), /* tells nethost which fields this struct has */
    .name = "acme_os",
    .aliases = aliases,
    .description = "AcmeOS (the plugin guide's example)",
    .prompt_pattern = "^[\\w.-]+(\\(config\\))?[>#]\\s*$",
    .on_open = on_open,
    .paging_patterns = paging,
    .enable_command = "enable",
    .enable_password_pattern = "[Pp]assword:\\s*$",
    .privileged_pattern = "#\\s*$",
    .config_enter = "configure",
    .config_exit = "exit",
    .config_prompt_pattern = "\\(config\\)#\\s*$",
    .save_command = "save",
    .error_patterns = errors,
    .confirm_patterns = confirm,
    .confirm_response = "y",
    .rollback_method = NH_PLUGIN_ROLLBACK_REPLACE,
    .checkpoint_command = "save as %s",
    .rollback_command = "load replace %s",
    .config_dialect = NH_PLUGIN_DIALECT_INDENT,
    .show_config_command = "show config",
};

NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self) {
  int rc;

  /* Always first: the ABI this plugin was built for, its name and version. */
  NH_PLUGIN_DECLARE(host, self, "acme_os", "0.1.0");

  /* The host copies everything: static and stack data are fine. If a registration
   * fails, return its code and nethost rolls back what this plugin registered so far. */
  if ((rc = host->register_platform(self, &acme)) < 0) return rc;
  if ((rc = host->register_parser(self, "acme_os", "show version", parse_version, NULL)) < 0)
    return rc;
  if ((rc = host->register_parser(self, "acme_os", "show ports", parse_ports, NULL)) < 0) return rc;
  host->log(self, NH_PLUGIN_LOG_DEBUG, "ready");
  return 0;
}
