/*
 * report.c - `patrol report`: takedown figures per category, host and
 * provider (store/report.h) as a text table, CSV (one table, a dimension
 * column first) or JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/workflow.h"
#include "store/db.h"
#include "store/report.h"
#include "util/json.h"

static int report_usage(FILE *f)
{
	fprintf(f,
		"usage: patrol report [--job NAME] [--since DATE] [--until DATE] [--by category|host|provider|source]\n"
		"                     [--oldest N] [--format table|csv|json | --json] [--db CONNINFO]\n"
		"Per category, host, provider and source (rule or hotline): pages flagged or reported,\n"
		"confirmed, dismissed, the false-positive\n"
		"rate, requests opened and removed, the removal rate, and the median and 90th percentile\n"
		"of the seconds from detection to removal and from request to removal; then the oldest\n"
		"live requests.\n");
	return f == stdout ? 0 : 2;
}

int cmd_report(int argc, char **argv)
{
	enum { O_JOB = 256, O_SINCE, O_UNTIL, O_BY, O_OLDEST, O_HELP };
	static const struct option longopts[] = {
		{ "job", required_argument, NULL, O_JOB },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "by", required_argument, NULL, O_BY },
		{ "oldest", required_argument, NULL, O_OLDEST },
		OUT_LONGOPTS,
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct report_opts o;
	struct report rep;
	const char *dbopt = NULL;
	int c, fmt = OUT_TABLE, by = -1, i, first = 1;
	struct err e = { "" };
	struct db *d;

	memset(&o, 0, sizeof(o));
	o.oldest = 10;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (out_option(c, optarg, &fmt, &dbopt)) {
		case 0: break; /* one of OUT_LONGOPTS */
		case -1: return 2;
		case O_JOB: o.job = optarg; break;
		case O_SINCE:
		case O_UNTIL:
			if (cli_period_option(c == O_SINCE, optarg, &o.since, &o.until) < 0)
				return 2;
			break;
		case O_BY:
			for (i = 0; i < REPORT_NDIMS; i++)
				if (!strcmp(optarg, report_dim_names[i]))
					by = i;
			if (by < 0) {
				cli_error("--by wants category, host, provider or source, not '%s'", optarg);
				return 2;
			}
			break;
		case O_OLDEST:
			o.oldest = cli_number("--oldest", optarg);
			if (o.oldest < 0)
				return 2;
			break;
		case O_HELP: return report_usage(stdout);
		default: return report_usage(stderr);
		}
	}
	if (optind != argc) {
		cli_error("report takes no arguments, only options");
		return 2;
	}
	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	if (report_run(d, &o, &rep, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		db_free(d);
		return 1;
	}
	if (fmt == OUT_JSON)
		putchar('{');
	for (i = 0; i < REPORT_NDIMS; i++) {
		if (by >= 0 && by != i)
			continue;
		switch (fmt) {
		case OUT_JSON:
			if (!first)
				putchar(',');
			printf("\"by_%s\":", report_dim_names[i]);
			out_json_rows(stdout, rep.dims[i]);
			break;
		case OUT_CSV:
			/* one table: the header once */
			out_csv(stdout, rep.dims[i], "dimension", report_dim_names[i], first);
			break;
		default:
			printf("%sby %s\n", first ? "" : "\n", report_dim_names[i]);
			out_table(stdout, rep.dims[i]);
			break;
		}
		first = 0;
	}
	if (fmt == OUT_JSON) {
		if (by < 0) {
			fputs(",\"oldest_open\":", stdout);
			out_json_rows(stdout, rep.oldest);
		}
		fputs("}\n", stdout);
	} else if (fmt == OUT_TABLE && by < 0) {
		printf("\noldest live requests\n");
		out_table(stdout, rep.oldest);
	}
	report_release(&rep);
	db_free(d);
	return fflush(stdout) == 0 ? 0 : 1;
}
