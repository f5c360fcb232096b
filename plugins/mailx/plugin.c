/* Plugin entry points that Wireshark's loader looks up (version-specific parts
 * in mailx_compat.h). */
#include <epan/proto.h>
#include <ws_symbol_export.h>

#include "mailx_compat.h"

void proto_register_mailx(void);
void proto_reg_handoff_mailx(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = MAILX_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

#ifdef MAILX_HAVE_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return MAILX_PLUGIN_DESC;
}
#endif

void plugin_register(void)
{
    static proto_plugin plug_mailx;
    plug_mailx.register_protoinfo = proto_register_mailx;
    plug_mailx.register_handoff = proto_reg_handoff_mailx;
    proto_register_plugin(&plug_mailx);
}
