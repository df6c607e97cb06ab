/* nethost core: file names made from untrusted data.
 *
 * Host names and other inventory data end up in file names (backups, snapshots, diffs,
 * session logs, reports). A host named "../../x" or "a/b" must not write outside its
 * folder, and one with control characters must not forge a directory listing, so every
 * such name goes through nh_safe_name: one path component, the same for the same input,
 * different for different inputs.
 */
#ifndef NH_SAFE_NAME_H
#define NH_SAFE_NAME_H

#include <stddef.h>

/* The longest name nh_safe_name makes: NAME_MAX (255) less room for a suffix such as
 * ".cfg.tmp.123456". */
#define NH_SAFE_NAME_MAX 200

/* Encodes in[0..len) as one path component into out (outsz bytes, NUL-terminated).
 * Letters, digits and "-_.+@:" stay as they are; every other byte (/, \, %, NUL, control
 * characters, spaces, non-ASCII) becomes %XX, and so does a leading dot, so the result is
 * never ".", ".." or a hidden file. The encoding is reversible, so two names never share
 * a file. Returns the length written, NH_EINVAL for an empty name or one whose encoding is
 * longer than NH_SAFE_NAME_MAX, or NH_ENOMEM when out is too small. */
int nh_safe_name(const char *in, size_t len, char *out, size_t outsz);

#endif
