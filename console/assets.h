/* assets.h - the console's static files (console/static/), compiled into the binary. */
#ifndef PATROL_ASSETS_H
#define PATROL_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path;  /* "/static/console.js" */
	const char *ctype; /* its Content-Type */
	const char *data;
	size_t len;
};

/* The asset served at path, or NULL. Static storage. */
const struct asset *asset_find(const char *path);

#endif
