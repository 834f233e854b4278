/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /iiif-resource/{customer}/{query}/{args...}: a named query's selection as one IIIF
 * Presentation 3.0 manifest, streamed: the head, then one canvas per image read page by page
 * from the store, then the tail. Memory stays bounded by one page of records and one canvas
 * whatever the length of the book. The first page is read before the answer starts, so an
 * unknown query, bad arguments or an empty selection are still a clean 404/400.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/http_server.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

#include "iiif_internal.h"
#include "manifest.h"
#include "nq_select.h"

#define P3_CONTEXT "http://iiif.io/api/presentation/3/context.json"
#define P2_CONTEXT "http://iiif.io/api/presentation/2/context.json"

struct manifest_stream {
    const struct dlcs_iiif_context *ctx;
    struct dlcs_nq_cursor cursor;
    char *base, *id;
    char *chunk; /* the text being sent */
    size_t len, off;
    size_t canvases;
    bool v2; /* Presentation 2.1, else 3.0 */
    bool tail_sent;
};

static void stream_free(void *p)
{
    struct manifest_stream *s = p;

    dlcs_nq_close(&s->cursor);
    free(s->chunk);
    free(s->id);
    free(s->base);
    free(s);
}

static void set_chunk(struct manifest_stream *s, char *text)
{
    free(s->chunk);
    s->chunk = text;
    s->len = strlen(text);
    s->off = 0;
}

/* A canvas's label: the field the query names (a page's own label), else its ordinal. */
static const char *canvas_label(const struct manifest_stream *s, const struct dlcs_asset *a,
                                char *buf, size_t cap)
{
    const char *text = s->cursor.plan.canvas_label > 0
                           ? dlcs_manifest_field_text(a, s->cursor.plan.canvas_label, buf, cap)
                           : "";

    if (text[0])
        return text;
    (void)snprintf(buf, cap, "%zu", s->canvases + 1);
    return buf;
}

/* The next canvas as text ("," first after the first one), or NULL at the end. */
static char *next_canvas(struct manifest_stream *s)
{
    const struct dlcs_asset *a = NULL;
    struct dlcs_iiif_image img;
    struct dlcs_error err = {0}, load_err = {0};
    char cs[32], ss[32], *canvas_id, *text = NULL, label[32];
    json_t *canvas;
    struct dlcs_manifest_labels labels;

    for (int i = 0; i < 6; i++)
        labels.field[i] = s->cursor.plan.field_label[i];

    while (!text) {
        if (dlcs_nq_next(&s->cursor, &a, &err) != DLCS_OK) {
            dlcs_log(DLCS_LOG_ERROR, "manifest %s cut short: %s", s->id, err.message);
            return NULL;
        }
        if (!a)
            return NULL;
        (void)snprintf(cs, sizeof cs, "%lld", (long long)a->customer);
        (void)snprintf(ss, sizeof ss, "%lld", (long long)a->space);
        if (dlcs_iiif_image_load(
                s->ctx, &(struct dlcs_iiif_image_ref){cs, ss, a->id, DLCS_CHANNEL_IMAGE, false},
                &img, &load_err) != DLCS_OK)
            continue; /* not delivered on the image channel: not on a canvas either */
        canvas_id = dlcs_xasprintf("%s/canvas/c/%zu", s->id, s->canvases);
        canvas = s->v2 ? dlcs_manifest_canvas_v2(s->base, &img, canvas_id,
                                                 canvas_label(s, a, label, sizeof label), &labels)
                       : dlcs_manifest_canvas_v3(s->base, &img, canvas_id,
                                                 canvas_label(s, a, label, sizeof label), &labels);
        dlcs_iiif_image_release(&img);
        {
            char *json = json_dumps(canvas, JSON_COMPACT);

            text = dlcs_xasprintf("%s%s", s->canvases > 0 ? "," : "", json);
            free(json);
        }
        json_decref(canvas);
        free(canvas_id);
        s->canvases++;
    }
    return text;
}

static ssize_t stream_read(void *p, uint64_t offset, char *out, size_t max)
{
    struct manifest_stream *s = p;
    size_t n;

    (void)offset;
    while (s->off == s->len) {
        char *text = next_canvas(s);

        if (!text && s->tail_sent)
            return U_STREAM_END;
        if (!text) {
            text = dlcs_xstrdup(s->v2 ? "]}]}" : "]}");
            s->tail_sent = true;
        }
        set_chunk(s, text);
    }
    n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(out, s->chunk + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

/* The manifest's opening, up to the start of its canvases. */
static char *head_text(const struct manifest_stream *s, const char *label)
{
    char *seq = dlcs_xasprintf("%s/sequence/0", s->id);
    /* every string goes through jansson: nothing from the URL can end a string or add a key */
    json_t *head = s->v2 ? json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s,s:[]}]}", "@context", P2_CONTEXT,
                                     "@id", s->id, "@type", "sc:Manifest", "label", label,
                                     "sequences", "@id", seq, "@type", "sc:Sequence", "canvases")
                         : json_pack("{s:s,s:s,s:s,s:{s:[s]},s:[]}", "@context", P3_CONTEXT, "id",
                                     s->id, "type", "Manifest", "label", "none", label, "items");
    char *json = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
    size_t len = strlen(json), open = s->v2 ? strlen("]}]}") : strlen("]}");

    /* cut after the canvases' opening bracket: the canvases and the tail follow */
    DLCS_ASSERT(len > open && json[len - open] == ']');
    json[len - open] = '\0';
    json_decref(head);
    free(seq);
    return json;
}

/*
 * ETag and Last-Modified of the manifest: the query and its template, the URL (arguments and
 * version), how many images it selects and when the latest of them changed. True when the
 * client's copy is current (304 set).
 */
static bool manifest_not_modified(const struct _u_request *req, struct _u_response *res,
                                  struct manifest_stream *s)
{
    struct dlcs_error err = {0};
    int64_t count = 0, modified = 0;
    char num[64];
    uint64_t h = 1469598103934665603ULL;

    if (dlcs_nq_validators(&s->cursor, &count, &modified, &err) != DLCS_OK)
        return false; /* no validators: the manifest is sent whole */
    (void)snprintf(num, sizeof num, "|%lld|%lld|%d", (long long)count, (long long)modified,
                   s->v2 ? 2 : 3);
    h = dlcs_iiif_hash(h, s->cursor.query_id);
    h = dlcs_iiif_hash(h, s->cursor.template);
    h = dlcs_iiif_hash(h, s->base); /* every id in the body starts with it */
    h = dlcs_iiif_hash(h, req->url_path);
    h = dlcs_iiif_hash(h, num);
    return dlcs_iiif_not_modified(req, res, h, modified);
}

int dlcs_iiif_on_named_manifest(const struct _u_request *req, struct _u_response *res,
                                const struct dlcs_iiif_context *ctx, const struct dlcs_iiif_path *p,
                                bool v2)
{
    struct manifest_stream *s = dlcs_xcalloc(1, sizeof *s);
    struct dlcs_error err = {0};
    int64_t customer;
    char *path_label;

    if (dlcs_iiif_customer_id(ctx->store, p->segs[0], &customer, NULL) != DLCS_OK) {
        free(s);
        return dlcs_iiif_fail(req, res, DLCS_ENOTFOUND, "no such customer");
    }
    s->ctx = ctx;
    s->v2 = v2;
    if (dlcs_nq_open(ctx->store, customer, p->segs[1], (const char *const *)p->segs + 2,
                     (size_t)p->count - 2, &s->cursor, &err) != DLCS_OK) {
        stream_free(s);
        return dlcs_iiif_fail_err(req, res, &err);
    }
    s->base = dlcs_http_base_url(req, ctx->cfg->public_url); /* before the ETag: ids hold it */
    if (manifest_not_modified(req, res, s)) {
        stream_free(s);
        return U_CALLBACK_COMPLETE;
    }
    /* the URL as requested (arguments still encoded), so the id dereferences to this */
    {
        char *target = dlcs_http_target_encode(req->http_url, strcspn(req->http_url, "?#"));

        s->id = dlcs_xasprintf("%s%s", s->base, target);
        free(target);
    }
    path_label = dlcs_xstrdup(req->url_path + strlen("/iiif-resource/") +
                              (p->versioned ? strlen("v2/") : 0));
    set_chunk(s, head_text(s, s->cursor.plan.label ? s->cursor.plan.label : path_label));
    free(path_label);
    u_map_put(res->map_header, "Access-Control-Allow-Origin", "*");
    u_map_put(res->map_header, "Content-Type",
              v2 ? "application/ld+json;profile=\"" P2_CONTEXT "\""
                 : "application/ld+json;profile=\"" P3_CONTEXT "\"");
    u_map_put(res->map_header, "Vary", "Accept");
    if (ulfius_set_stream_response(res, 200, stream_read, stream_free, U_STREAM_SIZE_UNKNOWN,
                                   64 * 1024, s) != U_OK) {
        stream_free(s);
        return dlcs_iiif_fail(req, res, DLCS_EINTERNAL, "cannot stream the manifest");
    }
    return U_CALLBACK_COMPLETE;
}
