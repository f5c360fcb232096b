/* Fuzz target: one IMAP line as a server response, as a client command, and
 * walked as astrings (epan-ext/imap_parse.c); the input as a buffer handed to
 * Wireshark's imap dissector (epan-ext/imap_ws_lines.c). */
#include "fuzz_common.h"
#include "imap_parse.h"
#include "imap_ws_lines.h"

static void check_literal(const mailx_imap_literal *l, size_t size)
{
    if (!l->present)
        return;
    FUZZ_CHECK(l->off < size);
    FUZZ_CHECK(l->size <= MAILX_IMAP_LITERAL_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailx_imap_response r;
    if (mailx_imap_response_parse(data, size, &r)) {
        FUZZ_CHECK(r.kind != MAILX_IMAP_RESP_NONE);
        FUZZ_CHECK(mailx_imap_status_name(r.status) != NULL);
        if (r.kind == MAILX_IMAP_RESP_TAGGED)
            FUZZ_CHECK_VIEW(r.tag_off, r.tag_len, size);
        FUZZ_CHECK_VIEW(r.kw_off, r.kw_len, size);
        FUZZ_CHECK_VIEW(r.text_off, r.text_len, size);
        fuzz_touch(data + r.kw_off, r.kw_len);
        fuzz_touch(data + r.text_off, r.text_len);
        if (r.has_code) {
            FUZZ_CHECK_VIEW(r.code_off, r.code_len, size);
            FUZZ_CHECK_VIEW(r.code_arg_off, r.code_arg_len, size);
            fuzz_touch(data + r.code_off, r.code_len);
            fuzz_touch(data + r.code_arg_off, r.code_arg_len);
        }
        check_literal(&r.literal, size);
    }
    mailx_imap_command c;
    if (mailx_imap_command_parse(data, size, &c)) {
        FUZZ_CHECK_VIEW(c.tag_off, c.tag_len, size);
        FUZZ_CHECK_VIEW(c.name_off, c.name_len, size);
        FUZZ_CHECK_VIEW(c.args_off, c.args_len, size);
        FUZZ_CHECK(c.tag_len > 0 && c.name_len > 0);
        fuzz_touch(data + c.args_off, c.args_len);
        check_literal(&c.literal, size);
        /* the arguments as astrings, as LOGIN's user name is read */
        size_t pos = c.args_off, guard = 0;
        mailx_imap_astring a;
        char buf[64];
        while (mailx_imap_astring_next(data, size, &pos, &a)) {
            FUZZ_CHECK(pos <= size && ++guard <= size + 1);
            FUZZ_CHECK(a.kind != MAILX_IMAP_ASTR_NONE);
            FUZZ_CHECK_VIEW(a.off, a.len, size);
            fuzz_touch(data + a.off, a.len);
            if (a.kind == MAILX_IMAP_ASTR_QUOTED) {
                size_t n = mailx_imap_unquote(data + a.off, a.len, buf, sizeof buf);
                FUZZ_CHECK(n < sizeof buf && buf[n] == '\0');
            }
            if (a.kind == MAILX_IMAP_ASTR_LITERAL)
                check_literal(&a.literal, size);
        }
    }
    mailx_imap_literal l;
    if (mailx_imap_literal_at_end(data, size, &l))
        check_literal(&l, size);
    for (int k = 0; k < 4; k++) {
        size_t ls, le;
        if (mailx_imap_ws_last_line(data, size, k & 1, k & 2, size / 3, &ls, &le))
            FUZZ_CHECK(ls >= size / 3 && ls < le && le <= size);
    }
    return 0;
}
