#!/bin/sh
# Writes a C file holding every schema/NNN_name.sql, in order, so that the
# binary carries its own migrations.
set -eu
out=$1; shift
{
	echo '/* generated from the schema directory by scripts/embed-schema.sh */'
	echo '#include "store/migrations.h"'
	echo 'const struct migration migrations[] = {'
	for f in "$@"; do
		base=$(basename "$f" .sql)
		ver=$(echo "$base" | sed 's/_.*//' | sed 's/^0*//')
		printf '\t{ %s, "%s", ' "$ver" "$base"
		od -An -v -tx1 "$f" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//' |
			awk '{ printf "(const char[]){"; for (i = 1; i <= NF; i++) printf "0x%s,", $i; printf "0} },\n" }'
	done
	echo '};'
	echo "const unsigned migrations_count = sizeof(migrations) / sizeof(migrations[0]);"
} > "$out.tmp"
mv "$out.tmp" "$out"
