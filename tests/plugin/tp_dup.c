/* Test plugin: claims a platform alias tp_good already has. */
#include <nethost/plugin.h>

NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self) {
  static const char *const aliases[] = {"tp", NULL};
  nh_plugin_platform_t os = {.size = sizeof(os)};
  NH_PLUGIN_DECLARE(host, self, "tp_dup", "0.1");
  os.name = "tp_other_os";
  os.aliases = aliases;
  return host->register_platform(self, &os);
}
