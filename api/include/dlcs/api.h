/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Hydra registration API. This first part serves the entry point and the health
 * endpoints; the resource routes of ../shared/reference/dlcs-api.md land with issue #5.
 */
#ifndef DLCS_API_H
#define DLCS_API_H

#include "dlcs/blobstore.h"
#include "dlcs/config.h"
#include "dlcs/error.h"
#include "dlcs/http_server.h"
#include "dlcs/outbox_relay.h"
#include "dlcs/queue.h"
#include "dlcs/store.h"

/*
 * Run one asset's ingest now and record its outcome in the store (the asset has just been
 * registered with a new generation). DLCS_OK also when the asset ends with an error recorded
 * on it, which 'failure' then holds (its code DLCS_OK after a success); other statuses only
 * when the outcome could not be recorded.
 */
typedef enum dlcs_status (*dlcs_api_ingest_fn)(void *ctx, const struct dlcs_asset *asset,
                                               struct dlcs_error *failure, struct dlcs_error *err);

struct dlcs_slots;

/* What every API handler reads. Borrowed pointers; read-only once the server starts. */
struct dlcs_api_context {
    const struct dlcs_config *cfg;
    struct dlcs_store *store;     /* thread-safe */
    struct dlcs_blobstore *blobs; /* thread-safe; NULL: derivatives are kept on delete */
    dlcs_api_ingest_fn ingest;    /* NULL: immediate registration answers 503 */
    void *ingest_ctx;
    struct dlcs_slots *immediate;    /* bounds concurrent immediate ingests; NULL = none */
    struct dlcs_queue *queue;        /* thread-safe; NULL: this role queues nothing (iiif) */
    struct dlcs_outbox_relay *relay; /* NULL: the queue needs none (embedded) */
};

/*
 * Register the API's endpoints on 'inst'. 'ctx' is borrowed and must outlive the server.
 * Call before the server starts.
 */
enum dlcs_status dlcs_api_register(struct dlcs_http_server *http,
                                   const struct dlcs_api_context *ctx,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Register /healthz and /readyz (the store, the queue and the storage answer) on 'inst'; every
 * role serves them.
 */
enum dlcs_status dlcs_api_register_health(struct dlcs_http_server *http,
                                          const struct dlcs_api_context *ctx,
                                          struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_API_H */
