/* imagehash.h - operator-supplied lists of known image digests (SHA-256, MD5), and matching image bytes against them. */
#ifndef PATROL_IMAGEHASH_H
#define PATROL_IMAGEHASH_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

#define IMAGEHASH_HEX_MAX 64        /* a SHA-256 in hex; an MD5 is 32 */
#define IMAGEHASH_MAX_ERRORS 1000   /* error lines listed before "and N more" */

/*
 * A loaded hash list: every SHA-256 and MD5 digest of the file, in two
 * sorted arrays. Immutable after loading: any number of threads may match
 * against one list at once.
 */
struct imagehash;

/*
 * Loads the hash list in path. A line holds one digest, 64 hex digits
 * (SHA-256) or 32 (MD5), in either case, with blanks around it and
 * optionally a '#' comment after it; lines that are blank or start with
 * '#' are skipped; a UTF-8 BOM and CRLF line ends are accepted. Any other
 * line refuses the whole file: every bad line is appended to errors as
 * "path:line: message" (the first IMAGEHASH_MAX_ERRORS of them, then a
 * count), the result is PRC_PARSE and *out is NULL. PRC_IO when the file
 * cannot be read (message in errors), PRC_NOMEM. On PRC_OK *out is the
 * list (duplicates counted once), possibly empty.
 */
enum prc imagehash_load(const char *path, struct imagehash **out, struct buf *errors);

/* imagehash_load from memory; name is what error lines call the input. */
enum prc imagehash_load_mem(const char *name, const char *data, size_t len,
			    struct imagehash **out, struct buf *errors);

void imagehash_free(struct imagehash *ih); /* NULL is fine */

/* Distinct digests in the list: SHA-256 ones in *nsha256, MD5 ones in *nmd5 (either may be NULL); returns the sum. */
size_t imagehash_count(const struct imagehash *ih, size_t *nsha256, size_t *nmd5);

/*
 * Computes the SHA-256 and the MD5 of len bytes (OpenSSL EVP) and looks
 * both up. Returns 1 when either is in the list, with the digest that
 * matched written to matched_hex_out (may be NULL; else room for
 * IMAGEHASH_HEX_MAX + 1 bytes) as lowercase hex, SHA-256 first; 0 when
 * neither is (matched_hex_out is then ""); -1 when a digest could not be
 * computed. Thread-safe. Nothing of the bytes is kept.
 */
int imagehash_match(const struct imagehash *ih, const void *bytes, size_t len,
		    char *matched_hex_out);

/*
 * Looks up a digest already computed (64 or 32 hex digits, either case):
 * 1 when it is in the list, 0 when not, -1 when hex is not a digest.
 * For callers that hash while streaming. Thread-safe.
 */
int imagehash_lookup_hex(const struct imagehash *ih, const char *hex);

#endif
