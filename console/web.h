/* web.h - one HTTP request as the console's handlers see it, and what they answer with. */
#ifndef PATROL_WEB_H
#define PATROL_WEB_H

#include <stdint.h>
#include <stdio.h>

#include "console/console.h"
#include "store/users.h"

struct db;
struct snapper;

struct web_kv {
	char *k, *v;
};

/*
 * A request: read its parameters with web_query and web_form; write the
 * answer's body to out (an in-memory stream), set status and ctype. One per
 * request, on one server thread; db is that thread's connection.
 */
struct web_req {
	void *conn; /* struct MHD_Connection */
	const char *method, *path;
	struct web_kv *form;
	size_t nform;
	struct db *db;
	const struct console_opts *opts;
	struct snapper *snap;     /* the snapshot queue (never NULL while serving) */
	int en;                   /* English labels */
	int logged_in;
	struct user_session user; /* when logged_in */
	char token_sha256[65];
	/* the answer */
	int status;
	const char *ctype;
	FILE *out;
	char location[1024];
	char disposition[160];
	char cookies[2][320];
};

/* A query-string parameter, or NULL (and NULL for an empty one). */
const char *web_query(const struct web_req *r, const char *name);

/* A form field of a POST (application/x-www-form-urlencoded), or NULL. */
const char *web_form(const struct web_req *r, const char *name);

/* A request header, or NULL. */
const char *web_header(const struct web_req *r, const char *name);

/* Answers a redirect (303 See Other) to location. */
void web_redirect(struct web_req *r, const char *location);

/* 1 when the user's role is one of the NULL-terminated roles. */
int web_role_in(const struct web_req *r, const char *const *roles);

/* The label key in the request's language. */
const char *L(const struct web_req *r, const char *key);

/* Writes s escaped for HTML text and attribute values (NULL writes nothing). */
void html_esc(FILE *f, const char *s);

/* Writes s escaped for a URL query value. */
void url_esc(FILE *f, const char *s);

/* The page's head, navigation and the start of main; html_end closes it. */
void html_begin(struct web_req *r, const char *title);
void html_end(struct web_req *r);

/* A hidden csrf field for a form. */
void html_csrf(struct web_req *r);

/*
 * 1 when s (NULL is fine) is a date the queue's since and until take:
 * YYYY-MM-DD, optionally followed by a time ("T" or a space, then digits,
 * ':', '.', '+', '-', 'Z'). Checked here so that a bad one is refused with
 * the field's name, not a database message.
 */
int web_date_ok(const char *s);

/* The Japanese (or English: the code) name of a category. */
const char *web_category_name(const struct web_req *r, const char *code);

/* Handlers: pages.c (HTML) and api.c (JSON). Each returns after filling r. */
void pages_queue(struct web_req *r);
void pages_page(struct web_req *r, int64_t id);
void pages_page_action(struct web_req *r, int64_t id, const char *verb);
void pages_warc(struct web_req *r, int64_t id);
void pages_bulk(struct web_req *r);
void pages_takedowns(struct web_req *r);
void pages_takedown(struct web_req *r, int64_t id);
void pages_takedown_action(struct web_req *r, int64_t id, const char *verb);
void pages_report(struct web_req *r);
void pages_events(struct web_req *r);
void pages_crawls(struct web_req *r);
void pages_crawl_start(struct web_req *r);
void pages_rules(struct web_req *r);
void pages_rules_reload(struct web_req *r);
void pages_error(struct web_req *r, int status, const char *msg);

/* Snapshots (snappage.c): the detail page's section, taking one, showing one. */
void pages_snapshot_section(struct web_req *r, int64_t id);
void pages_snapshot_take(struct web_req *r, int64_t id);
void pages_snapshot_png(struct web_req *r, int64_t id, int64_t snap_id);
void api_snapshot_take(struct web_req *r, int64_t id);
void api_snapshots(struct web_req *r, int64_t id); /* writes ,"snapshots":[...] into an object */
/* After page id was confirmed: queue a snapshot unless its latest record has one. */
void web_snapshot_on_confirm(struct web_req *r, int64_t id);

void api_session(struct web_req *r);
void api_pages(struct web_req *r);
void api_page(struct web_req *r, int64_t id);
void api_page_action(struct web_req *r, int64_t id, const char *verb);
void api_takedowns(struct web_req *r);
void api_takedown_action(struct web_req *r, int64_t id, const char *verb);
void api_events(struct web_req *r);
void api_jobs(struct web_req *r);
void api_rules(struct web_req *r);
void api_ruleset(struct web_req *r);
void api_error(struct web_req *r, int status, const char *msg);

/*
 * The rule set shown on the rules page (server.c loads it in the
 * background at start and on reload). web_rules_lock returns it read-locked
 * (NULL when none is loaded yet; *loading says whether a load is under way,
 * err gets the last load's failure or ""); release with web_rules_unlock.
 */
struct rulesinfo;
const struct rulesinfo *web_rules_lock(int *loading, const char **err);
void web_rules_unlock(void);

/* Starts loading the rule set again unless a load is under way; 0 when started. */
int web_rules_reload(void);

/* Who may do what. */
extern const char *const web_reviewers[];    /* confirm, dismiss */
extern const char *const web_coordinators[]; /* takedown requests */
extern const char *const web_admins[];       /* starting crawls */
extern const char *const web_rule_authors[]; /* reloading the rules page's rule set */

#endif
