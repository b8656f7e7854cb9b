/*
 * fuzz-rules.c - libFuzzer target: loading a rule file. The input is the
 * Lua source of one rule file, loaded with the crawl's own loader
 * (ruleset_load: the sandbox runs the file's top level under its
 * budget, the rule tables are checked, the patterns compiled). Whatever the
 * file says, the load must end with a rule set or a list of "file:line"
 * errors, never a crash, a hang or a leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "tests/fixture.h"
#include "util/buf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], rules[96], file[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/patrol-fuzz-rules-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(rules, sizeof(rules), "%s/rules", dir);
	snprintf(file, sizeof(file), "%s/fuzz.lua", rules);
	if (mkdir(rules, 0700) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset_opts o;
	struct ruleset *rs = NULL;
	struct buf errors;
	enum prc rc;

	if (size > (1u << 16))
		return 0;
	fixture_write(file, data, size);
	memset(&o, 0, sizeof(o));
	o.lib_dir = dir; /* no helper library: the file alone */
	o.model = "";
	buf_init(&errors, 1u << 20);
	rc = ruleset_load(rules, &o, &rs, &errors);
	if (rc == PRC_OK && !rs)
		abort();
	if (rc == PRC_PARSE && (rs || !errors.len))
		abort(); /* a refusal always says why */
	ruleset_unref(rs);
	buf_release(&errors);
	return 0;
}
