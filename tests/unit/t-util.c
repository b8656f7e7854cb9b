/* t-util.c - unit tests for util/: buffers, arenas, queues, sets, hashes, deadlines. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/tap.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/deadline.h"
#include "util/hash.h"
#include "util/hex.h"
#include "util/hset.h"
#include "util/json.h"
#include "util/queue.h"
#include "util/walk.h"

static void test_buf(void)
{
	struct buf b;

	buf_init(&b, 8);
	is_str(buf_str(&b), "", "empty buffer reads as empty string");
	is_int(buf_add(&b, "1234", 4), PRC_OK, "append under the cap");
	is_int(buf_addf(&b, "%d", 5678), PRC_OK, "formatted append up to the cap");
	is_str(buf_str(&b), "12345678", "content kept");
	is_int(buf_addch(&b, 'x'), PRC_LIMIT, "one byte past the cap is refused");
	ok(b.ptr == NULL && b.len == 0, "a failed append frees the buffer");
	is_int(buf_addstr(&b, "again"), PRC_OK, "buffer reusable after a failure");
	buf_release(&b);
}

static void test_arena(void)
{
	struct arena *a = arena_new();
	char *s, *big;
	int i, aligned = 1;

	for (i = 0; i < 1000; i++) {
		void *p = arena_alloc(a, (size_t)i % 37 + 1);
		if ((uintptr_t)p % 16)
			aligned = 0;
	}
	ok(aligned, "allocations are 16-byte aligned");
	s = arena_strdup(a, "大麻");
	is_str(s, "大麻", "strdup into the arena");
	big = arena_alloc(a, 1 << 20);
	ok(big != NULL, "a large one-off allocation");
	big[(1 << 20) - 1] = 1;
	s = arena_strndup(a, "abcdef", 3);
	is_str(s, "abc", "strndup copies len bytes");
	arena_free(a);
	arena_free(NULL);
	ok(1, "arena_free(NULL) is harmless");
}

static void *producer(void *arg)
{
	struct queue *q = arg;
	intptr_t i;

	for (i = 1; i <= 10000; i++)
		queue_push(q, (void *)i);
	return NULL;
}

static void test_queue(void)
{
	struct queue *q = queue_new(4);
	pthread_t t1, t2;
	long long sum = 0;
	void *item;
	int n = 0;

	pthread_create(&t1, NULL, producer, q);
	pthread_create(&t2, NULL, producer, q);
	while (n < 20000 && queue_pop(q, &item) == PRC_OK) {
		sum += (intptr_t)item;
		n++;
	}
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	is_int(n, 20000, "every item from two producers arrives through a queue of 4");
	is_int(sum, 2LL * 10000 * 10001 / 2, "and none is duplicated");
	is_int(queue_pop_timed(q, &item, 10), PRC_AGAIN, "timed pop on empty queue says again");
	queue_close(q);
	is_int(queue_push(q, NULL), PRC_DECLINED, "push after close is declined");
	is_int(queue_pop(q, &item), PRC_DECLINED, "pop after close and drain is declined");
	queue_free(q);
}

static void test_hset(void)
{
	struct hset *s = hset_new();
	uint64_t i;
	int fresh = 1;

	for (i = 0; i < 100000; i++)
		if (hset_add(s, hash64(&i, sizeof(i))) != 1)
			fresh = 0;
	ok(fresh, "100000 distinct keys are all new");
	is_int(hset_count(s), 100000, "count");
	i = 42;
	is_int(hset_add(s, hash64(&i, sizeof(i))), 0, "a repeated key is not new");
	is_int(hset_add(s, 0), 1, "key 0 is a key like any other");
	is_int(hset_has(s, 0), 1, "and is found");
	hset_free(s);
}

static void test_sha(void)
{
	char hex[65];

	hash_sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "SHA-256 of 'abc' (FIPS 180-2 example)");
}

static char *csv(const char *s)
{
	static char out[512];
	FILE *f;

	memset(out, 0, sizeof(out));
	f = fmemopen(out, sizeof(out), "w");

	csv_write_field(f, s);
	fclose(f);
	return out;
}

static void test_csv(void)
{
	is_str(csv("=cmd|' /C calc'!A0"), "\"'=cmd|' /C calc'!A0\"", "a formula cell stays text");
	is_str(csv("+1+cmd|x"), "\"'+1+cmd|x\"", "leading +");
	is_str(csv("-2+3"), "\"'-2+3\"", "leading - that is not a number");
	is_str(csv("@SUM(A1)"), "\"'@SUM(A1)\"", "leading @");
	is_str(csv("\t=1"), "\"'\t=1\"", "leading tab");
	is_str(csv("=\"a\",b"), "\"'=\"\"a\"\",b\"", "quotes and commas still escaped");
	is_str(csv("-1"), "-1", "a negative number is left alone");
	is_str(csv("0.75"), "0.75", "a number is left alone");
	is_str(csv("-1.5e-3"), "-1.5e-3", "an exponent is left alone");
	is_str(csv("大麻 a=b"), "大麻 a=b", "= inside a cell is fine");
	is_str(csv("a,b"), "\"a,b\"", "a comma quotes");
	is_str(csv(""), "", "empty");
}

static void test_hex(void)
{
	is_int(hex_value('0'), 0, "hex 0");
	is_int(hex_value('9'), 9, "hex 9");
	is_int(hex_value('a'), 10, "hex a");
	is_int(hex_value('F'), 15, "hex F");
	is_int(hex_value('g'), -1, "g is not hex");
	is_int(hex_value(-61), -1, "a byte above 0x7f is not hex");
}

static void test_deadline(void)
{
	struct timespec before, dl;
	long long ms;

	clock_gettime(CLOCK_REALTIME, &before);
	dl = deadline_after(1999);
	ms = (long long)(dl.tv_sec - before.tv_sec) * 1000 + (dl.tv_nsec - before.tv_nsec) / 1000000;
	ok(dl.tv_nsec >= 0 && dl.tv_nsec < 1000000000L, "a deadline's nanoseconds stay under a second");
	ok(ms >= 1999, "deadline_after(1999) is 1999 ms or more after the time before it");
	dl = deadline_after(0);
	ok(dl.tv_sec > before.tv_sec || (dl.tv_sec == before.tv_sec && dl.tv_nsec >= before.tv_nsec),
	   "deadline_after(0) is not before the time before it");
}

struct walked {
	char seen[512];
	int plain[8];
	int n;
};

static void on_walked(const char *file, int plain, void *ud)
{
	struct walked *w = ud;
	const char *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	if (w->n < 8)
		w->plain[w->n] = plain;
	w->n++;
	strncat(w->seen, base, sizeof(w->seen) - strlen(w->seen) - 2);
	strcat(w->seen, " ");
}

/* A folder's files in name order; plain only where the folder vouches for a regular file. */
static void test_walk(void)
{
	char dir[] = "/tmp/t-walk-XXXXXX", p[600], q[600];
	struct walked w;
	struct err e;
	int problems = 0;
	FILE *f;
	long n;
	const char *names[] = { "b.txt", "a.txt", ".hidden", "sub/c.txt" };
	size_t i;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(p, sizeof(p), "%s/sub", dir);
	mkdir(p, 0700);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if ((f = fopen(p, "w"))) {
			fputs("x", f);
			fclose(f);
		}
	}
	snprintf(p, sizeof(p), "%s/a.txt", dir);
	snprintf(q, sizeof(q), "%s/d-link.txt", dir);
	if (symlink(p, q) != 0)
		diag("symlink failed");
	snprintf(p, sizeof(p), "%s/sub", dir);
	snprintf(q, sizeof(q), "%s/e-dir-link", dir);
	if (symlink(p, q) != 0)
		diag("symlink failed");

	memset(&w, 0, sizeof(w));
	n = walk_files(dir, on_walked, &w, &problems, &e);
	is_int(n, 5, "five files, the linked folder's included, no dot file");
	is_str(w.seen, "a.txt b.txt d-link.txt c.txt c.txt ", "in name order, folders in place");
	ok(w.plain[0] == 1 && w.plain[1] == 1, "regular files the folder listed are plain");
	ok(w.plain[2] == 0, "a link to a file is not plain (whoever resolves it must look)");
	ok(w.plain[3] == 1 && w.plain[4] == 1, "the files inside a linked folder are plain themselves");
	is_int(problems, 0, "no problems");

	memset(&w, 0, sizeof(w));
	snprintf(p, sizeof(p), "%s/a.txt", dir);
	is_int(walk_files(p, on_walked, &w, &problems, &e), 1, "a file given itself is walked");
	ok(w.plain[0] == 0, "and is not plain: nobody listed it");

	snprintf(p, sizeof(p), "%s/none", dir);
	ok(walk_files(p, on_walked, &w, &problems, &e) == -1 && strstr(e.msg, "none"),
	   "a path that does not exist: -1 and a message naming it");

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p) != 0)
		diag("cleanup failed");
}

int main(void)
{
	test_hex();
	test_buf();
	test_arena();
	test_queue();
	test_hset();
	test_sha();
	test_csv();
	test_deadline();
	test_walk();
	return done_testing();
}
