/* hex.h - hexadecimal digits. */
#ifndef PATROL_HEX_H
#define PATROL_HEX_H

/* The value of the hex digit c (0-9, a-f, A-F), or -1 when c is not one. Thread-safe. */
int hex_value(int c);

#endif
