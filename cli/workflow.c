/*
 * workflow.c - output and argument helpers of the front ends that read and
 * change the review and takedown records: JSON straight from a query
 * result (typed by the column's PostgreSQL type), aligned text tables for
 * people, CSV for spreadsheets, and who is acting (--as).
 */
#include "cli/workflow.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/json.h"
#include "util/text.h"

/* PostgreSQL type OIDs (pg_type.h) written as JSON numbers, booleans, JSON */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_OID 26
#define OID_JSON 114
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700
#define OID_JSONB 3802

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

static int numeric_type(Oid t)
{
	return t == OID_INT8 || t == OID_INT2 || t == OID_INT4 || t == OID_OID || t == OID_FLOAT4 ||
	       t == OID_FLOAT8 || t == OID_NUMERIC;
}

void out_json_row(FILE *f, const PGresult *r, int i)
{
	int c, n = PQnfields(r);

	fputc('{', f);
	for (c = 0; c < n; c++) {
		Oid t = PQftype(r, c);
		const char *v = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);

		if (c)
			fputc(',', f);
		json_write_str(f, PQfname(r, c));
		fputc(':', f);
		if (!v)
			fputs("null", f);
		else if (t == OID_BOOL)
			fputs(*v == 't' ? "true" : "false", f);
		else if (numeric_type(t) && strcmp(v, "NaN") && strcmp(v, "Infinity") && strcmp(v, "-Infinity"))
			fputs(v, f);
		else if (t == OID_JSON || t == OID_JSONB)
			fputs(v, f);
		else
			json_write_str(f, v);
	}
	fputc('}', f);
}

void out_json_rows(FILE *f, const PGresult *r)
{
	int i;

	fputc('[', f);
	for (i = 0; r && i < PQntuples(r); i++) {
		if (i)
			fputc(',', f);
		out_json_row(f, r, i);
	}
	fputc(']', f);
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

void out_table(FILE *f, const PGresult *r)
{
	int nf = PQnfields(r), nr = PQntuples(r), c, i, *w;

	w = calloc((size_t)nf + 1, sizeof(int));
	if (!w)
		return;
	for (c = 0; c < nf; c++) {
		w[c] = cell_width(PQfname(r, c), TABLE_CELL_MAX, NULL);
		for (i = 0; i < nr; i++) {
			int cw = cell_width(PQgetvalue(r, i, c), TABLE_CELL_MAX, NULL);

			if (cw > w[c])
				w[c] = cw;
		}
	}
	for (c = 0; c < nf; c++)
		put_cell(f, PQfname(r, c), w[c], c == nf - 1);
	fputc('\n', f);
	for (i = 0; i < nr; i++) {
		for (c = 0; c < nf; c++)
			put_cell(f, PQgetisnull(r, i, c) ? "-" : PQgetvalue(r, i, c), w[c], c == nf - 1);
		fputc('\n', f);
	}
	free(w);
}

void out_csv(FILE *f, const PGresult *r, const char *first_name, const char *first_value)
{
	int nf = PQnfields(r), c, i;

	if (first_name) {
		fputs(first_name, f);
		fputc(',', f);
	}
	for (c = 0; c < nf; c++) {
		if (c)
			fputc(',', f);
		csv_write_field(f, PQfname(r, c));
	}
	fputs("\r\n", f);
	for (i = 0; i < PQntuples(r); i++) {
		if (first_name) {
			csv_write_field(f, first_value);
			fputc(',', f);
		}
		for (c = 0; c < nf; c++) {
			if (c)
				fputc(',', f);
			csv_write_field(f, PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c));
		}
		fputs("\r\n", f);
	}
}

void out_fields(FILE *f, const PGresult *r, int i, int indent)
{
	int c, w = 0;

	for (c = 0; c < PQnfields(r); c++)
		if ((int)strlen(PQfname(r, c)) > w)
			w = (int)strlen(PQfname(r, c));
	for (c = 0; c < PQnfields(r); c++) {
		if (PQgetisnull(r, i, c))
			continue;
		fprintf(f, "%*s%-*s  ", indent, "", w + 1, PQfname(r, c));
		out_text(f, PQgetvalue(r, i, c), 0);
		fputc('\n', f);
	}
}
