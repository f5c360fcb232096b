/* MIME header values: RFC 2047 encoded words, RFC 2045/2231 parameters
 * (charset'lang'value, continuations), content types and the domain of an
 * address. Plain C + glib; every result is a newly allocated, valid UTF-8
 * string of bounded length (g_free it), so hostile headers stay harmless. */
#ifndef MAILX_MIME_HEADER_H
#define MAILX_MIME_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest decoded text kept from one header value. */
#define MAILX_HDR_TEXT_MAX 1024
/* RFC 2231 s3: sections *0, *1 ...; more than this is not an honest filename */
#define MAILX_RFC2231_SECTIONS_MAX 64

/* Decodes RFC 2047 encoded words (B and Q; charset converted with g_convert,
 * falling back to ISO-8859-1 and then to the raw word) in unstructured text;
 * white space between adjacent encoded words is dropped (RFC 2047 s6.2).
 * Raw 8-bit text is taken as UTF-8 when valid, else as ISO-8859-1. Control
 * characters become U+FFFD. Result truncated to max bytes (on a character
 * boundary). */
char *mailx_rfc2047_decode(const char *s, size_t len, size_t max);

/* Content-Type value: lower-case "type/subtype" (NULL when absent or malformed). */
char *mailx_mime_type(const char *v, size_t len);
/* Content-Disposition value: lower-case disposition type ("attachment", "inline"). */
char *mailx_mime_disposition(const char *v, size_t len);

/* The value of parameter `name` (case-insensitive) of a Content-Type or
 * Content-Disposition value, UTF-8: plain (token or quoted-string, RFC 2047
 * words inside decoded as many mailers send them), RFC 2231 extended
 * (name*=charset'lang'%XX..) and continuations (name*0, name*1*, ...).
 * NULL when absent. *flags gets MAILX_PARAM_* bits describing oddities. */
enum {
    MAILX_PARAM_RFC2231       = 1 << 0,  /* extended or continued form used */
    MAILX_PARAM_RFC2047       = 1 << 1,  /* encoded word inside a quoted value */
    MAILX_PARAM_BAD_CHARSET   = 1 << 2,  /* unknown charset or invalid bytes in it */
    MAILX_PARAM_BAD_SECTIONS  = 1 << 3,  /* missing/duplicate/too many sections */
    MAILX_PARAM_TRUNCATED     = 1 << 4,  /* longer than MAILX_HDR_TEXT_MAX */
};
char *mailx_mime_param(const char *v, size_t len, const char *name, unsigned *flags);

/* The address of a From-like header value ("Name <a@b>", "a@b (c)"), NULL when
 * none; and its domain, lower-case (NULL when no '@'). */
char *mailx_addr_spec(const char *v, size_t len);
char *mailx_addr_domain(const char *addr);

/* Converts bytes in `charset` to valid UTF-8 of at most max bytes; never NULL. */
char *mailx_charset_to_utf8(const char *charset, const uint8_t *b, size_t len, size_t max,
                            bool *bad);

#endif
