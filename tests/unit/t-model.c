/* t-model.c - unit tests for classifiers/model: training, the file format and its refusals, scoring, the label CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/model.h"
#include "classifiers/rulehub.h"
#include "classifiers/normalize.h"
#include "tests/tap.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/log.h"

static const char *const cats[] = { "drug_ad", "suicide_inducement" };

/* A tiny corpus: drug ads, invitations to die together, and ordinary chatter. */
static const char *const drug[] = {
	"大麻あります。手押しで即日発送、テレグラムで連絡ください。1g 8000円",
	"アイス入荷しました。手渡しOK、テレグラムまで。純度高め",
	"野菜あります、手押し可能。連絡はテレグラムで、即日お渡し",
	"クリスタル在庫あり。テレグラムDMで注文、郵送対応します",
};
static const char *const suicide[] = {
	"一緒に死んでくれる人を募集しています。練炭は用意します",
	"集団で死にませんか。車と練炭はこちらで準備します、DMで",
	"一緒に逝ける人いませんか。楽に死ねる方法を一緒に",
	"死にたい人募集、一緒に練炭で。場所は決めてあります",
};
static const char *const none[] = {
	"今日は晴れたので公園を散歩しました。桜がきれいでした",
	"新しいレシピを試しました。野菜スープがおいしくできました",
	"来週の会議の資料を準備しています。よろしくお願いします",
	"駅前のカフェでアイスコーヒーを飲みました。店員さんが親切",
	"週末は家族で映画を見に行きました。とても楽しかったです",
};

static enum prc add(struct model_trainer *t, const char *text, int label)
{
	struct arena *a = arena_new();
	struct nview n, s;
	const char *p[1];
	size_t l[1];
	struct err e;
	enum prc rc;

	rc = normalize_views(a, text, strlen(text), &n, &s);
	if (rc == PRC_OK) {
		p[0] = s.s;
		l[0] = s.len;
		rc = model_trainer_add(t, p, l, 1, label, &e);
	}
	arena_free(a);
	return rc;
}

/* Trains the tiny corpus into out; 0 on success. */
static int train(struct buf *out)
{
	struct model_trainer *t;
	struct err e;
	size_t i;
	int bad = 0;

	t = model_trainer_new(cats, 2, &e);
	if (!t)
		return -1;
	for (i = 0; i < sizeof(drug) / sizeof(drug[0]); i++)
		bad |= add(t, drug[i], 0) != PRC_OK;
	for (i = 0; i < sizeof(suicide) / sizeof(suicide[0]); i++)
		bad |= add(t, suicide[i], 1) != PRC_OK;
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		bad |= add(t, none[i], -1) != PRC_OK;
	bad |= model_trainer_docs(t, 0) != 4 || model_trainer_docs(t, -1) != 5;
	bad |= model_trainer_write(t, out, &e) != PRC_OK;
	model_trainer_free(t);
	return bad ? -1 : 0;
}

/* The model's probabilities for text (normalized here as the classifier does). */
static void score(const struct model *m, const char *text, double *probs)
{
	struct arena *a = arena_new();
	struct nview n, s;
	struct model_acc acc;

	normalize_views(a, text, strlen(text), &n, &s);
	model_acc_init(&acc, m);
	model_acc_add_range(&acc, &s, 0, strlen(text));
	model_acc_probs(&acc, probs);
	arena_free(a);
}

static void test_train_and_score(void)
{
	struct buf b1, b2;
	struct model *m = NULL;
	struct err e;
	double p[2];

	buf_init(&b1, MODEL_FILE_MAX);
	buf_init(&b2, MODEL_FILE_MAX);
	ok(train(&b1) == 0, "the tiny corpus trains");
	ok(train(&b2) == 0, "and trains again");
	ok(b1.len == b2.len && b1.len > 0 && !memcmp(b1.ptr, b2.ptr, b1.len),
	   "training twice gives the same bytes (%zu)", b1.len);
	if (!ok(model_parse(b1.ptr, b1.len, "tiny.model", &m, &e) == PRC_OK, "the model loads"))
		diag("%s", e.msg);
	if (!m)
		goto out;
	is_int((int)model_category_count(m), 2, "two categories");
	is_str(model_category(m, 0), "drug_ad", "in the order given");
	is_int(model_category_index(m, "suicide_inducement"), 1, "found by code");
	is_int(model_category_index(m, "phishing"), -1, "an unknown code is -1");
	is_int((int)strlen(model_hash(m)), 64, "its hash is 64 hex digits");

	/* phrasings the corpus does not hold, in other forms (full-width, katakana, spaces);
	   "none" is what the categories leave: 1 - p[0] - p[1] */
	score(m, "ﾃﾚｸﾞﾗﾑで連絡を。大麻 手押し 即日", p);
	ok(p[0] > p[1] && p[0] > 1 - p[0] - p[1],
	   "a drug ad in other forms: argmax drug_ad (%.2f, %.2f)", p[0], p[1]);
	score(m, "誰か一緒に死んでくれませんか、練炭を用意しました", p);
	ok(p[1] > p[0] && p[1] > 1 - p[0] - p[1],
	   "an invitation: argmax suicide_inducement (%.2f, %.2f)", p[0], p[1]);
	score(m, "週末は公園で家族と散歩しました。とても楽しかったです", p);
	ok(1 - p[0] - p[1] > p[0] && 1 - p[0] - p[1] > p[1], "chatter: argmax none (%.2f, %.2f)",
	   p[0], p[1]);
	score(m, "", p);
	ok(p[0] == 0 && p[1] == 0, "an empty text gets 0 everywhere");
	score(m, "xyzzy qwvj", p);
	ok(p[0] == 0 && p[1] == 0, "a text of n-grams the model never saw gets 0");
out:
	model_free(m);
	buf_release(&b1);
	buf_release(&b2);
}

static void test_refusals(void)
{
	struct buf b;
	struct model *m = NULL;
	struct err e;
	unsigned char *copy;
	size_t n;

	buf_init(&b, MODEL_FILE_MAX);
	if (train(&b) != 0) {
		ok(0, "cannot train");
		return;
	}
	n = b.len;
	copy = malloc(n);
	memcpy(copy, b.ptr, n);

	ok(model_parse(copy, n - 1, "cut.model", &m, &e) == PRC_PARSE && !m,
	   "a file one byte short is refused");
	ok(strstr(e.msg, "cut.model") && strstr(e.msg, "truncated"), "and says so: %s", e.msg);
	ok(model_parse(copy, 20, "cut.model", &m, &e) == PRC_PARSE && !m,
	   "a file cut in its header is refused");
	ok(model_parse(copy, 3, "cut.model", &m, &e) == PRC_PARSE && !m,
	   "three bytes are refused");

	copy[0] = 'X';
	ok(model_parse(copy, n, "magic.model", &m, &e) == PRC_PARSE && !m,
	   "a bad magic is refused");
	ok(strstr(e.msg, "bad magic") != NULL, "and says so: %s", e.msg);
	copy[0] = b.ptr[0];

	copy[8] = 99; /* the format version */
	ok(model_parse(copy, n, "v99.model", &m, &e) == PRC_PARSE && !m,
	   "another format version is refused");
	ok(strstr(e.msg, "version 99") && strstr(e.msg, "patrol train"), "and says so: %s", e.msg);
	copy[8] = b.ptr[8];

	copy[n / 2] ^= 0x55;
	ok(model_parse(copy, n, "flip.model", &m, &e) == PRC_PARSE && !m,
	   "a flipped byte in the body is refused");
	ok(strstr(e.msg, "hash") != NULL, "by the content hash: %s", e.msg);
	copy[n / 2] ^= 0x55;

	/* a body cut short that hashes right (written so on purpose): its lengths still disagree */
	hash_sha256(copy, n - 32 - 5, copy + n - 32 - 5);
	ok(model_parse(copy, n - 5, "lie.model", &m, &e) == PRC_PARSE && !m,
	   "a consistent hash over a damaged body is still refused: %s", e.msg);

	ok(model_parse(b.ptr, b.len, "good.model", &m, &e) == PRC_OK && m, "the original loads");
	model_free(m);
	ok(model_load("/nonexistent/patrol.model", &m, &e) == PRC_NOTFOUND && !m,
	   "a missing file is PRC_NOTFOUND");
	free(copy);
	buf_release(&b);
}

static void test_trainer_args(void)
{
	static const char *const bad[] = { "drug_ad", "no_such_category" };
	static const char *const twice[] = { "drug_ad", "drug_ad" };
	struct model_trainer *t;
	struct buf b;
	struct err e;

	ok(!model_trainer_new(bad, 2, &e) && strstr(e.msg, "no_such_category"),
	   "an unknown category is refused: %s", e.msg);
	ok(!model_trainer_new(twice, 2, &e), "a category given twice is refused");
	t = model_trainer_new(cats, 2, &e);
	buf_init(&b, MODEL_FILE_MAX);
	ok(t && add(t, "ただの日記です", -1) == PRC_OK, "a none document is added");
	ok(t && model_trainer_write(t, &b, &e) == PRC_INVALID, "but nothing to learn is refused");
	model_trainer_free(t);
	buf_release(&b);
}

struct rows {
	int pos, neg, line;
	char text[256];
};

static int on_row(const char *category, const char *text, size_t len, int line, void *ud)
{
	struct rows *r = ud;

	if (category)
		r->pos++;
	else
		r->neg++;
	r->line = line;
	snprintf(r->text, sizeof(r->text), "%.*s", (int)len, text);
	return 0;
}

static enum prc csv(const char *data, struct rows *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	return model_read_csv(data, strlen(data), "labels.csv", on_row, r, e);
}

static void test_csv(void)
{
	struct rows r;
	struct err e;

	if (!ok(csv("\xef\xbb\xbfurl,category,score,evidence,review_status\r\n"
	       "http://a/,drug_ad,0.9,\"大麻, あります\",confirmed\r\n"
	       "http://b/,drug_ad,0.8,\"アイス\"\"クリーム\"\"\r\nです\",dismissed\r\n"
	       "http://c/,phishing,0.7,x,new\r\n",
	       &r, &e) == PRC_OK,
	   "an export CSV (BOM, CRLF, quotes, a line break in a field) reads"))
		diag("%s", e.msg);
	is_int(r.pos, 1, "confirmed is a positive");
	is_int(r.neg, 1, "dismissed a negative, new skipped");
	is_int(r.line, 3, "the row's first line");
	is_str(r.text, "アイス\"クリーム\"\r\nです", "quotes and line breaks kept");

	ok(csv("category,review_status,text\nmystery,confirmed,x\n", &r, &e) == PRC_PARSE &&
		   strstr(e.msg, "labels.csv:2:") && strstr(e.msg, "mystery"),
	   "an unknown category is refused with file:line: %s", e.msg);
	ok(csv("category,review_status,text\ndrug_ad,confirmed,x\n"
	       "drug_ad,confirmed,\"a\nb\"\ndrug_ad,\"confirmed,x\n",
	       &r, &e) == PRC_PARSE && strstr(e.msg, "labels.csv:5:"),
	   "a quote never closed is refused at its row: %s", e.msg);
	ok(csv("category,review_status,text\ndrug_ad,confirmed,ab\"c\n", &r, &e) == PRC_PARSE &&
		   strstr(e.msg, "labels.csv:2:"),
	   "a stray quote is refused: %s", e.msg);
	ok(csv("category,review_status,text\ndrug_ad,confirmed,\"ab\"c\n", &r, &e) == PRC_PARSE &&
		   strstr(e.msg, "labels.csv:2:"),
	   "text after a closing quote is refused: %s", e.msg);
	ok(csv("category,review_status,text\ndrug_ad,confirmed\n", &r, &e) == PRC_PARSE &&
		   strstr(e.msg, "labels.csv:2:") && strstr(e.msg, "2 fields"),
	   "a missing column in a row is refused: %s", e.msg);
	ok(csv("category,text\ndrug_ad,x\n", &r, &e) == PRC_PARSE &&
		   strstr(e.msg, "labels.csv:1:") && strstr(e.msg, "review_status"),
	   "a header without review_status is refused: %s", e.msg);
	ok(csv("category,review_status,text\ndrug_ad,maybe,x\n", &r, &e) == PRC_PARSE &&
		   strstr(e.msg, "labels.csv:2:") && strstr(e.msg, "maybe"),
	   "an unknown review status is refused: %s", e.msg);
	ok(csv("", &r, &e) == PRC_PARSE && strstr(e.msg, "labels.csv:1:"),
	   "an empty file is refused");
}

static void quiet(enum log_level level, const char *msg, void *ud)
{
	(void)level;
	(void)msg;
	(void)ud;
}

static int put(const char *path, const void *data, size_t len)
{
	char tmp[600];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return rename(tmp, path);
}

/*
 * The model is loaded with the rules (<rules>/../model/patrol.model) and
 * reloaded with them; a broken model is refused and the running set, its
 * model with it, stays. Run from the repository root (lua/lib).
 */
static void test_reload(void)
{
	static const char rule[] =
		"return { name = \"probe.model\", category = \"drug_ad\",\n"
		"  patterns = { any = { \"大麻\" } },\n"
		"  classify = function(page, m) return lib.model(page, \"drug_ad\") or 0 end }\n";
	char top[] = "/tmp/t-model.XXXXXX", rules[64], mdir[64], mpath[128], rpath[128];
	struct rulehub *hub = NULL;
	struct ruleset *rs;
	struct buf b, errs;
	char first[SHA256_HEX_LEN + 1];

	if (!mkdtemp(top)) {
		ok(0, "cannot make a temporary directory");
		return;
	}
	log_set_sink(quiet, NULL); /* the refused reload logs its error lines */
	snprintf(rules, sizeof(rules), "%s/rules", top);
	snprintf(mdir, sizeof(mdir), "%s/model", top);
	snprintf(mpath, sizeof(mpath), "%s/patrol.model", mdir);
	mkdir(rules, 0755);
	mkdir(mdir, 0755);
	snprintf(rpath, sizeof(rpath), "%s/probe.lua", rules);
	put(rpath, rule, strlen(rule));
	buf_init(&b, MODEL_FILE_MAX);
	buf_init(&errs, 1u << 16);
	train(&b);
	put(mpath, b.ptr, b.len);

	if (!ok(rulehub_new(rules, "lua/lib", NULL, &hub, &errs) == PRC_OK,
		"a hub loads rules and model"))
		diag("%s", buf_str(&errs));
	if (!hub)
		goto out;
	rs = rulehub_current(hub);
	ok(ruleset_model(rs) != NULL, "the model beside the rules is loaded with them");
	snprintf(first, sizeof(first), "%s", model_hash(ruleset_model(rs)));
	ruleset_unref(rs);

	/* a model of other documents: the reload brings it in */
	{
		struct model_trainer *t = model_trainer_new(cats, 2, NULL);
		struct err e;

		buf_reset(&b);
		add(t, drug[0], 0);
		add(t, drug[1], 0);
		add(t, none[0], -1);
		add(t, none[1], -1);
		model_trainer_write(t, &b, &e);
		model_trainer_free(t);
	}
	put(mpath, b.ptr, b.len);
	is_int(rulehub_reload(hub, &errs), PRC_OK, "a new model reloads");
	rs = rulehub_current(hub);
	ok(ruleset_model(rs) && strcmp(model_hash(ruleset_model(rs)), first),
	   "and the set now holds the new model");
	snprintf(first, sizeof(first), "%s", model_hash(ruleset_model(rs)));
	ruleset_unref(rs);

	/* a truncated model: refused, the running set and its model stay */
	put(mpath, b.ptr, b.len / 2);
	buf_reset(&errs);
	is_int(rulehub_reload(hub, &errs), PRC_PARSE, "a truncated model is refused on reload");
	ok(strstr(buf_str(&errs), "patrol.model: model is truncated") != NULL, "naming it: %s",
	   buf_str(&errs));
	rs = rulehub_current(hub);
	ok(ruleset_model(rs) && !strcmp(model_hash(ruleset_model(rs)), first),
	   "the running set keeps its model");
	ruleset_unref(rs);

	/* no model at all: the rules run without one */
	unlink(mpath);
	is_int(rulehub_reload(hub, &errs), PRC_OK, "a model taken away reloads");
	rs = rulehub_current(hub);
	ok(ruleset_model(rs) == NULL, "and the rules run without a model");
	ruleset_unref(rs);
out:
	rulehub_free(hub);
	buf_release(&b);
	buf_release(&errs);
	unlink(rpath);
	rmdir(rules);
	rmdir(mdir);
	rmdir(top);
	log_set_sink(NULL, NULL);
}

int main(void)
{
	test_train_and_score();
	test_refusals();
	test_trainer_args();
	test_csv();
	test_reload();
	return done_testing();
}
