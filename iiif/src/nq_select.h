/* SPDX-License-Identifier: Apache-2.0 */
/* Private to iiif/: the images a named query selects, for manifests and raw-resource. */
#ifndef DLCS_NQ_SELECT_H
#define DLCS_NQ_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "dlcs/named_query.h"
#include "dlcs/store.h"

/* Called once per selected asset, in order; a non-OK status stops the walk. */
typedef enum dlcs_status (*dlcs_nq_each_fn)(void *arg, const struct dlcs_asset *a,
                                            struct dlcs_error *err);

/*
 * Walk the deliverable images (ingested, no error) that named query 'name' selects for
 * 'customer' with URL arguments 'args'. 'plan' gets the bound template (release it with
 * dlcs_nq_plan_release whatever the outcome). DLCS_ENOTFOUND for an unknown query or space
 * or when nothing matches; DLCS_EINVAL for arguments the template refuses.
 */
enum dlcs_status dlcs_nq_select(struct dlcs_store *store, int64_t customer, const char *name,
                                const char *const *args, size_t nargs, struct dlcs_nq_plan *plan,
                                dlcs_nq_each_fn each, void *arg,
                                struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_NQ_SELECT_H */
