/* SPDX-License-Identifier: Apache-2.0 */
/* Starting libvips once per process, for the roles that convert or deliver images. */
#ifndef DLCS_VIPS_SETUP_H
#define DLCS_VIPS_SETUP_H

#include "dlcs/error.h"

/*
 * VIPS_INIT with 'argv0', then 'concurrency' threads per operation (0 = cores) and an
 * operation cache of 'cache_mb' MiB (0 = none). Call before threads start.
 * DLCS_EINTERNAL if libvips cannot start.
 */
enum dlcs_status dlcs_vips_init(const char *argv0, int concurrency, int cache_mb,
                                struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_VIPS_SETUP_H */
