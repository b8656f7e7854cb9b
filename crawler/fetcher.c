/*
 * fetcher.c - the crawl's network side: one thread, one curl multi handle,
 * hundreds of transfers in flight.
 *
 * DESIGN
 *
 * The fetcher knows nothing of frontiers or politeness: the crawl decides
 * what to fetch and when, and the fetcher moves bytes. Each transfer has a
 * hard body cap enforced in the write callback (the body curl hands us is
 * already decoded, so the cap bounds gzip and brotli bombs too), connect,
 * low-speed and total timeouts, and the SSRF guard on every connect through
 * CURLOPT_OPENSOCKETFUNCTION, which sees the address actually being
 * connected to after DNS. Proxies from the environment (http_proxy,
 * ALL_PROXY) are disabled, so that address is always the target's.
 * Redirects are not followed by curl: the crawl
 * treats a Location like a discovered link, so robots.txt, scope, politeness
 * and de-duplication apply to redirect targets as to any URL, and a loop ends
 * at the URL already seen.
 */
#include "crawler/fetcher.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "crawler/robots.h"
#include "crawler/ssrf.h"

struct fetcher {
	CURLM *multi;
	struct fetcher_opts o;
	unsigned long refused;
	struct fetch *done_head, *done_tail;
	struct fetch *running; /* transfers in flight, doubly linked */
	size_t active;
};

static double now_s(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

struct fetch *fetch_new(const char *url, void *ud)
{
	struct fetch *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->url = strdup(url);
	if (!x->url) {
		free(x);
		return NULL;
	}
	x->ud = ud;
	x->retry_after_s = -1;
	buf_init(&x->body, 0);
	buf_init(&x->req_headers, 64 * 1024);
	buf_init(&x->resp_headers, 64 * 1024);
	return x;
}

void fetch_free(struct fetch *x)
{
	if (!x)
		return;
	if (x->easy)
		curl_easy_cleanup(x->easy);
	free(x->url);
	free(x->content_type);
	free(x->location);
	free(x->x_robots_tag);
	free(x->etag);
	free(x->last_modified);
	if (x->headers)
		curl_slist_free_all(x->headers);
	buf_release(&x->body);
	buf_release(&x->req_headers);
	buf_release(&x->resp_headers);
	free(x);
}

struct fetcher *fetcher_new(const struct fetcher_opts *o, struct err *e)
{
	struct fetcher *f = calloc(1, sizeof(*f));

	if (!f) {
		err_set(e, PRC_NOMEM, "out of memory");
		return NULL;
	}
	f->o = *o;
	if (!f->o.connect_timeout_ms)
		f->o.connect_timeout_ms = 10000;
	if (!f->o.timeout_ms)
		f->o.timeout_ms = 60000;
	if (!f->o.low_speed_secs) {
		f->o.low_speed_bytes = 100;
		f->o.low_speed_secs = 20;
	}
	if (!f->o.max_body)
		f->o.max_body = 10 * 1024 * 1024;
	f->multi = curl_multi_init();
	if (!f->multi) {
		free(f);
		err_set(e, PRC_INTERNAL, "cannot create a curl multi handle");
		return NULL;
	}
	if (o->max_connections > 0) {
		curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, o->max_connections);
		curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, o->max_connections);
	}
	return f;
}

void fetcher_free(struct fetcher *f)
{
	struct fetch *x, *next;

	if (!f)
		return;
	for (x = f->running; x; x = next) {
		next = x->next;
		curl_multi_remove_handle(f->multi, x->easy);
		fetch_free(x);
	}
	for (x = f->done_head; x; x = next) {
		next = x->next;
		fetch_free(x);
	}
	curl_multi_cleanup(f->multi);
	free(f);
}

static size_t fetch_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct fetch *x = ud;
	size_t n = size * nmemb;

	size_t room = x->body.max - x->body.len;

	/*
	 * Past the cap the transfer is aborted, but what came before it is kept:
	 * a robots.txt is read up to its limit, and a page's first bytes are
	 * still classified (its record says it was cut).
	 */
	if (n > room) {
		if (room && buf_add(&x->body, ptr, room) != PRC_OK)
			buf_release(&x->body);
		x->truncated = 1;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (buf_add(&x->body, ptr, n) != PRC_OK) {
		x->truncated = 1;
		return 0;
	}
	return n;
}

/* The value of header line ptr (len bytes) if it is "name: value", trimmed and malloc'd. */
static char *header_value(const char *ptr, size_t len, const char *name)
{
	size_t nl = strlen(name);
	char *v;

	if (len <= nl || strncasecmp(ptr, name, nl))
		return NULL;
	ptr += nl;
	len -= nl;
	while (len && (*ptr == ' ' || *ptr == '\t')) {
		ptr++;
		len--;
	}
	while (len && (ptr[len - 1] == '\r' || ptr[len - 1] == '\n' || ptr[len - 1] == ' '))
		len--;
	if (len > 1024)
		return NULL;
	v = malloc(len + 1);
	if (v) {
		memcpy(v, ptr, len);
		v[len] = '\0';
	}
	return v;
}

static size_t fetch_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct fetch *x = ud;
	size_t n = size * nmemb, len = n;
	static const char name[] = "x-robots-tag:";
	char *v;

	/* a new response (after a 100 Continue, say) starts its headers over */
	if (len >= 5 && !strncmp(ptr, "HTTP/", 5)) {
		buf_reset(&x->resp_headers);
		free(x->x_robots_tag);
		x->x_robots_tag = NULL;
		free(x->etag);
		free(x->last_modified);
		x->etag = x->last_modified = NULL;
	}
	if (x->keep_headers && x->resp_headers.max && buf_add(&x->resp_headers, ptr, len) != PRC_OK)
		x->resp_headers.max = 0; /* over 64 KiB of headers: stop keeping them */
	if ((v = header_value(ptr, len, "etag:"))) {
		free(x->etag);
		x->etag = v;
	} else if ((v = header_value(ptr, len, "last-modified:"))) {
		free(x->last_modified);
		x->last_modified = v;
	}

	if (len > sizeof(name) - 1 && !strncasecmp(ptr, name, sizeof(name) - 1)) {
		const char *s = ptr + sizeof(name) - 1;
		size_t vl = len - (sizeof(name) - 1);
		size_t old = x->x_robots_tag ? strlen(x->x_robots_tag) : 0;

		while (vl && (*s == ' ' || *s == '\t')) {
			s++;
			vl--;
		}
		while (vl && (s[vl - 1] == '\r' || s[vl - 1] == '\n' || s[vl - 1] == ' '))
			vl--;
		if (old + vl < 4096) {
			v = realloc(x->x_robots_tag, old + vl + 2);
			if (v) {
				if (old)
					v[old++] = ',';
				memcpy(v + old, s, vl);
				v[old + vl] = '\0';
				x->x_robots_tag = v;
			}
		}
	}
	return n;
}

static int fetch_debug(CURL *c, curl_infotype type, char *data, size_t size, void *ud)
{
	struct fetch *x = ud;

	(void)c;
	if (type == CURLINFO_HEADER_OUT) {
		buf_reset(&x->req_headers); /* keep the last request's (after redirects) */
		buf_add(&x->req_headers, data, size);
	}
	return 0;
}

enum prc fetcher_start(struct fetcher *f, struct fetch *x, struct err *e)
{
	CURL *c = curl_easy_init();
	CURLMcode mc;

	if (!c)
		return err_set(e, PRC_NOMEM, "cannot create a curl handle");
	x->easy = c;
	x->owner = f;
	buf_init(&x->body, x->is_robots ? ROBOTS_MAX_BYTES : f->o.max_body);
	x->started = now_s();

	curl_easy_setopt(c, CURLOPT_URL, x->url);
	curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(c, CURLOPT_USERAGENT, f->o.user_agent);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/*
	 * Never a proxy: curl would take one from http_proxy / ALL_PROXY, and
	 * the SSRF guard would then judge the proxy's address, not the target's.
	 */
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, x->is_robots ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L); /* robots.txt: RFC 9309 asks for at least 5 */
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, f->o.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, f->o.timeout_ms);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, f->o.low_speed_bytes);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, f->o.low_speed_secs);
	/*
	 * No CURLOPT_MAXFILESIZE: it refuses a body by its Content-Length before
	 * a byte arrives, and a robots.txt or a page over the cap is still read
	 * up to the cap (the write callback stops it there).
	 */
	if (x->fresh_connect) {
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	}
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, ssrf_opensocket);
	memset(&x->ssrf, 0, sizeof(x->ssrf));
	x->ssrf.allow_private = f->o.allow_private;
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &x->ssrf);
	curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L);
	if (x->keep_headers) {
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, fetch_debug);
		curl_easy_setopt(c, CURLOPT_DEBUGDATA, x);
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	}
	if (x->if_none_match || x->if_modified_since) {
		char line[1100];

		if (x->if_none_match) {
			snprintf(line, sizeof(line), "If-None-Match: %s", x->if_none_match);
			x->headers = curl_slist_append(x->headers, line);
		}
		if (x->if_modified_since) {
			snprintf(line, sizeof(line), "If-Modified-Since: %s", x->if_modified_since);
			x->headers = curl_slist_append(x->headers, line);
		}
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
	}
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);

	mc = curl_multi_add_handle(f->multi, c);
	if (mc != CURLM_OK) {
		curl_easy_cleanup(c);
		x->easy = NULL;
		return err_set(e, PRC_INTERNAL, "cannot start '%s': %s", x->url, curl_multi_strerror(mc));
	}
	f->active++;
	x->prev = NULL;
	x->next = f->running;
	if (f->running)
		f->running->prev = x;
	f->running = x;
	return PRC_OK;
}

static void fetch_finish(struct fetcher *f, CURL *c, CURLcode result)
{
	struct fetch *x = NULL;
	char *s = NULL;
	curl_off_t ra = -1;

	curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&x);
	curl_multi_remove_handle(f->multi, c);
	f->active--;
	if (!x)
		return;
	if (x->prev)
		x->prev->next = x->next;
	else
		f->running = x->next;
	if (x->next)
		x->next->prev = x->prev;
	x->prev = NULL;
	x->ended = now_s();
	x->result = (int)result;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s)
		x->content_type = strdup(s);
	s = NULL;
	if (x->status >= 300 && x->status < 400 &&
	    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &s) == CURLE_OK && s)
		x->location = strdup(s);
	s = NULL;
	if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &s) == CURLE_OK && s)
		snprintf(x->server_ip, sizeof(x->server_ip), "%s", s);
	if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		x->retry_after_s = (long)ra;
	if (x->ssrf.refused && result != CURLE_OK) {
		x->refused = 1;
		f->refused++;
		snprintf(x->error, sizeof(x->error), "address refused: %s",
			 x->ssrf.last_reason ? x->ssrf.last_reason : "not allowed");
	} else if (x->truncated || result == CURLE_FILESIZE_EXCEEDED) {
		/* over the cap as it arrived, or announced so by Content-Length */
		x->truncated = 1;
		snprintf(x->error, sizeof(x->error), "body exceeds %zu bytes",
			 x->is_robots ? (size_t)ROBOTS_MAX_BYTES : f->o.max_body);
	} else if (result != CURLE_OK && !x->error[0]) {
		snprintf(x->error, sizeof(x->error), "%s", curl_easy_strerror(result));
	} else if (result == CURLE_OK) {
		x->error[0] = '\0';
	}
	curl_easy_cleanup(c);
	x->easy = NULL;
	x->next = NULL;
	if (f->done_tail)
		f->done_tail->next = x;
	else
		f->done_head = x;
	f->done_tail = x;
}

int fetcher_run(struct fetcher *f, long timeout_ms)
{
	CURLMsg *msg;
	int running = 0, left;

	if (timeout_ms > 0)
		curl_multi_poll(f->multi, NULL, 0, (int)timeout_ms, NULL);
	curl_multi_perform(f->multi, &running);
	while ((msg = curl_multi_info_read(f->multi, &left))) {
		if (msg->msg == CURLMSG_DONE)
			fetch_finish(f, msg->easy_handle, msg->data.result);
	}
	return running;
}

struct fetch *fetcher_done(struct fetcher *f)
{
	struct fetch *x = f->done_head;

	if (!x)
		return NULL;
	f->done_head = x->next;
	if (!f->done_head)
		f->done_tail = NULL;
	x->next = NULL;
	return x;
}

size_t fetcher_active(const struct fetcher *f)
{
	return f->active;
}

unsigned long fetcher_refused(const struct fetcher *f)
{
	return f->refused;
}


enum fetch_failure fetch_failure_of(const struct fetch *x)
{
	return x->status ? FETCH_FAIL_NONE : fetch_error_of(x);
}

enum fetch_failure fetch_error_of(const struct fetch *x)
{
	if (x->refused || x->truncated || x->result == CURLE_OK)
		return FETCH_FAIL_NONE;
	switch (x->result) {
	case CURLE_COULDNT_CONNECT:
		return FETCH_FAIL_CONNECT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return FETCH_FAIL_DNS;
	case CURLE_OPERATION_TIMEDOUT:
		return FETCH_FAIL_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
		return FETCH_FAIL_TLS;
	default:
		return FETCH_FAIL_OTHER;
	}
}

const char *fetch_failure_name(enum fetch_failure f)
{
	static const char *const names[FETCH_FAIL_COUNT] = { "none", "connect refused", "dns",
							     "timeout", "tls", "other" };

	return f >= 0 && f < FETCH_FAIL_COUNT ? names[f] : "other";
}
