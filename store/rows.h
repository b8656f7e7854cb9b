/* rows.h - a query result as plain strings, for callers that do not speak libpq (cli/, console/). */
#ifndef PATROL_ROWS_H
#define PATROL_ROWS_H

/*
 * A table of text cells, copied out of a result set: names[col] is a column's
 * name, cells[row * ncols + col] a value (NULL for SQL NULL). Everything is
 * owned by the struct; free it with rows_free. Immutable once made, so it
 * may be read from any thread.
 */
/* What a column holds, as far as writing it out needs to know. */
enum rows_type {
	ROWS_TEXT = 0,
	ROWS_NUMBER, /* integers, floats, numeric: written bare in JSON */
	ROWS_BOOL,   /* "t" / "f" */
	ROWS_JSON,   /* json, jsonb: written as is in JSON */
	ROWS_TIME    /* timestamptz */
};

struct rows {
	int nrows, ncols;
	char **names;
	char **cells;
	unsigned char *types; /* enum rows_type per column */
};

/* The value at row, col (NULL for SQL NULL or out of range). */
const char *rows_cell(const struct rows *r, int row, int col);

/* The column index of name, or -1. */
int rows_col(const struct rows *r, const char *name);

/* The value of column name in row (NULL for SQL NULL, an unknown column or row). */
const char *rows_get(const struct rows *r, int row, const char *name);

/* rows_get, with "" for NULL. */
const char *rows_str(const struct rows *r, int row, const char *name);

/* Frees r and everything in it. NULL is fine. */
void rows_free(struct rows *r);

/* One named table of a record's details, as the detail's outputs name it. */
struct rows_section {
	const char *name;
	const struct rows *rows;
};

#endif
