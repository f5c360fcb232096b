/* Risky-attachment heuristics, as tables of data: executable and script
 * extensions, double extensions, macro-enabled Office types, the content's
 * magic bytes against the declared type and the name, and the names inside a
 * ZIP archive read from its local file headers in the first decoded bytes.
 * Magic signatures are a small table here rather than libmagic: the verdict
 * must not depend on the magic database of the machine that reads a capture
 * (golden tests, two analysts comparing notes), and it runs per attachment. */
#ifndef MAILX_ATTACH_RISK_H
#define MAILX_ATTACH_RISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decoded bytes kept from the start of an attachment for sniffing. */
#define MAILX_SNIFF_MAX 16384

typedef enum {
    MAILX_MAGIC_NONE = 0,
    MAILX_MAGIC_PE, MAILX_MAGIC_ELF, MAILX_MAGIC_MACHO, MAILX_MAGIC_SCRIPT,
    MAILX_MAGIC_PDF, MAILX_MAGIC_ZIP, MAILX_MAGIC_OLE2, MAILX_MAGIC_RAR,
    MAILX_MAGIC_7Z, MAILX_MAGIC_GZIP, MAILX_MAGIC_CAB, MAILX_MAGIC_LNK,
    MAILX_MAGIC_RTF, MAILX_MAGIC_PNG, MAILX_MAGIC_JPEG, MAILX_MAGIC_GIF,
    MAILX_MAGIC_COUNT
} mailx_magic;

mailx_magic mailx_magic_sniff(const uint8_t *b, size_t len);
/* "Windows executable (MZ)", "PDF document" ...; "" for NONE. */
const char *mailx_magic_name(mailx_magic m);
/* Short form for a field: "pe", "pdf", "zip" ...; NULL for NONE. */
const char *mailx_magic_short(mailx_magic m);
bool mailx_magic_is_executable(mailx_magic m);

enum {
    MAILX_RISK_EXT_EXECUTABLE = 1 << 0,
    MAILX_RISK_EXT_SCRIPT     = 1 << 1,
    MAILX_RISK_EXT_OTHER      = 1 << 2,   /* shortcut, disk image, help file ... */
    MAILX_RISK_DOUBLE_EXT     = 1 << 3,
    MAILX_RISK_MACRO_OFFICE   = 1 << 4,
    MAILX_RISK_TYPE_MISMATCH  = 1 << 5,   /* declared type or name vs magic bytes */
    MAILX_RISK_EXEC_CONTENT   = 1 << 6,   /* executable magic under a generic type */
    MAILX_RISK_ARCHIVE_EXEC   = 1 << 7,   /* ZIP entry with a risky name */
    MAILX_RISK_ENCRYPTED_ZIP  = 1 << 8,   /* password-protected archive hint */
};

#define MAILX_RISK_REASONS_MAX 8
#define MAILX_RISK_REASON_LEN 192

typedef struct {
    uint32_t flags;
    unsigned n;
    char reason[MAILX_RISK_REASONS_MAX][MAILX_RISK_REASON_LEN];
    mailx_magic magic;
    uint32_t zip_entries;       /* local headers read */
} mailx_risk;

/* filename: UTF-8 or NULL; type: lower-case "type/subtype" or NULL; head: the
 * first decoded bytes (up to MAILX_SNIFF_MAX). */
void mailx_attach_risk_assess(const char *filename, const char *type,
                              const uint8_t *head, size_t head_len, mailx_risk *out);

/* Risk class of a file name's extension (for archive entries too): one of the
 * MAILX_RISK_EXT_* / MACRO_OFFICE bits, or 0; *what gets a description. */
uint32_t mailx_risk_ext_class(const char *name, const char **what);

typedef struct {
    uint32_t entries;
    bool encrypted;
    bool truncated;              /* stopped at the end of the bytes kept, or a bound */
    char risky_name[128];        /* first entry with a risky extension ("" when none) */
} mailx_zip_scan;

/* Walks ZIP local file headers (APPNOTE 4.3.7) from offset 0 of b. */
void mailx_zip_scan_local(const uint8_t *b, size_t len, mailx_zip_scan *out);

#endif
