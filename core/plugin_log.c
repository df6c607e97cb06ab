/* nethost core: the sink for plugin, loader and registry messages. */
#include "plugin_log.h"

#include <stdarg.h>
#include <stdio.h>

#include "nethost/plugin.h"

static struct {
  nh_plugin_log_cb cb;
  void *arg;
} sink;

static void default_log(void *arg, int level, const char *who, const char *msg) {
  (void)arg;
  if (level > NH_PLUGIN_LOG_WARN) return;
  fprintf(stderr, "nethost: %s%s: %s\n", level == NH_PLUGIN_LOG_ERROR ? "error: " : "", who, msg);
}

void nh_plugin_set_log(nh_plugin_log_cb cb, void *arg) {
  sink.cb = cb;
  sink.arg = arg;
}

void nh__plugin_vlog(int level, const char *who, const char *fmt, va_list ap) {
  char msg[1024];
  vsnprintf(msg, sizeof(msg), fmt, ap);
  (sink.cb ? sink.cb : default_log)(sink.arg, level, who, msg);
}

void nh__plugin_log(int level, const char *who, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  nh__plugin_vlog(level, who, fmt, ap);
  va_end(ap);
}
