/*
 * workflow.c - output and argument helpers of the front ends that read and
 * change the review and takedown records: JSON straight from a query
 * result (typed by the column's type, store/rows.h), aligned text tables for
 * people, CSV for spreadsheets, and who is acting (--as).
 */
#include "cli/workflow.h"

#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classifiers/taxonomy.h"
#include "cli/cli.h"
#include "store/db.h"
#include "util/json.h"
#include "util/text.h"

#define TABLE_CELL_MAX 48

int out_format(const char *v)
{
	if (!strcmp(v, "table") || !strcmp(v, "text"))
		return OUT_TABLE;
	if (!strcmp(v, "csv"))
		return OUT_CSV;
	if (!strcmp(v, "json"))
		return OUT_JSON;
	cli_error("--format wants table, csv or json, not '%s'", v);
	return -1;
}

int out_option(int c, const char *arg, int *fmt, const char **db)
{
	switch (c) {
	case OUT_OPT_FORMAT:
		*fmt = out_format(arg);
		return *fmt < 0 ? -1 : 0;
	case OUT_OPT_JSON: *fmt = OUT_JSON; return 0;
	case OUT_OPT_DB: *db = arg; return 0;
	default: return c;
	}
}

int cli_period_option(int since, const char *value, const char **from, const char **to)
{
	if (!cli_date_ok(since ? "--since" : "--until", value))
		return -1;
	if (since)
		*from = value;
	else
		*to = value;
	return 0;
}

const char *cli_verb(int argc, char **argv, int (*usage)(FILE *f), int *status)
{
	const char *verb = argc < 2 ? NULL : argv[1];

	if (!verb)
		*status = usage(stderr);
	else if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help"))
		*status = usage(stdout);
	else
		return verb;
	return NULL;
}

const char *cli_actor(const char *opt)
{
	static char name[256];
	struct passwd *pw;
	const char *login;

	if (opt && *opt)
		return opt;
	login = getlogin();
	if (login && *login) {
		snprintf(name, sizeof(name), "%s", login);
		return name;
	}
	pw = getpwuid(getuid());
	if (pw && pw->pw_name && *pw->pw_name)
		snprintf(name, sizeof(name), "%s", pw->pw_name);
	else
		snprintf(name, sizeof(name), "uid:%ld", (long)getuid());
	return name;
}

int cli_name_option(const char *opt, const char *value)
{
	const char *why = text_name_check(value);
	char shown[200];

	if (!why)
		return 0;
	text_inert_str(shown, sizeof(shown), value);
	cli_error("%s '%s': the name %s (a name is letters, digits and . _ - @, at most %d characters)", opt,
		  shown, why, TEXT_NAME_MAX);
	return -1;
}

void out_text(FILE *f, const char *s, int keep_lines)
{
	if (s)
		text_inert(f, s, strlen(s), keep_lines ? TEXT_KEEP_LINES : 0);
}

int64_t cli_id(const char *what, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0) {
		cli_error("'%s' is not a %s id", s, what);
		return -1;
	}
	return (int64_t)v;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/*
 * A timestamptz as PostgreSQL prints it ("2026-11-30 10:00:00.123456+09")
 * for a machine: ISO 8601, "2026-11-30T10:00:00.123456+09:00".
 */
static const char *iso_time(const char *v, char *buf, size_t len)
{
	size_t n = strlen(v), zone;

	if (n < 19 || n + 4 > len || v[10] != ' ')
		return v;
	memcpy(buf, v, n + 1);
	buf[10] = 'T';
	zone = strcspn(buf + 19, "+-") + 19;
	/* "+09" → "+09:00"; "+05:30" is already whole */
	if (zone < n && n - zone == 3)
		memcpy(buf + n, ":00", 4);
	return buf;
}

/* For people: to the second, with the offset ("2026-11-30 10:00:00+09"). */
static const char *human_time(const char *v, char *buf, size_t len)
{
	const char *dot = strchr(v, '.'), *zone;

	if (!dot || strlen(v) >= len)
		return v;
	zone = dot + strspn(dot + 1, "0123456789") + 1;
	snprintf(buf, len, "%.*s%s", (int)(dot - v), v, zone);
	return buf;
}

/* Seconds for people: "3d 4h", "5h 12m", "7m", "42s". */
static const char *human_duration(double secs, char *buf, size_t len)
{
	long s = (long)(secs + 0.5);

	if (s >= 86400)
		snprintf(buf, len, "%ldd %ldh", s / 86400, (s % 86400) / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%ldh %ldm", s / 3600, (s % 3600) / 60);
	else if (s >= 60)
		snprintf(buf, len, "%ldm", s / 60);
	else
		snprintf(buf, len, "%lds", s);
	return buf;
}

/* Category codes for people: each with its Japanese name ("drug_ad 規制薬物の広告"). */
static const char *human_categories(const char *v, char *buf, size_t len)
{
	size_t at = 0, n;
	const char *p = v, *comma;
	const struct taxonomy_entry *t;
	char code[64];

	while (*p) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n >= sizeof(code))
			return v;
		memcpy(code, p, n);
		code[n] = '\0';
		t = taxonomy_find(code);
		n = (size_t)snprintf(buf + at, len - at, "%s%s%s%s", at ? ", " : "", code, t ? " " : "",
				     t ? t->ja : "");
		if (n >= len - at)
			return v;
		at += n;
		p = comma ? comma + 1 : p + strlen(p);
	}
	return at ? buf : v;
}

/*
 * The text of one cell: for machines (JSON, CSV) times in ISO 8601 and
 * everything else as the database gave it; for people also durations in
 * days and hours and category names beside their codes. NULL for SQL NULL.
 */
static const char *cell_text(const struct rows *r, int i, int c, int human, char *buf, size_t len)
{
	const char *v = rows_cell(r, i, c), *name = r->names[c];
	int t = r->types[c];
	char *end;
	double x;

	if (!v)
		return NULL;
	if (t == ROWS_TIME)
		return human ? human_time(v, buf, len) : iso_time(v, buf, len);
	if (!human)
		return v;
	if (t == ROWS_NUMBER && (ends_with(name, "_s") || !strcmp(name, "waiting_days"))) {
		x = strtod(v, &end);
		if (end != v && !*end)
			return human_duration(ends_with(name, "_s") ? x : x * 86400.0, buf, len);
	}
	if (!strcmp(name, "category") || !strcmp(name, "categories"))
		return human_categories(v, buf, len);
	return v;
}

void out_json_row(FILE *f, const struct rows *r, int i)
{
	int c, n = r->ncols;

	fputc('{', f);
	for (c = 0; c < n; c++) {
		int t = r->types[c];
		char buf[64];
		const char *v = cell_text(r, i, c, 0, buf, sizeof(buf));

		if (c)
			fputc(',', f);
		json_write_str(f, r->names[c]);
		fputc(':', f);
		if (!v)
			fputs("null", f);
		else if (t == ROWS_BOOL)
			fputs(*v == 't' ? "true" : "false", f);
		else if (t == ROWS_NUMBER && strcmp(v, "NaN") && strcmp(v, "Infinity") && strcmp(v, "-Infinity"))
			fputs(v, f);
		else if (t == ROWS_JSON)
			fputs(v, f);
		else
			json_write_str(f, v);
	}
	fputc('}', f);
}

void out_json_rows(FILE *f, const struct rows *r)
{
	int i;

	fputc('[', f);
	for (i = 0; r && i < r->nrows; i++) {
		if (i)
			fputc(',', f);
		out_json_row(f, r, i);
	}
	fputc(']', f);
}

void out_json_detail(FILE *f, const char *name, const struct rows *row, const struct rows_section *s,
		     size_t n)
{
	size_t i;

	fputc('{', f);
	json_write_str(f, name);
	fputc(':', f);
	out_json_row(f, row, 0);
	for (i = 0; i < n; i++) {
		fputc(',', f);
		json_write_str(f, s[i].name);
		fputc(':', f);
		out_json_rows(f, s[i].rows);
	}
	fputs("}\n", f);
}

/* Display width of the first max_bytes of s, CJK counted two wide; *cut gets the bytes that fit in limit. */
static int cell_width(const char *s, int limit, size_t *cut)
{
	const unsigned char *p = (const unsigned char *)s;
	int used = 0;

	while (*p) {
		int w = *p >= 0xE0 ? 2 : 1;
		int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
		int k;

		if (used + w > limit)
			break;
		for (k = 1; k < n && p[k]; k++)
			;
		p += k;
		used += w;
	}
	if (cut)
		*cut = (size_t)(p - (const unsigned char *)s);
	return used;
}

static void put_cell(FILE *f, const char *s, int width, int last)
{
	size_t cut;
	int used = cell_width(s, TABLE_CELL_MAX, &cut);

	text_inert(f, s, cut, TEXT_ONE_WIDE);
	if (!last)
		while (used++ < width + 2)
			fputc(' ', f);
}

void out_table(FILE *f, const struct rows *r)
{
	int nf = r->ncols, nr = r->nrows, c, i, *w;
	char buf[1024];

	w = calloc((size_t)nf + 1, sizeof(int));
	if (!w)
		return;
	for (c = 0; c < nf; c++) {
		w[c] = cell_width(r->names[c], TABLE_CELL_MAX, NULL);
		for (i = 0; i < nr; i++) {
			const char *v = cell_text(r, i, c, 1, buf, sizeof(buf));
			int cw = cell_width(v ? v : "-", TABLE_CELL_MAX, NULL);

			if (cw > w[c])
				w[c] = cw;
		}
	}
	for (c = 0; c < nf; c++)
		put_cell(f, r->names[c], w[c], c == nf - 1);
	fputc('\n', f);
	for (i = 0; i < nr; i++) {
		for (c = 0; c < nf; c++) {
			const char *v = cell_text(r, i, c, 1, buf, sizeof(buf));

			put_cell(f, v ? v : "-", w[c], c == nf - 1);
		}
		fputc('\n', f);
	}
	free(w);
}

void out_csv(FILE *f, const struct rows *r, const char *first_name, const char *first_value,
	     int header)
{
	int nf = r->ncols, c, i;
	char buf[64];

	if (header) {
		if (first_name) {
			fputs(first_name, f);
			fputc(',', f);
		}
		for (c = 0; c < nf; c++) {
			if (c)
				fputc(',', f);
			csv_write_field(f, r->names[c]);
		}
		fputs("\r\n", f);
	}
	for (i = 0; i < r->nrows; i++) {
		if (first_name) {
			csv_write_field(f, first_value);
			fputc(',', f);
		}
		for (c = 0; c < nf; c++) {
			if (c)
				fputc(',', f);
			csv_write_field(f, cell_text(r, i, c, 0, buf, sizeof(buf)));
		}
		fputs("\r\n", f);
	}
}

void out_fields(FILE *f, const struct rows *r, int i, int indent)
{
	int c, w = 0;
	char buf[1024];

	for (c = 0; c < r->ncols; c++)
		if ((int)strlen(r->names[c]) > w)
			w = (int)strlen(r->names[c]);
	for (c = 0; c < r->ncols; c++) {
		if (!rows_cell(r, i, c))
			continue;
		fprintf(f, "%*s%-*s  ", indent, "", w + 1, r->names[c]);
		out_text(f, cell_text(r, i, c, 1, buf, sizeof(buf)), 0);
		fputc('\n', f);
	}
}

/*
 * Recoding stdout for spreadsheets. Excel reads a CSV as the system code
 * page unless it starts with a UTF-8 BOM, so a Japanese Windows desk gets
 * either UTF-8 with a BOM or CP932 (Shift_JIS). stdout's descriptor is sent
 * to a temporary file while the command writes, and the file is recoded
 * onto the real stdout at the end; a character CP932 lacks becomes '?'.
 */
void out_rows(FILE *f, const struct rows *r, int fmt)
{
	if (fmt == OUT_JSON) {
		out_json_rows(f, r);
		fputc('\n', f);
	} else if (fmt == OUT_CSV) {
		out_csv(f, r, NULL, NULL, 1);
	} else {
		out_table(f, r);
	}
}

static int view_list(const struct cli_view *v, struct db *d, const void *filter, int fmt)
{
	struct err e = { "" };
	struct rows *r;

	if (v->list(d, filter, &r, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	out_rows(stdout, r, fmt);
	if (fmt == OUT_TABLE && v->tail)
		v->tail(r);
	rows_free(r);
	return fflush(stdout) == 0 ? 0 : 1;
}

int cli_view_run(const struct cli_view *v, const char *verb, int nargs, char **args,
		 const char *dbopt, const void *filter, int fmt)
{
	int show = !strcmp(verb, "show"), status;
	int64_t id = 0;
	struct db *d;

	if (!show && nargs) {
		cli_error("%s %s takes no arguments, only filters", v->cmd, verb);
		return 2;
	}
	if (show && nargs != 1) {
		cli_error("%s show takes one %s id", v->cmd, v->what);
		return 2;
	}
	if (show && (id = cli_id(v->what, args[0])) < 0)
		return 2;
	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	status = show ? v->show(d, id, fmt == OUT_JSON) : view_list(v, d, filter, fmt);
	db_free(d);
	return status;
}

struct out_recode {
	FILE *tmp;
	int saved_fd;
	int cp932, bom;
};

struct out_recode *out_recode_begin(int cp932, int bom)
{
	struct out_recode *r = calloc(1, sizeof(*r));

	if (!r) {
		cli_error("out of memory");
		return NULL;
	}
	r->cp932 = cp932;
	r->bom = bom;
	fflush(stdout);
	r->tmp = tmpfile();
	r->saved_fd = dup(1);
	if (!r->tmp || r->saved_fd < 0 || dup2(fileno(r->tmp), 1) < 0) {
		cli_error("cannot capture the output to recode it: %s", strerror(errno));
		if (r->tmp)
			fclose(r->tmp);
		if (r->saved_fd >= 0)
			close(r->saved_fd);
		free(r);
		return NULL;
	}
	return r;
}

/* Writes n bytes of UTF-8 in as CP932 to f, '?' for what CP932 lacks. */
static int write_cp932(iconv_t cd, const char *in, size_t n, FILE *f)
{
	char out[8192], *ip = (char *)in, *op;
	size_t il = n, ol;

	while (il > 0) {
		op = out;
		ol = sizeof(out);
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 && errno != E2BIG) {
			if (errno == EINVAL)
				il = 0; /* a sequence cut at the end: dropped */
			else {
				/* EILSEQ: one UTF-8 character CP932 lacks */
				unsigned char c = (unsigned char)*ip;
				size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

				if (k > il)
					k = il;
				ip += k;
				il -= k;
				if (ol)
					*op++ = '?', ol--;
			}
		}
		if (fwrite(out, 1, (size_t)(op - out), f) != (size_t)(op - out))
			return -1;
	}
	op = out;
	ol = sizeof(out);
	iconv(cd, NULL, NULL, &op, &ol);
	return fwrite(out, 1, (size_t)(op - out), f) == (size_t)(op - out) ? 0 : -1;
}

int out_recode_end(struct out_recode *r)
{
	char buf[65536];
	iconv_t cd = (iconv_t)-1;
	size_t n;
	int rc = 0;

	if (!r)
		return 0;
	fflush(stdout);
	dup2(r->saved_fd, 1);
	close(r->saved_fd);
	rewind(r->tmp);
	if (r->cp932) {
		cd = iconv_open("CP932", "UTF-8");
		if (cd == (iconv_t)-1) {
			cli_error("this system's iconv has no CP932");
			rc = -1;
			goto out;
		}
	}
	if (r->bom && fwrite("\xEF\xBB\xBF", 1, 3, stdout) != 3)
		rc = -1;
	if (cd == (iconv_t)-1) {
		while (rc == 0 && (n = fread(buf, 1, sizeof(buf), r->tmp)) > 0)
			if (fwrite(buf, 1, n, stdout) != n)
				rc = -1;
	} else {
		/* at once, so that no character is split between two reads */
		long size;
		char *all = NULL;

		if (fseek(r->tmp, 0, SEEK_END) != 0 || (size = ftell(r->tmp)) < 0 ||
		    fseek(r->tmp, 0, SEEK_SET) != 0 || !(all = malloc((size_t)size + 1)) ||
		    fread(all, 1, (size_t)size, r->tmp) != (size_t)size) {
			cli_error("cannot read back the output to recode it");
			rc = -1;
		} else {
			rc = write_cp932(cd, all, (size_t)size, stdout);
		}
		free(all);
	}
	if (fflush(stdout) != 0)
		rc = -1;
out:
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	fclose(r->tmp);
	free(r);
	return rc;
}
