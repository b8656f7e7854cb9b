/* fixture.h - the files C unit tests write for the code under test to read. */
#ifndef PATROL_FIXTURE_H
#define PATROL_FIXTURE_H

#include <stdio.h>

/* Writes text to the file dir/name (made or emptied); a file that cannot be written is left to the test's checks. */
static inline void fixture_put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

#endif
