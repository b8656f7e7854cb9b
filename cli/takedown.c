/*
 * takedown.c - `patrol takedown open|send|ack|refuse|close|note|list|show`:
 * the coordinator's commands. Parses arguments, calls store/takedown.h, and
 * prints what changed, the overdue-first list, or a request's history;
 * JSON with --json.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/workflow.h"
#include "store/db.h"
#include "store/takedown.h"
#include "util/json.h"

static int takedown_usage(FILE *f)
{
	fprintf(f,
		"usage: patrol takedown open PAGE_ID... --to KIND --channel CHANNEL [--recipient NAME]\n"
		"                            [--ref REF] [--category C] [--comment TEXT]\n"
		"       patrol takedown send|ack|refuse|close ID... [--ref REF] [--recipient NAME] [--comment TEXT]\n"
		"       patrol takedown close ID... --removed      (removal confirmed by the recipient)\n"
		"       patrol takedown withdraw ID...            (a request never sent)\n"
		"       patrol takedown note ID... --comment TEXT\n"
		"       patrol takedown list [--job J] [--status S|live] [--to KIND] [--recipient NAME]\n"
		"                            [--category C] [--host H] [--overdue] [--sent-days N] [--ack-days M]\n"
		"                            [--limit N] [--format table|csv|json | --json]\n"
		"       patrol takedown show ID [--json]\n"
		"KIND: site_operator, hosting_provider, registrar, platform, hotline\n"
		"CHANNEL: web_form, email, hotline_report, letter\n"
		"Changes take --as NAME (default: the login name); every command takes --db CONNINFO.\n"
		"list puts overdue requests first: sent and not acknowledged after --sent-days (7),\n"
		"acknowledged and not removed after --ack-days (14).\n");
	return f == stdout ? 0 : 2;
}

static int show_cmd(struct db *d, int64_t id, int json)
{
	struct takedown_detail td;
	struct err e = { "" };

	if (takedown_show(d, id, &td, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	if (json) {
		const struct rows_section s[] = { { "events", td.events }, { "rechecks", td.rechecks } };

		out_json_detail(stdout, "request", td.request, s, 2);
	} else {
		out_fields(stdout, td.request, 0, 0);
		printf("\nhistory:\n");
		out_table(stdout, td.events);
		if (td.rechecks->nrows) {
			printf("\nrechecks:\n");
			out_table(stdout, td.rechecks);
		}
	}
	takedown_detail_release(&td);
	return fflush(stdout) == 0 ? 0 : 1;
}

static enum prc list_rows(struct db *d, const void *filter, struct rows **out, struct err *e)
{
	return takedown_list(d, filter, out, e);
}

static void list_tail(const struct rows *r)
{
	int i, overdue = 0;

	for (i = 0; i < r->nrows; i++)
		overdue += *rows_str(r, i, "overdue") == 't';
	printf("%d request%s, %d overdue\n", r->nrows, r->nrows == 1 ? "" : "s", overdue);
}

static const struct cli_view takedown_view = { "takedown", "request", list_rows, list_tail, show_cmd };

int cmd_takedown(int argc, char **argv)
{
	enum {
		O_TO = 256, O_CHANNEL, O_RECIPIENT, O_REF, O_CAT, O_COMMENT, O_REMOVED, O_JOB, O_STATUS,
		O_HOST, O_OVERDUE, O_SENTDAYS, O_ACKDAYS, O_LIMIT, O_AS, O_HELP
	};
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, O_TO },
		{ "channel", required_argument, NULL, O_CHANNEL },
		{ "recipient", required_argument, NULL, O_RECIPIENT },
		{ "ref", required_argument, NULL, O_REF },
		{ "category", required_argument, NULL, O_CAT },
		{ "comment", required_argument, NULL, O_COMMENT },
		{ "removed", no_argument, NULL, O_REMOVED },
		{ "job", required_argument, NULL, O_JOB },
		{ "status", required_argument, NULL, O_STATUS },
		{ "host", required_argument, NULL, O_HOST },
		{ "overdue", no_argument, NULL, O_OVERDUE },
		{ "sent-days", required_argument, NULL, O_SENTDAYS },
		{ "ack-days", required_argument, NULL, O_ACKDAYS },
		{ "limit", required_argument, NULL, O_LIMIT },
		OUT_LONGOPTS,
		{ "as", required_argument, NULL, O_AS },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct takedown_filter f;
	struct takedown_new tn;
	struct takedown_change ch;
	const char *verb, *dbopt = NULL, *comment = NULL, *as = NULL, *to_state = NULL;
	int c, fmt = OUT_TABLE, removed = 0, status = 0, i, n = 0, failed = 0;
	struct err e = { "" };
	struct db *d;
	long v;

	verb = cli_verb(argc, argv, takedown_usage, &status);
	if (!verb)
		return status;
	takedown_filter_init(&f);
	memset(&tn, 0, sizeof(tn));
	memset(&ch, 0, sizeof(ch));
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
		switch (out_option(c, optarg, &fmt, &dbopt)) {
		case 0: break; /* one of OUT_LONGOPTS */
		case -1: return 2;
		case O_TO: tn.kind = optarg; f.kind = optarg; break;
		case O_CHANNEL: tn.channel = optarg; break;
		case O_RECIPIENT: tn.recipient = optarg; ch.recipient = optarg; f.recipient = optarg; break;
		case O_REF: tn.reference = optarg; ch.reference = optarg; break;
		case O_CAT:
			tn.category = f.category = cli_category("--category", optarg);
			if (!tn.category)
				return 2;
			break;
		case O_COMMENT: comment = optarg; break;
		case O_REMOVED: removed = 1; break;
		case O_JOB: f.job = optarg; break;
		case O_STATUS: f.status = optarg; break;
		case O_HOST: f.host = optarg; break;
		case O_OVERDUE: f.overdue_only = 1; break;
		case O_SENTDAYS:
		case O_ACKDAYS:
		case O_LIMIT:
			v = cli_number(c == O_SENTDAYS ? "--sent-days" : c == O_ACKDAYS ? "--ack-days" : "--limit",
				       optarg);
			if (v < 0)
				return 2;
			if (c == O_SENTDAYS)
				f.sent_days = v;
			else if (c == O_ACKDAYS)
				f.ack_days = v;
			else
				f.limit = v;
			break;
		case O_AS: if (cli_name_option("--as", optarg) < 0) return 2; as = optarg; break;
		case O_HELP: return takedown_usage(stdout);
		default: return takedown_usage(stderr);
		}
	}
	optind++; /* back to argv's numbering */

	if (!strcmp(verb, "list") || !strcmp(verb, "show"))
		return cli_view_run(&takedown_view, verb, argc - optind, argv + optind, dbopt, &f, fmt);
	if (!strcmp(verb, "open")) {
		if (!tn.kind || !tn.channel) {
			cli_error("takedown open needs --to KIND and --channel CHANNEL");
			return 2;
		}
		if (!takedown_kind(tn.kind)) {
			cli_error("--to wants site_operator, hosting_provider, registrar, platform or hotline, not '%s'",
				  tn.kind);
			return 2;
		}
		if (!takedown_channel(tn.channel)) {
			cli_error("--channel wants web_form, email, hotline_report or letter, not '%s'", tn.channel);
			return 2;
		}
		tn.kind = takedown_kind(tn.kind);
		tn.channel = takedown_channel(tn.channel);
	} else if (!strcmp(verb, "note")) {
		if (!comment) {
			cli_error("takedown note needs --comment TEXT");
			return 2;
		}
	} else if (!strcmp(verb, "close")) {
		to_state = removed ? "removed" : "expired";
	} else if (!strcmp(verb, "send") || !strcmp(verb, "ack") || !strcmp(verb, "refuse") ||
		   !strcmp(verb, "withdraw")) {
		to_state = takedown_state(verb);
	} else {
		cli_error("'%s' is not a takedown command (open, send, ack, refuse, close, withdraw, note, list, show)", verb);
		return 2;
	}
	if (removed && strcmp(verb, "close")) {
		cli_error("--removed goes with close");
		return 2;
	}
	if (optind == argc) {
		cli_error("takedown %s needs %s ids", verb, !strcmp(verb, "open") ? "page" : "request");
		return 2;
	}
	for (i = optind; i < argc; i++)
		if (cli_id(!strcmp(verb, "open") ? "page" : "request", argv[i]) < 0)
			return 2;
	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	ch.to = to_state;
	if (fmt == OUT_JSON)
		fputs("{\"results\":[", stdout);
	for (i = optind; i < argc; i++) {
		int64_t id = cli_id("", argv[i]), newid = 0;
		char from[16] = "", now[16] = "";
		enum prc rc;

		if (!strcmp(verb, "open")) {
			rc = takedown_open(d, id, &tn, cli_actor(as), comment, &newid, &e);
			snprintf(now, sizeof(now), "open");
		} else {
			rc = takedown_act(d, id, &ch, cli_actor(as), comment, from, now, &e);
		}
		if (fmt == OUT_JSON) {
			if (n++)
				putchar(',');
			if (!strcmp(verb, "open")) {
				printf("{\"page_id\":%" PRId64 ",\"id\":", id);
				if (rc == PRC_OK)
					printf("%" PRId64, newid);
				else
					fputs("null", stdout);
			} else {
				printf("{\"id\":%" PRId64 ",\"from\":", id);
				json_write_str(stdout, from[0] ? from : NULL);
			}
			fputs(",\"status\":", stdout);
			json_write_str(stdout, rc == PRC_OK ? now : from[0] ? from : NULL);
			fputs(",\"error\":", stdout);
			json_write_str(stdout, rc == PRC_OK ? NULL : e.msg);
			putchar('}');
		}
		if (rc != PRC_OK) {
			failed++;
			cli_error("%s %" PRId64 ": %s", !strcmp(verb, "open") ? "page" : "request", id, e.msg);
			continue;
		}
		if (fmt == OUT_JSON)
			continue;
		if (!strcmp(verb, "open"))
			printf("request %" PRId64 " opened for page %" PRId64 "\n", newid, id);
		else if (!strcmp(verb, "note"))
			printf("request %" PRId64 ": note added (%s)\n", id, now);
		else
			printf("request %" PRId64 ": %s → %s\n", id, from, now);
	}
	if (fmt == OUT_JSON)
		printf("],\"failed\":%d}\n", failed);
	db_free(d);
	if (fflush(stdout) != 0)
		return 1;
	return failed ? 1 : 0;
}
