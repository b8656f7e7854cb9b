/* charset.h - finding a page's character set and converting it to UTF-8. */
#ifndef PATROL_CHARSET_H
#define PATROL_CHARSET_H

#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

/*
 * Decodes body to UTF-8. The charset is taken, in order, from the
 * Content-Type header value (may be NULL), a BOM, a <meta charset> or
 * <meta http-equiv="Content-Type"> in the first 4 KiB, UTF-8 when the body
 * has bytes past ASCII and is valid UTF-8, and uchardet.
 * Shift_JIS (and its aliases) is decoded as CP932 and EUC-JP as EUC-JP-MS,
 * as Japanese sites really mean them; ISO-2022-JP too. Bytes that cannot be
 * decoded become U+FFFD and decoding goes on; NUL bytes become spaces.
 * Output stops at max_out bytes (PRC_OK, *truncated set), never inside a
 * character; max_out 0 means no limit. A BOM is not copied to the output.
 *
 * On PRC_OK *out (NUL-terminated, valid UTF-8) and *charset (a canonical
 * lowercase name: "utf-8", "cp932", "euc-jp-ms", ...) live in arena a.
 * PRC_NOMEM without memory. Thread-safe: each thread keeps its own iconv
 * descriptors for the charsets it decoded last, closed when it ends.
 */
enum prc charset_decode(struct arena *a, const char *content_type, const char *body, size_t len,
			size_t max_out, char **out, size_t *out_len, const char **charset,
			int *truncated, struct err *e);

/*
 * Returns the charset named by a Content-Type value ("text/html; charset=Shift_JIS"
 * → "cp932") mapped as above, in arena a, or NULL when none is named (or
 * the one named is not a charset iconv can decode).
 */
const char *charset_from_content_type(struct arena *a, const char *content_type);

#endif
