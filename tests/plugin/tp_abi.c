/* Test plugin: built for a future ABI major. */
#include <nethost/plugin.h>

NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self) {
  int rc = host->declare(self, (NH_PLUGIN_ABI_MAJOR + 1) << 16 | 3, "tp_abi", "9.9");
  if (rc < 0) return rc;
  return 0;
}
