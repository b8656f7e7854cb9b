#!/bin/sh
# Writes a C file holding every console/static file, so that the binary
# serves its own scripts and styles (the console's network has no CDN).
set -eu
out=$1; shift
{
	echo '/* generated from console/static by scripts/embed-assets.sh */'
	echo '#include <string.h>'
	echo '#include "console/assets.h"'
	echo 'static const struct asset assets[] = {'
	for f in "$@"; do
		name=$(basename "$f")
		case $name in
		*.js) ct='text/javascript; charset=utf-8' ;;
		*.css) ct='text/css; charset=utf-8' ;;
		*.svg) ct='image/svg+xml' ;;
		*.png) ct='image/png' ;;
		*) ct='application/octet-stream' ;;
		esac
		size=$(wc -c < "$f" | tr -d ' ')
		printf '\t{ "/static/%s", "%s", ' "$name" "$ct"
		od -An -v -tx1 "$f" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//' |
			awk '{ printf "(const char[]){"; for (i = 1; i <= NF; i++) printf "0x%s,", $i; printf "0}" }'
		printf ', %s },\n' "$size"
	done
	echo '};'
	echo 'const struct asset *asset_find(const char *path)'
	echo '{'
	echo '	size_t i;'
	echo ''
	echo '	for (i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)'
	echo '		if (!strcmp(assets[i].path, path))'
	echo '			return &assets[i];'
	echo '	return NULL;'
	echo '}'
} > "$out.tmp"
mv "$out.tmp" "$out"
