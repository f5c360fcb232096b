/* Safe file names for exported attachments (see export_name.h). The declared
 * name is attacker-chosen: it is rebuilt character by character from an
 * allow-list of what may reach a file system, never patched. */
#include <string.h>

#include "export_name.h"
#include "ascii_case.h"

/* Windows refuses (or maps to a device) these base names with any extension. */
static const char *const win_devices[] = {
    "con", "prn", "aux", "nul",
    "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
    "lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
};

/* The Windows-reserved and path characters, one test on a byte. */
static gboolean reserved_ascii(gunichar c)
{
    switch (c) {
    case '/': case '\\': case ':': case '*': case '?': case '"': case '<': case '>': case '|':
        return TRUE;
    default:
        return FALSE;
    }
}

static gboolean bad_char(gunichar c)
{
    /* U+FFFD: what the header decoder left of a control or invalid byte */
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0xfffd)
        return TRUE;
    /* Windows-reserved and path characters (what eo_massage_str would %-encode) */
    if (reserved_ascii(c))
        return TRUE;
    switch (g_unichar_type(c)) {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:              /* U+202E RIGHT-TO-LEFT OVERRIDE & co. */
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
        return TRUE;
    default:
        return FALSE;
    }
}

static void trim_dots_spaces(GString *s)
{
    gsize a = 0;
    while (a < s->len && (s->str[a] == '.' || s->str[a] == ' '))
        a++;
    g_string_erase(s, 0, (gssize)a);
    while (s->len && (s->str[s->len - 1] == '.' || s->str[s->len - 1] == ' '))
        g_string_truncate(s, s->len - 1);
}

/* Offset of a short extension (".pdf") or -1. */
static gssize ext_offset(const char *s, gsize len)
{
    const char *dot = strrchr(s, '.');
    if (!dot || dot == s || (gsize)(s + len - dot) > MAILX_EXPORT_EXT_MAX)
        return -1;
    return dot - s;
}

/* Cut at or below `max` bytes on a UTF-8 character boundary. */
static void cut_utf8(GString *s, gsize max)
{
    if (s->len <= max)
        return;
    gsize end = max;
    while (end > 0 && ((guchar)s->str[end] & 0xC0) == 0x80)
        end--;
    g_string_truncate(s, end);
}

static gboolean is_device(const char *s)
{
    gsize n = strcspn(s, ".");
    for (gsize i = 0; i < G_N_ELEMENTS(win_devices); i++)
        if (strlen(win_devices[i]) == n && mailx_ascii_ieq(s, win_devices[i], n))
            return TRUE;
    return FALSE;
}

char *mailx_export_safe_name(const char *declared, const char *fallback)
{
    GString *s = g_string_new(NULL);
    if (declared) {
        const char *p = declared, *end = declared + strlen(declared);
        while (p < end) {
            gunichar c;
            if ((guchar)*p < 0x80) {
                /* ASCII (most names): of the rules above only controls, DEL and
                   the reserved characters apply; U+0020 is the one space. A run
                   of bytes kept as they are (not '.') goes over at once. */
                const char *r = p;
                while (r < end && (guchar)*r >= 0x20 && (guchar)*r < 0x7f && *r != '.' &&
                       !reserved_ascii((guchar)*r))
                    r++;
                if (r > p) {
                    g_string_append_len(s, p, r - p);
                    p = r;
                    continue;
                }
                c = (guchar)*p++;
                if (c < 0x20 || c == 0x7f || reserved_ascii(c))
                    c = '_';
            } else {
                c = g_utf8_get_char_validated(p, end - p);
                if (c == (gunichar)-1 || c == (gunichar)-2) {
                    g_string_append_c(s, '_');  /* not UTF-8: one byte at a time */
                    p++;
                    continue;
                }
                p = g_utf8_next_char(p);
                if (bad_char(c))
                    c = '_';
                else if (g_unichar_type(c) == G_UNICODE_SPACE_SEPARATOR)
                    c = ' ';                    /* no look-alike spaces */
            }
            if (c == '.' && s->len && s->str[s->len - 1] == '.')
                continue;                       /* never "..", whatever follows */
            if (c < 0x80)
                g_string_append_c(s, (gchar)c);
            else
                g_string_append_unichar(s, c);
        }
    }
    trim_dots_spaces(s);
    if (s->len && s->str[0] == '-')
        s->str[0] = '_';                        /* not an option to the next tool */
    if (!s->len)
        g_string_assign(s, fallback && *fallback ? fallback : "attachment");
    if (is_device(s->str))
        g_string_prepend_c(s, '_');
    if (s->len > MAILX_EXPORT_NAME_MAX) {
        gssize e = ext_offset(s->str, s->len);
        char *ext = g_strdup(e >= 0 ? s->str + e : "");
        cut_utf8(s, MAILX_EXPORT_NAME_MAX - strlen(ext));
        trim_dots_spaces(s);
        if (!s->len)
            g_string_assign(s, "_");
        g_string_append(s, ext);
        g_free(ext);
    }
    return g_string_free(s, FALSE);
}

char *mailx_export_name_numbered(const char *name, unsigned n)
{
    gsize len = strlen(name);
    gssize e = ext_offset(name, len);
    if (e < 0)
        return g_strdup_printf("%s-%u", name, n);
    return g_strdup_printf("%.*s-%u%s", (int)e, name, n, name + e);
}

char *mailx_export_name_key(const char *name)
{
    /* ASCII: case folding is A-Z to a-z and normalization changes nothing */
    const char *q = name;
    while (*q && (guchar)*q < 0x80)
        q++;
    if (!*q)
        return g_ascii_strdown(name, -1);
    char *fold = g_utf8_casefold(name, -1);
    char *norm = g_utf8_normalize(fold, -1, G_NORMALIZE_DEFAULT);
    g_free(fold);
    return norm ? norm : g_strdup(name);
}
