/* Test plugin: registers things, then fails; everything must be rolled back. */
#include <nethost/plugin.h>

static const nh_plugin_host_t *host_;
static nh_plugin_t *self_;

static int parse_nothing(const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                         size_t len, nh_plugin_value_t **out, void *ud) {
  return h->parse_error(p, 0, "never");
}

static void unloaded(void *ud) {
  host_->log(self_, NH_PLUGIN_LOG_WARN, "unload hook ran (%s)", (const char *)ud);
}

NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self) {
  nh_plugin_platform_t os = {.size = sizeof(os)};
  NH_PLUGIN_DECLARE(host, self, "tp_initfail", "0.1");
  host_ = host;
  self_ = self;
  os.name = "tp_fail_os";
  if (host->register_platform(self, &os) < 0) return NH_PLUGIN_EPLUGIN;
  if (host->register_parser(self, "tp_fail_os", "show version", parse_nothing, NULL) < 0)
    return NH_PLUGIN_EPLUGIN;
  host->on_unload(self, unloaded, "rollback");
  return NH_PLUGIN_EPLUGIN;
}
