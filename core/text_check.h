/* nethost core: what a text input file (an inventory, a vars file) must not hold, and where.
 *
 * Inventories are text: a NUL byte or bytes that are not UTF-8 mean a wrong file or a broken
 * editor, and a NUL would cut every C string built from it short. Readers refuse such input
 * with the line and column of the first bad byte, so the user can find it in an editor.
 */
#ifndef NH_TEXT_CHECK_H
#define NH_TEXT_CHECK_H

#include <stddef.h>

/* The offset of the first byte of text (len bytes) that is a NUL or not part of a valid
 * UTF-8 sequence (overlong forms, surrogates and code points beyond U+10FFFF included), or
 * len when there is none. *what, when not NULL, gets a short description for messages ("a
 * NUL byte", "a byte that is not UTF-8"). */
size_t nh_text_bad_byte(const char *text, size_t len, const char **what);

/* The 1-based line and column of the byte at offset in text. Lines end at LF, CRLF or a
 * lone CR; columns count characters (UTF-8 sequences), as libyaml's marks do. */
void nh_text_position(const char *text, size_t len, size_t offset, int *line, int *column);

#endif
