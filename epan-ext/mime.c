/* Streaming MIME parser. Lines are split here (a peek of PEEK_MAX bytes is
 * enough to recognise a boundary; longer lines stream through as fragments),
 * then routed to the innermost open entity: its header, its decoder, or
 * nowhere (preamble, epilogue). Embedded messages (message/rfc822) that are
 * attachments are hashed as their raw lines while their own parts are parsed.
 *
 * RFC 2046 s5.1.1: the CRLF before a boundary belongs to the boundary, so each
 * consumer holds back a line's CRLF until it knows the next line is its own. */
#include "mime.h"
#include "ascii_case.h"

#include <gcrypt.h>
#include <glib.h>
#include <string.h>

#include "decode.h"
#include "mime_header.h"

/* RFC 2046 s5.1.1: boundaries are 1..70 characters; hostile ones are cut off
 * at BOUNDARY_MAX and reported. A line of PEEK_MAX bytes or more before its LF
 * (its CR included) cannot be a boundary, however its bytes arrive. */
#define BOUNDARY_MAX 200
#define PEEK_MAX     512

typedef enum {
    EM_HEADERS = 0,
    EM_LEAF,        /* body of a single part */
    EM_PREAMBLE,    /* multipart before its first boundary */
    EM_PARTS,       /* multipart with a child open */
    EM_EPILOGUE,    /* multipart after its close delimiter */
    EM_SKIP,        /* multipart whose further children are past parts_max */
    EM_MESSAGE,     /* message/rfc822 with the embedded message open as child */
} entity_mode;

typedef enum { ENC_IDENTITY = 0, ENC_BASE64, ENC_QP } entity_enc;

typedef struct {
    entity_mode mode;
    uint32_t index;
    char *ct_raw, *cd_raw, *cte_raw;     /* header values as sent (capped) */
    char *type, *filename, *encoding;
    char boundary[BOUNDARY_MAX + 1];
    size_t blen;
    bool is_multipart;
    bool closed_by_delim;
    bool attachment;                     /* reported when closed */
    bool raw_hash;                       /* embedded message: hash raw lines */
    bool owns_head;
    bool pending_crlf;
    entity_enc enc;
    mailx_b64_state b64;
    mailx_qp_state qp;
    gcry_md_hd_t md;                     /* SHA-256; NULL: not an attachment, or none could be opened */
    bool hash_stopped;
    uint64_t encoded, decoded;
    uint32_t anomalies;
    uint64_t header_bytes;
    bool header_over;
} entity;

struct mailx_mime_parser {
    mailx_mime_limits lim;
    mailx_mime_sink sink;
    void *ctx;
    entity *stack;                       /* grown on demand up to lim.depth_max */
    uint32_t depth, stack_cap;
    /* line assembly */
    uint8_t peek[PEEK_MAX];
    size_t peek_len;
    bool streaming;
    bool held_cr;
    uint64_t hdr_line_len;               /* bytes of the current header line so far */
    /* header field being unfolded (innermost entity in EM_HEADERS) */
    GString *field;
    bool field_active;
    bool field_skip;                     /* past header_bytes_max: not interpreted */
    size_t head_len;
    uint8_t *obuf;
    size_t obuf_cap;
    char *from_raw, *to_raw, *subject_raw, *msgid_raw;
    mailx_mime_summary sum;
    uint32_t next_index;
    /* first decoded bytes of the innermost leaf attachment (head_len of them
       are valid; last, so that a new parser clears only what comes before) */
    uint8_t head[MAILX_SNIFF_MAX];
};

void mailx_mime_limits_default(mailx_mime_limits *l)
{
    l->depth_max = MAILX_MIME_DEPTH_MAX_DEFAULT;
    l->parts_max = MAILX_MIME_PARTS_MAX_DEFAULT;
    l->attachments_max = MAILX_MIME_ATTACHMENTS_MAX_DEFAULT;
    l->header_field_max = MAILX_MIME_HEADER_FIELD_MAX_DEFAULT;
    l->header_bytes_max = MAILX_MIME_HEADER_BYTES_MAX_DEFAULT;
    l->decoded_max = MAILX_MIME_DECODED_MAX_DEFAULT;
}

/* Callers check depth_max before; the stack grows here, so no entity pointer
 * may be held across a push. */
static void push_entity(mailx_mime_parser *p)
{
    if (p->depth == p->stack_cap) {
        uint32_t cap = p->stack_cap ? p->stack_cap * 2 : 4;
        if (cap > p->lim.depth_max)
            cap = p->lim.depth_max;
        if (cap <= p->depth)        /* never past the array, whatever a caller did */
            cap = p->depth + 1;
        p->stack = g_renew(entity, p->stack, cap);
        p->stack_cap = cap;
    }
    entity *e = &p->stack[p->depth++];
    memset(e, 0, sizeof *e);
    e->mode = EM_HEADERS;
    e->index = p->next_index++;
    p->sum.parts++;
    if (p->depth > p->sum.max_depth)
        p->sum.max_depth = p->depth;
    p->hdr_line_len = 0;
    p->field_active = false;
    p->field_skip = false;
    g_string_truncate(p->field, 0);
}

mailx_mime_parser *mailx_mime_new(const mailx_mime_limits *limits, const mailx_mime_sink *sink,
                                  void *ctx)
{
    mailx_mime_parser *p = g_malloc(sizeof *p);
    memset(p, 0, offsetof(mailx_mime_parser, head));
    if (limits)
        p->lim = *limits;
    else
        mailx_mime_limits_default(&p->lim);
    if (p->lim.depth_max < 1)
        p->lim.depth_max = 1;
    if (sink)
        p->sink = *sink;
    p->ctx = ctx;
    p->field = g_string_sized_new(256);
    push_entity(p);
    return p;
}

/* ---- output of decoded bytes ---- */

static uint8_t *obuf(mailx_mime_parser *p, size_t need)
{
    if (need > p->obuf_cap) {
        p->obuf_cap = MAX(need, 4096);
        p->obuf = g_realloc(p->obuf, p->obuf_cap);
    }
    return p->obuf;
}

static void emit_decoded(mailx_mime_parser *p, entity *e, const uint8_t *b, size_t n)
{
    if (!n)
        return;
    e->decoded += n;
    if (!e->attachment)
        return;
    /* the limit holds whether or not the attachment has a hash context */
    if (!e->hash_stopped && e->decoded > p->lim.decoded_max) {
        e->hash_stopped = true;
        p->sum.limits |= MAILX_MIME_LIMIT_DECODED;
    }
    if (e->md && !e->hash_stopped)
        gcry_md_write(e->md, b, n);
    if (e->owns_head && p->head_len < MAILX_SNIFF_MAX) {
        size_t k = MIN(n, MAILX_SNIFF_MAX - p->head_len);
        memcpy(p->head + p->head_len, b, k);
        p->head_len += k;
    }
    if (p->sink.attachment_data && !e->hash_stopped)
        p->sink.attachment_data(p->ctx, e->index, b, n);
}

/* One piece of a body line of a leaf entity. */
static void leaf_bytes(mailx_mime_parser *p, entity *e, const uint8_t *b, size_t n)
{
    e->encoded += n;
    switch (e->enc) {
    case ENC_BASE64: {
        uint8_t *o = obuf(p, n + MAILX_DECODE_SLACK);
        emit_decoded(p, e, o, mailx_b64_step(&e->b64, b, n, o));
        break;
    }
    case ENC_QP: {
        uint8_t *o = obuf(p, n + MAILX_QP_SLACK);
        emit_decoded(p, e, o, mailx_qp_step(&e->qp, b, n, false, o));
        break;
    }
    default:
        emit_decoded(p, e, b, n);
        break;
    }
}

/* The held-back line end of a leaf: now known to be content. */
static void leaf_flush_crlf(mailx_mime_parser *p, entity *e)
{
    if (!e->pending_crlf)
        return;
    e->pending_crlf = false;
    e->encoded += 2;
    if (e->enc == ENC_QP) {
        uint8_t *o = obuf(p, MAILX_QP_SLACK);
        emit_decoded(p, e, o, mailx_qp_step(&e->qp, NULL, 0, true, o));
    } else if (e->enc == ENC_IDENTITY) {
        emit_decoded(p, e, (const uint8_t *)"\r\n", 2);
    }
}

static void raw_bytes(mailx_mime_parser *p, entity *e, const uint8_t *b, size_t n)
{
    if (e->pending_crlf) {
        e->pending_crlf = false;
        e->encoded += 2;
        emit_decoded(p, e, (const uint8_t *)"\r\n", 2);
    }
    e->encoded += n;
    emit_decoded(p, e, b, n);
}

/* ---- header fields ---- */

static char *dup_capped(const char *s, size_t n, size_t cap)
{
    return g_strndup(s, MIN(n, cap));
}

static void field_done(mailx_mime_parser *p, entity *e)
{
    if (!p->field_active)
        return;
    p->field_active = false;
    const char *f = p->field->str;
    size_t len = p->field->len;
    const char *colon = memchr(f, ':', len);
    if (!colon || colon == f) {
        e->anomalies |= MAILX_MIME_BAD_HEADER_LINE;
        return;
    }
    size_t nlen = (size_t)(colon - f);
    while (nlen && (f[nlen - 1] == ' ' || f[nlen - 1] == '\t'))
        nlen--;   /* "Subject :" is obsolete syntax (RFC 5322 s4.5) but seen */
    const char *v = colon + 1;
    size_t vlen = len - (size_t)(v - f);
    while (vlen && (*v == ' ' || *v == '\t')) { v++; vlen--; }
    while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) vlen--;

#define IS(name) (nlen == sizeof(name) - 1 && mailx_ascii_ieq(f, name, nlen))
    char **slot = NULL;
    if (IS("content-type")) slot = &e->ct_raw;
    else if (IS("content-disposition")) slot = &e->cd_raw;
    else if (IS("content-transfer-encoding")) slot = &e->cte_raw;
    else if (e->index == 0 && IS("from")) slot = &p->from_raw;
    else if (e->index == 0 && IS("to")) slot = &p->to_raw;
    else if (e->index == 0 && IS("subject")) slot = &p->subject_raw;
    else if (e->index == 0 && IS("message-id")) slot = &p->msgid_raw;
#undef IS
    /* the first occurrence counts, as most mail readers do */
    if (slot && !*slot)
        *slot = dup_capped(v, vlen, p->lim.header_field_max);
}

static void header_bytes(mailx_mime_parser *p, entity *e, const uint8_t *b, size_t n)
{
    if (!n)
        return;
    bool first = p->hdr_line_len == 0;
    p->hdr_line_len += n;
    e->header_bytes += n;
    if (e->index == 0)
        p->sum.header_bytes += n;
    if (first) {
        bool cont = b[0] == ' ' || b[0] == '\t';
        if (!cont || !p->field_active) {
            field_done(p, e);
            g_string_truncate(p->field, 0);
            p->field_active = true;
        }
        if (e->header_bytes > p->lim.header_bytes_max) {
            if (!e->header_over)
                p->sum.limits |= MAILX_MIME_LIMIT_HEADER_BYTES;
            e->header_over = true;
        }
        p->field_skip = e->header_over;
        if (p->field_skip)
            p->field_active = false;
    }
    if (p->field_skip || !p->field_active)
        return;
    size_t room = p->field->len < p->lim.header_field_max ? p->lim.header_field_max - p->field->len : 0;
    if (n > room)
        p->sum.limits |= MAILX_MIME_LIMIT_HEADER_FIELD;
    g_string_append_len(p->field, (const char *)b, (gssize)MIN(n, room));
}

static bool is_identity_cte(const char *enc)
{
    return !enc || !strcmp(enc, "7bit") || !strcmp(enc, "8bit") || !strcmp(enc, "binary");
}

/* libgcrypt's manual ("Initializing the library"): gcry_check_version() must
 * run before any other call, and initialising is the application's job.
 * Wireshark's epan_init() does it (check_version, DISABLE_SECMEM,
 * INITIALIZATION_FINISHED) long before a frame is dissected; the unit tests,
 * fuzzers and mime_dump are applications of their own that never touch
 * libgcrypt. So: when nobody has begun to initialise it, do what the manual's
 * application without secure memory does; when someone has (finished or not:
 * GCRYCTL_ANY_INITIALIZATION_P, not _FINISHED_P), leave their settings alone.
 * Once per process; neither query initialises anything by itself. */
static void gcrypt_init_once(void)
{
    static gsize done;
    if (g_once_init_enter(&done)) {
        if (!gcry_control(GCRYCTL_ANY_INITIALIZATION_P)) {
            gcry_check_version(NULL);
            gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
            gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
        }
        g_once_init_leave(&done, 1);
    }
}

static void start_attachment(mailx_mime_parser *p, entity *e)
{
    p->sum.attachments++;
    if (p->sum.attachments > p->lim.attachments_max) {
        p->sum.limits |= MAILX_MIME_LIMIT_ATTACHMENTS;
        return;
    }
    e->attachment = true;
    gcrypt_init_once();
    /* a context that cannot be opened (out of memory, FIPS error state):
       the attachment is reported and streamed as before, without a hash */
    gcry_md_hd_t md;
    if (gcry_md_open(&md, GCRY_MD_SHA256, 0) == 0)
        e->md = md;
}

/* RFC 2045 s5.2: no Content-Type means text/plain (RFC 2046 s5.1.5: in a
 * multipart/digest, message/rfc822). */
static void headers_done(mailx_mime_parser *p, entity *e)
{
    field_done(p, e);
    entity *parent = p->depth >= 2 ? &p->stack[p->depth - 2] : NULL;
    if (e->ct_raw)
        e->type = mailx_mime_type(e->ct_raw, strlen(e->ct_raw));
    if (!e->type && !e->ct_raw && parent && parent->type && !strcmp(parent->type, "multipart/digest"))
        e->type = g_strdup("message/rfc822");
    if (e->cte_raw)
        e->encoding = mailx_mime_disposition(e->cte_raw, strlen(e->cte_raw));
    char *disp = e->cd_raw ? mailx_mime_disposition(e->cd_raw, strlen(e->cd_raw)) : NULL;
    unsigned pf = 0;
    if (e->cd_raw)
        e->filename = mailx_mime_param(e->cd_raw, strlen(e->cd_raw), "filename", &pf);
    if (!e->filename && e->ct_raw)
        e->filename = mailx_mime_param(e->ct_raw, strlen(e->ct_raw), "name", &pf);
    if (pf & (MAILX_PARAM_BAD_CHARSET | MAILX_PARAM_BAD_SECTIONS))
        e->anomalies |= MAILX_MIME_BAD_PARAM;
    bool attach = (disp && !strcmp(disp, "attachment")) || (e->filename && *e->filename);
    g_free(disp);

    bool room = p->depth < p->lim.depth_max;
    if (e->type && g_str_has_prefix(e->type, "multipart/")) {
        unsigned bf = 0;
        char *b = mailx_mime_param(e->ct_raw, strlen(e->ct_raw), "boundary", &bf);
        size_t bl = b ? strlen(b) : 0;
        if (!bl) {
            e->anomalies |= MAILX_MIME_NO_BOUNDARY;
        } else if (bl > BOUNDARY_MAX) {
            p->sum.limits |= MAILX_MIME_LIMIT_BOUNDARY;
        } else if (!room) {
            p->sum.limits |= MAILX_MIME_LIMIT_DEPTH;
        } else {
            memcpy(e->boundary, b, bl);
            e->blen = bl;
            e->is_multipart = true;
            e->mode = EM_PREAMBLE;
            g_free(b);
            return;
        }
        g_free(b);
    } else if (e->type && (!strcmp(e->type, "message/rfc822") || !strcmp(e->type, "message/global")) &&
               is_identity_cte(e->encoding)) {
        if (!room) {
            p->sum.limits |= MAILX_MIME_LIMIT_DEPTH;
        } else {
            e->mode = EM_MESSAGE;
            if (attach) {
                start_attachment(p, e);
                e->raw_hash = e->attachment;
            }
            if (p->sum.parts >= p->lim.parts_max) {
                p->sum.limits |= MAILX_MIME_LIMIT_PARTS;
                e->mode = EM_LEAF;   /* its lines are still hashed, as content */
                e->raw_hash = false;
                return;
            }
            push_entity(p);
            return;
        }
    }
    /* a leaf */
    e->mode = EM_LEAF;
    if (e->encoding && !strcmp(e->encoding, "base64")) {
        e->enc = ENC_BASE64;
        mailx_b64_init(&e->b64);
    } else if (e->encoding && !strcmp(e->encoding, "quoted-printable")) {
        e->enc = ENC_QP;
        mailx_qp_init(&e->qp);
    }
    if (attach) {
        start_attachment(p, e);
        if (e->attachment) {
            e->owns_head = true;
            p->head_len = 0;
        }
    }
}

/* ---- entity close ---- */

static void report(mailx_mime_parser *p, entity *e)
{
    mailx_mime_attachment a;
    memset(&a, 0, sizeof a);
    a.index = e->index;
    a.depth = (uint32_t)(e - p->stack);
    a.filename = e->filename;
    a.type = e->type;
    a.encoding = e->encoding;
    a.embedded_message = e->raw_hash;
    a.encoded_size = e->encoded;
    a.decoded_size = e->decoded;
    a.truncated = e->hash_stopped;
    if (e->md && !e->hash_stopped) {
        const unsigned char *d = gcry_md_read(e->md, GCRY_MD_SHA256);   /* finalises */
        if (d) {
            memcpy(a.sha256, d, sizeof a.sha256);
            a.hashed = true;
        }
    }
    if (e->owns_head) {
        a.head = p->head;
        a.head_len = p->head_len;
    }
    a.anomalies = e->anomalies;
    if (p->sink.attachment_end)
        p->sink.attachment_end(p->ctx, &a);
}

static void entity_free(entity *e)
{
    g_free(e->ct_raw); g_free(e->cd_raw); g_free(e->cte_raw);
    g_free(e->type); g_free(e->filename); g_free(e->encoding);
    gcry_md_close(e->md);   /* NULL is ignored */
    memset(e, 0, sizeof *e);
}

static void pop_entity(mailx_mime_parser *p, bool at_end)
{
    entity *e = &p->stack[p->depth - 1];
    if (e->mode == EM_HEADERS)
        field_done(p, e);   /* a part that ended inside its header */
    if (at_end && e->pending_crlf) {
        /* no boundary follows: the last line end was content */
        if (e->raw_hash)
            raw_bytes(p, e, NULL, 0);
        else if (e->mode == EM_LEAF)
            leaf_flush_crlf(p, e);
    }
    if (e->mode == EM_LEAF) {
        uint8_t *o = obuf(p, MAILX_QP_SLACK);
        if (e->enc == ENC_BASE64) {
            emit_decoded(p, e, o, mailx_b64_finish(&e->b64, o));
            if (e->b64.invalid || e->b64.after_end)
                e->anomalies |= MAILX_MIME_BAD_BASE64;
        } else if (e->enc == ENC_QP) {
            emit_decoded(p, e, o, mailx_qp_finish(&e->qp, o));
            if (e->qp.invalid)
                e->anomalies |= MAILX_MIME_BAD_QP;
        }
    }
    if (e->is_multipart && !e->closed_by_delim)
        e->anomalies |= MAILX_MIME_UNTERMINATED;
    if (e->attachment)
        report(p, e);
    p->sum.anomalies |= e->anomalies;
    entity_free(e);
    p->depth--;
}

/* ---- line routing ---- */

static entity *top(mailx_mime_parser *p)
{
    return &p->stack[p->depth - 1];
}

static void line_fragment(mailx_mime_parser *p, const uint8_t *b, size_t n)
{
    /* embedded messages that are attachments see every line of what they hold */
    for (uint32_t j = 0; j + 1 < p->depth; j++)
        if (p->stack[j].raw_hash)
            raw_bytes(p, &p->stack[j], b, n);
    entity *e = top(p);
    switch (e->mode) {
    case EM_HEADERS:
        header_bytes(p, e, b, n);
        break;
    case EM_LEAF:
        leaf_flush_crlf(p, e);
        leaf_bytes(p, e, b, n);
        break;
    default:
        break;
    }
}

static void line_end(mailx_mime_parser *p)
{
    for (uint32_t j = 0; j + 1 < p->depth; j++)
        if (p->stack[j].raw_hash)
            p->stack[j].pending_crlf = true;
    entity *e = top(p);
    if (e->mode == EM_HEADERS) {
        bool empty = p->hdr_line_len == 0;
        p->hdr_line_len = 0;
        if (empty)
            headers_done(p, e);   /* RFC 5322 s2.1: an empty line ends the header */
    } else if (e->mode == EM_LEAF) {
        leaf_flush_crlf(p, e);    /* an empty line: the previous line end is content */
        e->pending_crlf = true;
    }
}

/* Is this line a delimiter of an open multipart (innermost first)? RFC 2046
 * s5.1.1: "--" boundary, optionally "--", then only white space. */
static int match_boundary(mailx_mime_parser *p, const uint8_t *b, size_t n, bool *close)
{
    if (n < 3 || b[0] != '-' || b[1] != '-')
        return -1;
    for (int j = (int)p->depth - 1; j >= 0; j--) {
        entity *e = &p->stack[j];
        if (!e->is_multipart || n < 2 + e->blen || memcmp(b + 2, e->boundary, e->blen) != 0)
            continue;
        size_t r = 2 + e->blen;
        bool c = false;
        if (r + 2 <= n && b[r] == '-' && b[r + 1] == '-') {
            c = true;
            r += 2;
        }
        while (r < n && (b[r] == ' ' || b[r] == '\t'))
            r++;
        if (r != n)
            continue;
        *close = c;
        return j;
    }
    return -1;
}

static void boundary_line(mailx_mime_parser *p, int k, bool close, const uint8_t *b, size_t n)
{
    /* the delimiter is content of the embedded messages around the multipart */
    for (int j = 0; j < k; j++)
        if (p->stack[j].raw_hash) {
            raw_bytes(p, &p->stack[j], b, n);
            p->stack[j].pending_crlf = true;
        }
    while ((int)p->depth - 1 > k)
        pop_entity(p, false);
    entity *e = top(p);
    /* the preamble's or previous part's last line end belongs to the delimiter */
    if (close) {
        e->closed_by_delim = true;
        e->mode = EM_EPILOGUE;
        return;
    }
    if (e->mode == EM_EPILOGUE || e->mode == EM_SKIP)
        return;
    if (p->sum.parts >= p->lim.parts_max) {
        p->sum.limits |= MAILX_MIME_LIMIT_PARTS;
        e->mode = EM_SKIP;
        return;
    }
    e->mode = EM_PARTS;
    push_entity(p);
}

static void whole_line(mailx_mime_parser *p, const uint8_t *b, size_t n)
{
    bool close = false;
    int k = match_boundary(p, b, n, &close);
    if (k >= 0) {
        boundary_line(p, k, close, b, n);
        return;
    }
    line_fragment(p, b, n);
    line_end(p);
}

void mailx_mime_feed(mailx_mime_parser *p, const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const uint8_t *nl = memchr(data + i, '\n', len - i);
        size_t seg_end = nl ? (size_t)(nl - data) : len;
        if (!p->streaming && p->peek_len == 0 && nl && seg_end - i < PEEK_MAX) {
            /* the whole line is in the caller's bytes (a DATA line and its CRLF
               come in one call): read there, not copied to the peek first */
            size_t n = seg_end - i;
            if (n && data[seg_end - 1] == '\r')
                n--;
            whole_line(p, data + i, n);
            i = seg_end + 1;
            continue;
        }
        if (!p->streaming) {
            size_t take = MIN(seg_end - i, PEEK_MAX - p->peek_len);
            memcpy(p->peek + p->peek_len, data + i, take);
            p->peek_len += take;
            i += take;
            if (nl && i == seg_end && p->peek_len < PEEK_MAX) {
                size_t n = p->peek_len;
                if (n && p->peek[n - 1] == '\r')
                    n--;
                p->peek_len = 0;
                whole_line(p, p->peek, n);
                i++;
            } else if (p->peek_len == PEEK_MAX) {
                /* too long for a boundary: stream the line through */
                p->streaming = true;
                size_t n = p->peek_len;
                if (p->peek[n - 1] == '\r') {
                    p->held_cr = true;
                    n--;
                }
                p->peek_len = 0;
                line_fragment(p, p->peek, n);
            }
            continue;
        }
        size_t n = seg_end - i;
        const uint8_t *b = data + i;
        if (n > 0) {
            if (p->held_cr) {
                line_fragment(p, (const uint8_t *)"\r", 1);
                p->held_cr = false;
            }
            if (b[n - 1] == '\r') {
                if (nl)
                    n--;
                else {
                    p->held_cr = true;
                    n--;
                }
            }
            if (n)
                line_fragment(p, b, n);
        }
        i = seg_end;
        if (nl) {
            p->held_cr = false;
            p->streaming = false;
            line_end(p);
            i++;
        }
    }
}

static void free_parser(mailx_mime_parser *p)
{
    while (p->depth) {
        entity_free(&p->stack[p->depth - 1]);
        p->depth--;
    }
    g_free(p->stack);
    g_string_free(p->field, TRUE);
    g_free(p->obuf);
    g_free(p->from_raw); g_free(p->to_raw); g_free(p->subject_raw); g_free(p->msgid_raw);
    g_free(p);
}

void mailx_mime_free(mailx_mime_parser *p)
{
    if (!p)
        return;
    mailx_mime_summary_clear(&p->sum);
    free_parser(p);
}

static char *decode_opt(const char *raw)
{
    return raw ? mailx_rfc2047_decode(raw, strlen(raw), MAILX_HDR_TEXT_MAX) : NULL;
}

void mailx_mime_finish(mailx_mime_parser *p, mailx_mime_summary *out)
{
    /* a last line without line end (BDAT need not end in CRLF) */
    if (p->streaming) {
        if (p->held_cr)
            line_fragment(p, (const uint8_t *)"\r", 1);
        p->held_cr = false;
        p->streaming = false;
    } else if (p->peek_len) {
        size_t n = p->peek_len;
        p->peek_len = 0;
        bool close = false;
        int k = match_boundary(p, p->peek, n, &close);
        if (k >= 0)
            boundary_line(p, k, close, p->peek, n);
        else
            line_fragment(p, p->peek, n);   /* no line end follows */
    }
    /* a message that ends inside its header: what was read still counts */
    if (p->depth && top(p)->mode == EM_HEADERS && p->depth == 1)
        field_done(p, top(p));
    while (p->depth)
        pop_entity(p, true);
    p->sum.from = decode_opt(p->from_raw);
    p->sum.to = decode_opt(p->to_raw);
    p->sum.subject = decode_opt(p->subject_raw);
    p->sum.message_id = decode_opt(p->msgid_raw);
    if (p->from_raw)
        p->sum.from_addr = mailx_addr_spec(p->from_raw, strlen(p->from_raw));
    *out = p->sum;
    memset(&p->sum, 0, sizeof p->sum);
    free_parser(p);
}

void mailx_mime_summary_clear(mailx_mime_summary *s)
{
    g_free(s->from); g_free(s->from_addr); g_free(s->to); g_free(s->subject); g_free(s->message_id);
    memset(s, 0, sizeof *s);
}
