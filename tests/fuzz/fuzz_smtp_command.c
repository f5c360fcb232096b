/* Fuzz target: one SMTP command line (epan-ext/smtp_command.c). */
#include "fuzz_common.h"
#include "smtp_command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailx_smtp_command c;
    bool ok = mailx_smtp_command_parse(data, size, &c);
    if (!ok)
        return 0;
    FUZZ_CHECK((unsigned)c.verb < MAILX_SMTP_CMD_COUNT);
    const char *name = mailx_smtp_verb_name(c.verb);
    FUZZ_CHECK(name != NULL);
    fuzz_touch((const uint8_t *)name, strlen(name));
    FUZZ_CHECK(c.verb_len >= 1 && c.verb_len <= size);
    FUZZ_CHECK_VIEW(c.arg_off, c.arg_len, size);
    fuzz_touch(data + c.arg_off, c.arg_len);
    if (c.has_path) {
        FUZZ_CHECK(c.verb == MAILX_SMTP_CMD_MAIL || c.verb == MAILX_SMTP_CMD_RCPT);
        FUZZ_CHECK_VIEW(c.path_off, c.path_len, size);
        fuzz_touch(data + c.path_off, c.path_len);
    }
    if (c.bdat_ok)
        FUZZ_CHECK(c.verb == MAILX_SMTP_CMD_BDAT);
    if (c.has_size_param)
        FUZZ_CHECK(c.verb == MAILX_SMTP_CMD_MAIL);
    return 0;
}
