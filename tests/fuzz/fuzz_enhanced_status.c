/* Fuzz target: RFC 3463 enhanced status codes (epan-ext/enhanced_status.c). */
#include "fuzz_common.h"
#include "enhanced_status.h"
#include "code_tables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailx_enhanced_status st;
    if (!mailx_enhanced_status_parse(data, size, &st)) {
        FUZZ_CHECK(st.len == 0 && st.klass == 0);
        return 0;
    }
    FUZZ_CHECK(st.len >= 5 && st.len <= size && st.len <= 9);
    FUZZ_CHECK(st.klass == 2 || st.klass == 4 || st.klass == 5);
    FUZZ_CHECK(st.subject <= 999 && st.detail <= 999);
    /* RFC 2034 s4: the code ends at SP or at the end of the text */
    FUZZ_CHECK(st.len == size || data[st.len] == ' ');
    /* the code alone parses to the same value */
    mailx_enhanced_status again;
    FUZZ_CHECK(mailx_enhanced_status_parse(data, st.len, &again));
    FUZZ_CHECK(again.klass == st.klass && again.subject == st.subject &&
               again.detail == st.detail && again.len == st.len);
    const char *t = mailx_enhanced_detail_title(st.subject, st.detail);
    if (t)
        fuzz_touch((const uint8_t *)t, strlen(t));
    t = mailx_enhanced_subject_title(st.subject);
    if (t)
        fuzz_touch((const uint8_t *)t, strlen(t));
    FUZZ_CHECK(mailx_enhanced_class_title(st.klass) != NULL);
    return 0;
}
