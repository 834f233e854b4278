/* SPDX-License-Identifier: Apache-2.0 */
/* Private to iiif/: the images a named query selects, for manifests and raw-resource. */
#ifndef DLCS_NQ_SELECT_H
#define DLCS_NQ_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlcs/named_query.h"
#include "dlcs/store.h"

/* Called once per selected asset, in order; a non-OK status stops the walk. */
typedef enum dlcs_status (*dlcs_nq_each_fn)(void *arg, const struct dlcs_asset *a,
                                            struct dlcs_error *err);

/* A walk over the deliverable images a named query selects, a page of records at a time. */
struct dlcs_nq_cursor {
    struct dlcs_store *store;
    struct dlcs_nq_plan plan; /* the bound template (the query borrows its strings) */
    struct dlcs_query q;
    struct dlcs_list page;
    char *after; /* owned: where the page after this one starts (keyset: every page costs one) */
    size_t next;
    bool started, done;
    char *query_id, *template; /* of the named query found */
};

/*
 * Open a walk over the deliverable images (ingested, no error) that named query 'name'
 * selects for 'customer' with URL arguments 'args' (the customer's own query before a global
 * one). Close it with dlcs_nq_close whatever the outcome. DLCS_ENOTFOUND for an unknown query
 * or space or when nothing matches; DLCS_EINVAL for arguments the template refuses.
 */
enum dlcs_status dlcs_nq_open(struct dlcs_store *store, int64_t customer, const char *name,
                              const char *const *args, size_t nargs, struct dlcs_nq_cursor *c,
                              struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The next asset ('*a' borrowed until the next call), or '*a' NULL at the end. */
enum dlcs_status dlcs_nq_next(struct dlcs_nq_cursor *c, const struct dlcs_asset **a,
                              struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Validators of the selection, read before walking it: how many images it has and when the
 * most recent of them last changed (registration, ingest or metadata).
 */
enum dlcs_status dlcs_nq_validators(const struct dlcs_nq_cursor *c, int64_t *count,
                                    int64_t *modified, struct dlcs_error *err) DLCS_WARN_UNUSED;

void dlcs_nq_close(struct dlcs_nq_cursor *c);

/* The whole walk with a callback per asset (dlcs_nq_open's errors). */
enum dlcs_status dlcs_nq_select(struct dlcs_store *store, int64_t customer, const char *name,
                                const char *const *args, size_t nargs, dlcs_nq_each_fn each,
                                void *arg, struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_NQ_SELECT_H */
