/*
 * server.c - patrol serve: libmicrohttpd's thread pool in front of the
 * console's handlers. This file owns what every request goes through: the
 * route, the session (cookie → console_sessions), the CSRF check of every
 * POST, the login form and its lockout, and the headers every answer
 * carries (a strict Content-Security-Policy above all).
 *
 * DESIGN
 *
 * libmicrohttpd runs a small pool of threads, each polling its share of
 * the connections; a handler runs to completion on one of them. Each
 * thread opens its own database connection on first use (a thread-local
 * struct db), so handlers never share a PGconn. The body of a POST is
 * gathered up to WEB_BODY_MAX in the connection's context, then the handler
 * runs once with it parsed. Answers are written to a memory stream and
 * handed over whole.
 *
 * CSRF: a logged-in session has its own random token; a form carries it in
 * the hidden field "csrf", a script in the header X-CSRF-Token, and a POST
 * without the right one is refused (403) before anything else is read. The
 * login form, which has no session yet, gets a random cookie and a token
 * that is the HMAC of that cookie under a key made at start-up.
 */
#include "console/console.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console/assets.h"
#include "console/auth.h"
#include "console/rulesinfo.h"
#include "console/snapper.h"
#include "console/snapshot.h"
#include "console/web.h"
#include "store/users.h"
#include "store/webstore.h"
#include "util/hex.h"

#define WEB_BODY_MAX (64 * 1024)
#define WEB_FORM_MAX 256

static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
	" form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const char *const web_reviewers[] = { "patrol", "coordinator", "admin", NULL };
const char *const web_coordinators[] = { "coordinator", "admin", NULL };
const char *const web_admins[] = { "admin", NULL };
const char *const web_rule_authors[] = { "rule_author", "admin", NULL };

/* ---- the rule set of the rules page ---- */

static pthread_rwlock_t rules_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t rules_load_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rulesinfo *rules_info;
static char rules_err[sizeof(((struct err *)0)->msg)];
static int rules_loading, rules_thread_started;
static pthread_t rules_thread;
static const struct console_opts *rules_opts;

static void *rules_loader(void *arg)
{
	struct err e = { "" };
	struct rulesinfo *ri, *old;

	(void)arg;
	ri = rulesinfo_load(rules_opts->rules_dir, rules_opts->lib_dir, rules_opts->cache_dir, &e);
	pthread_rwlock_wrlock(&rules_lock);
	old = ri ? rules_info : NULL;
	if (ri)
		rules_info = ri;
	snprintf(rules_err, sizeof(rules_err), "%s", ri ? "" : e.msg);
	pthread_rwlock_unlock(&rules_lock);
	rulesinfo_free(old);
	pthread_mutex_lock(&rules_load_lock);
	rules_loading = 0;
	pthread_mutex_unlock(&rules_load_lock);
	return NULL;
}

int web_rules_reload(void)
{
	int started = -1;

	pthread_mutex_lock(&rules_load_lock);
	if (!rules_loading && rules_opts && rules_opts->rules_dir) {
		if (rules_thread_started)
			pthread_join(rules_thread, NULL);
		rules_thread_started = 0;
		rules_loading = 1;
		if (pthread_create(&rules_thread, NULL, rules_loader, NULL) == 0) {
			rules_thread_started = 1;
			started = 0;
		} else {
			rules_loading = 0;
		}
	}
	pthread_mutex_unlock(&rules_load_lock);
	return started;
}

const struct rulesinfo *web_rules_lock(int *loading, const char **err)
{
	pthread_mutex_lock(&rules_load_lock);
	*loading = rules_loading;
	pthread_mutex_unlock(&rules_load_lock);
	pthread_rwlock_rdlock(&rules_lock);
	*err = rules_err;
	return rules_info;
}

void web_rules_unlock(void)
{
	pthread_rwlock_unlock(&rules_lock);
}

static void rules_stop(void)
{
	pthread_mutex_lock(&rules_load_lock);
	if (rules_thread_started)
		pthread_join(rules_thread, NULL);
	rules_thread_started = 0;
	pthread_mutex_unlock(&rules_load_lock);
	pthread_rwlock_wrlock(&rules_lock);
	rulesinfo_free(rules_info);
	rules_info = NULL;
	pthread_rwlock_unlock(&rules_lock);
}

void console_opts_init(struct console_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8700";
	o->lang = "ja";
	o->idle_seconds = 1800;
	o->max_failures = 5;
	o->lock_seconds = 900;
	o->threads = 4;
	o->chromium = "/usr/bin/chromium";
	o->snapshot_timeout = 30;
	o->snapshot_workers = 1;
}

/* The snapshot queue of the running server (set before the daemon starts). */
static struct snapper *snap;

/* "snapshots/12.png" → 12; 0 when rest is not that. */
static int64_t snapshot_png_id(const char *rest)
{
	char *end;
	long long v;

	if (strncmp(rest, "snapshots/", 10) || rest[10] < '0' || rest[10] > '9')
		return 0;
	errno = 0;
	v = strtoll(rest + 10, &end, 10);
	if (errno || v <= 0 || strcmp(end, ".png"))
		return 0;
	return (int64_t)v;
}

/* ---- per-thread database connections ---- */

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db *conns[64];
static size_t nconns;
static __thread struct db *thread_db;

static struct db *web_db(const struct console_opts *o)
{
	struct err e = { "" };
	struct db *d = NULL;

	if (thread_db)
		return webstore_ensure(thread_db, &e) == PRC_OK ? thread_db : NULL;
	if (webstore_connect(o->conninfo, &d, &e) != PRC_OK)
		return NULL;
	pthread_mutex_lock(&conns_lock);
	if (nconns < sizeof(conns) / sizeof(conns[0])) {
		conns[nconns++] = d;
		thread_db = d;
	}
	pthread_mutex_unlock(&conns_lock);
	if (!thread_db)
		webstore_close(d);
	return thread_db;
}

/* ---- requests ---- */

struct conn_ctx {
	char *body;
	size_t len;
	int too_big;
};

const char *web_query(const struct web_req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);

	return v && *v ? v : NULL;
}

const char *web_form(const struct web_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nform; i++)
		if (!strcmp(r->form[i].k, name))
			return r->form[i].v;
	return NULL;
}

const char *web_header(const struct web_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void web_redirect(struct web_req *r, const char *location)
{
	r->status = 303;
	snprintf(r->location, sizeof(r->location), "%s", location);
}

int web_role_in(const struct web_req *r, const char *const *roles)
{
	for (; r->logged_in && *roles; roles++)
		if (!strcmp(r->user.role, *roles))
			return 1;
	return 0;
}

/* Decodes a form component in place ('+' is a space). */
static void form_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && hex_value(s[1]) >= 0 && hex_value(s[2]) >= 0) {
			*o++ = (char)(hex_value(s[1]) * 16 + hex_value(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Splits an urlencoded body into r->form (the body is modified and owned by the caller). */
static void form_parse(struct web_req *r, char *body)
{
	char *save = NULL, *tok, *eq;

	r->form = calloc(WEB_FORM_MAX, sizeof(*r->form));
	if (!r->form || !body)
		return;
	for (tok = strtok_r(body, "&", &save); tok && r->nform < WEB_FORM_MAX;
	     tok = strtok_r(NULL, "&", &save)) {
		eq = strchr(tok, '=');
		if (eq)
			*eq++ = '\0';
		form_decode(tok);
		if (eq)
			form_decode(eq);
		r->form[r->nform].k = tok;
		r->form[r->nform].v = eq ? eq : (char *)"";
		r->nform++;
	}
}

/* ---- sessions and login ---- */

/* A hash of nothing anyone knows, checked for unknown names. */
static char dummy_hash[256];

static void set_cookie(struct web_req *r, int slot, const char *name, const char *value, long max_age)
{
	const char *proto = web_header(r, "X-Forwarded-Proto");
	int secure = proto && !strcasecmp(proto, "https");

	snprintf(r->cookies[slot], sizeof(r->cookies[slot]),
		 "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value,
		 secure ? "; Secure" : "", max_age == 0 ? "; Max-Age=0" : "");
}

/*
 * Finds the request's session. A connection that died with its server
 * is only seen to be dead when a statement fails, so a failure here gets
 * one reconnect and one more try; PRC_DB then means the database is away
 * (answered 503: an outage logs nobody out).
 */
static enum prc load_session(struct web_req *r)
{
	const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "patrol_session");
	struct err e = { "" };
	enum prc rc;

	if (!tok || strlen(tok) != 64)
		return PRC_OK;
	auth_sha256_hex(tok, r->token_sha256);
	rc = users_session_get(r->db, r->token_sha256, r->opts->idle_seconds, &r->user, &e);
	if (rc == PRC_DB && webstore_ensure(r->db, &e) == PRC_OK)
		rc = users_session_get(r->db, r->token_sha256, r->opts->idle_seconds, &r->user, &e);
	if (rc == PRC_OK)
		r->logged_in = 1;
	return rc == PRC_NOTFOUND ? PRC_OK : rc;
}

static void login_form(struct web_req *r, const char *msg)
{
	const char *pre = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "patrol_login");
	char fresh[65], csrf[65];

	if (!pre || strlen(pre) != 64) {
		auth_token(fresh);
		set_cookie(r, 1, "patrol_login", fresh, -1);
		pre = fresh;
	}
	auth_bind(pre, csrf);
	html_begin(r, L(r, "login"));
	if (msg) {
		fputs("<p class=\"error\">", r->out);
		html_esc(r->out, msg);
		fputs("</p>\n", r->out);
	}
	fprintf(r->out,
		"<form method=\"post\" action=\"/login\" class=\"login\">\n"
		"<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
		"<label>%s <input name=\"user\" autocomplete=\"username\" autofocus required></label>\n"
		"<label>%s <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\n"
		"<button type=\"submit\">%s</button>\n</form>\n",
		csrf, L(r, "user"), L(r, "password"), L(r, "login"));
	html_end(r);
}

/* POST /login: the form's token, then the user, the lockout, the password. */
static void login_post(struct web_req *r)
{
	const char *pre = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "patrol_login");
	const char *name = web_form(r, "user"), *pw = web_form(r, "password");
	const char *sent = web_form(r, "csrf");
	struct user_login u;
	struct err e = { "" };
	char want[65], token[65], hash[65], csrf[65];
	int locked = 0;
	enum prc rc;

	if (!pre || strlen(pre) != 64 || (auth_bind(pre, want), !auth_equal(sent, want))) {
		r->status = 403;
		login_form(r, L(r, "bad_csrf"));
		return;
	}
	if (!name || !pw) {
		r->status = 400;
		login_form(r, L(r, "bad_login"));
		return;
	}
	rc = users_login_get(r->db, name, &u, &e);
	if (rc == PRC_DB && webstore_ensure(r->db, &e) == PRC_OK)
		rc = users_login_get(r->db, name, &u, &e);
	if (rc == PRC_NOTFOUND) {
		/* as slow as a wrong password, so names cannot be told apart by time */
		auth_verify(dummy_hash, pw);
		r->status = 401;
		login_form(r, L(r, "bad_login"));
		return;
	}
	if (rc != PRC_OK) {
		pages_error(r, 503, L(r, "db_down"));
		return;
	}
	if (u.disabled || u.locked) {
		r->status = 403;
		login_form(r, L(r, u.disabled ? "disabled" : "locked"));
		return;
	}
	if (!auth_verify(u.pw_hash, pw)) {
		users_login_failed(r->db, u.id, r->opts->max_failures, r->opts->lock_seconds, &locked, &e);
		r->status = locked ? 403 : 401;
		login_form(r, L(r, locked ? "locked" : "bad_login"));
		return;
	}
	auth_token(token);
	auth_token(csrf);
	auth_sha256_hex(token, hash);
	if (users_session_open(r->db, u.id, hash, csrf, &e) != PRC_OK) {
		pages_error(r, 503, L(r, "db_down"));
		return;
	}
	set_cookie(r, 0, "patrol_session", token, -1);
	set_cookie(r, 1, "patrol_login", "x", 0);
	web_redirect(r, "/queue");
}

static void logout_post(struct web_req *r)
{
	struct err e = { "" };

	if (r->logged_in)
		users_session_close(r->db, r->token_sha256, &e);
	set_cookie(r, 0, "patrol_session", "x", 0);
	web_redirect(r, "/login");
}

/* ---- routing ---- */

/* "/pages/123/confirm" with prefix "/pages/" → id 123 and rest "confirm" ("" when none). */
static int path_id(const char *path, const char *prefix, int64_t *id, const char **rest)
{
	size_t n = strlen(prefix);
	char *end;

	if (strncmp(path, prefix, n) || path[n] < '0' || path[n] > '9')
		return 0;
	errno = 0;
	*id = strtoll(path + n, &end, 10);
	if (errno || *id <= 0)
		return 0;
	if (*end == '\0') {
		*rest = "";
		return 1;
	}
	if (*end != '/')
		return 0;
	*rest = end + 1;
	return 1;
}

static int csrf_ok(struct web_req *r, int api)
{
	const char *h = web_header(r, "X-CSRF-Token");

	if (auth_equal(h, r->user.csrf))
		return 1;
	return !api && auth_equal(web_form(r, "csrf"), r->user.csrf);
}

static void route(struct web_req *r)
{
	int post = !strcmp(r->method, "POST"), api = !strncmp(r->path, "/api/", 5);
	const struct asset *a;
	const char *rest;
	int64_t id;

	if (!strcmp(r->method, "GET") && (a = asset_find(r->path))) {
		r->ctype = a->ctype;
		fwrite(a->data, 1, a->len, r->out);
		return;
	}
	if (!post && strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
		r->status = 405;
		fputs("method not allowed\n", r->out);
		r->ctype = "text/plain; charset=utf-8";
		return;
	}
	if (!r->db) {
		if (api)
			api_error(r, 503, "the database cannot be reached");
		else
			pages_error(r, 503, L(r, "db_down"));
		return;
	}
	if (!strcmp(r->path, "/login")) {
		if (post)
			login_post(r);
		else
			login_form(r, NULL);
		return;
	}
	if (load_session(r) != PRC_OK) {
		if (api)
			api_error(r, 503, "the database cannot be reached");
		else
			pages_error(r, 503, L(r, "db_down"));
		return;
	}
	if (!r->logged_in) {
		if (api) {
			api_error(r, 401, "not logged in");
		} else if (post) {
			r->status = 401;
			login_form(r, L(r, "expired"));
		} else {
			web_redirect(r, "/login");
		}
		return;
	}
	if (post && !csrf_ok(r, api)) {
		if (api)
			api_error(r, 403, "missing or wrong X-CSRF-Token");
		else
			pages_error(r, 403, L(r, "bad_csrf"));
		return;
	}
	if (!strcmp(r->path, "/logout") && post)
		logout_post(r);
	else if (!strcmp(r->path, "/") && !post)
		web_redirect(r, "/queue");
	else if (!strcmp(r->path, "/queue") && !post)
		pages_queue(r);
	else if (!strcmp(r->path, "/queue/bulk") && post)
		pages_bulk(r);
	else if (path_id(r->path, "/pages/", &id, &rest) && !post && !*rest)
		pages_page(r, id);
	else if (path_id(r->path, "/pages/", &id, &rest) && !post && !strcmp(rest, "warc"))
		pages_warc(r, id);
	else if (path_id(r->path, "/pages/", &id, &rest) && !post && snapshot_png_id(rest))
		pages_snapshot_png(r, id, snapshot_png_id(rest));
	else if (path_id(r->path, "/pages/", &id, &rest) && post && !strcmp(rest, "snapshot"))
		pages_snapshot_take(r, id);
	else if (path_id(r->path, "/pages/", &id, &rest) && post && *rest)
		pages_page_action(r, id, rest);
	else if (!strcmp(r->path, "/takedowns") && !post)
		pages_takedowns(r);
	else if (path_id(r->path, "/takedowns/", &id, &rest) && !post && !*rest)
		pages_takedown(r, id);
	else if (path_id(r->path, "/takedowns/", &id, &rest) && post && *rest)
		pages_takedown_action(r, id, rest);
	else if (!strcmp(r->path, "/report") && !post)
		pages_report(r);
	else if (!strcmp(r->path, "/events") && !post)
		pages_events(r);
	else if (!strcmp(r->path, "/crawls") && !post)
		pages_crawls(r);
	else if (!strcmp(r->path, "/crawls") && post)
		pages_crawl_start(r);
	else if (!strcmp(r->path, "/rules") && !post)
		pages_rules(r);
	else if (!strcmp(r->path, "/rules/reload") && post)
		pages_rules_reload(r);
	else if (!strcmp(r->path, "/api/jobs") && !post)
		api_jobs(r);
	else if (!strcmp(r->path, "/api/rules") && !post)
		api_rules(r);
	else if (!strcmp(r->path, "/api/ruleset") && !post)
		api_ruleset(r);
	else if (!strcmp(r->path, "/api/session") && !post)
		api_session(r);
	else if (!strcmp(r->path, "/api/pages") && !post)
		api_pages(r);
	else if (path_id(r->path, "/api/pages/", &id, &rest) && !post && !*rest)
		api_page(r, id);
	else if (path_id(r->path, "/api/pages/", &id, &rest) && post && !strcmp(rest, "snapshot"))
		api_snapshot_take(r, id);
	else if (path_id(r->path, "/api/pages/", &id, &rest) && post && *rest)
		api_page_action(r, id, rest);
	else if (!strcmp(r->path, "/api/takedowns") && !post)
		api_takedowns(r);
	else if (path_id(r->path, "/api/takedowns/", &id, &rest) && post && *rest)
		api_takedown_action(r, id, rest);
	else if (!strcmp(r->path, "/api/events") && !post)
		api_events(r);
	else if (api)
		api_error(r, 404, "no such resource");
	else
		pages_error(r, 404, L(r, "not_found"));
}

static enum MHD_Result respond(struct MHD_Connection *conn, struct web_req *r, char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int i;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", r->ctype);
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->location[0])
		MHD_add_response_header(resp, "Location", r->location);
	if (r->disposition[0])
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	for (i = 0; i < 2; i++)
		if (r->cookies[i][0])
			MHD_add_response_header(resp, "Set-Cookie", r->cookies[i]);
	ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	const struct console_opts *o = cls;
	struct conn_ctx *c = *con_cls;
	struct web_req r;
	char *body = NULL;
	size_t len = 0;
	const char *lang;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return MHD_NO;
		*con_cls = c;
		return MHD_YES;
	}
	if (*upload_size) {
		if (c->len + *upload_size > WEB_BODY_MAX) {
			c->too_big = 1;
		} else {
			char *nb = realloc(c->body, c->len + *upload_size + 1);

			if (!nb)
				return MHD_NO;
			c->body = nb;
			memcpy(c->body + c->len, upload, *upload_size);
			c->len += *upload_size;
			c->body[c->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&r, 0, sizeof(r));
	r.conn = conn;
	r.method = method;
	r.path = url;
	r.opts = o;
	r.snap = snap;
	r.status = 200;
	r.ctype = "text/html; charset=utf-8";
	lang = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang");
	r.en = lang ? !strcmp(lang, "en") : (o->lang && !strcmp(o->lang, "en"));
	r.out = open_memstream(&body, &len);
	if (!r.out)
		return MHD_NO;
	if (c->too_big) {
		r.status = 413;
		r.ctype = "text/plain; charset=utf-8";
		fputs("request body too large\n", r.out);
	} else {
		if (!strcmp(method, "POST"))
			form_parse(&r, c->body);
		r.db = web_db(o);
		route(&r);
	}
	free(r.form);
	if (fclose(r.out) != 0) {
		free(body);
		return MHD_NO;
	}
	(void)version;
	return respond(conn, &r, body, len);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *c = *con_cls;

	if (c) {
		free(c->body);
		free(c);
		*con_cls = NULL;
	}
}

/* Parses "host:port" or "[v6]:port" into ss. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[128];
	const char *colon;
	long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || end == colon + 1)
		return -1;
	if (s[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -1;
		*sl = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -1;
		*sl = sizeof(*a4);
	}
	return 0;
}

enum prc console_serve(const struct console_opts *o, const volatile int *stop,
		       void (*ready)(const char *addr), struct err *e)
{
	struct sockaddr_storage ss;
	struct MHD_Daemon *daemon = NULL;
	struct db *probe = NULL;
	socklen_t sl;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	enum prc rc;
	size_t i;

	if (parse_listen(o->listen, &ss, &sl) != 0)
		return err_set(e, PRC_INVALID, "cannot parse --listen '%s' (HOST:PORT or [V6]:PORT)", o->listen);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* Japan time, also on connections libpq re-establishes after a lost server */
	setenv("PGTZ", "Asia/Tokyo", 1);
	rc = auth_init(e);
	if (rc != PRC_OK)
		return rc;
	if (!dummy_hash[0]) {
		char t[65];

		auth_token(t);
		rc = auth_hash(t, dummy_hash, sizeof(dummy_hash), e);
		if (rc != PRC_OK)
			return rc;
	}
	rc = webstore_connect(o->conninfo, &probe, e);
	webstore_close(probe);
	if (rc != PRC_OK)
		return rc;
	{
		struct snapper_opts so;
		struct snapshot_opts probe_opts;

		/* finds out once, before any thread runs, whether unshare -n works here */
		snapshot_opts_init(&probe_opts);
		memset(&so, 0, sizeof(so));
		so.conninfo = o->conninfo;
		so.warc_dir = o->warc_dir;
		so.chromium = o->chromium;
		so.timeout_s = o->snapshot_timeout;
		so.workers = o->snapshot_workers;
		snap = snapper_start(&so, e);
		if (!snap)
			return PRC_INTERNAL;
	}
	daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, (void *)o,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads > 0 ? o->threads : 4),
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				  MHD_OPTION_CONNECTION_TIMEOUT, 60u,
				  MHD_OPTION_CONNECTION_LIMIT, 256u,
				  MHD_OPTION_END);
	if (!daemon) {
		snapper_stop(snap);
		snap = NULL;
		return err_set(e, PRC_IO, "cannot listen on '%s'", o->listen);
	}
	rules_opts = o;
	web_rules_reload();
	if (ready)
		ready(o->listen);
	while (!*stop)
		usleep(200 * 1000);
	MHD_stop_daemon(daemon);
	snapper_stop(snap);
	snap = NULL;
	rules_stop();
	pthread_mutex_lock(&conns_lock);
	for (i = 0; i < nconns; i++)
		webstore_close(conns[i]);
	nconns = 0;
	pthread_mutex_unlock(&conns_lock);
	return PRC_OK;
}
