/* nethost core: where plugin, loader and registry messages go.
 *
 * One sink for the whole plugin side of core, below both the loader and the registry, so
 * that the registry can say why a registration was refused without knowing the loader.
 * Process-wide, like the plugins it speaks for.
 */
#ifndef NH_PLUGIN_LOG_H
#define NH_PLUGIN_LOG_H

#include <stdarg.h>

/* level is an nh_plugin_log_level_t; who is the plugin's name, or the file for loader and
 * registry messages. The default sink writes warnings and errors to stderr as
 * "nethost: WHO: MESSAGE". cb NULL restores the default. */
typedef void (*nh_plugin_log_cb)(void *arg, int level, const char *who, const char *msg);
void nh_plugin_set_log(nh_plugin_log_cb cb, void *arg);

/* Internal: formats a message and hands it to the sink. */
void nh__plugin_log(int level, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void nh__plugin_vlog(int level, const char *who, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
