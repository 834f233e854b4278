/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Hydra registration API. This first part serves the entry point and the health
 * endpoints; the resource routes of ../shared/reference/dlcs-api.md land with issue #5.
 */
#ifndef DLCS_API_H
#define DLCS_API_H

#include <ulfius.h>

#include "dlcs/config.h"
#include "dlcs/error.h"
#include "dlcs/store.h"

/* What every API handler reads. Borrowed pointers; read-only once the server starts. */
struct dlcs_api_context {
    const struct dlcs_config *cfg;
    struct dlcs_store *store; /* thread-safe */
};

/*
 * Register the API's endpoints on 'inst'. 'ctx' is borrowed and must outlive the server.
 * Call before the server starts.
 */
enum dlcs_status dlcs_api_register(struct _u_instance *inst, const struct dlcs_api_context *ctx,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Register /healthz and /readyz (the store answers) on 'inst'; every role serves them. */
enum dlcs_status dlcs_api_register_health(struct _u_instance *inst,
                                          const struct dlcs_api_context *ctx,
                                          struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_API_H */
