/*
 * capture.c - what the console shows of a captured page comes from its
 * WARC record, never from the live web: the record is read and its
 * digests checked (crawler/warc.h), and its body is turned into text by
 * the same two functions the crawler used (charset_decode, html_parse),
 * so the offsets the hits carry point into the same bytes. The text is
 * only ever written into a page through html_esc.
 */
#include "console/capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawler/charset.h"
#include "crawler/html.h"
#include "crawler/warc.h"
#include "util/arena.h"
#include "util/buf.h"

#define CAPTURE_RECORD_MAX (64u << 20)

void capture_release(struct capture *c)
{
	if (!c)
		return;
	free(c->record);
	free(c->text);
	free(c->body);
	memset(c, 0, sizeof(*c));
}

enum prc capture_load(const char *warc_dir, const char *warc_file, uint64_t offset,
		      const char *page_url, int want, struct capture *out, struct err *e)
{
	struct warc_record r;
	struct buf rec;
	struct err ve = { "" };
	struct arena *a = NULL;
	struct html_doc doc;
	char path[4096], ct[256] = "";
	const char *charset = NULL;
	char *text = NULL;
	size_t tlen = 0;
	int truncated = 0;
	enum prc rc, vr;

	memset(out, 0, sizeof(*out));
	if (strstr(warc_file, "..") && warc_file[0] != '/')
		return err_set(e, PRC_INVALID, "refusing the WARC file name '%s'", warc_file);
	if (warc_file[0] == '/')
		snprintf(path, sizeof(path), "%s", warc_file);
	else
		snprintf(path, sizeof(path), "%s/%s", warc_dir, warc_file);
	buf_init(&rec, CAPTURE_RECORD_MAX);
	rc = warc_read_record(path, offset, &rec, e);
	if (rc == PRC_OK)
		rc = warc_record_parse(rec.ptr, rec.len, &r, e);
	if (rc == PRC_OK && !r.http)
		rc = err_set(e, PRC_PARSE, "the record at offset %llu of '%s' is not an HTTP response",
			     (unsigned long long)offset, warc_file);
	if (rc != PRC_OK)
		goto out;
	vr = warc_record_verify(&r, &ve);
	out->verified = vr == PRC_OK;
	if (!out->verified)
		snprintf(out->verify, sizeof(out->verify), "%.*s", (int)sizeof(out->verify) - 1,
			 vr == PRC_NOTFOUND ? "the record carries no digest" : ve.msg);
	if (want && r.body_len) {
		warc_http_header(&r, "Content-Type", ct, sizeof(ct));
		a = arena_new();
		if (!a) {
			rc = err_set(e, PRC_NOMEM, "out of memory");
			goto out;
		}
		rc = charset_decode(a, *ct ? ct : NULL, r.body, r.body_len, 0, &text, &tlen, &charset,
				    &truncated, e);
		if (rc != PRC_OK)
			goto out;
		snprintf(out->charset, sizeof(out->charset), "%s", charset ? charset : "");
		out->plain = !strncasecmp(ct, "text/plain", 10);
		if (want & CAPTURE_BODY) {
			out->body = malloc(tlen + 1);
			if (!out->body) {
				rc = err_set(e, PRC_NOMEM, "out of memory");
				goto out;
			}
			if (tlen)
				memcpy(out->body, text, tlen);
			out->body[tlen] = '\0';
			out->body_len = tlen;
		}
		if (!(want & CAPTURE_TEXT)) {
			text = NULL;
			tlen = 0;
		} else if (!out->plain) {
			rc = html_parse(a, text, tlen, page_url, NULL, 1, &doc, e);
			if (rc != PRC_OK)
				goto out;
			text = (char *)doc.text;
			tlen = doc.text ? doc.text_len : 0;
		}
		if (want & CAPTURE_TEXT) {
			out->text = malloc(tlen + 1);
			if (!out->text) {
				rc = err_set(e, PRC_NOMEM, "out of memory");
				goto out;
			}
			if (tlen)
				memcpy(out->text, text, tlen);
			out->text[tlen] = '\0';
			out->text_len = tlen;
		}
	}
	out->record_len = rec.len;
	out->record = buf_detach(&rec, NULL);
	if (!out->record)
		rc = err_set(e, PRC_NOMEM, "out of memory");
out:
	arena_free(a);
	buf_release(&rec);
	if (rc != PRC_OK)
		capture_release(out);
	return rc;
}
