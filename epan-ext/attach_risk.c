/* Risky-attachment heuristics: tables of extensions, magic signatures and
 * declared types, and a bounded walk over ZIP local file headers. */
#include "attach_risk.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    mailx_magic kind;
    uint16_t offset;
    uint8_t len;
    const char *bytes;
} magic_sig;

/* Signatures at fixed offsets (file formats' own specifications). */
static const magic_sig magic_table[] = {
    { MAILX_MAGIC_PE,     0, 2, "MZ" },
    { MAILX_MAGIC_ELF,    0, 4, "\x7f" "ELF" },
    { MAILX_MAGIC_MACHO,  0, 4, "\xfe\xed\xfa\xce" },
    { MAILX_MAGIC_MACHO,  0, 4, "\xfe\xed\xfa\xcf" },
    { MAILX_MAGIC_MACHO,  0, 4, "\xce\xfa\xed\xfe" },
    { MAILX_MAGIC_MACHO,  0, 4, "\xcf\xfa\xed\xfe" },
    { MAILX_MAGIC_SCRIPT, 0, 2, "#!" },
    { MAILX_MAGIC_PDF,    0, 5, "%PDF-" },
    { MAILX_MAGIC_ZIP,    0, 4, "PK\x03\x04" },
    { MAILX_MAGIC_ZIP,    0, 4, "PK\x05\x06" },   /* empty archive */
    { MAILX_MAGIC_OLE2,   0, 8, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" },
    { MAILX_MAGIC_RAR,    0, 7, "Rar!\x1a\x07\x00" },
    { MAILX_MAGIC_RAR,    0, 8, "Rar!\x1a\x07\x01\x00" },
    { MAILX_MAGIC_7Z,     0, 6, "7z\xbc\xaf\x27\x1c" },
    { MAILX_MAGIC_GZIP,   0, 2, "\x1f\x8b" },
    { MAILX_MAGIC_CAB,    0, 4, "MSCF" },
    { MAILX_MAGIC_LNK,    0, 8, "\x4c\x00\x00\x00\x01\x14\x02\x00" },
    { MAILX_MAGIC_RTF,    0, 5, "{\\rtf" },
    { MAILX_MAGIC_PNG,    0, 8, "\x89PNG\r\n\x1a\n" },
    { MAILX_MAGIC_JPEG,   0, 3, "\xff\xd8\xff" },
    { MAILX_MAGIC_GIF,    0, 4, "GIF8" },
};

static const struct { const char *name, *shortname; } magic_names[MAILX_MAGIC_COUNT] = {
    [MAILX_MAGIC_NONE]   = { "", NULL },
    [MAILX_MAGIC_PE]     = { "Windows executable (MZ)", "pe" },
    [MAILX_MAGIC_ELF]    = { "ELF executable", "elf" },
    [MAILX_MAGIC_MACHO]  = { "Mach-O executable", "macho" },
    [MAILX_MAGIC_SCRIPT] = { "script (#!)", "script" },
    [MAILX_MAGIC_PDF]    = { "PDF document", "pdf" },
    [MAILX_MAGIC_ZIP]    = { "ZIP archive", "zip" },
    [MAILX_MAGIC_OLE2]   = { "OLE2 compound file (legacy Office)", "ole2" },
    [MAILX_MAGIC_RAR]    = { "RAR archive", "rar" },
    [MAILX_MAGIC_7Z]     = { "7-Zip archive", "7z" },
    [MAILX_MAGIC_GZIP]   = { "gzip data", "gzip" },
    [MAILX_MAGIC_CAB]    = { "Windows cabinet", "cab" },
    [MAILX_MAGIC_LNK]    = { "Windows shortcut (LNK)", "lnk" },
    [MAILX_MAGIC_RTF]    = { "RTF document", "rtf" },
    [MAILX_MAGIC_PNG]    = { "PNG image", "png" },
    [MAILX_MAGIC_JPEG]   = { "JPEG image", "jpeg" },
    [MAILX_MAGIC_GIF]    = { "GIF image", "gif" },
};

mailx_magic mailx_magic_sniff(const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(magic_table); i++) {
        const magic_sig *m = &magic_table[i];
        if (len >= (size_t)m->offset + m->len && memcmp(b + m->offset, m->bytes, m->len) == 0)
            return m->kind;
    }
    return MAILX_MAGIC_NONE;
}

const char *mailx_magic_name(mailx_magic m)
{
    return m < MAILX_MAGIC_COUNT ? magic_names[m].name : "";
}

const char *mailx_magic_short(mailx_magic m)
{
    return m < MAILX_MAGIC_COUNT ? magic_names[m].shortname : NULL;
}

bool mailx_magic_is_executable(mailx_magic m)
{
    return m == MAILX_MAGIC_PE || m == MAILX_MAGIC_ELF || m == MAILX_MAGIC_MACHO ||
           m == MAILX_MAGIC_SCRIPT;
}

/* Extensions that run code when opened, or hide something that does. */
static const struct { const char *ext; uint32_t cls; const char *what; } ext_table[] = {
    { "exe", MAILX_RISK_EXT_EXECUTABLE, "executable" },
    { "scr", MAILX_RISK_EXT_EXECUTABLE, "screensaver executable" },
    { "com", MAILX_RISK_EXT_EXECUTABLE, "DOS executable" },
    { "pif", MAILX_RISK_EXT_EXECUTABLE, "program information file" },
    { "cpl", MAILX_RISK_EXT_EXECUTABLE, "control panel applet" },
    { "dll", MAILX_RISK_EXT_EXECUTABLE, "library" },
    { "msi", MAILX_RISK_EXT_EXECUTABLE, "Windows installer" },
    { "msp", MAILX_RISK_EXT_EXECUTABLE, "Windows installer patch" },
    { "jar", MAILX_RISK_EXT_EXECUTABLE, "Java archive" },
    { "app", MAILX_RISK_EXT_EXECUTABLE, "application bundle" },
    { "js",  MAILX_RISK_EXT_SCRIPT, "JScript" },
    { "jse", MAILX_RISK_EXT_SCRIPT, "encoded JScript" },
    { "vbs", MAILX_RISK_EXT_SCRIPT, "VBScript" },
    { "vbe", MAILX_RISK_EXT_SCRIPT, "encoded VBScript" },
    { "wsf", MAILX_RISK_EXT_SCRIPT, "Windows Script File" },
    { "wsh", MAILX_RISK_EXT_SCRIPT, "Windows Script Host settings" },
    { "ps1", MAILX_RISK_EXT_SCRIPT, "PowerShell script" },
    { "psm1", MAILX_RISK_EXT_SCRIPT, "PowerShell module" },
    { "bat", MAILX_RISK_EXT_SCRIPT, "batch file" },
    { "cmd", MAILX_RISK_EXT_SCRIPT, "batch file" },
    { "hta", MAILX_RISK_EXT_SCRIPT, "HTML application" },
    { "sct", MAILX_RISK_EXT_SCRIPT, "scriptlet" },
    { "lnk", MAILX_RISK_EXT_OTHER, "Windows shortcut" },
    { "url", MAILX_RISK_EXT_OTHER, "Internet shortcut" },
    { "scf", MAILX_RISK_EXT_OTHER, "shell command file" },
    { "iso", MAILX_RISK_EXT_OTHER, "disk image" },
    { "img", MAILX_RISK_EXT_OTHER, "disk image" },
    { "vhd", MAILX_RISK_EXT_OTHER, "virtual disk" },
    { "vhdx", MAILX_RISK_EXT_OTHER, "virtual disk" },
    { "chm", MAILX_RISK_EXT_OTHER, "compiled HTML help" },
    { "reg", MAILX_RISK_EXT_OTHER, "registry file" },
    { "one", MAILX_RISK_EXT_OTHER, "OneNote file" },
    { "docm", MAILX_RISK_MACRO_OFFICE, "macro-enabled Word document" },
    { "dotm", MAILX_RISK_MACRO_OFFICE, "macro-enabled Word template" },
    { "xlsm", MAILX_RISK_MACRO_OFFICE, "macro-enabled Excel workbook" },
    { "xltm", MAILX_RISK_MACRO_OFFICE, "macro-enabled Excel template" },
    { "xlam", MAILX_RISK_MACRO_OFFICE, "Excel add-in" },
    { "pptm", MAILX_RISK_MACRO_OFFICE, "macro-enabled PowerPoint presentation" },
    { "potm", MAILX_RISK_MACRO_OFFICE, "macro-enabled PowerPoint template" },
    { "ppsm", MAILX_RISK_MACRO_OFFICE, "macro-enabled PowerPoint show" },
    { "sldm", MAILX_RISK_MACRO_OFFICE, "macro-enabled PowerPoint slide" },
};

/* Extensions a lure pretends to be (first half of "invoice.pdf.exe"), with the
 * magic the real thing would carry (NONE: text, no signature to compare). */
static const struct { const char *ext; mailx_magic magic; } doc_ext_table[] = {
    { "pdf", MAILX_MAGIC_PDF }, { "doc", MAILX_MAGIC_OLE2 }, { "xls", MAILX_MAGIC_OLE2 },
    { "ppt", MAILX_MAGIC_OLE2 }, { "docx", MAILX_MAGIC_ZIP }, { "xlsx", MAILX_MAGIC_ZIP },
    { "pptx", MAILX_MAGIC_ZIP }, { "zip", MAILX_MAGIC_ZIP }, { "rar", MAILX_MAGIC_RAR },
    { "7z", MAILX_MAGIC_7Z }, { "gz", MAILX_MAGIC_GZIP }, { "jpg", MAILX_MAGIC_JPEG },
    { "jpeg", MAILX_MAGIC_JPEG }, { "png", MAILX_MAGIC_PNG }, { "gif", MAILX_MAGIC_GIF },
    { "rtf", MAILX_MAGIC_RTF }, { "txt", MAILX_MAGIC_NONE }, { "csv", MAILX_MAGIC_NONE },
    { "htm", MAILX_MAGIC_NONE }, { "html", MAILX_MAGIC_NONE }, { "odt", MAILX_MAGIC_ZIP },
    { "mp3", MAILX_MAGIC_NONE }, { "mp4", MAILX_MAGIC_NONE }, { "wav", MAILX_MAGIC_NONE },
};

/* Declared content types with the magic their content must carry. */
static const struct { const char *type; mailx_magic magic; } type_table[] = {
    { "application/pdf", MAILX_MAGIC_PDF },
    { "application/zip", MAILX_MAGIC_ZIP },
    { "application/x-zip-compressed", MAILX_MAGIC_ZIP },
    { "application/msword", MAILX_MAGIC_OLE2 },
    { "application/vnd.ms-excel", MAILX_MAGIC_OLE2 },
    { "application/vnd.ms-powerpoint", MAILX_MAGIC_OLE2 },
    { "application/vnd.openxmlformats-officedocument.wordprocessingml.document", MAILX_MAGIC_ZIP },
    { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", MAILX_MAGIC_ZIP },
    { "application/vnd.openxmlformats-officedocument.presentationml.presentation", MAILX_MAGIC_ZIP },
    { "application/gzip", MAILX_MAGIC_GZIP },
    { "application/x-gzip", MAILX_MAGIC_GZIP },
    { "application/vnd.rar", MAILX_MAGIC_RAR },
    { "application/x-rar-compressed", MAILX_MAGIC_RAR },
    { "application/x-7z-compressed", MAILX_MAGIC_7Z },
    { "application/rtf", MAILX_MAGIC_RTF },
    { "image/png", MAILX_MAGIC_PNG },
    { "image/jpeg", MAILX_MAGIC_JPEG },
    { "image/gif", MAILX_MAGIC_GIF },
    { "application/x-msdownload", MAILX_MAGIC_PE },
    { "application/x-dosexec", MAILX_MAGIC_PE },
    { "application/vnd.microsoft.portable-executable", MAILX_MAGIC_PE },
};

/* Types whose declared meaning already is "a program". */
static bool type_is_executable(const char *type)
{
    static const char *const exec_types[] = {
        "application/x-msdownload", "application/x-dosexec", "application/x-msdos-program",
        "application/vnd.microsoft.portable-executable", "application/x-executable",
        "application/x-sh", "application/x-shellscript", "text/x-shellscript",
        "application/java-archive",
    };
    for (size_t i = 0; type && i < G_N_ELEMENTS(exec_types); i++)
        if (!strcmp(type, exec_types[i]))
            return true;
    return false;
}

/* The last extension of a (UTF-8) name, lower-case in buf; NULL when none. */
static const char *last_ext(const char *name, char *buf, size_t cap, size_t *dot_pos)
{
    if (!name)
        return NULL;
    const char *dot = strrchr(name, '.');
    if (!dot || !dot[1] || strlen(dot + 1) >= cap)
        return NULL;
    /* trailing spaces or dots hide nothing from Windows, which strips them */
    g_strlcpy(buf, dot + 1, cap);
    for (char *p = buf; *p; p++)
        *p = g_ascii_tolower(*p);
    if (dot_pos)
        *dot_pos = (size_t)(dot - name);
    return buf;
}

uint32_t mailx_risk_ext_class(const char *name, const char **what)
{
    char buf[16];
    const char *ext = last_ext(name, buf, sizeof buf, NULL);
    if (!ext)
        return 0;
    for (size_t i = 0; i < G_N_ELEMENTS(ext_table); i++)
        if (!strcmp(ext, ext_table[i].ext)) {
            if (what)
                *what = ext_table[i].what;
            return ext_table[i].cls;
        }
    return 0;
}

static int doc_ext_index(const char *ext)
{
    for (size_t i = 0; ext && i < G_N_ELEMENTS(doc_ext_table); i++)
        if (!strcmp(ext, doc_ext_table[i].ext))
            return (int)i;
    return -1;
}

static void add_reason(mailx_risk *r, uint32_t flag, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void add_reason(mailx_risk *r, uint32_t flag, const char *fmt, ...)
{
    r->flags |= flag;
    if (r->n >= MAILX_RISK_REASONS_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(r->reason[r->n], MAILX_RISK_REASON_LEN, fmt, ap);
    va_end(ap);
    /* a long file name may be cut inside a character: end at the last whole one */
    const gchar *end;
    if (!g_utf8_validate(r->reason[r->n], -1, &end))
        r->reason[r->n][end - r->reason[r->n]] = '\0';
    r->n++;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void mailx_zip_scan_local(const uint8_t *b, size_t len, mailx_zip_scan *out)
{
    memset(out, 0, sizeof *out);
    size_t p = 0;
    /* a bound on entries as well as bytes: tiny entries could otherwise be many */
    while (out->entries < 256) {
        if (p + 30 > len) {
            out->truncated = p < len;
            return;
        }
        if (memcmp(b + p, "PK\x03\x04", 4) != 0)
            return;   /* central directory or anything else: the local headers end */
        uint16_t flags = le16(b + p + 6);
        uint32_t csize = le32(b + p + 18);
        uint16_t nlen = le16(b + p + 26), xlen = le16(b + p + 28);
        out->entries++;
        /* APPNOTE 4.4.4: bit 0 = encrypted entry */
        if (flags & 1)
            out->encrypted = true;
        if (p + 30 + nlen > len) {
            out->truncated = true;
            return;
        }
        if (!out->risky_name[0] && nlen) {
            char name[256];
            size_t n = MIN((size_t)nlen, sizeof name - 1);
            memcpy(name, b + p + 30, n);
            name[n] = '\0';
            if (memchr(name, '\0', n) == NULL && mailx_risk_ext_class(name, NULL) &
                    (MAILX_RISK_EXT_EXECUTABLE | MAILX_RISK_EXT_SCRIPT | MAILX_RISK_EXT_OTHER |
                     MAILX_RISK_MACRO_OFFICE)) {
                char *v = g_utf8_make_valid(name, (gssize)n);
                g_strlcpy(out->risky_name, v, sizeof out->risky_name);
                g_free(v);
            }
        }
        /* bit 3: sizes follow the data in a descriptor; the next header cannot be found */
        if (flags & 8) {
            out->truncated = true;
            return;
        }
        uint64_t next = (uint64_t)p + 30 + nlen + xlen + csize;
        if (next > len) {
            out->truncated = true;
            return;
        }
        p = (size_t)next;
    }
    out->truncated = true;
}

void mailx_attach_risk_assess(const char *filename, const char *type,
                              const uint8_t *head, size_t head_len, mailx_risk *out)
{
    memset(out, 0, sizeof *out);
    out->magic = mailx_magic_sniff(head, head_len);

    const char *what = NULL;
    uint32_t cls = mailx_risk_ext_class(filename, &what);
    char ebuf[16];
    size_t dot = 0;
    const char *ext = last_ext(filename, ebuf, sizeof ebuf, &dot);
    if (cls == MAILX_RISK_MACRO_OFFICE)
        add_reason(out, cls, "macro-enabled Office type .%s (%s)", ext, what);
    else if (cls)
        add_reason(out, cls, "%s extension .%s (%s)",
                   cls == MAILX_RISK_EXT_SCRIPT ? "script" :
                   cls == MAILX_RISK_EXT_EXECUTABLE ? "executable" : "risky", ext, what);
    if (type && (strstr(type, "macroenabled") || !strcmp(type, "application/vnd.ms-excel.sheet.macroenabled.12")) &&
        !(out->flags & MAILX_RISK_MACRO_OFFICE))
        add_reason(out, MAILX_RISK_MACRO_OFFICE, "macro-enabled Office type %s", type);

    /* "invoice.pdf.exe": a document extension right before a risky one, or a
     * run of spaces pushing the real extension out of view */
    if (cls && cls != MAILX_RISK_MACRO_OFFICE && dot > 0) {
        char *stem = g_strndup(filename, dot);
        char sbuf[16];
        const char *inner = last_ext(stem, sbuf, sizeof sbuf, NULL);
        bool padded = dot >= 3 && !strncmp(filename + dot - 3, "   ", 3);
        if ((inner && doc_ext_index(inner) >= 0) || padded)
            add_reason(out, MAILX_RISK_DOUBLE_EXT, "double extension %s", filename);
        g_free(stem);
    }

    /* declared type vs content */
    mailx_magic m = out->magic;
    if (m != MAILX_MAGIC_NONE && type) {
        for (size_t i = 0; i < G_N_ELEMENTS(type_table); i++) {
            if (strcmp(type, type_table[i].type) != 0)
                continue;
            if (type_table[i].magic != m &&
                /* OOXML and ODF are ZIP; a ZIP-declared OOXML is fine either way */
                !(type_table[i].magic == MAILX_MAGIC_ZIP && m == MAILX_MAGIC_ZIP))
                add_reason(out, MAILX_RISK_TYPE_MISMATCH, "declared %s but content is %s",
                           type, mailx_magic_name(m));
            break;
        }
    }
    if (mailx_magic_is_executable(m) && !(out->flags & MAILX_RISK_TYPE_MISMATCH) &&
        !type_is_executable(type) && !(cls & (MAILX_RISK_EXT_EXECUTABLE | MAILX_RISK_EXT_SCRIPT)))
        add_reason(out, MAILX_RISK_EXEC_CONTENT, "content is %s (declared %s)",
                   mailx_magic_name(m), type ? type : "no type");
    /* the name promises a document, the bytes say otherwise */
    if (!cls && ext && m != MAILX_MAGIC_NONE) {
        int di = doc_ext_index(ext);
        if (di >= 0 && doc_ext_table[di].magic != MAILX_MAGIC_NONE && doc_ext_table[di].magic != m &&
            !(out->flags & (MAILX_RISK_TYPE_MISMATCH | MAILX_RISK_EXEC_CONTENT)))
            add_reason(out, MAILX_RISK_TYPE_MISMATCH, "name says .%s but content is %s",
                       ext, mailx_magic_name(m));
    }

    if (m == MAILX_MAGIC_ZIP) {
        mailx_zip_scan z;
        mailx_zip_scan_local(head, head_len, &z);
        out->zip_entries = z.entries;
        if (z.risky_name[0])
            add_reason(out, MAILX_RISK_ARCHIVE_EXEC, "archive contains %s", z.risky_name);
        if (z.encrypted)
            add_reason(out, MAILX_RISK_ENCRYPTED_ZIP, "password-protected archive (ZIP encryption flag)");
    }
}
