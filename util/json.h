/* json.h - writing JSON strings and CSV fields safely. */
#ifndef PATROL_JSON_H
#define PATROL_JSON_H

#include <stdio.h>

/* Writes s as a JSON string literal (quotes included); NULL writes null. Invalid UTF-8 bytes become U+FFFD. */
void json_write_str(FILE *f, const char *s);

/*
 * Writes s as one CSV field (RFC 4180: quoted when it holds a comma, quote or
 * line break). A field that a spreadsheet would run as a formula (it starts
 * with = + - @, a tab or a CR, and is not a plain number) is written quoted
 * with a leading ' so that it stays text. NULL writes nothing.
 */
void csv_write_field(FILE *f, const char *s);

#endif
