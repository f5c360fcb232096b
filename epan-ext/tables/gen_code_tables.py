#!/usr/bin/env python3
"""Generate code_tables.c (see ../code_tables.h) from the reference TSV tables.

Run by meson at build time:
    gen_code_tables.py OUT.c rfc3463-enhanced.tsv rfc5321-reply.tsv \
                       imap-response-codes.tsv pop3-response-codes.tsv
Every table becomes a sorted static const array searched with bsearch-style
binary search: no allocation at run time. A malformed row (wrong column count,
duplicate key, bad number, unknown kind, empty title) stops the build with
exit status 1 and a message naming the file and line: a silently dropped row
would be a code the dissector cannot name.
"""

import sys

USAGE = ("usage: gen_code_tables.py OUT.c rfc3463-enhanced.tsv rfc5321-reply.tsv "
         "imap-response-codes.tsv pop3-response-codes.tsv")


class TableError(Exception):
    pass


def read_tsv(path, required):
    """Rows of a TSV file as dicts keyed by header name, with line numbers.

    The reference README promises one header row, no quoting and the same
    number of columns on every row; anything else is an error, not a guess.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise TableError(f"{path}: cannot read: {e}")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()                      # the final newline ends the last row
    if not lines:
        raise TableError(f"{path}: empty file (no header row)")
    header = lines[0].split("\t")
    if len(set(header)) != len(header):
        raise TableError(f"{path}:1: duplicate column name in header")
    missing = [c for c in required if c not in header]
    if missing:
        raise TableError(f"{path}:1: header lacks column(s) {', '.join(missing)}")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise TableError(f"{path}:{n}: {len(cells)} columns, header has {len(header)}")
        row = dict(zip(header, cells))
        row["_where"] = f"{path}:{n}"
        rows.append(row)
    return rows


def number(row, col, lo, hi):
    """A plain decimal (ASCII digits only: int() would also take ' 7', '+7', '٧')."""
    s = row[col]
    if not (s.isascii() and s.isdigit()) or len(s) > 3:
        raise TableError(f"{row['_where']}: column {col}: {s!r} is not a number")
    v = int(s)
    if not lo <= v <= hi:
        raise TableError(f"{row['_where']}: column {col}: {v} not in {lo}..{hi}")
    return v


def text(row, col):
    s = row[col]
    if s.strip() == "":
        raise TableError(f"{row['_where']}: column {col} is empty")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in s):
        raise TableError(f"{row['_where']}: column {col} holds a control character")
    return s


def add_unique(table, key, value, row, shown_key):
    if key in table:
        raise TableError(f"{row['_where']}: duplicate key {shown_key} "
                         f"(first at {table[key][1]})")
    table[key] = (value, row["_where"])


def load_enhanced(path):
    """rfc3463-enhanced.tsv: class rows (2/4/5), subject rows, detail rows."""
    rows = read_tsv(path, ["kind", "code", "class", "subject", "detail", "title"])
    classes, subjects, details = {}, {}, {}
    for row in rows:
        kind = row["kind"]
        if kind == "class":
            k = number(row, "class", 0, 9)
            # RFC 3463 s2: class = "2" / "4" / "5"
            if k not in (2, 4, 5):
                raise TableError(f"{row['_where']}: class {k} is not 2, 4 or 5")
            if row["code"] != f"{k}.X.X":
                raise TableError(f"{row['_where']}: code {row['code']!r} does not match class {k}")
            add_unique(classes, k, text(row, "title"), row, str(k))
        elif kind == "subject":
            s = number(row, "subject", 0, 999)   # RFC 3463 s2: subject = 1*3digit
            if row["code"] != f"X.{s}.XXX":
                raise TableError(f"{row['_where']}: code {row['code']!r} does not match subject {s}")
            add_unique(subjects, s, text(row, "title"), row, f"X.{s}")
        elif kind == "detail":
            s = number(row, "subject", 0, 999)
            d = number(row, "detail", 0, 999)    # RFC 3463 s2: detail = 1*3digit
            if row["code"] != f"X.{s}.{d}":
                raise TableError(f"{row['_where']}: code {row['code']!r} does not match X.{s}.{d}")
            add_unique(details, (s, d), text(row, "title"), row, f"X.{s}.{d}")
        else:
            raise TableError(f"{row['_where']}: unknown kind {kind!r}")
    if not details:
        raise TableError(f"{path}: no detail rows")
    return classes, subjects, details


def load_basic(path):
    """rfc5321-reply.tsv: basic reply codes and their meaning."""
    rows = read_tsv(path, ["code", "class_digit", "category_digit", "meaning"])
    codes = {}
    for row in rows:
        c = number(row, "code", 100, 599)
        if len(row["code"]) != 3:
            raise TableError(f"{row['_where']}: code {row['code']!r} is not three digits")
        # RFC 5321 s4.2.1: the first digit is the class, the second the category
        if number(row, "class_digit", 0, 9) != c // 100:
            raise TableError(f"{row['_where']}: class_digit does not match code {c}")
        if number(row, "category_digit", 0, 9) != c // 10 % 10:
            raise TableError(f"{row['_where']}: category_digit does not match code {c}")
        add_unique(codes, c, text(row, "meaning"), row, str(c))
    if not codes:
        raise TableError(f"{path}: no rows")
    return codes


def load_named(path):
    """IMAP/POP3 tables: `code` rows are response codes; `status` rows
    (OK/NO/BAD, +OK/-ERR) are status indicators, not codes, and are skipped."""
    rows = read_tsv(path, ["kind", "code", "meaning", "mailx_hint"])
    codes = {}
    for row in rows:
        kind = row["kind"]
        if kind == "status":
            continue
        if kind != "code":
            raise TableError(f"{row['_where']}: unknown kind {kind!r}")
        name = row["code"]
        # RFC 3501 s9 / RFC 2449 s8: a response code is an atom (POP3 adds '/')
        if name == "" or not all(0x21 <= ord(ch) <= 0x7e and ch not in '()[]{}"\\%*'
                                 for ch in name):
            raise TableError(f"{row['_where']}: code {name!r} is not an atom")
        # lookups are case-insensitive (RFC 3501 s9), so keys must be too
        add_unique(codes, name.upper(), (name, text(row, "meaning"), text(row, "mailx_hint")),
                   row, name)
    if not codes:
        raise TableError(f"{path}: no code rows")
    return codes


def c_string(s):
    """A C string literal for s (UTF-8). Octal escapes are always three digits,
    so a following digit cannot extend them; '?' is escaped because -std=c11
    turns trigraphs such as ??/ on."""
    out = ['"']
    for b in s.encode("utf-8"):
        ch = chr(b)
        if ch in '"\\?':
            out.append("\\" + ch)
        elif 0x20 <= b <= 0x7e:
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")
    out.append('"')
    return "".join(out)


HEAD = """\
/* Generated by epan-ext/tables/gen_code_tables.py from {sources}.
 * Do not edit: change the TSV tables and rebuild. */
#include "code_tables.h"

#include <glib.h>

typedef struct {{ uint32_t key; const char *title; }} num_row;
typedef struct {{ const char *key; const char *meaning; const char *hint; }} name_row;

/* Rows are sorted by key, so a binary search finds one without allocation. */
static const char *
num_find(const num_row *rows, size_t n, uint32_t key)
{{
    size_t lo = 0, hi = n;
    while (lo < hi) {{
        size_t mid = lo + (hi - lo) / 2;
        if (rows[mid].key == key)
            return rows[mid].title;
        if (rows[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }}
    return NULL;
}}

/* Case-insensitive comparison of a counted name with a NUL-terminated
 * upper-case key; `name` may hold NULs and need not be terminated. */
static int
name_cmp(const char *name, size_t len, const char *key)
{{
    size_t i;
    for (i = 0; i < len; i++) {{
        unsigned char a = (unsigned char)g_ascii_toupper(name[i]);
        unsigned char b = (unsigned char)key[i];
        if (b == '\\0')
            return 1;
        if (a != b)
            return a < b ? -1 : 1;
    }}
    return key[len] == '\\0' ? 0 : -1;
}}

static const name_row *
name_find(const name_row *rows, size_t n, const char *name, size_t len)
{{
    size_t lo = 0, hi = n;
    if (name == NULL)
        return NULL;
    while (lo < hi) {{
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(name, len, rows[mid].key);
        if (c == 0)
            return &rows[mid];
        if (c > 0)
            lo = mid + 1;
        else
            hi = mid;
    }}
    return NULL;
}}
"""


def num_array(name, rows, comment):
    lines = [f"\n/* {comment} */", f"static const num_row {name}[] = {{"]
    for key, title in rows:
        lines.append(f"    {{ {key}u, {c_string(title)} }},")
    lines.append("};")
    return "\n".join(lines)


def name_array(name, rows, comment):
    lines = [f"\n/* {comment} */", f"static const name_row {name}[] = {{"]
    for key, meaning, hint in rows:
        lines.append(f"    {{ {c_string(key)}, {c_string(meaning)}, {c_string(hint)} }},")
    lines.append("};")
    return "\n".join(lines)


def name_sort_key(upper):
    # the C side compares unsigned bytes after g_ascii_toupper
    return upper.encode("ascii")


def generate(enh_path, basic_path, imap_path, pop_path):
    classes, subjects, details = load_enhanced(enh_path)
    basic = load_basic(basic_path)
    imap = load_named(imap_path)
    pop = load_named(pop_path)

    parts = [HEAD.format(sources=", ".join(
        p.replace("\\", "/").rsplit("/", 1)[-1] for p in (enh_path, basic_path, imap_path, pop_path)))]
    parts.append(num_array("enh_class", [(k, v[0]) for k, v in sorted(classes.items())],
                           "RFC 3463 s2 classes: key = class digit"))
    parts.append(num_array("enh_subject", [(k, v[0]) for k, v in sorted(subjects.items())],
                           "RFC 3463 s2 subjects: key = subject"))
    parts.append(num_array("enh_detail",
                           [(s * 1000 + d, v[0]) for (s, d), v in sorted(details.items())],
                           "RFC 3463 and IANA registry detail codes: key = subject * 1000 + detail"))
    parts.append(num_array("smtp_basic", [(k, v[0]) for k, v in sorted(basic.items())],
                           "RFC 5321 s4.2.3 and extensions: basic reply codes"))
    parts.append(name_array("imap_codes",
                            [(k, v[0][1], v[0][2]) for k, v in
                             sorted(imap.items(), key=lambda kv: name_sort_key(kv[0]))],
                            "IMAP response codes (RFC 3501/9051 s7.1, RFC 5530, IANA); key upper-case"))
    parts.append(name_array("pop_codes",
                            [(k, v[0][1], v[0][2]) for k, v in
                             sorted(pop.items(), key=lambda kv: name_sort_key(kv[0]))],
                            "POP3 response codes (RFC 2449 s8, RFC 3206); key upper-case"))

    parts.append("""
#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

const char *
mailx_enhanced_class_title(unsigned klass)
{
    return num_find(enh_class, N_ROWS(enh_class), klass);
}

const char *
mailx_enhanced_subject_title(unsigned subject)
{
    return subject > 999 ? NULL : num_find(enh_subject, N_ROWS(enh_subject), subject);
}

const char *
mailx_enhanced_detail_title(unsigned subject, unsigned detail)
{
    /* beyond 999 the key would alias another code (1.1000 == 2.0) */
    if (subject > 999 || detail > 999)
        return NULL;
    return num_find(enh_detail, N_ROWS(enh_detail), subject * 1000u + detail);
}

const char *
mailx_smtp_basic_title(unsigned code)
{
    return num_find(smtp_basic, N_ROWS(smtp_basic), code);
}

const char *
mailx_imap_code_meaning(const char *name, size_t len)
{
    const name_row *r = name_find(imap_codes, N_ROWS(imap_codes), name, len);
    return r ? r->meaning : NULL;
}

const char *
mailx_imap_code_hint(const char *name, size_t len)
{
    const name_row *r = name_find(imap_codes, N_ROWS(imap_codes), name, len);
    return r ? r->hint : NULL;
}

const char *
mailx_pop_code_meaning(const char *name, size_t len)
{
    const name_row *r = name_find(pop_codes, N_ROWS(pop_codes), name, len);
    return r ? r->meaning : NULL;
}

const char *
mailx_pop_code_hint(const char *name, size_t len)
{
    const name_row *r = name_find(pop_codes, N_ROWS(pop_codes), name, len);
    return r ? r->hint : NULL;
}

size_t
mailx_enhanced_detail_count(void)
{
    return N_ROWS(enh_detail);
}

void
mailx_enhanced_detail_key(size_t i, unsigned *subject, unsigned *detail)
{
    if (i >= N_ROWS(enh_detail)) {
        *subject = *detail = 0;
        return;
    }
    *subject = enh_detail[i].key / 1000u;
    *detail = enh_detail[i].key % 1000u;
}

size_t
mailx_smtp_basic_count(void)
{
    return N_ROWS(smtp_basic);
}

unsigned
mailx_smtp_basic_key(size_t i)
{
    return i < N_ROWS(smtp_basic) ? smtp_basic[i].key : 0;
}

size_t
mailx_imap_code_count(void)
{
    return N_ROWS(imap_codes);
}

const char *
mailx_imap_code_key(size_t i)
{
    return i < N_ROWS(imap_codes) ? imap_codes[i].key : NULL;
}

size_t
mailx_pop_code_count(void)
{
    return N_ROWS(pop_codes);
}

const char *
mailx_pop_code_key(size_t i)
{
    return i < N_ROWS(pop_codes) ? pop_codes[i].key : NULL;
}
""")
    return "\n".join(parts)


def main(argv):
    if len(argv) != 6:
        print(USAGE, file=sys.stderr)
        return 1
    try:
        source = generate(*argv[2:])
    except TableError as e:
        print(f"gen_code_tables.py: error: {e}", file=sys.stderr)
        return 1
    # written only once every table has been checked: no half file for ninja
    with open(argv[1], "w", encoding="ascii", newline="\n") as f:
        f.write(source)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
