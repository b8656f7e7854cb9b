/* snapshot.h - a captured page rendered to a PNG by headless Chromium, with no way out to any network. */
#ifndef PATROL_SNAPSHOT_H
#define PATROL_SNAPSHOT_H

#include <stddef.h>

#include "util/err.h"

#define SNAPSHOT_PNG_MAX (32u << 20) /* bytes of one rendering */

struct snapshot_opts {
	const char *chromium;       /* the browser (default /usr/bin/chromium) */
	int timeout_s;              /* the whole rendering, then the browser is killed (default 30) */
	int width, height;          /* the window (default 1280 x 2000) */
	const char *tmp_dir;        /* where the private work directory is made (NULL: $TMPDIR, /tmp) */
	int netns;                  /* 1: run the browser in a fresh network namespace (unshare -n) */
	const volatile int *stop;   /* may be NULL; non-zero ends a rendering at once (PRC_AGAIN) */
};

/* Sets o to the defaults; netns is 1 when running as root and unshare -n works here. */
void snapshot_opts_init(struct snapshot_opts *o);

/* 1 when path is an executable file. */
int snapshot_available(const char *chromium);

/*
 * Renders body (UTF-8; HTML, or plain text when plain) as Chromium shows it
 * with every request to a network refused, into *png (malloc'd, *png_len
 * bytes, a PNG file). The body is written to a private file after a
 * Content-Security-Policy that lets nothing load but inline styles and data:
 * images; scripts cannot run (the policy has no script source) and the
 * page's own http-equiv headers (a refresh to elsewhere) are disarmed. The
 * browser runs in its own process group in a private temporary directory,
 * is killed with its group when it outlives timeout_s, and the directory is
 * removed. PRC_NOTFOUND when chromium is not there, PRC_AGAIN on a timeout
 * or *stop, PRC_IO when no PNG came out (e says the browser's last words).
 * Thread-safe; it blocks for as long as the browser runs.
 */
enum prc snapshot_render(const struct snapshot_opts *o, const char *body, size_t len, int plain,
			 char **png, size_t *png_len, struct err *e);

#endif
