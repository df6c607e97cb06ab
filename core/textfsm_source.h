/* nethost core: the TextFSM parser source (core/textfsm_source.c) and its template folder.
 *
 * parse() falls back to TextFSM templates when no plugin parses a command natively. The
 * templates come from one folder holding an ntc-templates style `index`: the one
 * nh_textfsm_set_dir() chose, else the NET_TEXTFSM environment variable. Loop thread only,
 * except where said.
 */
#ifndef NH_TEXTFSM_SOURCE_H
#define NH_TEXTFSM_SOURCE_H

/* Starts the source as the built-in plugin `textfsm` (nh_plugin_add_builtin): it is listed
 * and unloaded with the other plugins. Returns 0 (also when already started) or a negative
 * NH_E* code with a malloc'd message in *errmsg (caller frees; errmsg may be NULL). */
int nh_textfsm_source_start(char **errmsg);

/* The template folder: the one set with nh_textfsm_set_dir(), else NET_TEXTFSM when set and
 * not empty, else NULL. The string stays valid until the next nh_textfsm_set_dir(). */
const char *nh_textfsm_dir(void);

/* Chooses the template folder (a copy is kept; NULL goes back to NET_TEXTFSM). Parses
 * already running on the thread pool finish with the index they started with. Returns 0 or
 * NH_ENOMEM. */
int nh_textfsm_set_dir(const char *dir);

#endif
