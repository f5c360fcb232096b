/* LD_PRELOAD shim for tests/golden-tree: one dissector_handle_get_* accessor
 * (MAILX_SHIM_GETTER) answers with an equal string at another address, which
 * is how a handle whose layout mailx does not know looks to its check. */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <string.h>

typedef const char *(*getter)(const void *);

static const char *copy_of(const char *name, const void *h)
{
    getter real = (getter)dlsym(RTLD_NEXT, name);
    const char *s = real ? real(h) : NULL;
    return s ? strdup(s) : NULL;    /* never freed: a test process */
}

const char *MAILX_SHIM_GETTER(const void *h)
{
#define MAILX_STR2(x) #x
#define MAILX_STR(x) MAILX_STR2(x)
    return copy_of(MAILX_STR(MAILX_SHIM_GETTER), h);
}
