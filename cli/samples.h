/* samples.h - the rule pack's labelled samples as the vet of a hot reload. */
#ifndef PATROL_CLI_SAMPLES_H
#define PATROL_CLI_SAMPLES_H

#include "classifiers/ruleset.h"
#include "util/buf.h"
#include "util/err.h"

/*
 * A rulehub_vet_fn: classifies every sample under the directory ud names
 * (<category>/ files are positives of that category, benign/ files must
 * flag nothing, as `patrol rules test` reads them) with cur and with next.
 * PRC_DECLINED, with one line per sample in why ("file: ..."), when next
 * gets wrong a sample cur gets right; PRC_OK otherwise (a directory that
 * does not exist vets nothing). Errors building a classifier are returned
 * with their message in why. Called in the hub's reload thread.
 */
enum prc cli_samples_vet(struct ruleset *cur, struct ruleset *next, struct buf *why, void *ud);

#endif
