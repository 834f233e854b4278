/* SPDX-License-Identifier: Apache-2.0 */
/* Private to iiif/: image lookup and rendering. */
#ifndef DLCS_IIIF_INTERNAL_H
#define DLCS_IIIF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlcs/iiif_server.h"

/* Which delivery channel a request is for: the image service or the thumbnails service. */
enum dlcs_iiif_channel {
    DLCS_CHANNEL_IMAGE,
    DLCS_CHANNEL_THUMBS,
};

/* Which image a request names, spelt as requested, and on which channel. */
struct dlcs_iiif_image_ref {
    const char *customer, *space, *id; /* decoded path segments (customer: number or name) */
    enum dlcs_iiif_channel channel;
    bool fresh; /* read the record from the store, not the record cache */
};

/*
 * Look up customer (numeric id or name), space and asset id, and the stored sizes.
 * DLCS_ENOTFOUND (never saying which part is missing) when the image does not exist, has
 * nothing served yet (the message says when it is still being processed), or is not
 * delivered on the channel. Release with dlcs_iiif_image_release.
 */
enum dlcs_status dlcs_iiif_image_load(const struct dlcs_iiif_context *ctx,
                                      const struct dlcs_iiif_image_ref *ref,
                                      struct dlcs_iiif_image *img,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;
void dlcs_iiif_image_release(struct dlcs_iiif_image *img);

/* The record cache (iiif_image.c). 'ttl_ms' 0 disables it. */
struct dlcs_iiif_cache *dlcs_iiif_cache_new(int ttl_ms);
void dlcs_iiif_cache_free(struct dlcs_iiif_cache *c);

/* Blob key of a file of the image's served generation (see asset_blobs.h). New string. */
char *dlcs_iiif_blob_key(const struct dlcs_iiif_image *img, const char *file);

/* True when 'plan' may be served without IIIF Auth: the image is open, or the request is for
 * the full region no larger than maxUnauthorised on its longest edge. */
bool dlcs_iiif_allowed(const struct dlcs_iiif_image *img, const struct dlcs_iiif_plan *plan);

/*
 * Produce the image for 'plan' into a new buffer (g_free) of '*len' bytes: from a stored
 * thumbnail when one is exactly right (sent as stored) or large enough to downscale, else
 * from the pyramid page nearest above the output size. DLCS_ENOTFOUND when the derivative is
 * gone (a re-ingest replaced it since the record was read: load it again, fresh),
 * DLCS_EUPSTREAM when it cannot be read, DLCS_EINTERNAL when libvips fails.
 */
struct dlcs_iiif_render_job {
    const struct dlcs_iiif_image *img;
    const struct dlcs_iiif_plan *plan;
    uint64_t client; /* dlcs_http_client_key: renders are shared fairly between clients */
};

/*
 * Stored tiles and thumbnails are sent without a render slot. A render takes one of the
 * client's share (DLCS_IIIF_RENDER_SLOTS_PER_CLIENT) and is stopped past
 * DLCS_IIIF_RENDER_TIMEOUT_MS: DLCS_EBUSY in both cases (503 + Retry-After).
 */
enum dlcs_status dlcs_iiif_render(const struct dlcs_iiif_context *ctx,
                                  const struct dlcs_iiif_render_job *job, void **out, size_t *len,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

/* A delivery path after its prefix, split into segments (an optional v2/v3 first). */
#define DLCS_IIIF_MAX_SEGMENTS 9

struct dlcs_iiif_path {
    enum dlcs_iiif_version version;
    bool versioned;
    char *segs[DLCS_IIIF_MAX_SEGMENTS]; /* point into 'buf' */
    int count;
    char buf[2048];
};

/* Split the path after 'prefix' into segments; false when it does not fit. */
bool dlcs_iiif_split_path(const char *url_path, const char *prefix, struct dlcs_iiif_path *p);

/*
 * The same from the request's raw URL, each segment percent-decoded after splitting, so that
 * "%2F" inside a segment is a '/' of that segment (named query arguments).
 */
bool dlcs_iiif_split_raw_path(const struct _u_request *req, const char *prefix,
                              struct dlcs_iiif_path *p);

/* Answer an error (with CORS) from a status and message / from a recorded error. */
int dlcs_iiif_fail(const struct _u_request *req, struct _u_response *res, enum dlcs_status st,
                   const char *msg);
int dlcs_iiif_fail_err(const struct _u_request *req, struct _u_response *res,
                       const struct dlcs_error *err);

/* The CORS preflight answer of every delivery route. */
int dlcs_iiif_options(struct _u_response *res);

/* A public URL's customer ("2" or "acme") as its id. DLCS_ENOTFOUND when there is none. */
enum dlcs_status dlcs_iiif_customer_id(struct dlcs_store *store, const char *s, int64_t *id,
                                       struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The named query routes (resource_routes.c), registered with the image services. */
enum dlcs_status dlcs_iiif_register_resources(struct dlcs_http_server *http,
                                              const struct dlcs_iiif_context *ctx,
                                              struct dlcs_error *err) DLCS_WARN_UNUSED;

/* GET /iiif-resource/...: the named query manifest, streamed (manifest_stream.c). */
int dlcs_iiif_on_named_manifest(const struct _u_request *req, struct _u_response *res,
                                const struct dlcs_iiif_context *ctx, const struct dlcs_iiif_path *p,
                                bool v2);

/* FNV-1a of 's' continuing from 'h' (start with 1469598103934665603). */
uint64_t dlcs_iiif_hash(uint64_t h, const char *s);

/*
 * Set ETag (from 'h') and Last-Modified (from 'modified_ms'); true, with a 304 answer set,
 * when the request's If-None-Match / If-Modified-Since say the client has it already.
 */
bool dlcs_iiif_not_modified(const struct _u_request *req, struct _u_response *res, uint64_t h,
                            int64_t modified_ms);

#endif /* DLCS_IIIF_INTERNAL_H */
