/* evidence.h - where each flagged page's WARC records are: saving and finding their locations. */
#ifndef PATROL_EVIDENCE_H
#define PATROL_EVIDENCE_H

#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

/*
 * Rows of the evidence table are written with the fetch they belong to, in
 * the same transaction (crawlstore_insert_fetch); this module finds them.
 */

/* A fetch with evidence, as evidence_find returns it. Strings are malloc'd; free with evidence_release. */
struct evidence {
	int64_t host_id;
	int64_t fetch_id;
	int64_t url_id;
	int64_t job_id;
	char *url;            /* the URL as queued */
	char *final_url;      /* after redirects */
	char *fetched_at;     /* PostgreSQL timestamptz text */
	int http_status;
	char *content_sha256; /* the fetch's body digest (hex), NULL when none was stored */
	char *warc_file;      /* relative to the WARC directory */
	uint64_t warc_offset;
	uint64_t warc_length;
	char *warc_record_id;
	char *warc_digest;    /* SHA-256 (hex) of the stored payload */
};

/*
 * Finds the latest fetch with evidence for what: "fetch:N" (a fetch id),
 * "url:N" or a bare number N (a URL id, the page_id of `patrol export`), or
 * a URL, matched exactly against the URL as queued and the final URL. On
 * PRC_OK *ev is filled (release it); PRC_NOTFOUND when nothing matches.
 */
enum prc evidence_find(struct db *d, const char *what, struct evidence *ev, struct err *e);

/* Frees ev's strings. NULL is fine. */
void evidence_release(struct evidence *ev);

/* ---- the WARC files' hash chains (schema/006_warc_chain.sql) ---- */

/*
 * Records that the hash chain of WARC file `file` (relative to the WARC
 * directory) had head `head` (SHA-256 hex) after its first `records` gzip
 * members, ending at byte `bytes`. Storing the same head twice is fine.
 * Reconnects once when the connection was lost. PRC_DB on failure.
 */
enum prc evidence_seal(struct db *d, const char *file, uint64_t records, uint64_t bytes,
		       const char *head, struct err *e);

/* A stored chain head. */
struct evidence_head {
	uint64_t records;
	uint64_t bytes;
	char head[65];
};

/* An evidence row, as --verify-all holds it against its file. */
struct evidence_ref {
	int64_t host_id;
	int64_t fetch_id;
	uint64_t offset;
	uint64_t length;
	char record_id[64];
	char digest[65];
};

/*
 * The WARC files the database knows (named by an evidence row or a chain
 * head), sorted. On PRC_OK *names is a malloc'd array of *n malloc'd
 * strings: free with evidence_names_free.
 */
enum prc evidence_files(struct db *d, char ***names, size_t *n, struct err *e);
void evidence_names_free(char **names, size_t n);

/* The chain heads stored for file, by records. *out is malloc'd (free()); NULL when none. */
enum prc evidence_heads(struct db *d, const char *file, struct evidence_head **out, size_t *n,
			struct err *e);

/* The evidence rows pointing into file, by offset. *out is malloc'd (free()); NULL when none. */
enum prc evidence_refs(struct db *d, const char *file, struct evidence_ref **out, size_t *n,
		       struct err *e);

#endif
