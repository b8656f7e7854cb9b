/* export.c - `patrol export [--format jsonl|csv|table] [--job NAME]`: flagged pages, one row per page and category. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/workflow.h"
#include "store/db.h"
#include "store/export.h"
#include "util/json.h"
#include "util/text.h"

enum format { FMT_JSONL, FMT_CSV, FMT_TABLE };

struct out {
	enum format fmt;
	long rows;
};

/* Copies at most width display columns of s (CJK counted as two) into a line. */
static void table_cell(const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	int used = 0;

	while (*p) {
		int w = *p >= 0xE0 ? 2 : 1;
		int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
		int i;

		if (*p == '\n' || *p == '\t' || *p == '\r') {
			p++;
			w = 1;
			if (used + w > width)
				break;
			putchar(' ');
			used += w;
			continue;
		}
		if (used + w > width)
			break;
		for (i = 0; i < n && p[i]; i++)
			;
		text_inert(stdout, (const char *)p, (size_t)i, TEXT_ONE_WIDE); /* no escape reaches the terminal */
		p += i;
		used += w;
	}
	while (used++ < width)
		putchar(' ');
}

static int row(const char *const *v, void *ud)
{
	struct out *o = ud;
	int i;

	o->rows++;
	switch (o->fmt) {
	case FMT_JSONL:
		putchar('{');
		for (i = 0; i < EXPORT_NFIELDS; i++) {
			if (i)
				putchar(',');
			json_write_str(stdout, export_fields[i]);
			putchar(':');
			if (v[i] && export_field_numeric((enum export_field)i))
				fputs(v[i], stdout);
			else
				json_write_str(stdout, v[i]);
		}
		fputs("}\n", stdout);
		break;
	case FMT_CSV:
		for (i = 0; i < EXPORT_NFIELDS; i++) {
			if (i)
				putchar(',');
			csv_write_field(stdout, v[i]);
		}
		fputs("\r\n", stdout);
		break;
	case FMT_TABLE:
		table_cell(v[EXPORT_CATEGORY], 26);
		putchar(' ');
		table_cell(v[EXPORT_SCORE], 6);
		putchar(' ');
		table_cell(v[EXPORT_URL], 44);
		putchar(' ');
		table_cell(v[EXPORT_EVIDENCE], 50);
		putchar('\n');
		break;
	}
	return ferror(stdout) ? 1 : 0;
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = { { "format", required_argument, NULL, 'f' },
						   { "job", required_argument, NULL, 'j' },
						   { "db", required_argument, NULL, 'd' },
						   { "help", no_argument, NULL, 'h' },
						   { "excel", no_argument, NULL, 'x' },
						   { "encoding", required_argument, NULL, 'E' },
						   { NULL, 0, NULL, 0 } };
	struct out o = { FMT_JSONL, 0 };
	struct out_recode *recode = NULL;
	int excel = 0, cp932 = 0;
	const char *job = NULL, *dbopt = NULL;
	struct err e = { "" };
	struct db *d;
	int c, i;
	enum prc rc;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "jsonl") || !strcmp(optarg, "json"))
				o.fmt = FMT_JSONL;
			else if (!strcmp(optarg, "csv"))
				o.fmt = FMT_CSV;
			else if (!strcmp(optarg, "table"))
				o.fmt = FMT_TABLE;
			else {
				cli_error("--format wants jsonl, csv or table, not '%s'", optarg);
				return 2;
			}
			break;
		case 'j': job = optarg; break;
		case 'd': dbopt = optarg; break;
		case 'x': excel = 1; break;
		case 'E':
			if (strcasecmp(optarg, "cp932") && strcasecmp(optarg, "shift_jis") &&
			    strcasecmp(optarg, "sjis") && strcasecmp(optarg, "utf-8") && strcasecmp(optarg, "utf8")) {
				cli_error("option '--encoding' wants utf-8 or cp932 (Shift_JIS), not '%s'", optarg);
				return 2;
			}
			cp932 = strncasecmp(optarg, "utf", 3) != 0;
			break;
		case 'h':
			printf("usage: patrol export [--format jsonl|csv|table] [--job NAME] [--db CONNINFO]\n"
			       "                     [--excel | --encoding utf-8|cp932]   (CSV for spreadsheets)\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		cli_error("export takes no arguments, only options");
		return 2;
	}
	if ((excel || cp932) && o.fmt != FMT_CSV) {
		cli_error("--excel and --encoding go with --format csv");
		return 2;
	}
	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	/* Excel reads UTF-8 only after a BOM; CP932 is what it reads without one */
	if ((excel || cp932) && !(recode = out_recode_begin(cp932, excel && !cp932))) {
		db_free(d);
		return 1;
	}
	if (o.fmt == FMT_CSV) {
		for (i = 0; i < EXPORT_NFIELDS; i++) {
			if (i)
				putchar(',');
			fputs(export_fields[i], stdout);
		}
		fputs("\r\n", stdout);
	} else if (o.fmt == FMT_TABLE) {
		table_cell("category", 26);
		putchar(' ');
		table_cell("score", 6);
		putchar(' ');
		table_cell("url", 44);
		putchar(' ');
		table_cell("evidence", 50);
		putchar('\n');
	}
	rc = export_run(d, job, row, &o, &e);
	db_free(d);
	if (recode && out_recode_end(recode) != 0 && rc == PRC_OK) {
		cli_error("cannot write the recoded output");
		return 1;
	}
	if (rc != PRC_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	if (o.fmt == FMT_TABLE)
		printf("%ld flagged page%s and categor%s\n", o.rows, o.rows == 1 ? "" : "s",
		       o.rows == 1 ? "y" : "ies");
	return fflush(stdout) == 0 ? 0 : 1;
}
