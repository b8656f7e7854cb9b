/*
 * intake.c - hotline intake: the CSV files the Internet Hotline Center or a
 * public report form hands over become seeds of a crawl job, each report's
 * reference kept on its page.
 *
 * Files come from spreadsheets, so they are read as UTF-8 when they are
 * valid UTF-8 and as Shift_JIS (CP932, what Japanese spreadsheets export)
 * otherwise, before being parsed as RFC 4180 CSV, quoted fields with commas and line breaks included. A bad row
 * never stops the import: it is named with the line its record starts on
 * and left out, and the good rows go in together in one transaction.
 *
 * Nothing is converted silently: a NUL byte, a byte sequence that is not
 * UTF-8 in a UTF-8 file, or one that is not Shift_JIS in a Shift_JIS file
 * makes the rows it is in bad ("line N: ..."), and so does a field longer
 * than the database can index (a 10 MB reference used to fail the whole
 * file's transaction and lose the good rows). A file is taken for UTF-8
 * with bad bytes, not for Shift_JIS, when it holds more valid multi-byte
 * UTF-8 characters than bad bytes: Shift_JIS text is almost never valid
 * UTF-8, so a few bad bytes among many good characters are damage, not
 * another encoding.
 */
#include "pipeline/intake.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classifiers/taxonomy.h"
#include "crawler/charset.h"
#include "crawler/url.h"
#include "store/reports.h"
#include "util/arena.h"
#include "util/utf8.h"

#define INTAKE_FILE_MAX (64u << 20)
#define INTAKE_MAX_FIELDS 64
/* source and reference share one unique index entry (PostgreSQL: at most about 2700 bytes) */
#define INTAKE_SOURCE_MAX 200
#define INTAKE_REFERENCE_MAX 1000

enum col { COL_URL = 0, COL_AT, COL_SOURCE, COL_REF, COL_CAT, NCOLS };
static const char *const col_names[NCOLS] = { "url", "reported_at", "source", "reference", "category" };

/* The headers a Japanese hotline or report-form export uses for the same columns. */
static const struct {
	const char *name;
	enum col col;
} col_aliases[] = {
	{ "ＵＲＬ", COL_URL },           { "通報URL", COL_URL },      { "対象URL", COL_URL },
	{ "通報日時", COL_AT },          { "受付日時", COL_AT },      { "通報日", COL_AT },
	{ "日時", COL_AT },              { "reported", COL_AT },      { "通報元", COL_SOURCE },
	{ "情報源", COL_SOURCE },        { "受付元", COL_SOURCE },    { "受付番号", COL_REF },
	{ "通報番号", COL_REF },         { "整理番号", COL_REF },     { "参照番号", COL_REF },
	{ "ref", COL_REF },              { "分類", COL_CAT },         { "種別", COL_CAT },
	{ "カテゴリ", COL_CAT },         { "カテゴリー", COL_CAT },   { "違法・有害情報の種別", COL_CAT },
};

/*
 * The everyday names hotline staff write for the categories, beside the
 * taxonomy's own Japanese names (classifiers/taxonomy.c), which are also
 * accepted.
 */
static const struct {
	const char *name, *code;
} cat_aliases[] = {
	{ "闇バイト", "crime_recruitment" },        { "犯罪実行者募集", "crime_recruitment" },
	{ "薬物", "drug_ad" },                      { "違法薬物", "drug_ad" },
	{ "危険ドラッグ", "dangerous_drug_ad" },    { "口座売買", "bank_account_trade" },
	{ "口座譲渡", "bank_account_trade" },       { "携帯電話売買", "phone_trade" },
	{ "フィッシング", "phishing" },             { "ID・パスワード売買", "credential_trade" },
	{ "児童ポルノ", "child_pornography" },      { "わいせつ", "obscenity" },
	{ "売春", "prostitution_solicitation" },   { "児童誘引", "child_solicitation" },
	{ "殺人請負", "contract_crime" },           { "人身売買", "trafficking" },
	{ "臓器売買", "trafficking" },              { "爆発物", "weapons_explosives" },
	{ "拳銃", "weapons_explosives" },           { "自殺誘引", "suicide_inducement" },
	{ "闇金", "loan_shark_ad" },                { "ヤミ金", "loan_shark_ad" },
	{ "違法賭博", "illegal_gambling" },         { "オンラインカジノ", "illegal_gambling" },
	{ "偽サイト", "fake_shop" },                { "偽ショップ", "fake_shop" },
	{ "偽造在留カード", "forged_documents" },  { "偽造身分証", "forged_documents" },
};

/* One record: fields point into the arena. */
struct record {
	const char *f[INTAKE_MAX_FIELDS];
	int n;
	int too_many;
	long line;
};

struct reader {
	struct arena *a;
	const char *p, *end;
	long line;
};

/* Reads one field's text into the arena. Returns 1 at the end of the record, 0 for more fields. */
static int read_field(struct reader *rd, const char **out)
{
	const char *s = rd->p;
	char *buf, *w;

	if (s < rd->end && *s == '"') {
		/* quoted: "" is a quote, anything else (line breaks too) is data */
		const char *q = s + 1;
		size_t cap = 0;

		while (q < rd->end) {
			if (*q == '"') {
				if (q + 1 < rd->end && q[1] == '"') {
					q += 2;
					cap++;
					continue;
				}
				break;
			}
			q++;
			cap++;
		}
		w = buf = arena_alloc(rd->a, cap + 1);
		for (q = s + 1; q < rd->end; q++) {
			if (*q == '"') {
				if (q + 1 < rd->end && q[1] == '"') {
					if (w)
						*w++ = '"';
					q++;
					continue;
				}
				q++;
				break;
			}
			if (*q == '\n')
				rd->line++;
			if (w)
				*w++ = *q;
		}
		if (w)
			*w = '\0';
		/* anything between the closing quote and the separator is kept as data */
		s = q;
		while (s < rd->end && *s != ',' && *s != '\n' && *s != '\r')
			s++;
	} else {
		const char *q = s;

		while (q < rd->end && *q != ',' && *q != '\n' && *q != '\r')
			q++;
		buf = arena_strndup(rd->a, s, (size_t)(q - s));
		s = q;
	}
	*out = buf ? buf : "";
	if (s < rd->end && *s == ',') {
		rd->p = s + 1;
		return 0;
	}
	if (s < rd->end && *s == '\r')
		s++;
	if (s < rd->end && *s == '\n') {
		s++;
		rd->line++;
	}
	rd->p = s;
	return 1;
}

/* Reads the next record; 0 at the end of the input. Blank lines are skipped. */
static int read_record(struct reader *rd, struct record *r)
{
	const char *v;

	while (rd->p < rd->end && (*rd->p == '\n' || *rd->p == '\r')) {
		if (*rd->p == '\n')
			rd->line++;
		rd->p++;
	}
	if (rd->p >= rd->end)
		return 0;
	memset(r, 0, sizeof(*r));
	r->line = rd->line;
	for (;;) {
		int last = read_field(rd, &v);

		if (r->n < INTAKE_MAX_FIELDS)
			r->f[r->n++] = v;
		else
			r->too_many = 1;
		if (last)
			break;
	}
	return 1;
}

/* Trims ASCII and ideographic spaces in place (fields live in the arena). */
static const char *trim(const char *s)
{
	char *t, *end;

	for (;;) {
		if (*s == ' ' || *s == '\t')
			s++;
		else if (!strncmp(s, "\xe3\x80\x80", 3))
			s += 3;
		else
			break;
	}
	t = (char *)s;
	end = t + strlen(t);
	for (;;) {
		if (end > t && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		else if (end - t >= 3 && !strncmp(end - 3, "\xe3\x80\x80", 3))
			end -= 3;
		else
			break;
	}
	*end = '\0';
	return t;
}

static int days_in(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Reads exactly n digits. */
static int digits(const char **s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		*v = *v * 10 + (*s)[i] - '0';
	}
	*s += n;
	return 0;
}

int intake_parse_date(const char *s, char *out, size_t size)
{
	int y, mo, d, h = 0, mi = 0, se = 0, zh = 9, zm = 0, neg = 0;
	char sep;

	if (digits(&s, 4, &y) < 0 || (*s != '-' && *s != '/'))
		return -1;
	sep = *s++;
	if (digits(&s, 2, &mo) < 0 || *s++ != sep || digits(&s, 2, &d) < 0)
		return -1;
	if (y < 1990 || mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo))
		return -1;
	if (*s == 'T' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) < 0 || *s++ != ':' || digits(&s, 2, &mi) < 0)
			return -1;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &se) < 0)
				return -1;
			if (*s == '.') {
				s++;
				if (!isdigit((unsigned char)*s))
					return -1;
				while (isdigit((unsigned char)*s))
					s++; /* fractions of a second are dropped */
			}
		}
		if (h > 23 || mi > 59 || se > 59)
			return -1;
		if (*s == ' ')
			s++;
		if (*s == 'Z') {
			zh = 0;
			s++;
		} else if (*s == '+' || *s == '-') {
			neg = *s++ == '-';
			if (digits(&s, 2, &zh) < 0)
				return -1;
			if (*s == ':')
				s++;
			if (*s && digits(&s, 2, &zm) < 0)
				return -1;
			if (zh > 14 || zm > 59)
				return -1;
		}
	}
	if (*s)
		return -1;
	snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d%c%02d:%02d", y, mo, d, h, mi, se, neg ? '-' : '+',
		 zh, zm);
	return 0;
}

/* The taxonomy code for a category as a hotline file writes it (code or Japanese name), or NULL. */
static const char *category_code(const char *c)
{
	const struct taxonomy_entry *t = taxonomy_find(c);
	size_t i;

	if (t)
		return t->code;
	for (i = 0; i < taxonomy_count(); i++)
		if (!strcmp(taxonomy_get(i)->ja, c))
			return taxonomy_get(i)->code;
	for (i = 0; i < sizeof(cat_aliases) / sizeof(cat_aliases[0]); i++)
		if (!strcmp(cat_aliases[i].name, c))
			return cat_aliases[i].code;
	return NULL;
}

static char *read_file(const char *path, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	char *body;

	if (!f) {
		err_set(e, PRC_IO, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	body = malloc(INTAKE_FILE_MAX + 1);
	if (!body) {
		fclose(f);
		err_set(e, PRC_NOMEM, "out of memory");
		return NULL;
	}
	*len = fread(body, 1, INTAKE_FILE_MAX + 1, f);
	if (ferror(f) || *len > INTAKE_FILE_MAX) {
		err_set(e, PRC_IO, ferror(f) ? "cannot read '%s'" : "'%s' is larger than 64 MiB", path);
		fclose(f);
		free(body);
		return NULL;
	}
	fclose(f);
	body[*len] = '\0';
	return body;
}

/* Lines of the file that hold bytes no row may keep, and why (one reason per line). */
struct damage {
	long *line;
	const char **why;
	size_t n, cap;
};

static int damage_add(struct damage *dm, long line, const char *why)
{
	if (dm->n && dm->line[dm->n - 1] == line)
		return 0;
	if (dm->n == dm->cap) {
		size_t nc = dm->cap ? dm->cap * 2 : 16;
		long *nl = realloc(dm->line, nc * sizeof(*nl));
		const char **nw;

		if (!nl)
			return -1;
		dm->line = nl;
		nw = realloc(dm->why, nc * sizeof(*nw));
		if (!nw)
			return -1;
		dm->why = nw;
		dm->cap = nc;
	}
	dm->line[dm->n] = line;
	dm->why[dm->n] = why;
	dm->n++;
	return 0;
}

/* The reason for the first damaged line in [from, to), or NULL. Lines are added in order. */
static const char *damage_in(const struct damage *dm, long from, long to, long *where)
{
	size_t lo = 0, hi = dm->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (dm->line[mid] < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < dm->n && dm->line[lo] < to) {
		*where = dm->line[lo];
		return dm->why[lo];
	}
	return NULL;
}

/*
 * Finds NUL bytes (made spaces, so the parser can go on; their rows are bad)
 * and, in a file taken for UTF-8, bytes that are not UTF-8 (made '?').
 * Sets *utf8 when the file is to be read as UTF-8.
 */
static int scan_damage(char *body, size_t len, int *utf8, struct damage *dm)
{
	size_t i, k, good = 0, badb = 0, bad;
	long line = 1;

	for (i = 0; i < len; i += k) {
		k = utf8_seq((const unsigned char *)body + i, len - i, &bad);
		if (!k) {
			badb++;
			k = 1;
		} else if (k > 1) {
			good++;
		}
	}
	*utf8 = badb == 0 || good > badb;
	for (i = 0; i < len; i += k) {
		k = 1;
		if (body[i] == '\n') {
			line++;
		} else if (body[i] == '\0') {
			body[i] = ' ';
			if (damage_add(dm, line, "a NUL byte") < 0)
				return -1;
		} else if (*utf8 && !(k = utf8_seq((const unsigned char *)body + i, len - i, &bad))) {
			body[i] = '?';
			k = 1;
			if (damage_add(dm, line, "bytes that are not UTF-8") < 0)
				return -1;
		} else if (!*utf8) {
			k = 1;
		}
	}
	return 0;
}

/* In text decoded from Shift_JIS, lines with U+FFFD held bytes that were not Shift_JIS. */
static int scan_replaced(const char *text, size_t len, struct damage *dm, struct damage *out)
{
	const char *p = text, *end = text + len, *r;
	long line = 1;
	size_t i = 0;

	while ((r = memmem(p, (size_t)(end - p), "\xef\xbf\xbd", 3))) {
		for (; p < r; p++)
			if (*p == '\n')
				line++;
		/* keep the merged list in line order */
		while (i < dm->n && dm->line[i] < line) {
			if (damage_add(out, dm->line[i], dm->why[i]) < 0)
				return -1;
			i++;
		}
		if (damage_add(out, line, "bytes that are not Shift_JIS") < 0)
			return -1;
		p = r + 3;
	}
	for (; i < dm->n; i++)
		if (damage_add(out, dm->line[i], dm->why[i]) < 0)
			return -1;
	return 0;
}

/* A report file read and decoded, with the lines its bad bytes are on. */
struct csv_file {
	char *body;            /* the bytes (malloc'd) */
	char *text;            /* decoded to UTF-8 (in the arena) */
	size_t len;            /* of text */
	struct damage raw;     /* damage found in the bytes */
	struct damage decoded; /* ... and in the decoded text (Shift_JIS) */
	struct damage *dmg;    /* the one that counts */
};

static void csv_release(struct csv_file *cf)
{
	free(cf->raw.line);
	free(cf->raw.why);
	free(cf->decoded.line);
	free(cf->decoded.why);
	free(cf->body);
}

/* Reads path and decodes it (see intake_csv) into cf. PRC_IO or PRC_NOMEM with e set. */
static enum prc csv_decode(struct arena *a, const char *path, struct csv_file *cf, struct err *e)
{
	const char *charset;
	size_t len = 0;
	int utf8, truncated = 0;
	enum prc rc;

	cf->dmg = &cf->raw;
	cf->body = read_file(path, &len, e);
	if (!cf->body)
		return PRC_IO;
	/*
	 * UTF-8 (with or without a BOM) is read as such; anything else is what a
	 * Japanese spreadsheet writes, Shift_JIS (read as CP932). Detection
	 * guesses wrong on files this short.
	 */
	if (scan_damage(cf->body, len, &utf8, &cf->raw) < 0)
		return err_set(e, PRC_NOMEM, "out of memory");
	rc = charset_decode(a, utf8 ? "text/csv; charset=utf-8" : "text/csv; charset=Shift_JIS",
			    cf->body, len, 0, &cf->text, &cf->len, &charset, &truncated, e);
	if (rc != PRC_OK)
		return rc;
	if (!utf8) {
		if (scan_replaced(cf->text, cf->len, &cf->raw, &cf->decoded) < 0)
			return err_set(e, PRC_NOMEM, "out of memory");
		cf->dmg = &cf->decoded;
	}
	return PRC_OK;
}

/* Which field of the header record rec each column is in (-1: none). */
static void map_header(const struct record *rec, int cols[NCOLS])
{
	int i, k;
	size_t j;

	for (i = 0; i < NCOLS; i++)
		cols[i] = -1;
	for (i = 0; i < rec->n; i++) {
		const char *name = trim(rec->f[i]);

		for (k = 0; k < NCOLS; k++)
			if (!strcasecmp(name, col_names[k]) && cols[k] < 0)
				cols[k] = i;
		for (j = 0; j < sizeof(col_aliases) / sizeof(col_aliases[0]); j++)
			if (!strcasecmp(name, col_aliases[j].name) && cols[col_aliases[j].col] < 0)
				cols[col_aliases[j].col] = i;
	}
}

/*
 * Checks one row's values v; writes why it is refused into why ("" when it
 * is good). A good row's canonical URL and origin are malloc'd into *canon
 * and *origin, its date written into at (40 bytes).
 */
static void check_row(const char *const *v, const struct record *rec, const char *damaged, long dline,
		      char *why, size_t size, char **canon, char **origin, char *at)
{
	struct err ue;

	why[0] = '\0';
	if (damaged)
		snprintf(why, size, "%s (line %ld)", damaged, dline);
	else if (rec->too_many)
		snprintf(why, size, "more than %d fields", INTAKE_MAX_FIELDS);
	else if (strlen(v[COL_SOURCE]) > INTAKE_SOURCE_MAX)
		snprintf(why, size, "source is %zu bytes (at most %d)", strlen(v[COL_SOURCE]),
			 INTAKE_SOURCE_MAX);
	else if (strlen(v[COL_REF]) > INTAKE_REFERENCE_MAX)
		snprintf(why, size, "reference is %zu bytes (at most %d)", strlen(v[COL_REF]),
			 INTAKE_REFERENCE_MAX);
	else if (!*v[COL_URL])
		snprintf(why, size, "no URL");
	else if (url_canonicalize(v[COL_URL], NULL, canon, &ue) != PRC_OK)
		snprintf(why, size, "bad URL '%.300s': %s", v[COL_URL], ue.msg);
	else if (!(*origin = url_origin(*canon)))
		snprintf(why, size, "bad URL '%.300s'", v[COL_URL]);
	else if (!*v[COL_AT])
		snprintf(why, size, "no reported_at date");
	else if (intake_parse_date(v[COL_AT], at, 40) < 0)
		snprintf(why, size, "bad date '%.100s' (YYYY-MM-DD [HH:MM[:SS]] [zone])", v[COL_AT]);
	else if (*v[COL_CAT] && !category_code(v[COL_CAT]))
		snprintf(why, size, "unknown category '%.100s' (a code of TAXONOMY.md or its Japanese name)",
			 v[COL_CAT]);
}

/* A growing array of good rows. */
struct good_rows {
	struct report_row *v;
	size_t n, cap;
};

/* Appends a good row (canon and origin are copied into a). -1 without memory. */
static int add_row(struct good_rows *r, struct arena *a, const char *const *v, const struct record *rec,
		   const char *canon, const char *origin, const char *at)
{
	struct report_row *row;

	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct report_row *nr = realloc(r->v, ncap * sizeof(*nr));

		if (!nr)
			return -1;
		r->v = nr;
		r->cap = ncap;
	}
	row = &r->v[r->n];
	row->url = arena_strdup(a, canon);
	row->origin = arena_strdup(a, origin);
	row->reported_at = at;
	row->source = *v[COL_SOURCE] ? v[COL_SOURCE] : NULL;
	row->reference = *v[COL_REF] ? v[COL_REF] : NULL;
	row->category = *v[COL_CAT] ? category_code(v[COL_CAT]) : NULL;
	row->line = rec->line;
	if (!row->url || !row->origin)
		return -1;
	r->n++;
	return 0;
}

/* What intake_read made of a file: the good rows, and what they point into. */
struct intake_batch {
	struct arena *a;
	struct good_rows rows;
	struct csv_file cf;
};

void intake_batch_free(struct intake_batch *b)
{
	if (!b)
		return;
	csv_release(&b->cf);
	free(b->rows.v);
	arena_free(b->a);
	free(b);
}

size_t intake_batch_count(const struct intake_batch *b)
{
	return b ? b->rows.n : 0;
}

enum prc intake_read(const char *path, intake_bad_fn bad, void *ud, struct intake_stats *st,
		     struct intake_batch **out, struct err *e)
{
	struct intake_batch *b = calloc(1, sizeof(*b));
	int cols[NCOLS], i;
	char why[1600];
	struct reader rd;
	struct record rec;
	enum prc rc = PRC_OK;

	*out = NULL;
	memset(st, 0, sizeof(*st));
	if (!b || !(b->a = arena_new())) {
		free(b);
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	rc = csv_decode(b->a, path, &b->cf, e);
	if (rc != PRC_OK)
		goto out;
	rd.a = b->a;
	rd.p = b->cf.text;
	rd.end = b->cf.text + b->cf.len;
	rd.line = 1;
	if (!read_record(&rd, &rec)) {
		rc = err_set(e, PRC_PARSE, "'%s' is empty: a header line (url,reported_at,...) is needed", path);
		goto out;
	}
	map_header(&rec, cols);
	if (cols[COL_URL] < 0 || cols[COL_AT] < 0) {
		rc = err_set(e, PRC_PARSE, "'%s': the header (line %ld) has no '%s' column (in Japanese '%s')",
			     path, rec.line, cols[COL_URL] < 0 ? "url" : "reported_at",
			     cols[COL_URL] < 0 ? "URL" : "通報日時");
		goto out;
	}
	while (read_record(&rd, &rec)) {
		const char *v[NCOLS], *damaged;
		char *canon = NULL, *origin = NULL, *at;
		long dline = 0;
		int added;

		st->rows++;
		for (i = 0; i < NCOLS; i++)
			v[i] = cols[i] >= 0 && cols[i] < rec.n ? trim(rec.f[cols[i]]) : "";
		at = arena_alloc(b->a, 40);
		if (!at) {
			rc = err_set(e, PRC_NOMEM, "out of memory");
			goto out;
		}
		/* the record's lines: from rec.line up to where the reader stands now */
		damaged = damage_in(b->cf.dmg, rec.line, rd.line + (rd.p >= rd.end ? 1 : 0), &dline);
		check_row(v, &rec, damaged, dline, why, sizeof(why), &canon, &origin, at);
		if (why[0]) {
			st->bad++;
			if (bad)
				bad(rec.line, why, ud);
			free(canon);
			free(origin);
			continue;
		}
		added = add_row(&b->rows, b->a, v, &rec, canon, origin, at);
		free(canon);
		free(origin);
		if (added < 0) {
			rc = err_set(e, PRC_NOMEM, "out of memory");
			goto out;
		}
	}
out:
	if (rc != PRC_OK) {
		intake_batch_free(b);
		return rc;
	}
	*out = b;
	return PRC_OK;
}

enum prc intake_csv(struct db *d, const char *path, const char *job, const char *actor,
		    intake_bad_fn bad, void *ud, struct intake_stats *st, struct err *e)
{
	struct intake_batch *b = NULL;
	enum prc rc;

	rc = intake_read(path, bad, ud, st, &b, e);
	if (rc != PRC_OK)
		return rc;
	rc = reports_add(d, job, b->rows.v, b->rows.n, actor, path, &st->urls_new, &st->reports_new, e);
	if (rc == PRC_OK)
		st->good = b->rows.n;
	intake_batch_free(b);
	return rc;
}
