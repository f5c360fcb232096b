/* Safe file names for exported attachments: whatever a message declares
 * (`../../etc/passwd`, 10,000 characters, control or bidi characters, a
 * Windows device name), the result is one path component that is safe to
 * create inside the export directory on Linux, macOS and Windows, and that
 * Wireshark's own export code (eo_massage_str) writes unchanged. */
#ifndef MAILX_EXPORT_NAME_H
#define MAILX_EXPORT_NAME_H

#include <glib.h>
#include <stddef.h>

/* Bytes of a safe name, before a uniqueness suffix ("-NNNN" fits in what is
 * left below Wireshark's EXPORT_OBJECT_MAXFILELEN of 255). */
#define MAILX_EXPORT_NAME_MAX 200
/* An extension longer than this is not kept apart when the name is cut. */
#define MAILX_EXPORT_EXT_MAX 16

/* A safe name for `declared` (UTF-8 or not, may be NULL); `fallback` (an
 * ASCII name without separators, e.g. "attachment-f12-3") is used when
 * nothing usable is left. Newly allocated (g_free). Rules, in order:
 * invalid UTF-8 bytes, U+FFFD, C0/C1 controls, DEL, Unicode format characters (bidi
 * overrides such as U+202E), line/paragraph separators, surrogates and
 * unassigned code points, and the characters / \ : * ? " < > | become '_';
 * runs of '.' become one '.'; leading and trailing dots and spaces are
 * removed, a leading '-' becomes '_'; a Windows device name (CON, NUL,
 * COM1, LPT1 ... with any extension) gets a '_' prefix; the name is cut at a
 * character boundary to MAILX_EXPORT_NAME_MAX bytes keeping a short
 * extension. */
char *mailx_export_safe_name(const char *declared, const char *fallback);

/* `name` with "-N" inserted before its extension (N >= 2), for a name that
 * is already taken. The result stays within MAILX_EXPORT_NAME_MAX + 11 bytes. */
char *mailx_export_name_numbered(const char *name, unsigned n);

/* The key under which two names collide on a case-insensitive file system. */
char *mailx_export_name_key(const char *name);

#endif
