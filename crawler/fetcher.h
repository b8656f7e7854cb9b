/* fetcher.h - many HTTP transfers at once on one thread, with libcurl's multi interface. */
#ifndef PATROL_FETCHER_H
#define PATROL_FETCHER_H

#include <stddef.h>

#include <curl/curl.h>

#include "crawler/ssrf.h"
#include "util/buf.h"
#include "util/err.h"

struct fetcher_opts {
	const char *user_agent;
	long connect_timeout_ms;  /* 0: 10 s */
	long timeout_ms;          /* whole transfer; 0: 60 s */
	long low_speed_bytes;     /* abort below this many bytes/s ... */
	long low_speed_secs;      /* ... for this long; 0: 100 B/s for 20 s */
	size_t max_body;          /* decoded body cap; the transfer is aborted past it */
	int allow_private;        /* permit loopback and private addresses */
	long max_connections;     /* curl's connection cache and total limit */
};

/*
 * One transfer. The caller fills url (and ud) and hands it to
 * fetcher_start; the fetcher fills the rest and hands it back through
 * fetcher_done. Redirects are not followed here: a 3xx comes back with
 * location set, and the caller decides (robots, scope, hop limit).
 */
struct fetch {
	/* set by the caller */
	char *url;             /* malloc'd; freed by fetch_free */
	void *ud;
	int is_robots;         /* a robots.txt request: body capped at ROBOTS_MAX_BYTES, redirects followed */
	int keep_headers;      /* keep the raw request and response headers (evidence) */
	int fresh_connect;     /* a new connection, not kept after: for a host that has been failing */
	const char *if_none_match;     /* conditional request (recrawl); may be NULL */
	const char *if_modified_since; /* may be NULL */
	/* set by the fetcher */
	long status;           /* HTTP status, 0 when no response */
	char *content_type;    /* malloc'd or NULL */
	char *location;        /* absolute redirect target for 3xx, or NULL */
	char *x_robots_tag;    /* X-Robots-Tag header values joined, or NULL */
	char *etag;            /* ETag, or NULL */
	char *last_modified;   /* Last-Modified, or NULL */
	struct buf req_headers;  /* as sent (keep_headers) */
	struct buf resp_headers; /* status line and headers of the last response (keep_headers) */
	long retry_after_s;    /* Retry-After in seconds, or -1 */
	char server_ip[64];    /* the address actually connected to */
	struct buf body;       /* the decoded body */
	int truncated;         /* body cap reached; the transfer was aborted */
	int refused;           /* the SSRF guard refused the address */
	int result;            /* CURLcode */
	char error[256];       /* "" on success */
	double started, ended; /* epoch seconds */
	/* private */
	struct ssrf_policy ssrf; /* per transfer, so a refusal is known to be this one's */
	struct curl_slist *headers;
	void *easy;
	struct fetcher *owner;
	struct fetch *next, *prev;
};

/* Returns a new fetch for url (copied) with ud, or NULL without memory. */
struct fetch *fetch_new(const char *url, void *ud);

/* Frees x and everything it holds. NULL is fine. */
void fetch_free(struct fetch *x);

/*
 * A fetcher owns one curl multi handle. Everything here must be called from
 * the one thread that owns the fetcher; curl_global_init must have run.
 */
struct fetcher *fetcher_new(const struct fetcher_opts *o, struct err *e);

/* Aborts every transfer still running (their fetches are freed) and frees f. NULL is fine. */
void fetcher_free(struct fetcher *f);

/* Starts x. Ownership of x passes to f until fetcher_done returns it. */
enum prc fetcher_start(struct fetcher *f, struct fetch *x, struct err *e);

/*
 * Waits at most timeout_ms for network activity, then moves every transfer
 * forward. Returns the number of transfers still running.
 */
int fetcher_run(struct fetcher *f, long timeout_ms);

/* Returns a finished transfer (ownership back to the caller), or NULL. */
struct fetch *fetcher_done(struct fetcher *f);

/* Transfers running now. */
size_t fetcher_active(const struct fetcher *f);

/* Connections refused by the SSRF guard so far. */
unsigned long fetcher_refused(const struct fetcher *f);

/* Why a transfer got no response, by what a user can do about it. */
enum fetch_failure {
	FETCH_FAIL_NONE = 0, /* a response came (or the guard refused the address) */
	FETCH_FAIL_CONNECT,  /* connection refused or host unreachable */
	FETCH_FAIL_DNS,      /* the name did not resolve */
	FETCH_FAIL_TIMEOUT,
	FETCH_FAIL_TLS,      /* handshake or certificate */
	FETCH_FAIL_OTHER,    /* dropped, reset, malformed answer, ... */
	FETCH_FAIL_COUNT
};

/* The failure class of a finished transfer x that got no response (FETCH_FAIL_NONE when it got one). */
enum fetch_failure fetch_failure_of(const struct fetch *x);

/*
 * The class of the error that ended x, response or not: a body cut by a
 * time-out after the headers is FETCH_FAIL_TIMEOUT here. FETCH_FAIL_NONE when
 * the transfer ended well (or was cut on purpose: the body cap, the guard).
 */
enum fetch_failure fetch_error_of(const struct fetch *x);

/* A static name for f: "connect refused", "dns", "timeout", "tls", "other". */
const char *fetch_failure_name(enum fetch_failure f);

#endif
