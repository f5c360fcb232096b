/* Fuzz target: one POP3 line as a status line and as a command line
 * (epan-ext/pop_parse.c). */
#include "fuzz_common.h"
#include "pop_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailx_pop_status st;
    if (mailx_pop_status_parse(data, size, &st)) {
        FUZZ_CHECK(st.ind != MAILX_POP_IND_NONE);
        FUZZ_CHECK_VIEW(st.text_off, st.text_len, size);
        fuzz_touch(data + st.text_off, st.text_len);
        if (st.has_code) {
            FUZZ_CHECK(!st.code_unterminated);
            FUZZ_CHECK_VIEW(st.code_off, st.code_len, size);
            fuzz_touch(data + st.code_off, st.code_len);
        }
    }
    mailx_pop_command c;
    if (mailx_pop_command_parse(data, size, &c)) {
        FUZZ_CHECK((unsigned)c.verb < MAILX_POP_CMD_COUNT);
        const char *n = mailx_pop_verb_name(c.verb);
        FUZZ_CHECK(n != NULL);
        fuzz_touch((const uint8_t *)n, strlen(n));
        FUZZ_CHECK(c.verb_len <= size);
        FUZZ_CHECK_VIEW(c.arg_off, c.arg_len, size);
        FUZZ_CHECK(c.arg1_len <= c.arg_len);
        FUZZ_CHECK_VIEW(c.arg2_off, c.arg2_len, size);
        fuzz_touch(data + c.arg_off, c.arg_len);
        fuzz_touch(data + c.arg2_off, c.arg2_len);
        (void)mailx_pop_multiline(c.verb, c.arg_len > 0);
    }
    return 0;
}
