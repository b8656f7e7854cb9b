/* rowsconv.h - making struct rows out of a libpq result (store/ only). */
#ifndef PATROL_ROWSCONV_H
#define PATROL_ROWSCONV_H

#include <libpq-fe.h>

#include "store/rows.h"
#include "util/err.h"

/* Copies res (NULL: an empty table) into a new *out (rows_free it). PRC_NOMEM on failure. */
enum prc rows_from_result(const PGresult *res, struct rows **out, struct err *e);

#endif
