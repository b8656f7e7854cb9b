/*
 * review.c - `patrol review list|show|confirm|dismiss`: the reviewer's
 * commands. Parses arguments, calls store/review.h, prints a table, the
 * details of one page, or JSON (--json) for scripts.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/workflow.h"
#include "store/db.h"
#include "store/review.h"
#include "util/json.h"

static int review_usage(FILE *f)
{
	fprintf(f,
		"usage: patrol review list [filters] [--sort id|score|date|url|status] [--desc]\n"
		"                          [--limit N] [--offset N] [--format table|csv|json | --json]\n"
		"       patrol review show PAGE_ID [--json]\n"
		"       patrol review confirm|dismiss (PAGE_ID... | filters --yes|--dry-run) [--comment TEXT]\n"
		"                                     [--as NAME] [--json]\n"
		"filters: --job NAME --category C --host H --rule R --min-score X --status S\n"
		"         --since DATE --until DATE (flagged between) --source rule|hotline\n"
		"confirm --set-category C files the pages under C (a hotline lead no rule flagged).\n"
		"confirm/dismiss by filters act on pages whose status is new unless --status says otherwise;\n"
		"they print how many pages match and the first of them, and act only with --yes\n"
		"(--dry-run: only print).\n"
		"Every command takes --db CONNINFO.\n");
	return f == stdout ? 0 : 2;
}

/*
 * What a bulk confirm or dismiss by filters would act on: the count and the
 * first rows. Without --dry-run it is a refusal (exit 2) that says how to
 * go ahead; with it, the answer (exit 0).
 */
static int bulk_preview(struct db *d, const struct review_filter *f, const char *verb, size_t n,
			int dry, int json)
{
	struct review_filter first = *f;
	struct err e = { "" };
	struct rows *r = NULL;

	first.limit = 10;
	first.offset = 0;
	if (review_list(d, &first, &r, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	if (json) {
		printf("{\"matched\":%zu,\"first\":", n);
		out_json_rows(stdout, r);
		printf(",\"done\":false}\n");
	} else {
		printf("%zu page%s match%s; %s would %s %s:\n", n, n == 1 ? "" : "s", n == 1 ? "es" : "",
		       n > 10 ? "the first 10" : "these", verb, n == 1 ? "it" : "them");
		if (r->nrows)
			out_table(stdout, r);
	}
	rows_free(r);
	fflush(stdout);
	if (dry)
		return 0;
	cli_error("nothing done: add --yes to %s %s %zu page%s (or --dry-run to only list them)", verb,
		  n == 1 ? "this" : "these", n, n == 1 ? "" : "s");
	return 2;
}

static void print_section(const char *title, const struct rows *r)
{
	if (!r || r->nrows == 0)
		return;
	printf("\n%s:\n", title);
	out_table(stdout, r);
}

static int review_show_cmd(struct db *d, int64_t id, int json)
{
	struct review_detail rd;
	struct err e = { "" };
	int i;

	if (review_show(d, id, &rd, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	if (json) {
		struct rows_section s[REVIEW_SECTIONS];

		review_detail_sections(&rd, s);
		out_json_detail(stdout, "page", rd.page, s, REVIEW_SECTIONS);
	} else {
		out_fields(stdout, rd.page, 0, 0);
		if (rd.hits->nrows)
			printf("\nhits:\n");
		for (i = 0; i < rd.hits->nrows; i++) {
			printf("  fetch %s  %s  %s  score %s  (", rows_str(rd.hits, i, "fetch_id"),
			       rows_str(rd.hits, i, "category"), rows_str(rd.hits, i, "rule"),
			       rows_str(rd.hits, i, "score"));
			out_text(stdout, rows_str(rd.hits, i, "rule_file"), 0);
			printf(")\n    ");
			out_text(stdout, rows_str(rd.hits, i, "evidence"), 0);
			putchar('\n');
		}
		print_section("evidence (WARC)", rd.evidence);
		print_section("review history", rd.events);
		print_section("takedown requests", rd.takedowns);
		print_section("rechecks", rd.rechecks);
		print_section("reports", rd.reports);
	}
	review_detail_release(&rd);
	return fflush(stdout) == 0 ? 0 : 1;
}

static enum prc list_rows(struct db *d, const void *filter, struct rows **out, struct err *e)
{
	return review_list(d, filter, out, e);
}

static void list_tail(const struct rows *r)
{
	printf("%d page%s\n", r->nrows, r->nrows == 1 ? "" : "s");
}

static const struct cli_view review_view = { "review", "page", list_rows, list_tail, review_show_cmd };

int cmd_review(int argc, char **argv)
{
	enum {
		O_JOB = 256, O_CAT, O_HOST, O_RULE, O_MINSCORE, O_STATUS, O_SINCE, O_UNTIL, O_SORT, O_DESC,
		O_LIMIT, O_OFFSET, O_COMMENT, O_AS, O_HELP, O_YES, O_DRYRUN,
		O_SOURCE, O_SETCAT
	};
	static const struct option longopts[] = {
		{ "job", required_argument, NULL, O_JOB },
		{ "category", required_argument, NULL, O_CAT },
		{ "host", required_argument, NULL, O_HOST },
		{ "rule", required_argument, NULL, O_RULE },
		{ "min-score", required_argument, NULL, O_MINSCORE },
		{ "status", required_argument, NULL, O_STATUS },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "sort", required_argument, NULL, O_SORT },
		{ "desc", no_argument, NULL, O_DESC },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "offset", required_argument, NULL, O_OFFSET },
		OUT_LONGOPTS,
		{ "comment", required_argument, NULL, O_COMMENT },
		{ "as", required_argument, NULL, O_AS },
		{ "yes", no_argument, NULL, O_YES },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "set-category", required_argument, NULL, O_SETCAT },
		{ "dry-run", no_argument, NULL, O_DRYRUN },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct review_filter f;
	const char *verb, *dbopt = NULL, *comment = NULL, *as = NULL, *to = NULL, *setcat = NULL;
	int c, fmt = OUT_TABLE, filtered = 0, status = 0, i, yes = 0, dry = 0;
	int64_t *ids = NULL;
	size_t nids = 0, k, changed = 0, unchanged = 0, failed = 0;
	struct err e = { "" };
	struct db *d;
	char *end;
	long v;

	verb = cli_verb(argc, argv, review_usage, &status);
	if (!verb)
		return status;
	review_filter_init(&f);
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
		switch (out_option(c, optarg, &fmt, &dbopt)) {
		case 0: break; /* one of OUT_LONGOPTS */
		case -1: return 2;
		case O_JOB: f.job = optarg; filtered = 1; break;
		case O_CAT:
			f.category = cli_category("--category", optarg);
			if (!f.category)
				return 2;
			filtered = 1;
			break;
		case O_HOST: f.host = optarg; filtered = 1; break;
		case O_RULE: f.rule = optarg; filtered = 1; break;
		case O_STATUS: f.status = optarg; filtered = 1; break;
		case O_SINCE:
		case O_UNTIL:
			if (cli_period_option(c == O_SINCE, optarg, &f.since, &f.until) < 0)
				return 2;
			filtered = 1;
			break;
		case O_MINSCORE:
			f.min_score = strtod(optarg, &end);
			if (*end || end == optarg || f.min_score < 0 || f.min_score > 1) {
				cli_error("--min-score wants a number from 0 to 1, not '%s'", optarg);
				return 2;
			}
			filtered = 1;
			break;
		case O_SORT: f.sort = optarg; break;
		case O_DESC: f.desc = 1; break;
		case O_LIMIT:
		case O_OFFSET:
			v = cli_number(c == O_LIMIT ? "--limit" : "--offset", optarg);
			if (v < 0)
				return 2;
			if (c == O_LIMIT)
				f.limit = v;
			else
				f.offset = v;
			break;
		case O_COMMENT: comment = optarg; break;
		case O_AS: if (cli_name_option("--as", optarg) < 0) return 2; as = optarg; break;
		case O_YES: yes = 1; break;
		case O_SOURCE:
			if (strcmp(optarg, "rule") && strcmp(optarg, "hotline")) {
				cli_error("option '--source' wants rule or hotline, not '%s'", optarg);
				return 2;
			}
			f.source = optarg;
			filtered = 1;
			break;
		case O_SETCAT:
			setcat = cli_category("--set-category", optarg);
			if (!setcat)
				return 2;
			break;
		case O_DRYRUN: dry = 1; break;
		case O_HELP: return review_usage(stdout);
		default: return review_usage(stderr);
		}
	}
	optind++; /* back to argv's numbering */

	if (!strcmp(verb, "list") || !strcmp(verb, "show"))
		return cli_view_run(&review_view, verb, argc - optind, argv + optind, dbopt, &f, fmt);
	if (!strcmp(verb, "confirm"))
		to = "confirmed";
	else if (!strcmp(verb, "dismiss"))
		to = "dismissed";
	else {
		cli_error("'%s' is not a review command (list, show, confirm, dismiss)", verb);
		return 2;
	}
	if (optind == argc && !filtered) {
		cli_error("review %s needs page ids or filters (--job, --category, ...)", verb);
		return 2;
	}
	if (setcat && strcmp(to, "confirmed")) {
		cli_error("--set-category goes with confirm");
		return 2;
	}
	if (optind < argc && filtered) {
		cli_error("review %s takes page ids or filters, not both", verb);
		return 2;
	}
	if ((yes || dry) && !filtered) {
		cli_error("--yes and --dry-run go with filters; page ids are acted on as given");
		return 2;
	}
	if (yes && dry) {
		cli_error("--yes and --dry-run exclude each other");
		return 2;
	}
	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	if (optind < argc) {
		nids = (size_t)(argc - optind);
		ids = calloc(nids, sizeof(*ids));
		if (!ids) {
			cli_error("out of memory");
			db_free(d);
			return 1;
		}
		for (i = optind; i < argc; i++) {
			ids[i - optind] = cli_id("page", argv[i]);
			if (ids[i - optind] < 0) {
				free(ids);
				db_free(d);
				return 2;
			}
		}
	} else {
		if (!f.status)
			f.status = "new";
		if (review_select(d, &f, &ids, &nids, &e) != PRC_OK) {
			cli_error("%s", e.msg);
			db_free(d);
			return 1;
		}
		if (!yes) {
			status = bulk_preview(d, &f, verb, nids, dry, fmt == OUT_JSON);
			free(ids);
			db_free(d);
			return status;
		}
	}
	if (fmt == OUT_JSON)
		fputs("{\"results\":[", stdout);
	for (k = 0; k < nids; k++) {
		char from[16] = "";
		enum prc rc = review_decide(d, ids[k], to, setcat, cli_actor(as), comment, from, &e);

		if (fmt == OUT_JSON) {
			if (k)
				putchar(',');
			printf("{\"page_id\":%" PRId64 ",\"result\":", ids[k]);
			json_write_str(stdout, rc == PRC_OK ? "changed"
					       : rc == PRC_DECLINED && !strcmp(from, to) ? "unchanged"
											 : "refused");
			fputs(",\"from\":", stdout);
			json_write_str(stdout, from[0] ? from : NULL);
			fputs(",\"status\":", stdout);
			json_write_str(stdout, rc == PRC_OK ? to : from[0] ? from : NULL);
			fputs(",\"error\":", stdout);
			json_write_str(stdout, rc == PRC_OK || !strcmp(from, to) ? NULL : e.msg);
			putchar('}');
		}
		if (rc == PRC_OK) {
			changed++;
			if (fmt != OUT_JSON)
				printf("page %" PRId64 ": %s → %s\n", ids[k], from, to);
		} else if (rc == PRC_DECLINED && !strcmp(from, to)) {
			unchanged++;
			if (fmt != OUT_JSON)
				printf("page %" PRId64 ": already %s\n", ids[k], to);
		} else {
			failed++;
			cli_error("page %" PRId64 ": %s", ids[k], e.msg);
		}
	}
	if (fmt == OUT_JSON)
		printf("],\"changed\":%zu,\"unchanged\":%zu,\"failed\":%zu}\n", changed, unchanged, failed);
	else if (nids != 1)
		printf("%zu page%s %s, %zu unchanged, %zu refused\n", changed, changed == 1 ? "" : "s", to,
		       unchanged, failed);
	free(ids);
	db_free(d);
	if (fflush(stdout) != 0)
		return 1;
	return failed ? 1 : 0;
}
