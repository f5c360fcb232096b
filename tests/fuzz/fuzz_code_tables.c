/* Fuzz target: the generated code-table lookups (epan-ext/code_tables.h) with
 * arbitrary names and numbers: counted, not NUL-terminated, any case. */
#include "fuzz_common.h"
#include "code_tables.h"

static void touch_str(const char *s)
{
    if (s)
        fuzz_touch((const uint8_t *)s, strlen(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *name = (const char *)data;
    touch_str(mailx_imap_code_meaning(name, size));
    touch_str(mailx_imap_code_hint(name, size));
    touch_str(mailx_pop_code_meaning(name, size));
    touch_str(mailx_pop_code_hint(name, size));
    if (size >= 4) {
        unsigned a = (unsigned)data[0] | (unsigned)data[1] << 8;
        unsigned b = (unsigned)data[2] | (unsigned)data[3] << 8;
        touch_str(mailx_enhanced_detail_title(a, b));
        touch_str(mailx_enhanced_subject_title(a));
        touch_str(mailx_enhanced_class_title(b));
        touch_str(mailx_smtp_basic_title(a));
    }
    return 0;
}
