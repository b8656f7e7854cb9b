/* warc.h - the evidence store: request/response records in gzip-per-record WARC/1.1 files (ISO 28500:2017). */
#ifndef PATROL_WARC_H
#define PATROL_WARC_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/hash.h"

struct buf;

/* Named in each file's warcinfo record ("software: patrol"). */
#define WARC_SOFTWARE "patrol"

/* "sha256:" + 56 base32 characters (RFC 4648, padded) + NUL. */
#define WARC_DIGEST_MAX 64

/* "<urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx>" + NUL. */
#define WARC_ID_MAX 48

/* Longest file name warc_open produces for a prefix of at most WARC_PREFIX_MAX bytes. */
#define WARC_PREFIX_MAX 64
#define WARC_FILE_MAX 128

/*
 * One HTTP exchange to preserve. Every pointer is borrowed for the duration
 * of warc_write_exchange only; byte buffers need not be NUL-terminated.
 */
struct warc_exchange {
	const char *target_uri; /* the URL fetched (the final one after redirects); no whitespace */
	const char *ip;         /* address connected to, or NULL / "" when unknown */
	double date;            /* when the response began, epoch seconds with fraction */

	/* The request as sent (request line, headers, blank line). NULL/0: no request record. */
	const char *request;
	size_t request_len;

	/*
	 * The response's status line and headers as received. When it holds
	 * several blocks (a 100 Continue, or redirects curl followed), only the
	 * last one, the one whose body follows, is kept.
	 */
	const char *response_headers;
	size_t response_headers_len;

	/* The body as the crawler saw it: transfer coding removed, content coding removed unless body_encoded. */
	const void *body;
	size_t body_len;

	/*
	 * Non-zero when body still carries the Content-Encoding of the headers
	 * (was not decoded); zero (the usual case: curl decodes gzip, deflate and
	 * br) makes the stored headers drop Content-Encoding for
	 * X-Patrol-Original-Content-Encoding, so the record is self-consistent.
	 */
	int body_encoded;

	/* NULL when the body is complete, else a WARC-Truncated reason: "length", "time", "disconnect", "unspecified". */
	const char *truncated;
};

/* Where warc_write_exchange put the response record. */
struct warc_loc {
	char file[WARC_FILE_MAX];          /* file name, relative to the writer's directory */
	uint64_t offset;                   /* byte offset of the response record's gzip member */
	uint64_t length;                   /* compressed length of that member */
	char record_id[WARC_ID_MAX];       /* its WARC-Record-ID, angle brackets included */
	char digest[SHA256_HEX_LEN + 1];   /* SHA-256 (hex) of the payload: the body as stored */
};

/* A WARC writer: one open file at a time, rotated by size. */
struct warc;

/*
 * Creates dir (and its parents) when missing and returns a writer whose files
 * are named PREFIX-YYYYmmddHHMMSS-NNNNN-PID.warc.gz (UTC, NNNNN counting the
 * files this writer opened). The first file is created on the first write,
 * so an idle crawl leaves none behind; the first record of every file is a
 * warcinfo record. Once a file has reached rotate_bytes (0: never rotate),
 * it is fsynced and closed and the next exchange starts a new one, so a file
 * exceeds rotate_bytes by at most one exchange. prefix: [A-Za-z0-9._-], at
 * most WARC_PREFIX_MAX bytes.
 * Returns NULL with e set on failure; free with warc_close.
 */
struct warc *warc_open(const char *dir, const char *prefix, size_t rotate_bytes, struct err *e);

/* fsyncs and closes the current file and frees w. NULL is fine. */
void warc_close(struct warc *w);

/*
 * Appends x as a `response` record and, when x->request is set, a `request`
 * record (each its own gzip member, the two linked by WARC-Concurrent-To),
 * with one write(), each record but a file's first chained to the one before
 * it (WARC-Patrol-Chain, see warc.c). On PRC_OK *loc says where the response record is. On
 * failure nothing of the exchange remains in the file (it is truncated back),
 * e says why, and the writer stays usable: a file that could not be
 * truncated is abandoned and the next write starts a new one.
 * PRC_INVALID for a header value with control characters (no header
 * injection from the web), PRC_IO for the file system, PRC_NOMEM.
 *
 * Thread-safe: calls are serialized by a mutex inside w (the crawl calls it
 * from its one writer thread).
 */
enum prc warc_write_exchange(struct warc *w, const struct warc_exchange *x, struct warc_loc *loc,
			     struct err *e);

/*
 * fsyncs the current file, so that every record whose warc_loc was returned
 * so far survives a crash: call it before committing the database rows that
 * point at them. Rotation and warc_close fsync on their own. Thread-safe.
 */
enum prc warc_sync(struct warc *w, struct err *e);

/* The writer's directory (owned by w). */
const char *warc_dir(const struct warc *w);

/*
 * Where a file's hash chain stands (see the DESIGN of warc.c): after its
 * first `records` gzip members, which end at byte `bytes`, the chain head is
 * `head`, the SHA-256 (hex) of the last of them as stored.
 */
struct warc_head {
	char file[WARC_FILE_MAX];          /* relative to the writer's directory */
	uint64_t records;
	uint64_t bytes;
	char head[SHA256_HEX_LEN + 1];
};

/* A convenient number of heads to collect at a time. */
#define WARC_HEADS_MAX 8

/*
 * Moves into out (at most max) the heads of the files written to since they
 * were last collected: the final heads of files closed since (rotation),
 * oldest first, then the open file's. Returns how many; call it until it
 * returns 0. Call it after warc_sync and store the heads before committing
 * the rows that point at the records, so every committed row points inside
 * a stored head. Thread-safe.
 */
size_t warc_heads(struct warc *w, struct warc_head *out, size_t max);

/*
 * Reads the gzip member at offset of the WARC file at path and appends the
 * WARC record it holds (headers and block) to out, whose limit bounds the
 * record's size (PRC_LIMIT past it). PRC_IO when the file cannot be read,
 * PRC_PARSE when no complete gzip member holding a WARC record is there.
 */
enum prc warc_read_record(const char *path, uint64_t offset, struct buf *out, struct err *e);

/* A WARC record split in place: every pointer points into the parsed bytes. */
struct warc_record {
	const char *headers;  /* "WARC/1.1\r\n" through the last header line's CRLF */
	size_t headers_len;
	const char *block;    /* the Content-Length bytes of the block */
	size_t block_len;
	/* For Content-Type application/http: the HTTP header block (through its blank line) and the body. */
	const char *http;
	size_t http_len;
	const char *body;
	size_t body_len;
};

/*
 * Splits the record in rec[0..len) into r. PRC_PARSE when it is not a WARC
 * record, or its Content-Length runs past the end. For an application/http
 * record whose header block has no blank line, http is the whole block and
 * body is empty.
 */
enum prc warc_record_parse(const char *rec, size_t len, struct warc_record *r, struct err *e);

/*
 * Copies the value of WARC header name (case-insensitive) into out (at most
 * size - 1 bytes, NUL-terminated). Returns the value's full length, or -1
 * when the header is absent.
 */
long warc_record_header(const struct warc_record *r, const char *name, char *out, size_t size);

/* The same for HTTP header name in r->http (-1 when absent, or when r holds no HTTP message). */
long warc_http_header(const struct warc_record *r, const char *name, char *out, size_t size);

/*
 * Checks r's WARC-Block-Digest and WARC-Payload-Digest (sha256, base32 or
 * hex) against its bytes. PRC_OK when every digest present matches,
 * PRC_PARSE with e naming the first mismatch, PRC_NOTFOUND when the record
 * carries no digest at all, PRC_DECLINED for another algorithm.
 */
enum prc warc_record_verify(const struct warc_record *r, struct err *e);

/*
 * One record of a file as warc_scan finds it. Every pointer is valid during
 * the callback only.
 */
struct warc_entry {
	uint64_t index;                    /* 0 for the file's first record */
	uint64_t offset;                   /* of its gzip member */
	uint64_t length;                   /* the member's compressed length; 0 for a damaged one */
	char chain[SHA256_HEX_LEN + 1];    /* SHA-256 (hex) of the member: the chain head after it */
	const struct warc_record *rec;     /* NULL when the member holds no WARC record */
	char type[32];                     /* WARC-Type, "" when absent */
	char record_id[WARC_ID_MAX];       /* WARC-Record-ID, "" when absent */
	char concurrent_to[WARC_ID_MAX];   /* WARC-Concurrent-To, "" when absent */
	char target[512];                  /* WARC-Target-URI (cut), "" when absent */
	char payload[SHA256_HEX_LEN + 1];  /* SHA-256 (hex) of the HTTP body (of the block when not HTTP) */
	const char *problem;               /* NULL, or what is wrong with the record or its chain link */
};

/* Called for each record in file order; a non-zero return stops the walk. */
typedef int (*warc_scan_fn)(void *ud, const struct warc_entry *en);

/* What warc_scan found. */
struct warc_scan_result {
	uint64_t records;               /* members read whole */
	uint64_t bytes;                 /* where the last of them ends */
	uint64_t size;                  /* the file's size */
	char head[SHA256_HEX_LEN + 1];  /* the chain head after the last whole member, "" when none */
	int chained;                    /* the file carries chain links (0: written before the chain) */
	int damaged;                    /* the walk stopped at `bytes` on a member it could not read */
	uint64_t problems;              /* records given a problem */
};

/*
 * Walks the WARC file at path from its start: inflates each gzip member,
 * checks its WARC digests and its WARC-Patrol-Chain link to the member
 * before it, and calls fn (may be NULL) with each. A member that cannot be
 * inflated, or bytes after the last member that are not one, end the walk:
 * fn gets an entry with length 0 and the problem, and res->damaged is set.
 * Returns PRC_OK (problems are in the entries and res), PRC_IO when the file
 * cannot be read, PRC_NOMEM. Keeps no state; thread-safe.
 */
enum prc warc_scan(const char *path, warc_scan_fn fn, void *ud, struct warc_scan_result *res,
		   struct err *e);

/* Writes "sha256:" and the base32 of data's SHA-256 into out. Thread-safe. */
void warc_digest_sha256(const void *data, size_t len, char out[WARC_DIGEST_MAX]);

#endif
