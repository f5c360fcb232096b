/* The one place where Wireshark version differences live (4.0, 4.2, 4.4, 4.6).
 * Everything else in plugins/ calls these names. */
#ifndef MAILX_COMPAT_H
#define MAILX_COMPAT_H

#include <ws_version.h>
#include <epan/proto.h>

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

/* The mailx item's stand-in (packet-mailx.c) may hang in the tree while it is
 * rendered, so that an exception on the way (an item past gui.max_tree_items)
 * leaves its items in the tree without a TRY around the render: the tree then
 * frees the stand-in like any protocol item. On 4.0 its field_info holds the
 * fvalue_t itself, and an FT_PROTOCOL value as fvalue_init() makes it (the
 * type's ftype, no tvb, no string) is what proto_tree_free_node's
 * fvalue_cleanup() needs; from 4.2 on the value is a pointer that only
 * fvalue_new() makes (a heap block the tree would free): those keep the TRY.
 * MAILX_STAND_IN_FTYPE(fi): the ftype of a real FT_PROTOCOL field_info;
 * MAILX_STAND_IN_VALUE(fi, ft): fi's value made that type's value of nothing. */
#if MAILX_WS_AT_LEAST(4, 2)
#define MAILX_STAND_IN_LINKED 0
#else
#define MAILX_STAND_IN_LINKED 1
#define MAILX_STAND_IN_FTYPE(fi) ((fi)->value.ftype)
#define MAILX_STAND_IN_VALUE(fi, ft) \
    do { \
        (fi)->value.ftype = (ft); \
        (fi)->value.value.protocol.tvb = NULL; \
        (fi)->value.value.protocol.proto_string = NULL; \
        (fi)->value.value.protocol.tvb_is_private = FALSE; \
        (fi)->value.value.protocol.length = -1; \
    } while (0)
#endif

/* Boolean preference variables: prefs_register_bool_preference() takes
 * gboolean * in 4.0 and bool * from 4.2 on (gcc >= 14 makes the mismatch an
 * error). Declare every bool pref variable with this type. */
#if MAILX_WS_AT_LEAST(4, 2)
#include <stdbool.h>
typedef bool mailx_pref_bool;
#else
typedef gboolean mailx_pref_bool;
#endif

/* tshark -z handlers (stat_tap_ui.tap_init_cb): void in 4.0 and 4.4, bool in
 * 4.6 (false makes tshark exit 1). mailx's handlers exit(1) themselves on a
 * bad argument, so they only ever report success:
 *     static MAILX_CLI_INIT_RET foo_cli_init(const char *opt_arg, void *ud)
 *     { ...; MAILX_CLI_INIT_DONE; } */
#if MAILX_WS_AT_LEAST(4, 6)
#define MAILX_CLI_INIT_RET  bool
#define MAILX_CLI_INIT_DONE return true
#else
#define MAILX_CLI_INIT_RET  void
#define MAILX_CLI_INIT_DONE return
#endif

/* Is a field referenced directly, so that proto_tree_add_* makes a real item
 * of it in a hidden tree (TRY_TO_FAKE_THIS_ITEM)? 4.2+ adds HF_REF_TYPE_PRINT
 * (fields primed for printing: -T fields, -e, columns), after DIRECT. */
#define MAILX_HF_DIRECT(hfi) ((hfi)->ref_type >= HF_REF_TYPE_DIRECT)
/* The same for a group of fields, from the OR of their ref_type values
 * (mailx_hf_wanted): NONE 0, INDIRECT 1, DIRECT 2 and, from 4.2, PRINT 3,
 * so the OR has bit 1 set exactly when one of them is DIRECT or PRINT. An OR
 * above 3 would mean values this does not know: then check them one by one. */
G_STATIC_ASSERT(HF_REF_TYPE_NONE == 0 && HF_REF_TYPE_INDIRECT == 1 && HF_REF_TYPE_DIRECT == 2);
#if MAILX_WS_AT_LEAST(4, 2)
G_STATIC_ASSERT(HF_REF_TYPE_PRINT == 3);
#endif
#define MAILX_HF_REFS_EXACT(refs)  ((refs) <= 3)
#define MAILX_HF_REFS_DIRECT(refs) (((refs) & 2) != 0)

/* mailx_conn.c's conversation memo relies on how 4.0 keeps conversations
 * (exact address/port table, sorted chains, public conversation_t fields);
 * later versions look their conversations up differently (deinterlacing,
 * more tables) and keep Wireshark's look-up on every frame. */
#define MAILX_CONV_MEMO (!MAILX_WS_AT_LEAST(4, 1))

/* pinfo->layers read in place (mailx_conn.c's layer walk), without a call a
 * layer: wsutil keeps a wmem_list as {count, head, tail, allocator} and each
 * of its frames as {next, prev, data} (wsutil/wmem/wmem_list.c; the same in
 * 4.0, 4.4 and 4.6, as their wmem_list_head/_frame_next/_frame_data read it).
 * The header keeps both opaque, so mailx_conn.c checks this layout once, on a
 * list of its own against those calls, and walks with wmem_list_foreach when
 * it differs. */
typedef struct mailx_wmem_list_frame {
    struct mailx_wmem_list_frame *next, *prev;
    void *data;
} mailx_wmem_list_frame;
typedef struct {
    unsigned count;
    mailx_wmem_list_frame *head, *tail;
    void *allocator;
} mailx_wmem_list;

/* Where the smtp, pop and imap items of a frame are found (packet-mailx.c).
 * 4.0 and 4.4 never fake an item added to the root of a hidden tree
 * (TRY_TO_FAKE_THIS_ITEM fakes only under a parent with a field_info), so
 * walking the root's children finds them without wanting them, which spares
 * Wireshark priming them and keeping a pointer array per frame. 4.6 fakes
 * there too (its proto_item_is_hidden() takes an item without a field_info,
 * the root, for hidden), so an unreferenced protocol has no item to find in a
 * -Y/-T fields/-z tree: there they stay wanted fields. Enabled only on the
 * versions the matrix proves (4.0, 4.4); 4.2 keeps the wanted fields. */
#define MAILX_ROOT_WALK (!MAILX_WS_AT_LEAST(4, 1) || \
                         (MAILX_WS_AT_LEAST(4, 4) && !MAILX_WS_AT_LEAST(4, 5)))

/* The treeless path (packet-mailx.c, "the interposer"): mailx takes the bytes
 * the smtp, pop and imap dissectors are handed by calling them through their
 * own handles' function slot, and the TCP analysis flags from the tcp
 * dissector's record, so it needs no protocol tree and asks for no field:
 * plain and -z runs have no tree of mailx's making. It writes into the private
 * struct dissector_handle (epan/packet.c) and relies on when each of the three
 * dissectors adds its protocol item. Both were read for 4.0 (4.0.17's source)
 * and for 4.4 and 4.6 (Debian's 4.4.19 and 4.6.9 builds, see
 * docs/api-differences.md), and the tests compare the two paths there; 4.2
 * and any later series keep the tree path until someone reads theirs. Where
 * the slot is not found as expected at run time, mailx keeps the tree path
 * (mailx_treeless FALSE). */
#define MAILX_INTERPOSER (!MAILX_WS_AT_LEAST(4, 1) || \
                          (MAILX_WS_AT_LEAST(4, 4) && !MAILX_WS_AT_LEAST(4, 5)) || \
                          (MAILX_WS_AT_LEAST(4, 6) && !MAILX_WS_AT_LEAST(4, 7)))
/* struct dissector_handle has a pref_suffix word after the description in
 * 4.4 and 4.6 (not in 4.0): packet-mailx.c's mailx_handle_layout. */
#define MAILX_HANDLE_PREF_SUFFIX MAILX_WS_AT_LEAST(4, 4)

/* Plugin description for the loader (4.2+ looks up plugin_describe() and
 * lists the plugin's type in About > Plugins and `tshark -G plugins`); 4.0
 * has neither the symbol nor wsutil/plugins.h. plugin.c uses
 * MAILX_HAVE_PLUGIN_DESCRIBE and MAILX_PLUGIN_DESC. */
#if MAILX_WS_AT_LEAST(4, 2)
#include <wsutil/plugins.h>
#define MAILX_HAVE_PLUGIN_DESCRIBE 1
#define MAILX_PLUGIN_DESC (WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER)
#endif

#endif
