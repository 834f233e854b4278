/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store port: where customers, keys, spaces, assets, batches, named queries, origin
 * strategies and delivery-channel policies live. The API and the workers call only these
 * functions; an adapter (SQLite now, MongoDB at scale) implements struct dlcs_store_ops.
 * Every adapter passes the same contract suite (tests/contract/store_contract.c).
 *
 * Records are the structs of model.h, described by their dlcs_entity. Simple records use the
 * generic calls (insert/get/update/remove/list); the calls whose semantics matter at scale
 * (registration with generations, exactly-once completion, asset queries) are their own ops.
 *
 * Threads: a store is shared by every thread; all calls are thread-safe.
 */
#ifndef DLCS_STORE_H
#define DLCS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlcs/entity.h"
#include "dlcs/error.h"
#include "dlcs/ids.h"
#include "dlcs/model.h"

/* A condition on one field; all terms of a filter must hold. */
enum dlcs_term_op {
    DLCS_TERM_EQ,       /* field == value */
    DLCS_TERM_UNSET,    /* time 0 / string NULL */
    DLCS_TERM_SET,      /* the opposite */
    DLCS_TERM_HAS,      /* a list field contains the string value */
    DLCS_TERM_POSITIVE, /* an integer field > 0 */
};

struct dlcs_term {
    const char *field; /* a field name of the entity */
    enum dlcs_term_op op;
    int64_t num;     /* EQ on integer, bool and time fields */
    const char *str; /* EQ on string fields, HAS on lists; borrowed */
};

/* One sort key: a DLCS_FF_SORTABLE field, ascending unless 'desc'. */
struct dlcs_order {
    const char *field;
    bool desc;
};

#define DLCS_QUERY_TERMS_MAX   16
#define DLCS_QUERY_ORDER_MAX   4
#define DLCS_QUERY_BATCHES_MAX 64

/*
 * What to list: filter terms, sort keys (the key fields are always appended so that pages are
 * stable), and the page. page_size 0 = every match (internal callers only).
 */
struct dlcs_query {
    struct dlcs_term terms[DLCS_QUERY_TERMS_MAX];
    size_t term_count;
    struct dlcs_order order[DLCS_QUERY_ORDER_MAX];
    size_t order_count;
    int64_t page;      /* 1-based */
    int64_t page_size; /* 0 = all */
    /* assets only: members, ever, of any of these batches (batch history); none = any */
    int64_t batch_members[DLCS_QUERY_BATCHES_MAX];
    size_t batch_member_count;
};

/* A page of records. 'items' holds 'count' entity structs of e->size bytes each. */
struct dlcs_list {
    const struct dlcs_entity *entity;
    void *items;
    size_t count;
    int64_t total; /* matches over all pages */
};

/* Borrowed pointer to item 'i' of 'l'. */
void *dlcs_list_at(const struct dlcs_list *l, size_t i);

/* Release every item and the array; 'l' becomes empty. NULL-safe. */
void dlcs_list_release(struct dlcs_list *l);

/* Add a term / a sort key to 'q' (aborts past the caps: programmer error). */
void dlcs_query_eq_int(struct dlcs_query *q, const char *field, int64_t value);
void dlcs_query_eq_str(struct dlcs_query *q, const char *field, const char *value);
void dlcs_query_term(struct dlcs_query *q, const char *field, enum dlcs_term_op op);
void dlcs_query_has(struct dlcs_query *q, const char *field, const char *value);
void dlcs_query_order(struct dlcs_query *q, const char *field, bool desc);
void dlcs_query_batch_member(struct dlcs_query *q, int64_t batch);

/* Registration of assets: one (optionally batched) write, all or nothing. */
struct dlcs_registration {
    struct dlcs_asset *assets; /* borrowed; updated on success (generation, created, batch) */
    size_t count;
    struct dlcs_batch *batch; /* NULL: no batch (immediate registration); else its customer
                                 set by the caller (every asset's), the rest filled on success */
    bool enqueue;             /* also queue one ingest job per asset, in the same atomic write */
    bool priority;            /* the jobs jump ahead of ordinary ones */
    bool if_unchanged;        /* each asset's input 'generation' must still be the stored
                                 one: DLCS_ECONFLICT when it was registered again since,
                                 DLCS_ENOTFOUND when deleted (a PATCH or reingest applies to
                                 the record it read, never to a newer one or a resurrected one) */
    char **previous_origins;  /* NULL, or 'count' slots: each asset's previous record's origin
                                 (new string, NULL when it was new), read in the same write so
                                 the caller can remove an upload no record names any more; the
                                 caller frees them (all NULL on failure) */
};

/* An ingest job claimed from the queue: which asset, which generation. */
/*
 * Who holds a lease: 'owner' names the worker process's place (DLCS_WORKER_ID: a pod's or a
 * host's name and role), 'token' one run of it (random at each start). A process that starts
 * again under the same owner knows that leases with another token are its dead predecessor's.
 */
struct dlcs_job_lease {
    int64_t ms;
    const char *owner;
    const char *token;
};

struct dlcs_job {
    int64_t id;
    int64_t customer, space;
    char asset[DLCS_ASSET_ID_MAX + 1];
    int64_t generation, batch;
    int attempts; /* including this one */
};

/* The outcome of one ingest job, recorded at most once per asset generation. */
struct dlcs_ingest_result {
    int64_t customer, space;
    const char *id;
    int64_t generation; /* the job's; must equal the asset's current one */
    int64_t batch;      /* the job's batch, 0 = none */
    const char *error;  /* NULL = success */
    int64_t width, height, duration;
    int64_t size, thumbnail_size; /* bytes stored: derivatives, thumbnails */
    const char *media_type;       /* what the bytes are; fills a mediaType registered without */
};

/* Storage in use by a customer or one of its spaces. */
struct dlcs_usage {
    int64_t images;          /* assets registered */
    int64_t bytes;           /* derivative bytes stored, and uploaded originals */
    int64_t thumbnail_bytes; /* thumbnail bytes stored */
};

/* Outcome of dlcs_store_complete. */
enum dlcs_completion {
    DLCS_COMPLETION_RECORDED, /* this call recorded the result and moved the counters */
    DLCS_COMPLETION_STALE,    /* a newer registration exists (or the asset is gone): dropped */
    DLCS_COMPLETION_DUPLICATE /* this generation was already completed: nothing changed */
};

struct dlcs_store_ops {
    const char *name;
    void (*close)(void *impl);
    enum dlcs_status (*ping)(void *impl, struct dlcs_error *err);
    enum dlcs_status (*insert)(void *impl, const struct dlcs_entity *e, void *obj,
                               struct dlcs_error *err);
    enum dlcs_status (*get)(void *impl, const struct dlcs_entity *e, void *obj,
                            struct dlcs_error *err);
    enum dlcs_status (*update)(void *impl, const struct dlcs_entity *e, const void *obj,
                               uint64_t fields, struct dlcs_error *err);
    enum dlcs_status (*remove)(void *impl, const struct dlcs_entity *e, const void *key,
                               struct dlcs_error *err);
    enum dlcs_status (*list)(void *impl, const struct dlcs_entity *e, const struct dlcs_query *q,
                             struct dlcs_list *out, struct dlcs_error *err);
    enum dlcs_status (*count)(void *impl, const struct dlcs_entity *e, const struct dlcs_query *q,
                              int64_t *out, struct dlcs_error *err);
    enum dlcs_status (*space_remove)(void *impl, int64_t customer, int64_t space,
                                     struct dlcs_error *err);
    enum dlcs_status (*register_assets)(void *impl, struct dlcs_registration *reg,
                                        struct dlcs_error *err);
    enum dlcs_status (*complete)(void *impl, const struct dlcs_ingest_result *r,
                                 enum dlcs_completion *outcome, struct dlcs_error *err);
    enum dlcs_status (*asset_remove)(void *impl, struct dlcs_asset *removed,
                                     struct dlcs_error *err);
    enum dlcs_status (*job_claim)(void *impl, const struct dlcs_job_lease *lease,
                                  struct dlcs_job *job, struct dlcs_error *err);
    enum dlcs_status (*jobs_reclaim)(void *impl, const struct dlcs_job_lease *lease, int64_t *count,
                                     struct dlcs_error *err);
    enum dlcs_status (*job_done)(void *impl, int64_t job, struct dlcs_error *err);
    enum dlcs_status (*job_retry)(void *impl, int64_t job, int64_t delay_ms,
                                  struct dlcs_error *err);
    enum dlcs_status (*jobs_waiting)(void *impl, int64_t *count, struct dlcs_error *err);
    enum dlcs_status (*usage)(void *impl, int64_t customer, int64_t space, struct dlcs_usage *out,
                              struct dlcs_error *err);
};

struct dlcs_store {
    const struct dlcs_store_ops *ops;
    void *impl;
};

/*
 * Open the adapter named by 'url': "sqlite:///abs/path.db", "sqlite://rel/path.db" or a plain
 * path. 'pool' is the number of connections, 'busy_ms' the wait for another process's lock.
 * Schema migrations run here. On DLCS_OK the caller owns '*out' (free with dlcs_store_free).
 * DLCS_EINVAL for an unknown scheme, DLCS_EUPSTREAM when the database cannot be opened.
 */
enum dlcs_status dlcs_store_open(const char *url, int pool, int busy_ms, struct dlcs_store **out,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Close and free. NULL-safe. Not concurrently with other calls. */
void dlcs_store_free(struct dlcs_store *store);

/* DLCS_OK when the store answers (readiness probes). */
enum dlcs_status dlcs_store_ping(struct dlcs_store *store, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Insert 'obj'. Created-time fields that are 0 are set to now; an AUTO key left unset is
 * minted (integers: the next id in the scope of the other key fields; strings: a UUID) and
 * written back into 'obj'. DLCS_ECONFLICT when the key or a unique field is taken.
 */
enum dlcs_status dlcs_store_insert(struct dlcs_store *store, const struct dlcs_entity *e, void *obj,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Read the record whose key fields are those of 'obj' into 'obj' (its other members are
 * released first). DLCS_ENOTFOUND when there is none.
 */
enum dlcs_status dlcs_store_get(struct dlcs_store *store, const struct dlcs_entity *e, void *obj,
                                struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Write the fields in mask 'fields' (key fields are ignored there) of the record keyed by
 * 'obj'; DLCS_FF_NOW_UPDATE times are set to now in 'obj' and written too.
 * DLCS_ENOTFOUND when there is none; DLCS_ECONFLICT on a unique field.
 */
enum dlcs_status dlcs_store_update(struct dlcs_store *store, const struct dlcs_entity *e, void *obj,
                                   uint64_t fields, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Delete the record keyed by 'key'. DLCS_ENOTFOUND when there is none. Not for spaces/assets. */
enum dlcs_status dlcs_store_remove(struct dlcs_store *store, const struct dlcs_entity *e,
                                   const void *key, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * List a page of matches into 'out' (empty on entry; release with dlcs_list_release).
 * DLCS_EINVAL naming the field for an unknown field, a term of the wrong type, or a sort on a
 * field that is not sortable.
 */
enum dlcs_status dlcs_store_list(struct dlcs_store *store, const struct dlcs_entity *e,
                                 const struct dlcs_query *q, struct dlcs_list *out,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Count the matches of 'q' (paging ignored). Errors as dlcs_store_list. */
enum dlcs_status dlcs_store_count(struct dlcs_store *store, const struct dlcs_entity *e,
                                  const struct dlcs_query *q, int64_t *out,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The first match of 'q' into 'obj' (initialised). DLCS_ENOTFOUND when none. */
enum dlcs_status dlcs_store_find_one(struct dlcs_store *store, const struct dlcs_entity *e,
                                     const struct dlcs_query *q, void *obj,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Delete a space. DLCS_ECONFLICT while it holds assets; DLCS_ENOTFOUND if absent. */
enum dlcs_status dlcs_store_space_remove(struct dlcs_store *store, int64_t customer, int64_t space,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Register assets in one atomic write: each asset is created or replaced (its previous
 * record's 'created' kept), given a new generation (unique in the store: larger than any
 * before, never reused after a delete), 'ingesting' set, 'error' and 'finished' cleared,
 * 'family' derived. What is being served stays: a replaced record keeps its 'served'
 * generation, width, height, duration and stored sizes until the new generation completes
 * (and its uploaded original's size when the origin is unchanged). With a batch: the batch is
 * created (count = reg->count, id minted, submitted = now), every asset joins it, and a previous
 * batch left with no current assets and unfinished becomes superseded. DLCS_ENOTFOUND when an
 * asset's space does not exist (the message names it); DLCS_EINVAL for two assets with one key.
 * Nothing is written on failure.
 */
enum dlcs_status dlcs_store_register(struct dlcs_store *store, struct dlcs_registration *reg,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Record an ingest result exactly once per generation: error, ingesting = false and finished =
 * now, and for a success the asset's width/height/duration, stored sizes and served =
 * r->generation (delivery switches to it in this write; after a failure the previously served
 * generation goes on serving), written only if the asset's generation is still r->generation; the
 * batch counters (completed or errors) move in the same atomic update, and the batch is finished
 * when completed + errors = count. '*outcome' says whether this call recorded it. Thread- and
 * process-safe.
 */
enum dlcs_status dlcs_store_complete(struct dlcs_store *store, const struct dlcs_ingest_result *r,
                                     enum dlcs_completion *outcome,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Delete the asset 'removed' names (customer, space, id; initialised) and fill 'removed' with
 * the record as it was, read in the same write: the caller removes exactly that record's
 * blobs, never those of a registration of the same id that follows. Its batch memberships stay
 * in the batch history only as counts. DLCS_ENOTFOUND if absent.
 */
enum dlcs_status dlcs_store_asset_remove(struct dlcs_store *store, struct dlcs_asset *removed,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The embedded queue (a job table in the same database, written in the registration's own
 * transaction). Delivery is at least once: a claimed job is leased for 'lease_ms'; a worker
 * that dies loses its lease and the job is claimed again. Completion is exactly once through
 * dlcs_store_complete's generation check.
 */

/* Claim the next available job (priority first, then oldest). DLCS_ENOTFOUND when none. */
enum dlcs_status dlcs_store_job_claim(struct dlcs_store *store, const struct dlcs_job_lease *lease,
                                      struct dlcs_job *job,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Release the leases held under lease->owner by any other run (token): the jobs a killed
 * predecessor was working on are claimable at once, not after their lease runs out. '*count'
 * gets how many.
 */
enum dlcs_status dlcs_store_jobs_reclaim(struct dlcs_store *store,
                                         const struct dlcs_job_lease *lease, int64_t *count,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The job is finished (whatever its outcome was): remove it. */
enum dlcs_status dlcs_store_job_done(struct dlcs_store *store, int64_t job,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Make the job available again after 'delay_ms' (a transient failure). */
enum dlcs_status dlcs_store_job_retry(struct dlcs_store *store, int64_t job, int64_t delay_ms,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Jobs not yet done (queued or leased). */
enum dlcs_status dlcs_store_jobs_waiting(struct dlcs_store *store, int64_t *count,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The customer's storage in use, in space 'space' or (0) all its spaces; computed, not kept. */
enum dlcs_status dlcs_store_usage(struct dlcs_store *store, int64_t customer, int64_t space,
                                  struct dlcs_usage *out, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* DLCS_EINVAL, naming the adapters of this build, unless 'url' names one of them. */
enum dlcs_status dlcs_store_url_check(const char *url, struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_STORE_H */
