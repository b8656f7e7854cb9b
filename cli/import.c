/*
 * import.c - `patrol import FILE.csv`: hotline and public reports into a
 * crawl job (pipeline/intake.h). Bad rows are named as FILE:LINE: why on
 * stderr and make the exit status 1; the good rows are imported anyway.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/workflow.h"
#include "pipeline/intake.h"
#include "store/db.h"
#include "util/json.h"

struct bad_ctx {
	const char *file;
	int json;
	int n;
};

static void on_bad(long line, const char *why, void *ud)
{
	struct bad_ctx *b = ud;

	fprintf(stderr, "%s:%ld: %s\n", b->file, line, why);
	if (b->json) {
		if (b->n)
			putchar(',');
		printf("{\"line\":%ld,\"error\":", line);
		json_write_str(stdout, why);
		putchar('}');
	}
	b->n++;
}

static int import_usage(FILE *f)
{
	fprintf(f,
		"usage: patrol import FILE.csv [--job NAME] [--as NAME] [--json] [--db CONNINFO]\n"
		"The CSV (UTF-8 or Shift_JIS) has a header naming its columns: url, reported_at (required),\n"
		"source, reference, category (optional), or in Japanese: URL, 通報日時, 通報元, 受付番号, 分類;\n"
		"a category is a code of TAXONOMY.md or a Japanese name (規制薬物の広告, 闇バイト, ...).\n"
		"Good rows become seeds of the job (default 'hotline'); crawl them with\n"
		"`patrol crawl --resume --job NAME`. Bad rows are named FILE:LINE on stderr (exit status 1).\n");
	return f == stdout ? 0 : 2;
}

int cmd_import(int argc, char **argv)
{
	enum { O_JOB = 256, O_AS, O_JSON, O_DB, O_HELP };
	static const struct option longopts[] = {
		{ "job", required_argument, NULL, O_JOB },
		{ "as", required_argument, NULL, O_AS },
		{ "json", no_argument, NULL, O_JSON },
		{ "db", required_argument, NULL, O_DB },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	const char *job = "hotline", *as = NULL, *dbopt = NULL;
	struct intake_stats st;
	struct bad_ctx b = { NULL, 0, 0 };
	struct err e = { "" };
	struct db *d;
	enum prc rc;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_JOB: job = optarg; break;
		case O_AS: if (cli_name_option("--as", optarg) < 0) return 2; as = optarg; break;
		case O_JSON: b.json = 1; break;
		case O_DB: dbopt = optarg; break;
		case O_HELP: return import_usage(stdout);
		default: return import_usage(stderr);
		}
	}
	if (optind != argc - 1) {
		cli_error("import takes one CSV file");
		return 2;
	}
	b.file = argv[optind];
	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	if (b.json)
		fputs("{\"bad\":[", stdout);
	rc = intake_csv(d, b.file, job, cli_actor(as), on_bad, &b, &st, &e);
	db_free(d);
	if (b.json) {
		printf("],\"job\":");
		json_write_str(stdout, job);
		printf(",\"rows\":%zu,\"imported\":%zu,\"bad_rows\":%zu,\"new_urls\":%zu,\"new_reports\":%zu,"
		       "\"error\":",
		       st.rows, st.good, st.bad, st.urls_new, st.reports_new);
		json_write_str(stdout, rc == PRC_OK ? NULL : e.msg);
		fputs("}\n", stdout);
	}
	if (rc != PRC_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	if (!b.json)
		printf("imported %zu of %zu rows into job '%s' (%zu new URLs, %zu new reports); %zu bad\n", st.good,
		       st.rows, job, st.urls_new, st.reports_new, st.bad);
	if (fflush(stdout) != 0)
		return 1;
	return st.bad ? 1 : 0;
}
