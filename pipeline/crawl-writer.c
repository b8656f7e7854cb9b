/*
 * crawl-writer.c - the writer thread of a crawl: pages into the database in
 * batches, flagged pages into the WARC evidence files.
 *
 * DESIGN
 *
 * One thread with its own connection takes pages from the store queue and
 * commits them CRAWL_BATCH at a time or every CRAWL_BATCH_MS, whichever
 * comes first (crawlstore_write: each page's URL state, fetch, hits and
 * links). New links pass an in-memory seen-set first, and the trap counters
 * (traps.c) see each new URL once. The evidence of flagged pages is written
 * to the WARC files, synced and sealed (the chain heads stored) before the
 * rows that point at it are committed: a failure costs the evidence, never
 * the page. After the commit each page's host id goes back to the fetch
 * thread (c->committed) and the page is freed.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/traps.h"
#include "crawler/warc.h"
#include "pipeline/crawl-int.h"
#include "store/crawlstore.h"
#include "store/evidence.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/hset.h"
#include "util/log.h"
#include "util/queue.h"

#define CRAWL_BATCH_MS 200      /* ... or this long, whichever first */

/*
 * Writes a flagged page's request and response to the WARC files and points
 * its record at them. The files are synced before the rows that point at
 * them are committed; a failure costs the evidence, not the page.
 */
static int write_evidence(struct crawl *c, struct crawl_page *p)
{
	struct fetch *x = p->fx;
	struct warc_exchange ex;
	struct warc_loc *loc;
	struct err e;

	if (!x || !c->warc)
		return 0;
	loc = arena_calloc(p->arena, 1, sizeof(*loc));
	if (!loc)
		return 0;
	memset(&ex, 0, sizeof(ex));
	ex.target_uri = p->url;
	ex.ip = x->server_ip;
	ex.date = x->started;
	ex.request = x->req_headers.ptr;
	ex.request_len = x->req_headers.len;
	ex.response_headers = x->resp_headers.ptr;
	ex.response_headers_len = x->resp_headers.len;
	ex.body = x->body.ptr;
	ex.body_len = x->body.len;
	ex.truncated = x->truncated ? "length" : NULL;
	if (warc_write_exchange(c->warc, &ex, loc, &e) != PRC_OK) {
		log_msg(LOG_ERROR, "cannot write the evidence of '%s': %s", p->url, e.msg);
		return 0;
	}
	p->rec.warc_file = loc->file;
	p->rec.warc_offset = loc->offset;
	p->rec.warc_length = loc->length;
	p->rec.warc_record_id = loc->record_id;
	p->rec.warc_digest = loc->digest;
	return 1;
}

void crawl_mark_trap(void *ud, const char *family, const char *reason)
{
	struct crawl *c = ud;

	traps_mark(c->traps, family, reason);
	atomic_fetch_add(&c->trap_families, 1);
}

/*
 * Keeps the job's URL families in the database: the traps with the reason
 * of their verdict and the open families of some size, with their figures.
 */
void crawl_save_families(struct crawl *c, struct db *d)
{
	struct trap_family *f = NULL;
	struct store_family *sf = NULL;
	size_t n = 0, i;
	struct err e;

	if (traps_report(c->traps, &f, &n) != PRC_OK || !n)
		goto out;
	sf = calloc(n, sizeof(*sf));
	if (!sf)
		goto out;
	for (i = 0; i < n; i++) {
		sf[i].family = f[i].family;
		sf[i].pages = f[i].fetched;
		sf[i].repeats = f[i].repeats;
		sf[i].trap = f[i].trap;
		sf[i].reason = f[i].reason;
	}
	if (crawlstore_save_families(d, c->job_id, sf, n, &e) != PRC_OK)
		log_msg(LOG_WARN, "cannot keep the URL families: %s", e.msg);
out:
	free(sf);
	free(f);
}

/* Stores the chain heads of the WARC files written to (crawler/warc.c, DESIGN). */
static enum prc seal_evidence(struct crawl *c, struct db *d, struct err *e)
{
	struct warc_head h[WARC_HEADS_MAX];
	size_t nh, i;
	enum prc rc = PRC_OK;

	while ((nh = warc_heads(c->warc, h, WARC_HEADS_MAX)) > 0)
		for (i = 0; i < nh; i++)
			if (rc == PRC_OK)
				rc = evidence_seal(d, h[i].file, h[i].records, h[i].bytes, h[i].head, e);
	return rc;
}

/*
 * Drops the links of r this process already sent (the seen-set keeps them
 * out of the database round trip) and lets the trap counters see each new
 * URL once; refusals are counted by reason.
 */
static void filter_links(struct crawl *c, struct hset *seen, struct store_record *r)
{
	struct store_link *links = (struct store_link *)r->links;
	size_t j, k;

	for (j = k = 0; j < r->nlinks; j++) {
		if (hset_add(seen, hash64(links[j].url, strlen(links[j].url))) == 0)
			continue;
		if (!links[j].reason && c->traps) {
			enum refusal why = traps_admit(c->traps, links[j].url);

			if (why != REFUSE_NONE)
				links[j].reason = refusal_name(why);
		}
		if (links[j].reason) {
			enum refusal q;

			for (q = REFUSE_NONE; q < REFUSE_COUNT; q++)
				if (!strcmp(refusal_name(q), links[j].reason))
					crawl_count_refusal(c, q);
		}
		links[k++] = links[j];
	}
	r->nlinks = k;
}

/*
 * Counts what the database made of each record of a committed batch, and
 * shows the stored pages to the trap families. Returns 1 when a family was
 * judged a trap.
 */
static int count_committed(struct crawl *c, struct crawl_page **batch, const struct store_record *recs,
			   size_t n)
{
	int judged = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!recs[i].stored) {
			atomic_fetch_add(&c->lost_claims, 1);
			continue;
		}
		if (recs[i].quarantined) {
			log_msg(LOG_WARN, "cannot store '%s': the database refused one of its values; "
				"kept in the quarantine table", batch[i]->url);
			atomic_fetch_add(&c->quarantined, 1);
			continue;
		}
		if (recs[i].retry) {
			atomic_fetch_add(&c->retries, 1);
			continue;
		}
		atomic_fetch_add(&c->stored, 1);
		atomic_fetch_add(&c->hits, recs[i].nhits);
		atomic_fetch_add(&c->links_new, recs[i].nlinks);
		if (recs[i].alias_of)
			atomic_fetch_add(&c->aliases, 1);
		if (batch[i]->has_sketch && traps_observe(c->traps, batch[i]->url, &batch[i]->sketch)) {
			char fam[512];

			traps_family(batch[i]->url, fam, sizeof(fam));
			log_msg(LOG_INFO, "cutting URL family '%s': its pages repeat what it served", fam);
			atomic_fetch_add(&c->trap_families, 1);
			judged = 1;
		}
	}
	return judged;
}

static void writer_failed(struct crawl *c, const char *msg)
{
	atomic_store(&c->writer_failed, 1);
	snprintf(c->writer_error, sizeof(c->writer_error), "%s", msg);
}

static void writer_flush(struct crawl *c, struct db *d, struct hset *seen, struct crawl_page **batch,
			 size_t n)
{
	int evidence = 0;
	uint64_t mark = crawl_cpu_ns();
	struct store_record *recs;
	struct err e;
	size_t i;

	if (!n)
		return;
	recs = calloc(n, sizeof(*recs));
	if (!recs) {
		writer_failed(c, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		filter_links(c, seen, &batch[i]->rec);
		if (batch[i]->rec.nhits && batch[i]->fx)
			evidence += write_evidence(c, batch[i]);
		recs[i] = batch[i]->rec;
	}
	if (evidence && (warc_sync(c->warc, &e) != PRC_OK || seal_evidence(c, d, &e) != PRC_OK)) {
		/* rows point only at records synced and sealed: these become orphans */
		log_msg(LOG_ERROR, "cannot seal the evidence files, the batch is stored without it: %s", e.msg);
		for (i = 0; i < n; i++)
			recs[i].warc_file = NULL;
	}
	if (crawlstore_write(d, c->job_id, c->owner, recs, n, 10, &e) != PRC_OK) {
		/* nothing was committed: the URLs stay claimed and the next lease re-queues them */
		writer_failed(c, e.msg);
		goto out;
	}
	if (count_committed(c, batch, recs, n))
		crawl_save_families(c, d);
out:
	free(recs);
	for (i = 0; i < n; i++) {
		/* cannot block: the queue holds more than can ever be pending */
		queue_trypush(c->committed, (void *)(intptr_t)batch[i]->host_id);
		crawl_page_free(batch[i]);
	}
	atomic_fetch_sub(&c->pending, (long)n);
	crawl_stage_charge(c, STAGE_STORE, &mark);
}

void *crawl_writer_main(void *arg)
{
	struct writer_arg *w = arg;
	struct crawl *c = w->c;
	struct crawl_page *batch[CRAWL_BATCH];
	struct hset *seen = hset_new();
	int64_t first = 0;
	size_t n = 0;

	for (;;) {
		void *item = NULL;
		long wait = n ? CRAWL_BATCH_MS - (long)(crawl_now_ms() - first) : 500;
		enum prc rc = queue_pop_timed(c->store, &item, wait > 0 ? wait : 0);

		if (rc == PRC_OK) {
			if (atomic_load(&c->writer_failed) || !seen) {
				queue_trypush(c->committed, (void *)(intptr_t)((struct crawl_page *)item)->host_id);
				crawl_page_free(item);
				atomic_fetch_sub(&c->pending, 1);
				continue;
			}
			if (!n)
				first = crawl_now_ms();
			batch[n++] = item;
		}
		if (n && (n == CRAWL_BATCH || rc != PRC_OK || crawl_now_ms() - first >= CRAWL_BATCH_MS)) {
			writer_flush(c, w->db, seen, batch, n);
			n = 0;
		}
		if (rc == PRC_DECLINED)
			break;
	}
	if (!seen)
		writer_failed(c, "out of memory");
	hset_free(seen);
	return NULL;
}
