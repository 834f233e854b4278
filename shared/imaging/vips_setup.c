/* SPDX-License-Identifier: Apache-2.0 */
/* libvips start-up shared by ingest and delivery. */
#include "dlcs/vips_setup.h"

#include <vips/vips.h>

enum dlcs_status dlcs_vips_init(const char *argv0, int concurrency, int cache_mb,
                                struct dlcs_error *err)
{
    if (VIPS_INIT(argv0) != 0)
        return dlcs_error_set(err, DLCS_EINTERNAL, "libvips did not start: %s",
                              vips_error_buffer());
    if (concurrency > 0)
        vips_concurrency_set(concurrency);
    vips_cache_set_max_mem((size_t)cache_mb * 1024 * 1024);
    vips_cache_set_max_files(64);
    return DLCS_OK;
}
