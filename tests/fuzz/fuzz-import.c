/*
 * fuzz-import.c - libFuzzer target: reading a hotline or public report file
 * (patrol import), without the database. The input is the file; whatever it
 * holds (any encoding, quoting, field sizes, NULs), intake_read must end
 * with the good rows and every other row named once, or with a refusal of
 * the file, never a crash or a leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/intake.h"
#include "tests/fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void on_bad(long line, const char *why, void *ud)
{
	size_t *n = ud;

	if (line < 1 || !why || !*why)
		abort(); /* a refused row is named with its line and a reason */
	(*n)++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "/tmp/patrol-fuzz-import-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intake_batch *b = NULL;
	struct intake_stats st;
	struct err e;
	size_t nbad = 0;
	enum prc rc;

	fixture_write(path, data, size);
	rc = intake_read(path, on_bad, &nbad, &st, &b, &e);
	if (rc == PRC_OK) {
		if (!b || st.bad != nbad || intake_batch_count(b) + st.bad != st.rows)
			abort(); /* every row is either kept or named */
	} else if (b || !e.msg[0]) {
		abort();
	}
	intake_batch_free(b);
	return 0;
}
