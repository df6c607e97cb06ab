/* Test plugin: a platform, two parsers and a parser source. */
#include <nethost/plugin.h>

#include <string.h>

static int parse_thing(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                       size_t len, nh_plugin_value_t **out, void *ud) {
  nh_plugin_value_t *m;
  if (len == 0) {
    *out = h->value_list();
    return *out ? 0 : NH_PLUGIN_ENOMEM;
  }
  if (strncmp(text, "thing ", 6) != 0) return h->parse_error(p, 1, "expected 'thing NAME'");
  if (!(m = h->value_map())) return NH_PLUGIN_ENOMEM;
  if (nh_plugin_set_strn(h, m, "name", text + 6, len - 6) < 0 ||
      nh_plugin_set_int(h, m, "answer", 42) < 0 || nh_plugin_set_bool(h, m, "ok", 1) < 0 ||
      h->map_set(m, "ratio", h->value_float(0.5)) < 0 ||
      h->map_set(m, "nothing", h->value_null()) < 0 ||
      h->map_set(m, "ud", h->value_string(ud, strlen(ud))) < 0) {
    h->value_free(m);
    return NH_PLUGIN_ENOMEM;
  }
  *out = m;
  return 0;
}

static int resolve(void *ud, const char *platform, const char *command, char *what,
                   size_t what_len) {
  if (strcmp(platform, "tp_os") != 0 || strcmp(command, "show magic") != 0) return 0;
  strncpy(what, "magic.template", what_len);
  return 1;
}

static int source_parse(void *ud, const nh_plugin_host_t *h, nh_plugin_parse_t *p,
                        const char *platform, const char *command, const char *text, size_t len,
                        nh_plugin_value_t **out) {
  nh_plugin_value_t *l = h->value_list();
  if (!l) return NH_PLUGIN_ENOMEM;
  if (h->list_push(l, h->value_string(text, len)) < 0) {
    h->value_free(l);
    return NH_PLUGIN_ENOMEM;
  }
  *out = l;
  return 0;
}

static void each(void *ud, void (*fn)(void *, const char *, const char *, const char *),
                 void *arg) {
  fn(arg, "tp_os", "show magic", "magic.template");
}

NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self) {
  static const char *const aliases[] = {"tp", "vendor.tp.os", NULL};
  static const char *const errors[] = {"^% Invalid", NULL};
  nh_plugin_platform_t os = {.size = sizeof(os)};
  nh_plugin_parser_source_t src = {.size = sizeof(src)};
  int rc;
  NH_PLUGIN_DECLARE(host, self, "tp_good", "1.2.3");
  os.name = "tp_os";
  os.aliases = aliases;
  os.prompt_pattern = "[>#]\\s*$";
  os.error_patterns = errors;
  os.save_command = "write memory";
  os.rollback_method = NH_PLUGIN_ROLLBACK_REPLACE;
  os.config_dialect = NH_PLUGIN_DIALECT_INDENT;
  src.name = "tp_source";
  src.resolve = resolve;
  src.parse = source_parse;
  src.each = each;
  if ((rc = host->register_platform(self, &os)) < 0 ||
      (rc = host->register_parser(self, "tp", "show thing", parse_thing, "userdata")) < 0 ||
      (rc = host->register_parser(self, "tp_os", "show things *", parse_thing, "wild")) < 0 ||
      (rc = host->register_parser(self, "tp_os", "show thing brief", parse_thing, "brief")) < 0 ||
      (rc = host->register_parser_source(self, &src)) < 0)
    return rc;
  host->log(self, NH_PLUGIN_LOG_INFO, "loaded with %d parsers", 3);
  return 0;
}
