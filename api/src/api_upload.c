/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A registration's body in any of its three forms: JSON (origin by URL), an image's bytes
 * (raw body with an image Content-Type), or multipart/form-data with a "metadata" JSON part
 * and a "file" part. Uploaded bytes are stored in blob storage and become the asset's origin.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dlcs/asset_blobs.h"
#include "dlcs/http_server.h"
#include "dlcs/json_util.h"
#include "dlcs/mem.h"
#include "dlcs/multipart.h"

#include "api_images.h"

static bool has_prefix(const char *s, const char *prefix)
{
    return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The media type of a Content-Type value (parameters dropped, lowercased) into 'out'. */
static void media_type_of(const char *content_type, char *out, size_t cap)
{
    size_t n = strcspn(content_type, "; \t");

    n = n < cap - 1 ? n : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(content_type[i] >= 'A' && content_type[i] <= 'Z' ? content_type[i] + 32
                                                                         : content_type[i]);
    out[n] = '\0';
}

static enum dlcs_status from_json_text(struct api_call *call, const void *text, size_t len,
                                       struct dlcs_asset *a, uint64_t *sent)
{
    json_t *j = NULL;
    enum dlcs_status st =
        dlcs_json_parse(text, len, (size_t)call->ctx->cfg->http_max_body, &j, &call->err);

    if (st == DLCS_OK)
        st = dlcs_entity_from_json(&dlcs_asset_entity, j, a, sent, &call->err);
    if (st != DLCS_OK)
        dlcs_error_prefix(&call->err, "multipart part 'metadata'");
    json_decref(j);
    return st;
}

static enum dlcs_status from_multipart(struct api_call *call, const char *content_type,
                                       struct dlcs_asset *a, uint64_t *sent, struct dlcs_upload *up)
{
    struct dlcs_multipart m;
    const struct dlcs_part *meta, *file;
    enum dlcs_status st;

    st = dlcs_multipart_parse(content_type, call->req->binary_body, call->req->binary_body_length,
                              &m, &call->err);
    if (st != DLCS_OK)
        return st;
    for (size_t i = 0; i < m.count; i++)
        if (strcmp(m.parts[i].name, "metadata") != 0 && strcmp(m.parts[i].name, "file") != 0)
            return dlcs_error_set(&call->err, DLCS_EINVAL,
                                  "multipart part '%s': only 'metadata' and 'file' are taken",
                                  m.parts[i].name);
    meta = dlcs_multipart_get(&m, "metadata");
    file = dlcs_multipart_get(&m, "file");
    if (!file || file->len == 0)
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "multipart part 'file' (the image's bytes) is required");
    if (meta && (st = from_json_text(call, meta->data, meta->len, a, sent)) != DLCS_OK)
        return st;
    up->bytes = file->data;
    up->len = file->len;
    media_type_of(file->content_type, up->media_type, sizeof up->media_type);
    return DLCS_OK;
}

static int field_bit(const char *name)
{
    return dlcs_entity_field_index(&dlcs_asset_entity, name);
}

/* The uploaded bytes' media type becomes mediaType unless the metadata said one. */
static enum dlcs_status adopt_upload(struct api_call *call, struct dlcs_asset *a, uint64_t *sent,
                                     struct dlcs_upload *up)
{
    if (*sent & DLCS_FIELD_BIT(field_bit("origin")))
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "field 'origin' cannot be sent with uploaded bytes: the upload is "
                              "the origin");
    if (!(*sent & DLCS_FIELD_BIT(field_bit("mediaType")))) {
        if (!has_prefix(up->media_type, "image/"))
            return dlcs_error_set(&call->err, DLCS_EINVAL,
                                  "the uploaded file's Content-Type ('%s') is not image/*; send "
                                  "field 'mediaType' or an image Content-Type",
                                  up->media_type);
        dlcs_str_replace(&a->media_type, up->media_type);
        *sent |= DLCS_FIELD_BIT(field_bit("mediaType"));
    }
    up->present = true; /* the origin is set once the path is known (dlcs_api_asset_prepare) */
    return DLCS_OK;
}

enum dlcs_status dlcs_api_registration_body(struct api_call *call, struct dlcs_asset *a,
                                            uint64_t *sent, struct dlcs_upload *up,
                                            const struct dlcs_asset *stored)
{
    const char *ct = u_map_get_case(call->req->map_header, "Content-Type");
    enum dlcs_status st;

    memset(up, 0, sizeof *up);
    *sent = 0;
    /* the dispatcher has already held the body to its limit (DLCS_UPLOAD_MAX_BYTES) */
    if (has_prefix(ct, "image/")) {
        up->file = dlcs_http_body_file(call->req);
        up->bytes = call->req->binary_body;
        up->len = call->req->binary_body_length;
        if (up->len == 0)
            return dlcs_error_set(&call->err, DLCS_EINVAL, "the uploaded image is empty");
        media_type_of(ct, up->media_type, sizeof up->media_type);
        return adopt_upload(call, a, sent, up);
    }
    if (has_prefix(ct, "multipart/form-data")) {
        st = from_multipart(call, ct, a, sent, up);
        return st == DLCS_OK ? adopt_upload(call, a, sent, up) : st;
    }
    return dlcs_api_asset_from_body(call, a, sent, stored);
}

enum dlcs_status dlcs_api_upload_store(struct api_call *call, struct dlcs_asset *a,
                                       const struct dlcs_upload *up)
{
    if (!up->present)
        return DLCS_OK;
    if (!call->ctx->blobs)
        return dlcs_error_set(&call->err, DLCS_EUNSUPPORTED,
                              "direct upload needs blob storage, which this role has not");
    if (up->file) /* a large body spooled to scratch: copied from there, never into memory */
        return dlcs_blob_put_file(call->ctx->blobs, dlcs_asset_upload_key(a->origin), up->file,
                                  &call->err);
    return dlcs_blob_put_bytes(call->ctx->blobs, dlcs_asset_upload_key(a->origin), up->bytes,
                               up->len, &call->err);
}
