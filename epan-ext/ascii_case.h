/* ASCII case-insensitive comparison of protocol words (command and status
 * names, header field names), inline: the parsers compare many short words,
 * and a g_ascii_strncasecmp call costs ~10 instructions a byte plus the call. */
#ifndef MAILX_ASCII_CASE_H
#define MAILX_ASCII_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Do the n bytes at p equal the first n of w, ignoring the case of A-Z? The
 * same answer as g_ascii_strncasecmp(p, w, n) == 0 whenever w has no NUL among
 * its first n bytes (a NUL in p then never matches). Only the letters fold:
 * x | 0x20 is a lower-case letter only when x is that letter in either case. */
static inline bool mailx_ascii_ieq(const void *p, const char *w, size_t n)
{
    const uint8_t *a = (const uint8_t *)p, *b = (const uint8_t *)w;
    for (size_t i = 0; i < n; i++) {
        uint8_t x = a[i], y = b[i];
        if (x != y && ((uint8_t)((x | 0x20) - 'a') > 'z' - 'a' || (x | 0x20) != (y | 0x20)))
            return false;
    }
    return true;
}

#endif
