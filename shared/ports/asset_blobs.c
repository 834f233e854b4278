/* SPDX-License-Identifier: Apache-2.0 */
/* An asset's objects in blob storage: per-generation sets and uploads (see asset_blobs.h). */
#include "dlcs/asset_blobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/ids.h"
#include "dlcs/mem.h"

#define UPLOADS "uploads"

char *dlcs_asset_blob_prefix(const struct dlcs_asset *a, int64_t generation)
{
    if (generation <= 0)
        return dlcs_xasprintf("%lld/%lld/%s", (long long)a->customer, (long long)a->space, a->id);
    return dlcs_xasprintf("%lld/%lld/%s/g%lld", (long long)a->customer, (long long)a->space, a->id,
                          (long long)generation);
}

char *dlcs_asset_served_prefix(const struct dlcs_asset *a)
{
    return dlcs_asset_blob_prefix(a, a->served);
}

bool dlcs_asset_is_served(const struct dlcs_asset *a)
{
    return a->served > 0 || a->width > 0;
}

char *dlcs_asset_upload_origin_new(const struct dlcs_asset *a)
{
    char uuid[DLCS_UUID_BUF];

    dlcs_id_uuid(uuid);
    return dlcs_xasprintf(DLCS_UPLOAD_SCHEME UPLOADS "/%lld/%lld/%s/%s", (long long)a->customer,
                          (long long)a->space, a->id, uuid);
}

const char *dlcs_asset_upload_key(const char *origin)
{
    size_t n = strlen(DLCS_UPLOAD_SCHEME);

    return origin && strncmp(origin, DLCS_UPLOAD_SCHEME, n) == 0 ? origin + n : NULL;
}

/* A token as dlcs_asset_upload_origin_new makes them: a UUID's characters, nothing else. */
static bool is_token(const char *s)
{
    size_t n = strlen(s);

    if (n != DLCS_UUID_BUF - 1)
        return false;
    return strspn(s, "0123456789abcdef-") == n;
}

bool dlcs_asset_upload_origin_owned(const struct dlcs_asset *a, const char *origin)
{
    const char *key = dlcs_asset_upload_key(origin);
    char *mine;
    size_t n;
    bool owned;

    if (!key)
        return false;
    mine =
        dlcs_xasprintf("%lld/%lld/%s/origin", (long long)a->customer, (long long)a->space, a->id);
    owned = strcmp(key, mine) == 0; /* the older, one-per-id form */
    free(mine);
    if (owned)
        return true;
    mine = dlcs_xasprintf(UPLOADS "/%lld/%lld/%s/", (long long)a->customer, (long long)a->space,
                          a->id);
    n = strlen(mine);
    owned = strncmp(key, mine, n) == 0 && is_token(key + n);
    free(mine);
    return owned;
}

static enum dlcs_status remove_key(struct dlcs_blobstore *b, char *prefix, const char *file,
                                   struct dlcs_error *err)
{
    char *key = dlcs_xasprintf("%s/%s", prefix, file);
    enum dlcs_status st = dlcs_blob_remove_prefix(b, key, err);

    free(key);
    return st;
}

enum dlcs_status dlcs_asset_blobs_remove_generation(struct dlcs_blobstore *b,
                                                    const struct dlcs_asset *a, int64_t generation,
                                                    struct dlcs_error *err)
{
    static const char *const old_layout[] = {"image.tif", "image.jp2", "thumbs", "sizes.json"};
    char *prefix = dlcs_asset_blob_prefix(a, generation);
    enum dlcs_status st = DLCS_OK;

    if (generation > 0) {
        st = dlcs_blob_remove_prefix(b, prefix, err);
    } else { /* the old layout shares the id's folder with the generations: file by file */
        for (size_t i = 0; i < sizeof old_layout / sizeof old_layout[0] && st == DLCS_OK; i++)
            st = remove_key(b, prefix, old_layout[i], err);
    }
    free(prefix);
    return st;
}

enum dlcs_status dlcs_asset_blobs_remove_upload(struct dlcs_blobstore *b,
                                                const struct dlcs_asset *a, const char *origin,
                                                struct dlcs_error *err)
{
    if (!dlcs_asset_upload_origin_owned(a, origin))
        return DLCS_OK;
    return dlcs_blob_remove_prefix(b, dlcs_asset_upload_key(origin), err);
}

enum dlcs_status dlcs_asset_blobs_remove(struct dlcs_blobstore *b, const struct dlcs_asset *a,
                                         struct dlcs_error *err)
{
    enum dlcs_status st = DLCS_OK;

    if (dlcs_asset_is_served(a))
        st = dlcs_asset_blobs_remove_generation(b, a, a->served, err);
    if (st == DLCS_OK && a->generation > 0 && a->generation != a->served)
        st = dlcs_asset_blobs_remove_generation(b, a, a->generation, err);
    if (st == DLCS_OK)
        st = dlcs_asset_blobs_remove_upload(b, a, a->origin, err);
    return st;
}
