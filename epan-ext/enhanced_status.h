/* RFC 3463 enhanced mail system status codes: "class.subject.detail".
 * Pure parser over bytes (no allocation, no epan); the same function serves
 * the plugin, the unit tests and the fuzz target. */
#ifndef MAILX_ENHANCED_STATUS_H
#define MAILX_ENHANCED_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t  klass;    /* 2, 4 or 5 */
    uint16_t subject;  /* 0..999 (registered: 0..7) */
    uint16_t detail;   /* 0..999 */
    size_t   len;      /* bytes of "c.s.d" in the input */
} mailx_enhanced_status;

/* Parses an enhanced status code at the start of `s`.
 * RFC 3463 s2: status-code = class "." subject "." detail; class = "2"/"4"/"5";
 * subject = 1*3digit; detail = 1*3digit. The code must be followed by a space
 * or the end of the input (so "5.1.1000", "5.1" and "2.3.19a" are not codes).
 * Returns false (and leaves *out zeroed) when `s` does not start with one. */
bool mailx_enhanced_status_parse(const uint8_t *s, size_t len, mailx_enhanced_status *out);

#endif
