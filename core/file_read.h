/* nethost core: reading a whole input file (an inventory, a vars file) with limits.
 *
 * Inputs that users name on the command line may be anything: /dev/zero, a FIFO nobody
 * writes to, a 20 GB log. Only regular files are read (opening never blocks), and never more
 * than a cap, so a wrong path fails at once with a message instead of hanging or filling
 * memory until the OOM killer comes.
 */
#ifndef NH_FILE_READ_H
#define NH_FILE_READ_H

#include <stddef.h>

/* The default cap on one input file: 256 MiB. */
#define NH_INPUT_MAX_DEFAULT ((size_t)256 << 20)

/* The cap in force: NETHOST_MAX_INPUT (bytes, or with a K, M or G suffix) when set and
 * valid, else NH_INPUT_MAX_DEFAULT. */
size_t nh_input_max(void);

/* Reads the regular file path whole into *out (malloc'd, NUL-terminated; the caller frees
 * it) and its length into *len. Returns 0; NH_ENOENT when it does not exist; NH_EINVAL for
 * something that is not a regular file or cannot be read; NH_ETOOBIG when it is larger
 * than nh_input_max(); NH_ENOMEM. err gets "PATH: what went wrong". */
int nh_file_read(const char *path, char **out, size_t *len, char *err, size_t errlen);

#endif
