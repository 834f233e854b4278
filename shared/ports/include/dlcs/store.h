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

#include "dlcs/adapter.h"
#include "dlcs/entity.h"
#include "dlcs/error.h"
#include "dlcs/ids.h"
#include "dlcs/model.h"
#include "dlcs/queue.h"

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
#define DLCS_SORT_KEYS_MAX     (DLCS_QUERY_ORDER_MAX + 4) /* the orders, then the key fields */
#define DLCS_CURSOR_MAX        32768 /* characters in a page cursor (what a request line holds) */

/* One key of a listing's full sort order, and its value in the row a page starts after. */
struct dlcs_sort_key {
    const struct dlcs_field *field;
    bool desc;
    bool null;       /* the row's value is unset (a NULL string, a time 0); sorts first ascending */
    int64_t num;     /* integer, bool and time fields */
    const char *str; /* string fields; borrowed for the call */
};

/*
 * Where a page starts, set by the port (dlcs_store_list) for the adapter: the full sort order
 * (the query's orders, then every key field not among them, ascending, so that it is total;
 * fields an equality term fixes are left out)
 * and, when 'after' is set, the values of the row the page starts after (keyset paging).
 * Strings ascend by bytes; an unset string or time sorts before every set one (after them
 * descending): adapters store them as no value (SQL NULL, no BSON field).
 */
struct dlcs_seek {
    struct dlcs_sort_key keys[DLCS_SORT_KEYS_MAX];
    size_t count;
    bool after; /* the page starts after the row the values describe */
};

/*
 * What to list: filter terms, sort keys, and the page: 'limit' rows after those the cursor
 * 'after' passed (keyset: a page deep in millions costs what the first costs), or after
 * skipping 'offset' rows (the ?page=N of older clients: it costs what it skips). The total
 * over all pages is counted only when 'count_total' asks for it.
 */
struct dlcs_query {
    struct dlcs_term terms[DLCS_QUERY_TERMS_MAX];
    size_t term_count;
    struct dlcs_order order[DLCS_QUERY_ORDER_MAX];
    size_t order_count;
    int64_t limit;     /* rows in the page; 0 = every match (internal callers only) */
    int64_t offset;    /* rows skipped first; 0 with 'after' */
    const char *after; /* borrowed: a next_cursor of this listing's page before; NULL = start */
    bool count_total;  /* also count every match into the list's 'total' */
    /* assets only: members, ever, of any of these batches (batch history); none = any */
    int64_t batch_members[DLCS_QUERY_BATCHES_MAX];
    size_t batch_member_count;
    struct dlcs_seek seek; /* set by the port from the above; callers leave it zeroed */
};

/* A page of records. 'items' holds 'count' entity structs of e->size bytes each. */
struct dlcs_list {
    const struct dlcs_entity *entity;
    void *items;
    size_t count;
    int64_t total;     /* matches over all pages when the query asked; else -1 */
    char *next_cursor; /* owned: the next page's 'after'; NULL when no match follows */
};

/* Whether a field of this type can be unset in a store (strings, times): see dlcs_seek. */
bool dlcs_field_nullable(const struct dlcs_field *f);

/* Borrowed pointer to item 'i' of 'l'. */
void *dlcs_list_at(const struct dlcs_list *l, size_t i);

/* Append a new initialised item to 'l' (its array grows; '*cap' is its capacity). Borrowed. */
void *dlcs_list_push(struct dlcs_list *l, size_t *cap);

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
    bool with_jobs;           /* also write one ingest job per asset into the outbox, in the
                                 same atomic write (older jobs of those assets are dropped) */
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

/*
 * Who holds an outbox lease: 'owner' names the process's place (DLCS_WORKER_ID: a pod's or a
 * host's name and role), 'token' one run of it (random at each start). A process that starts
 * again under the same owner knows that leases with another token are its dead predecessor's.
 */
struct dlcs_outbox_lease {
    int64_t ms;
    const char *owner;
    const char *token;
};

/* A claim of up to 'max' outbox entries into 'jobs' (the caller's array). */
struct dlcs_outbox_claim {
    const struct dlcs_outbox_lease *lease;
    struct dlcs_job *jobs;
    size_t max;
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

/*
 * A named lease held across every process on the store (one reconciler at a time): 'holder'
 * names one run of one process; 'ms' > 0 takes or renews it for that long, 'ms' <= 0 gives it
 * up (only its holder can).
 */
struct dlcs_store_lease {
    const char *name;
    const char *holder;
    int64_t ms;
};

/* A pass of the reconciler: up to 'max' stalled assets given a job again. */
struct dlcs_stalled_requeue {
    int64_t before; /* stalled: still ingesting, last changed (or requeued) before this (ms) */
    size_t max;
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
    /* q->seek gives the full order and where the page starts; at most q->limit rows (0 = all)
     * after skipping q->offset; out->total counted when q->count_total (from the same read) */
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
    enum dlcs_status (*outbox_claim)(void *impl, const struct dlcs_outbox_claim *claim,
                                     size_t *count, struct dlcs_error *err);
    enum dlcs_status (*outbox_reclaim)(void *impl, const struct dlcs_outbox_lease *lease,
                                       int64_t *count, struct dlcs_error *err);
    enum dlcs_status (*outbox_add)(void *impl, const struct dlcs_job *jobs, size_t count,
                                   struct dlcs_error *err);
    enum dlcs_status (*outbox_remove)(void *impl, const int64_t *receipts, size_t count,
                                      struct dlcs_error *err);
    enum dlcs_status (*outbox_retry)(void *impl, int64_t receipt, int64_t not_before,
                                     struct dlcs_error *err);
    enum dlcs_status (*outbox_count)(void *impl, int64_t *count, struct dlcs_error *err);
    enum dlcs_status (*usage)(void *impl, int64_t customer, int64_t space, struct dlcs_usage *out,
                              struct dlcs_error *err);
    enum dlcs_status (*lease)(void *impl, const struct dlcs_store_lease *lease, bool *held,
                              struct dlcs_error *err);
    enum dlcs_status (*requeue_stalled)(void *impl, const struct dlcs_stalled_requeue *q,
                                        size_t *count, struct dlcs_error *err);
    enum dlcs_status (*batch_requeue_errors)(void *impl, int64_t customer, int64_t batch,
                                             int64_t *count, struct dlcs_error *err);
};

struct dlcs_store {
    const struct dlcs_store_ops *ops;
    void *impl;
};

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
 * List a page of matches into 'out' (empty on entry; release with dlcs_list_release), with the
 * cursor of the next page when more match. DLCS_EINVAL naming the field for an unknown field, a
 * term of the wrong type, or a sort on a field that is not sortable; naming 'cursor' for an
 * 'after' that is not a cursor of this listing's sort order.
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

/* What one registration gives each of its assets (for adapters). */
struct dlcs_renewal {
    int64_t batch, now, generation;
};

/*
 * For adapters: asset 'a' as registration writes it, from the record 'old' it replaces (NULL:
 * new). It gets the renewal's generation and batch, ingesting, error and finished cleared,
 * 'family' derived; it keeps the old 'created', what is served (width, height, duration,
 * stored sizes, 'served') and, when the origin is unchanged and the registration gives no
 * size, the uploaded original's size.
 */
void dlcs_asset_renew(struct dlcs_asset *a, const struct dlcs_asset *old,
                      const struct dlcs_renewal *r);

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
 * The outbox: ingest jobs written by registrations (with_jobs) in their own atomic write, until
 * the queue has them. Entries are claimed under leases: a claimer that dies loses its lease and
 * the entries are claimed again. The embedded queue runs jobs straight from here; a relay moves
 * them to another queue. Each claim counts one more attempt (a crash cut short counts too).
 */

/*
 * Claim up to claim->max entries due now (priority first, then the order they were added) into
 * claim->jobs; '*count' gets how many, each with its 'receipt'. DLCS_ENOTFOUND when none is due.
 */
enum dlcs_status dlcs_store_outbox_claim(struct dlcs_store *store,
                                         const struct dlcs_outbox_claim *claim, size_t *count,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Release the leases held under lease->owner by any other run (token): the entries a killed
 * predecessor held are claimable at once, not after their lease runs out. '*count' gets how many.
 */
enum dlcs_status dlcs_store_outbox_reclaim(struct dlcs_store *store,
                                           const struct dlcs_outbox_lease *lease, int64_t *count,
                                           struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Add entries ('receipt' ignored; 'attempt' is the run they are for, 'not_before' when due). */
enum dlcs_status dlcs_store_outbox_add(struct dlcs_store *store, const struct dlcs_job *jobs,
                                       size_t count, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Remove the entries named by their receipts (gone already: not an error). */
enum dlcs_status dlcs_store_outbox_remove(struct dlcs_store *store, const int64_t *receipts,
                                          size_t count, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Release the claimed entry 'receipt', due again at 'not_before' (ms since the epoch). */
enum dlcs_status dlcs_store_outbox_retry(struct dlcs_store *store, int64_t receipt,
                                         int64_t not_before,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Entries in the outbox (claimed or not). */
enum dlcs_status dlcs_store_outbox_count(struct dlcs_store *store, int64_t *count,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The customer's storage in use, in space 'space' or (0) all its spaces; computed, not kept. */
enum dlcs_status dlcs_store_usage(struct dlcs_store *store, int64_t customer, int64_t space,
                                  struct dlcs_usage *out, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Take, renew or give up the lease 'lease' names. '*held' says whether lease->holder holds it
 * now: it was free, ran out, or was already this holder's. Taking one never waits.
 */
enum dlcs_status dlcs_store_lease(struct dlcs_store *store, const struct dlcs_store_lease *lease,
                                  bool *held, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The reconciler's step, in one atomic write: up to q->max assets still ingesting that last
 * changed (and were last requeued) before q->before and have no outbox entry get one for their
 * current generation and batch, and are marked requeued now (so a job that is only slow to come
 * through the queue is not published again before another deadline). '*count' gets how many;
 * fewer than q->max means none is left.
 */
enum dlcs_status dlcs_store_requeue_stalled(struct dlcs_store *store,
                                            const struct dlcs_stalled_requeue *q, size_t *count,
                                            struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Ingest a batch's failed images again, in one atomic write: every member that ended in error
 * and is still the batch's (not re-registered or deleted since) gets a new generation, is
 * ingesting again with its error cleared and a job in the outbox; the batch's errors fall by
 * that many and it is unfinished again. '*count' gets how many (0: nothing to do).
 * DLCS_ENOTFOUND when the customer has no such batch.
 */
enum dlcs_status dlcs_store_batch_requeue_errors(struct dlcs_store *store, int64_t customer,
                                                 int64_t batch, int64_t *count,
                                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

/* How an adapter is chosen (shared/adapters/adapters.c): by the scheme of DLCS_STORE. */
struct dlcs_config;
struct dlcs_store_adapter {
    struct dlcs_adapter_name name;
    /* Open 'url' (fill out->ops and out->impl); its settings from 'cfg' (NULL: defaults) or
     * the URL's query. Schema migrations run here. */
    enum dlcs_status (*open)(const char *url, const struct dlcs_config *cfg, struct dlcs_store *out,
                             struct dlcs_error *err);
};

#endif /* DLCS_STORE_H */
