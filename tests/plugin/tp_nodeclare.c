/* Test plugin: forgets to declare itself. */
#include <nethost/plugin.h>

NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self) {
  return 0;
}
