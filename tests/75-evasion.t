#!/usr/bin/env bash
# Every sample, rewritten the way posts hide from filters (tests/lib/evade.py:
# katakana as hiragana, half-width, spaced out letter by letter, dotted,
# Cyrillic look-alikes, character references, letters in tags of their
# own), is judged as written plainly: the harmful ones still flag their
# category, the innocent ones still flag nothing. The rewrite applies to
# every character it can, far more than a real post does, so a rule that
# leans on how a word is written rather than on what it says fails here.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3
cd "$PATROL_SRC" || BAIL_OUT "no source tree"

T=$HARNESS_TMP

# judge TRANSFORM: writes $T/TRANSFORM.lst (path label) and $T/TRANSFORM.json
judge() {
	python3 tests/lib/evade.py lua/samples "$T/$1" "$1" >"$T/$1.lst" ||
		BAIL_OUT "evade.py $1 failed"
	# scan exits 1 when something is flagged: that is the point here
	"$PATROL_BIN" scan --json $(awk '{ print $1 }' "$T/$1.lst") >"$T/$1.json" 2>"$T/$1.err"
	[ $? -le 1 ] || BAIL_OUT "scan of the $1 samples failed: $(head -3 "$T/$1.err")"
}

# score TRANSFORM: "found positives flagged_benign benign", and the misses to $T/TRANSFORM.miss
score() {
	python3 - "$T/$1.lst" "$T/$1.json" "$T/$1.miss" <<'PY'
import json, sys
labels = dict(l.split() for l in open(sys.argv[1]))
got = {}
for l in open(sys.argv[2]):
    j = json.loads(l)
    if j.get('category'):
        got.setdefault(j['file'], set()).add(j['category'])
pos = [f for f, c in labels.items() if c != 'benign']
ben = [f for f, c in labels.items() if c == 'benign']
miss = [f for f in pos if labels[f] not in got.get(f, ())]
fp = [f for f in ben if got.get(f)]
with open(sys.argv[3], 'w') as out:
    for f in miss:
        out.write('missed %s (%s)\n' % (f, labels[f]))
    for f in fp:
        out.write('flagged %s (%s)\n' % (f, ','.join(sorted(got[f]))))
print(len(pos) - len(miss), len(pos), len(fp), len(ben))
PY
}

# Written another way, read the same: every sample as plainly written.
for tr in hira ent tags cyr; do
	judge "$tr"
	read -r found pos fp ben <<<"$(score "$tr")"
	is "$found/$fp" "$pos/0" "$tr: all $pos harmful samples flagged, none of $ben innocent ones" ||
		diag "$(head -20 "$T/$tr.miss")"
done

# Rewritten in every word: at least 99 % still found, none of the innocent
# ones flagged (lib.near counts the norm view's characters, so the spaces a
# spaced-out word adds do not push a guard away from the offer).
for tr in half space dot star; do
	judge "$tr"
	read -r found pos fp ben <<<"$(score "$tr")"
	check "$tr: $found of $pos harmful samples flagged (at least 99 %)" \
		test $((found * 100)) -ge $((pos * 99)) || diag "$(grep missed "$T/$tr.miss" | head -20)"
	is "$fp" 0 "$tr: none of $ben innocent samples flagged" || diag "$(grep flagged "$T/$tr.miss" | head -20)"
done

# The rewrite reaches the text: a spaced-out sample is no longer the sample.
f=$(awk '$2 == "drug_ad" { print $1; exit }' "$T/space.lst")
unlike "$(cat "$f")" "テレグラム|手押し|野菜" "the spaced-out drug samples keep no keyword whole"

done_testing
