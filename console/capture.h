/* capture.h - a flagged page as it was captured: its WARC record, verified, and its stored text. */
#ifndef PATROL_CAPTURE_H
#define PATROL_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct capture {
	char *record;       /* the WARC record (headers and block), malloc'd */
	size_t record_len;
	int verified;       /* 1: every digest it carries matches; 0: see verify */
	char verify[256];   /* "" when verified, else what does not match */
	char *text;         /* the text the classifiers read (decoded, HTML to text), malloc'd, or NULL */
	size_t text_len;
	char charset[32];
	char *body;         /* with CAPTURE_BODY: the body decoded to UTF-8, malloc'd, or NULL */
	size_t body_len;
	int plain;          /* the body is text/plain, not HTML */
};

#define CAPTURE_TEXT 1 /* want the text the classifiers read */
#define CAPTURE_BODY 2 /* want the body itself, decoded to UTF-8 (for a snapshot) */

/*
 * Reads the record at offset of warc_file (relative to warc_dir unless
 * absolute), checks its digests, and reads its body the way the crawler
 * did (crawler/charset.h, crawler/html.h) with page_url as the base: with
 * CAPTURE_TEXT in want, the text, so that the hits' byte offsets point into
 * it; with CAPTURE_BODY, the decoded body. PRC_IO when the
 * file cannot be read, PRC_PARSE when no HTTP response record is there.
 * Release with capture_release. Thread-safe.
 */
enum prc capture_load(const char *warc_dir, const char *warc_file, uint64_t offset,
		      const char *page_url, int want, struct capture *out, struct err *e);
void capture_release(struct capture *c);

#endif
