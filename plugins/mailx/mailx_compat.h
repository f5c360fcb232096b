/* The one place where Wireshark version differences live (4.0, 4.2, 4.4, 4.6).
 * Everything else in plugins/ calls these names. */
#ifndef MAILX_COMPAT_H
#define MAILX_COMPAT_H

#include <ws_version.h>

#define MAILX_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* Statistics menu path of the stats_tree trees: 4.0 splits the name on "/",
 * later versions on STATS_TREE_MENU_SEPARATOR ("//") from epan/stats_tree.h. */
#include <epan/stats_tree.h>
#ifdef STATS_TREE_MENU_SEPARATOR
#define MAILX_STATS_MENU "Mail (mailx)" STATS_TREE_MENU_SEPARATOR
#else
#define MAILX_STATS_MENU "Mail (mailx)/"
#endif

/* field_info.value: embedded in 4.0, a pointer from 4.2 on. */
#if MAILX_WS_AT_LEAST(4, 2)
#define MAILX_FI_FVALUE(fi) ((fi)->value)
#else
#define MAILX_FI_FVALUE(fi) (&(fi)->value)
#endif

#endif
