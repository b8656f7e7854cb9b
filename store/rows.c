/*
 * rows.c - results copied into plain strings, so that the console can read
 * what store/ returns without libpq: one allocation per cell, made once,
 * read-only after.
 */
#include "store/rows.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "store/rowsconv.h"

int rows_col(const struct rows *r, const char *name)
{
	int i;

	if (!r)
		return -1;
	for (i = 0; i < r->ncols; i++)
		if (!strcmp(r->names[i], name))
			return i;
	return -1;
}

const char *rows_get(const struct rows *r, int row, const char *name)
{
	int c = rows_col(r, name);

	if (c < 0 || row < 0 || row >= r->nrows)
		return NULL;
	return r->cells[(size_t)row * (size_t)r->ncols + (size_t)c];
}

const char *rows_cell(const struct rows *r, int row, int col)
{
	if (!r || row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
		return NULL;
	return r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
}

const char *rows_str(const struct rows *r, int row, const char *name)
{
	const char *s = rows_get(r, row, name);

	return s ? s : "";
}

void rows_free(struct rows *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->names && i < (size_t)r->ncols; i++)
		free(r->names[i]);
	for (i = 0; r->cells && i < (size_t)r->nrows * (size_t)r->ncols; i++)
		free(r->cells[i]);
	free(r->names);
	free(r->cells);
	free(r->types);
	free(r);
}

/* Type OIDs of PostgreSQL's catalog (pg_type.dat), fixed since 7.x. */
static enum rows_type type_of(Oid t)
{
	switch (t) {
	case 20:   /* int8 */
	case 21:   /* int2 */
	case 23:   /* int4 */
	case 26:   /* oid */
	case 700:  /* float4 */
	case 701:  /* float8 */
	case 1700: /* numeric */
		return ROWS_NUMBER;
	case 16: /* bool */
		return ROWS_BOOL;
	case 114:  /* json */
	case 3802: /* jsonb */
		return ROWS_JSON;
	case 1184: /* timestamptz */
		return ROWS_TIME;
	default:
		return ROWS_TEXT;
	}
}

enum prc rows_from_result(const PGresult *res, struct rows **out, struct err *e)
{
	struct rows *r;
	size_t i, n;
	int row, col;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return err_set(e, PRC_NOMEM, "out of memory");
	if (!res) {
		*out = r;
		return PRC_OK;
	}
	r->nrows = PQntuples(res);
	r->ncols = PQnfields(res);
	n = (size_t)r->nrows * (size_t)r->ncols;
	r->names = calloc((size_t)r->ncols + 1, sizeof(char *));
	r->cells = calloc(n + 1, sizeof(char *));
	r->types = calloc((size_t)r->ncols + 1, 1);
	if (!r->names || !r->cells || !r->types)
		goto nomem;
	for (col = 0; col < r->ncols; col++) {
		if (!(r->names[col] = strdup(PQfname(res, col))))
			goto nomem;
		r->types[col] = (unsigned char)type_of(PQftype(res, col));
	}
	for (row = 0, i = 0; row < r->nrows; row++)
		for (col = 0; col < r->ncols; col++, i++)
			if (!PQgetisnull(res, row, col) &&
			    !(r->cells[i] = strdup(PQgetvalue(res, row, col))))
				goto nomem;
	*out = r;
	return PRC_OK;
nomem:
	rows_free(r);
	return err_set(e, PRC_NOMEM, "out of memory");
}
