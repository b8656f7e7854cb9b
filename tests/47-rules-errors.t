#!/usr/bin/env bash
# `rules check` reports every error of every file in one run, each as
# file:line with Hyperscan's or Lua's own reason, and a count at the end.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol

dir="$HARNESS_TMP/rules"
mkdir -p "$dir"
cp "$PATROL_SRC/lua/rules/drug_ad.lua" "$dir/"
cat >"$dir/five.lua" <<'LUA'
return {
  name = "five.bad",
  category = "drug_ad",
  patterns = {
    a = {
      { re = [[(abc]] },
      { re = [[x{2,1}]] },
      "fine",
      { re = [=[[z-a]]=] },
      { re = [[(?<n]] },
      { re = [[abc\]] },
    },
  },
  classify = function(page, m) return nil end,
}
LUA
cat >"$dir/syntax.lua" <<'LUA'
return {
  name = "syntax.bad"
  category = "drug_ad",
}
LUA
printf 'local x = nil\nreturn x.field\n' >"$dir/runtime.lua"

patrol_run rules check --rules "$dir" --no-cache
is "$?" 1 "rules check of a directory with errors exits 1"
err=$(cat "$PATROL_ERR")
for spec in "five.lua:6: pattern '\\(abc': Missing close parenthesis" \
	"five.lua:7: pattern 'x\\{2,1\\}': Invalid repeat" \
	"five.lua:9: pattern '\\[z-a\\]': Range out of order" \
	"five.lua:10: pattern '\\(\\?<n': Unrecognised character after \\(\\?" \
	"five.lua:11: pattern 'abc\\\\': Unescaped \\\\ at end of input" \
	"syntax.lua:3: '}' expected \\(to close '\\{' at line 1\\) near 'category'" \
	"runtime.lua:2: attempt to index a nil value \\(local 'x'\\)"; do
	like "$err" "$dir/$spec" "reported: ${spec%%:*}:$(echo "$spec" | cut -d: -f2) with the engine's reason"
done
unlike "$err" "\\(parse error\\)" "no bare '(parse error)'"
like "$err" "refused: 7 errors in 3 files, each listed above" "a count of errors and files at the end"
is "$(grep -c "^$dir/" "$PATROL_ERR")" 7 "one line per error"
done_testing
