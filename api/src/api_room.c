/* SPDX-License-Identifier: Apache-2.0 */
/* Is there room for new images? Checked before a registration's work and by /readyz. */
#include "dlcs/fs.h"

#include "api_internal.h"

/* 507 naming 'what' when 'free_bytes' is under the floor. */
static enum dlcs_status above_floor(const char *what, int64_t free_bytes, int floor_mb,
                                    struct dlcs_error *err)
{
    if (free_bytes >= (int64_t)floor_mb << 20)
        return DLCS_OK;
    return dlcs_error_set(err, DLCS_ENOSPACE,
                          "%s is full: %lld MB free, below DLCS_STORAGE_MIN_FREE_MB (%d); "
                          "images can be registered again once space is freed",
                          what, (long long)(free_bytes >> 20), floor_mb);
}

enum dlcs_status dlcs_api_room_check(const struct dlcs_api_context *ctx, struct dlcs_error *err)
{
    int floor_mb = ctx->cfg->storage_min_free_mb;
    int64_t bytes = 0;
    enum dlcs_status st;

    if (floor_mb <= 0)
        return DLCS_OK;
    if (ctx->blobs) {
        st = dlcs_blob_free_bytes(ctx->blobs, &bytes, err);
        if (st == DLCS_OK)
            st = above_floor("blob storage", bytes, floor_mb, err);
        if (st != DLCS_OK && st != DLCS_EUNSUPPORTED) /* no fixed size: nothing to check */
            return st;
        dlcs_error_clear(err);
    }
    /* the embedded store, scratch space and spooled bodies live under the data directory */
    st = dlcs_fs_free_bytes(ctx->cfg->data_dir, &bytes, err);
    if (st == DLCS_OK)
        st = above_floor("the data directory's disk", bytes, floor_mb, err);
    if (st == DLCS_OK && ctx->cfg->scratch_dir) {
        st = dlcs_fs_free_bytes(ctx->cfg->scratch_dir, &bytes, err);
        if (st == DLCS_OK)
            st = above_floor("the scratch directory's disk", bytes, floor_mb, err);
    }
    return st;
}
