/* Where Wireshark's imap dissector (epan/dissectors/packet-imap.c dissect_imap,
 * the same loop in 4.0 to 4.6) puts its imap.line items in one buffer it is
 * handed: the lines it consumed. With TCP reassembly it asks for more data at
 * an incomplete line, or at a FETCH line whose literal has not fully arrived,
 * and is handed those bytes again with the next segment; only the lines before
 * that point were consumed. Computed from the bytes alone, so that the plugin
 * need not ask Wireshark for every imap.line string (docs/performance.md). */
#ifndef MAILX_IMAP_WS_LINES_H
#define MAILX_IMAP_WS_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* buf: the cap captured bytes of the buffer the dissector got; cut: its
 * reported length is larger (a frame cut by the snap length). is_request: the
 * buffer comes from the client (only LOGIN lines read it). Of the line items
 * that start at or after min_start, the last one is [*line_start, *line_end);
 * false when there is none. Never reads past cap, no allocation. */
bool mailx_imap_ws_last_line(const uint8_t *buf, size_t cap, bool cut, bool is_request,
                             size_t min_start, size_t *line_start, size_t *line_end);

#endif
