/* nethost core: a platform's file system, as its plugin describes it (ABI 1.2 fields of
 * nh_plugin_platform_t): where files go by default, how the device shows its free space and
 * how it prints a file's digest. The commands run in a playbook's session; these functions
 * only read their output, so they need no I/O and are unit-testable. */
#ifndef NH_PLATFORM_FILE_H
#define NH_PLATFORM_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/* The folder of a path, as file_free_command's "%s" receives it: up to its last '/' or,
 * without one, up to its first ':' (both included); "" when it has neither. */
void nh_platform_file_folder(const char *path, char *out, size_t outsz);

/* The free bytes of the file system path is on, read by the platform's parser from the
 * output of its file_free_command. 0, NH_ENOPLATFORM when the platform has no such parser,
 * or NH_EPARSE. */
int nh_platform_free_space(const nh_platform_t *p, const char *text, size_t len, const char *path,
                           uint64_t *free_bytes);

/* The digest file_checksum_command printed, in lower-case hex (hexsz >= 129). 0,
 * NH_ENOPLATFORM when the platform prints none, or NH_EPARSE. Without a plugin parser, the
 * digest is the only run of hex digits in text whose length is the algorithm's. */
int nh_platform_checksum(const nh_platform_t *p, const char *text, size_t len, char *hex,
                         size_t hexsz);

#endif
