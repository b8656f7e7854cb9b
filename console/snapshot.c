/*
 * snapshot.c - what a reviewer sees of a page as it looked, without ever
 * letting the page reach anything. The body comes from the WARC record
 * (the caller reads it), never from the live web; Debian's Chromium draws
 * it from a private file and takes a screenshot.
 *
 * DESIGN
 *
 * Several walls, each enough alone for most pages, so that a mistake in
 * one is not a leak:
 *
 *  - the file starts with a Content-Security-Policy meta element before any
 *    byte of the page: default-src 'none' (no script, frame, font, object,
 *    stylesheet or image from anywhere, the page's own folder included),
 *    inline styles and data: images only. Chromium 156's headless
 *    --screenshot takes no picture when scripts are switched off with
 *    --blink-settings=scriptEnabled=false, so the policy is what keeps
 *    scripts (inline ones and event handlers too) from running;
 *  - every "http-equiv" of the page becomes "data-equiv", so no refresh can
 *    take the browser to another URL (a policy does not cover navigation)
 *    and no policy of the page's can loosen ours (policies only add up);
 *  - the browser is told to send every request through a proxy at
 *    127.0.0.1:9, loopback included (<-loopback>), and to resolve no name;
 *  - as root, where unshare -n works, it runs in a fresh network namespace
 *    with no interface up at all.
 *
 * The browser is a process group of its own (setsid), killed whole when it
 * takes longer than the timeout, or when the server stops; its profile and
 * the page live in a mode-0700 directory made for this one rendering and
 * removed after. Everything the child needs is built before fork: the
 * server is threaded, so between fork and exec the child only makes
 * async-signal-safe calls, and it closes every descriptor it inherited (the
 * server's sockets among them).
 */
#include "console/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/fdio.h"

static const char page_head[] =
	"<meta charset=\"utf-8\">"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
	" style-src 'unsafe-inline'; img-src data:\">\n";

static const char *const unshare_paths[] = { "/usr/bin/unshare", "/bin/unshare", NULL };

static pthread_once_t netns_once = PTHREAD_ONCE_INIT;
static const char *netns_unshare; /* the unshare that works here, or NULL */

/* Runs argv (no shell), its output thrown away; its exit status, or -1. */
static int run_quiet(char *const *argv)
{
	pid_t pid;
	int st, fd;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void probe_netns(void)
{
	int i;

	if (geteuid() != 0)
		return;
	for (i = 0; unshare_paths[i]; i++) {
		char *argv[] = { (char *)unshare_paths[i], (char *)"-n", (char *)"/bin/true", NULL };

		if (access(unshare_paths[i], X_OK) == 0 && run_quiet(argv) == 0) {
			netns_unshare = unshare_paths[i];
			return;
		}
	}
}

void snapshot_opts_init(struct snapshot_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->chromium = "/usr/bin/chromium";
	o->timeout_s = 30;
	o->width = 1280;
	o->height = 2000;
	pthread_once(&netns_once, probe_netns);
	o->netns = netns_unshare != NULL;
}

int snapshot_available(const char *chromium)
{
	struct stat st;

	return chromium && stat(chromium, &st) == 0 && S_ISREG(st.st_mode) && access(chromium, X_OK) == 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes s[0, n) escaped for HTML text to fd; -1 on a failed write. */
static int write_escaped(int fd, const char *s, size_t n)
{
	char out[8192];
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		const char *rep = NULL;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '\0': rep = "\xEF\xBF\xBD"; break;
		default: break;
		}
		if (o + 8 > sizeof(out)) {
			if (fd_write_all(fd, out, o) != 0)
				return -1;
			o = 0;
		}
		if (rep) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
		} else {
			out[o++] = s[i];
		}
	}
	return o ? fd_write_all(fd, out, o) : 0;
}

/*
 * The page file: our policy first (after the page's doctype, so the page
 * keeps its rendering mode), then the page with its http-equiv disarmed.
 */
static int write_page(int fd, const char *body, size_t len, int plain)
{
	char *copy = NULL;
	size_t skip = 0, i;
	int rc = -1;

	if (plain) {
		static const char pre[] = "<pre style=\"white-space:pre-wrap;font:14px monospace\">";

		if (fd_write_all(fd, page_head, sizeof(page_head) - 1) != 0 ||
		    fd_write_all(fd, pre, sizeof(pre) - 1) != 0 || write_escaped(fd, body, len) != 0 ||
		    fd_write_all(fd, "</pre>\n", 7) != 0)
			return -1;
		return 0;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, body, len);
	copy[len] = '\0';
	for (i = 0; i + 10 <= len; i++)
		if (!strncasecmp(copy + i, "http-equiv", 10))
			memcpy(copy + i, "data-equiv", 10);
	/* "<!DOCTYPE html>" (after blanks) stays first; anything else goes after our policy */
	while (skip < len && (copy[skip] == ' ' || copy[skip] == '\t' || copy[skip] == '\r' ||
			      copy[skip] == '\n'))
		skip++;
	if (len - skip >= 9 && !strncasecmp(copy + skip, "<!doctype", 9)) {
		char *gt = memchr(copy + skip, '>', len - skip);

		skip = gt ? (size_t)(gt - copy) + 1 : 0;
	} else {
		skip = 0;
	}
	if (fd_write_all(fd, copy, skip) == 0 && fd_write_all(fd, page_head, sizeof(page_head) - 1) == 0 &&
	    fd_write_all(fd, copy + skip, len - skip) == 0)
		rc = 0;
	free(copy);
	return rc;
}

/* The last non-empty line of the browser's log that is not D-Bus noise, into out. */
static void last_words(const char *log, char *out, size_t outlen)
{
	char line[512];
	FILE *f = fopen(log, "r");

	*out = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*line && !strstr(line, "dbus") && !strstr(line, "unexpected operator"))
			snprintf(out, outlen, "%.*s", (int)outlen - 1, line);
	}
	fclose(f);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads the PNG the browser wrote; -1 when there is none, or not a PNG. */
static int read_png(const char *path, char **png, size_t *png_len)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	if (fd_read_file(path, sizeof(sig), SNAPSHOT_PNG_MAX, png, png_len) != 0)
		return -1;
	if (memcmp(*png, sig, sizeof(sig))) {
		free(*png);
		*png = NULL;
		*png_len = 0;
		return -1;
	}
	return 0;
}

enum prc snapshot_render(const struct snapshot_opts *o, const char *body, size_t len, int plain,
			 char **png, size_t *png_len, struct err *e)
{
	const char *tmp = o->tmp_dir && *o->tmp_dir ? o->tmp_dir : getenv("TMPDIR");
	char dir[512], page[600], shot[600], prof[600], log[600], url[620], arg_shot[640],
	     arg_prof[640], arg_size[64], envhome[540], envtmp[540], words[300];
	char *argv[32], *envp[8];
	double deadline;
	enum prc rc = PRC_OK;
	pid_t pid = -1;
	int fd = -1, logfd = -1, st = 0, n = 0, done = 0;

	*png = NULL;
	*png_len = 0;
	if (!snapshot_available(o->chromium))
		return err_set(e, PRC_NOTFOUND, "no browser at '%s'", o->chromium ? o->chromium : "");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/patrol-snap.XXXXXX", tmp);
	if (!mkdtemp(dir))
		return err_set(e, PRC_IO, "cannot make a work directory under '%s'", tmp);
	snprintf(page, sizeof(page), "%s/page.html", dir);
	snprintf(shot, sizeof(shot), "%s/shot.png", dir);
	snprintf(prof, sizeof(prof), "%s/profile", dir);
	snprintf(log, sizeof(log), "%s/browser.log", dir);
	fd = open(page, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write_page(fd, body, len, plain) != 0 || close(fd) != 0) {
		if (fd >= 0)
			close(fd);
		rc = err_set(e, PRC_IO, "cannot write the page to '%s'", page);
		goto out;
	}
	logfd = open(log, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (logfd < 0) {
		rc = err_set(e, PRC_IO, "cannot write '%s'", log);
		goto out;
	}
	snprintf(url, sizeof(url), "file://%s", page);
	snprintf(arg_shot, sizeof(arg_shot), "--screenshot=%s", shot);
	snprintf(arg_prof, sizeof(arg_prof), "--user-data-dir=%s", prof);
	snprintf(arg_size, sizeof(arg_size), "--window-size=%d,%d", o->width > 0 ? o->width : 1280,
		 o->height > 0 ? o->height : 2000);
	snprintf(envhome, sizeof(envhome), "HOME=%s", dir);
	snprintf(envtmp, sizeof(envtmp), "TMPDIR=%s", dir);
	if (o->netns && netns_unshare) {
		argv[n++] = (char *)netns_unshare;
		argv[n++] = (char *)"-n";
	}
	argv[n++] = (char *)o->chromium;
	argv[n++] = (char *)"--headless";
	argv[n++] = (char *)"--no-sandbox";
	argv[n++] = (char *)"--disable-gpu";
	argv[n++] = (char *)"--no-first-run";
	argv[n++] = (char *)"--no-default-browser-check";
	argv[n++] = (char *)"--disable-background-networking";
	argv[n++] = (char *)"--disable-component-update";
	argv[n++] = (char *)"--disable-sync";
	argv[n++] = (char *)"--disable-extensions";
	argv[n++] = (char *)"--disable-breakpad";
	argv[n++] = (char *)"--mute-audio";
	argv[n++] = (char *)"--hide-scrollbars";
	argv[n++] = (char *)"--proxy-server=127.0.0.1:9";
	argv[n++] = (char *)"--proxy-bypass-list=<-loopback>";
	argv[n++] = (char *)"--host-resolver-rules=MAP * ~NOTFOUND";
	argv[n++] = arg_prof;
	argv[n++] = arg_shot;
	argv[n++] = arg_size;
	argv[n++] = url;
	argv[n] = NULL;
	envp[0] = envhome;
	envp[1] = envtmp;
	envp[2] = (char *)"PATH=/usr/bin:/bin";
	envp[3] = (char *)"LANG=C.UTF-8";
	envp[4] = NULL;

	pid = fork();
	if (pid < 0) {
		rc = err_set(e, PRC_IO, "cannot start the browser");
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setsid();
		if (null >= 0)
			dup2(null, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		closefrom(3);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	deadline = now_s() + (o->timeout_s > 0 ? o->timeout_s : 30);
	while (!done) {
		siginfo_t si;

		/* seen exited but not reaped, so its pid (the group's id) cannot be reused yet */
		int w;

		memset(&si, 0, sizeof(si));
		w = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
		if ((w == 0 && si.si_pid == pid) || (w < 0 && errno != EINTR)) {
			done = 1;
		} else if ((o->stop && *o->stop) || now_s() > deadline) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			rc = err_set(e, PRC_AGAIN, o->stop && *o->stop ? "the server is stopping"
									 : "the browser took longer than %d s",
				     o->timeout_s > 0 ? o->timeout_s : 30);
			goto out;
		} else {
			usleep(50 * 1000);
		}
	}
	/* helpers the browser left behind go with its group */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (read_png(shot, png, png_len) != 0) {
		last_words(log, words, sizeof(words));
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			rc = err_set(e, PRC_IO, "cannot run '%s'", o->chromium);
		else
			rc = err_set(e, PRC_IO, "the browser wrote no PNG%s%s", *words ? ": " : "", words);
	}
out:
	if (logfd >= 0)
		close(logfd);
	rm_tree(dir);
	return rc;
}
