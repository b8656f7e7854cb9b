/* taxonomy.h - the category codes of TAXONOMY.md, the only ones a rule may file a hit under. */
#ifndef PATROL_TAXONOMY_H
#define PATROL_TAXONOMY_H

#include <stddef.h>

struct taxonomy_entry {
	const char *code; /* "drug_ad" */
	const char *ja;   /* "規制薬物の広告" */
};

/* The entry for code, or NULL when code is not a known category. Thread-safe. */
const struct taxonomy_entry *taxonomy_find(const char *code);

/* Number of categories and entry i (0 <= i < taxonomy_count()). Static storage. */
size_t taxonomy_count(void);
const struct taxonomy_entry *taxonomy_get(size_t i);

#endif
