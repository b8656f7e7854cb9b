/* url.h - URL canonicalization, resolution and host keys for the frontier. */
#ifndef PATROL_URL_H
#define PATROL_URL_H

#include <stddef.h>

#include "util/err.h"

#define URL_MAX_LEN_DEFAULT 2048

struct url_opts {
	size_t max_len;      /* refuse longer canonical URLs (PRC_LIMIT); 0 = URL_MAX_LEN_DEFAULT */
	int keep_query_order;/* keep the page's parameter order (sorted by name, stably, by default) */
	int keep_session_ids;/* keep jsessionid, phpsessid, sid, ... (stripped by default) */
};

/*
 * Canonicalizes an absolute http or https URL: scheme and host lowercased,
 * IDN host to punycode (libidn2), default port dropped, dot segments removed,
 * empty path made "/", percent-encoding normalized (unreserved characters
 * decoded, hex digits uppercased, bytes that must be encoded encoded),
 * fragment dropped, an empty "?" dropped, session-id parameters stripped,
 * query parameters put in order by name (a stable sort, so repeated names
 * keep their order) unless keep_query_order is set.
 * opts may be NULL for the defaults.
 *
 * On PRC_OK *out is a malloc'd string the caller frees. PRC_INVALID for
 * anything that is not a usable http(s) URL (other schemes, no host, bad
 * port, userinfo is dropped silently), PRC_LIMIT when too long.
 * Thread-safe.
 */
enum prc url_canonicalize(const char *in, const struct url_opts *opts, char **out, struct err *e);

/*
 * Resolves ref (as found in a page: relative, absolute, protocol-relative,
 * with surrounding whitespace) against base (an absolute URL) by RFC 3986
 * section 5, then canonicalizes. Same results as url_canonicalize.
 * Thread-safe.
 */
enum prc url_resolve(const char *base, const char *ref, const struct url_opts *opts, char **out,
		     struct err *e);

/*
 * Sorts the query parameters of a canonical URL in place, as
 * url_canonicalize does by default: for URLs first canonicalized with
 * keep_query_order that turn out not to need it. PRC_NOMEM without memory.
 */
enum prc url_sort_query(char *canon);

/*
 * The politeness and robots.txt unit of a canonical URL: "scheme://host" or
 * "scheme://host:port" when the port is not the default. malloc'd; NULL
 * without memory or for a URL that is not canonical http(s).
 */
char *url_origin(const char *canon);

/* The host of a canonical URL (no port, no brackets for IPv6), malloc'd, or NULL. */
char *url_host(const char *canon);

/* The path and query of a canonical URL ("/a/b?x=1"), malloc'd, or NULL. */
char *url_path_query(const char *canon);

/*
 * The registrable domain of host ("example.co.jp" for "www.example.co.jp"),
 * by the Public Suffix List (libpsl); the host itself for IP addresses and
 * hosts without one. malloc'd, or NULL without memory.
 */
char *url_registrable_domain(const char *host);

#endif
