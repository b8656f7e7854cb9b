/* intake.h - reading hotline and public report files (CSV) into seeds of a crawl job. */
#ifndef PATROL_INTAKE_H
#define PATROL_INTAKE_H

#include <stddef.h>

#include "store/db.h"
#include "util/err.h"

/* Called once per bad row: its line (where the record starts) and why. */
typedef void (*intake_bad_fn)(long line, const char *why, void *ud);

struct intake_stats {
	size_t rows;     /* data rows read */
	size_t good;     /* rows imported (or already there) */
	size_t bad;      /* rows refused (each passed to bad) */
	size_t urls_new; /* URLs new to the job */
	size_t reports_new;
};

/*
 * Imports the CSV file path into job (created if new). The file is read as
 * UTF-8 (a BOM is dropped) or as Shift_JIS as below, then
 * read as RFC 4180 CSV with a header naming its columns in any order: url
 * and reported_at are required, source, reference and category optional.
 * reported_at is a date (YYYY-MM-DD or YYYY/MM/DD) with an optional time
 * (HH:MM[:SS]) and zone (Z, +09:00); without a zone it is Japan time. A row
 * with no URL, a URL that is not http(s), a bad date, a category not in
 * TAXONOMY.md, a source over 200 or a reference over 1000 bytes, a NUL byte,
 * or bytes that are not of the file's encoding (UTF-8 when the file holds
 * more valid multi-byte UTF-8 characters than bad bytes, else Shift_JIS) is
 * passed to bad and left out; nothing is converted silently; every good row is imported
 * (reports_add). Returns PRC_OK when the file was read and the good rows
 * stored, even if some rows were bad (st->bad says how many); PRC_IO or
 * PRC_PARSE (no usable header) with e set otherwise.
 */
enum prc intake_csv(struct db *d, const char *path, const char *job, const char *actor,
		    intake_bad_fn bad, void *ud, struct intake_stats *st, struct err *e);

/*
 * The reading half of intake_csv, without the database: the file read,
 * decoded and checked row by row as above (bad rows passed to bad, counted
 * in st->rows and st->bad), the good rows kept in *out (free it with
 * intake_batch_free). Results as intake_csv.
 */
struct intake_batch;
enum prc intake_read(const char *path, intake_bad_fn bad, void *ud, struct intake_stats *st,
		     struct intake_batch **out, struct err *e);
size_t intake_batch_count(const struct intake_batch *b); /* its good rows */
void intake_batch_free(struct intake_batch *b);          /* NULL is fine */

/*
 * Parses a report date as above into out ("YYYY-MM-DD HH:MM:SS+HH:MM").
 * Returns 0, or -1 when s is not a valid date and time.
 */
int intake_parse_date(const char *s, char *out, size_t size);

#endif
