/* Test plugin: a platform whose prompt pattern does not compile. */
#include <nethost/plugin.h>

NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self) {
  static const char *const errors[] = {"^% Invalid", "(unclosed", NULL};
  nh_plugin_platform_t os = {.size = sizeof(os)};
  NH_PLUGIN_DECLARE(host, self, "tp_badpattern", "0.1");
  os.name = "tp_bad_os";
  os.prompt_pattern = "[>#]\\s*$";
  os.error_patterns = errors;
  return host->register_platform(self, &os);
}
