/*
 * crawl-image.c - bodies that are not pages, matched against the operator's
 * image hash list.
 *
 * Images are fetched only when a hash list is given (--image-hashes), and
 * only to be matched (classifiers/imagehash.c): a match is the page's one
 * hit, and the image itself is never stored or written to the evidence files.
 */
#include <stdio.h>
#include <string.h>

#include "classifiers/imagehash.h"
#include "pipeline/crawl-int.h"
#include "store/crawlstore.h"
#include "util/arena.h"

/*
 * A body that is not a page is matched against the operator's hash list
 * (SHA-256 and MD5). Only the match is kept: the image itself is neither
 * classified further, nor stored, nor written to the evidence files.
 */
void crawl_match_image(struct crawl *c, struct crawl_page *p)
{
	struct fetch *x = p->fx;
	struct store_hit *h;
	char hex[65];
	char *ev;

	if (!c->imagehash || !x->body.len || x->truncated)
		return;
	if (imagehash_match(c->imagehash, x->body.ptr, x->body.len, hex) != 1)
		return;
	h = arena_calloc(p->arena, 1, sizeof(*h));
	ev = arena_alloc(p->arena, 160 + strlen(p->url));
	if (!h || !ev)
		return;
	snprintf(ev, 160 + strlen(p->url), "image %s matches hash list entry %s", p->url, hex);
	h->category = "child_pornography";
	h->score = 1.0;
	h->classifier = "imagehash";
	h->rule = "imagehash";
	h->rule_file = NULL;
	h->evidence = ev;
	h->ev_start = h->ev_end = -1;
	p->rec.hits = h;
	p->rec.nhits = 1;
	p->no_evidence = 1;
}
