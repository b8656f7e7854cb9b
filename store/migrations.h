/* migrations.h - the schema migrations compiled into the binary (from schema/). */
#ifndef PATROL_MIGRATIONS_H
#define PATROL_MIGRATIONS_H

struct migration {
	int version;      /* NNN of schema/NNN_name.sql */
	const char *name; /* "NNN_name" */
	const char *sql;
};

/* In ascending version order; generated at build time. */
extern const struct migration migrations[];
extern const unsigned migrations_count;

#endif
