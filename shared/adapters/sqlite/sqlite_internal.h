/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the SQLite store adapter: connection pool, statement cache, row mapping. */
#ifndef DLCS_SQLITE_INTERNAL_H
#define DLCS_SQLITE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "dlcs/entity.h"
#include "dlcs/error.h"
#include "dlcs/model.h"
#include "dlcs/store.h"

#define SQL_CACHE_MAX 48

struct sql_cache_entry {
    const char *sql; /* identity: the adapter's own long-lived SQL strings */
    sqlite3_stmt *stmt;
};

struct sql_conn {
    sqlite3 *db;
    struct sql_cache_entry cache[SQL_CACHE_MAX];
    size_t cache_count;
};

/* SQL generated once per entity from its field table. */
struct entity_sql {
    const struct dlcs_entity *entity;
    char *columns; /* "f1","f2",... */
    char *insert;  /* INSERT INTO t (cols) VALUES (?1..?n) */
    char *upsert;  /* the insert, updating every non-key column when the key exists */
    char *get;     /* SELECT cols FROM t WHERE key = ... */
    char *remove;  /* DELETE FROM t WHERE key = ... */
    char *mint;    /* the next integer id of the collection in scope ?1; or NULL */
    char *bump;    /* move that counter past id ?2 (an id the caller chose) */
    const struct dlcs_field *scope; /* the other key field of a minted id; NULL: one scope */
};

struct sql_store {
    pthread_mutex_t mu; /* guards the free list */
    pthread_cond_t cv;
    struct sql_conn *conns;
    struct sql_conn **free_list;
    size_t pool_size, free_count;
    pthread_mutex_t write_mu;    /* one writer at a time in this process: no busy-wait sleeps */
    struct entity_sql *entities; /* one per entity of dlcs_store_entities, in its order */
    size_t entity_count;
    char *path;
};

/* Connection pool. acquire blocks until a connection is free. */
struct sql_conn *dlcs_sql_acquire(struct sql_store *s);
void dlcs_sql_release(struct sql_store *s, struct sql_conn *c);

/* A cached prepared statement for 'sql' (a long-lived string), reset and unbound. */
enum dlcs_status dlcs_sql_cached(struct sql_conn *c, const char *sql, sqlite3_stmt **out,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Convert the connection's last error into 'err' (constraint violations -> DLCS_ECONFLICT). */
enum dlcs_status dlcs_sql_fail(struct sql_conn *c, const char *what, struct dlcs_error *err);

/* Execute statements without results. */
enum dlcs_status dlcs_sql_exec(struct sql_conn *c, const char *sql,
                               struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Write transactions: take the process write lock, BEGIN IMMEDIATE; end commits or rolls back. */
enum dlcs_status dlcs_sql_write_begin(struct sql_store *s, struct sql_conn *c,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;
/* Step a statement the caller bound that returns no rows; dlcs_sql_fail naming 'what' if not. */
enum dlcs_status dlcs_sql_step_done(struct sql_conn *c, sqlite3_stmt *st, const char *what,
                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Bind an asset's key (customer, space, id) to parameters first..first+2 ('id' borrowed). */
void dlcs_sql_bind_key3(sqlite3_stmt *st, int first, int64_t customer, int64_t space,
                        const char *id);

/*
 * Run 'fn' inside one write transaction on a pooled connection: committed when it returns
 * DLCS_OK, rolled back otherwise; its status (or the commit's) is returned.
 */
typedef enum dlcs_status (*sql_write_fn)(struct sql_store *s, struct sql_conn *c, void *ctx,
                                         struct dlcs_error *err);
enum dlcs_status dlcs_sql_in_write(struct sql_store *s, sql_write_fn fn, void *ctx,
                                   struct dlcs_error *err);
enum dlcs_status dlcs_sql_write_end(struct sql_store *s, struct sql_conn *c, enum dlcs_status st,
                                    struct dlcs_error *err);

/*
 * Set an unset AUTO key of 'obj' (integers from the collection's counter, strings a UUID), or
 * move the counter past an integer id the caller chose. Inside the caller's write.
 */
enum dlcs_status dlcs_sql_mint_key(struct sql_conn *c, const struct entity_sql *q, void *obj,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The generated SQL of entity 'e'. */
const struct entity_sql *dlcs_sql_entity(const struct sql_store *s, const struct dlcs_entity *e);
void dlcs_sql_entities_build(struct sql_store *s);
void dlcs_sql_entities_free(struct sql_store *s);

/* Bind field 'f' of 'obj' to parameter 'param'. */
enum dlcs_status dlcs_sql_bind_field(struct sql_conn *c, sqlite3_stmt *st, int param,
                                     const struct dlcs_field *f, const void *obj,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Bind every key field of 'obj' to parameters first_param, first_param + 1, ... */
enum dlcs_status dlcs_sql_bind_keys(struct sql_conn *c, sqlite3_stmt *st, int first_param,
                                    const struct dlcs_entity *e, const void *obj,
                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Read the current row (columns in field order from column 0) into 'obj' (initialised). */
enum dlcs_status dlcs_sql_read_row(sqlite3_stmt *st, const struct dlcs_entity *e, void *obj,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Schema migrations (sqlite_schema.c). */
enum dlcs_status dlcs_sql_migrate(struct sql_conn *c, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The ops (sqlite_crud.c, sqlite_ingest.c). */
enum dlcs_status dlcs_sql_op_insert(void *impl, const struct dlcs_entity *e, void *obj,
                                    struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_get(void *impl, const struct dlcs_entity *e, void *obj,
                                 struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_update(void *impl, const struct dlcs_entity *e, const void *obj,
                                    uint64_t fields, struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_remove(void *impl, const struct dlcs_entity *e, const void *key,
                                    struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_list(void *impl, const struct dlcs_entity *e,
                                  const struct dlcs_query *q, struct dlcs_list *out,
                                  struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_count(void *impl, const struct dlcs_entity *e,
                                   const struct dlcs_query *q, int64_t *out,
                                   struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_space_remove(void *impl, int64_t customer, int64_t space,
                                          struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_register(void *impl, struct dlcs_registration *reg,
                                      struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_complete(void *impl, const struct dlcs_ingest_result *r,
                                      enum dlcs_completion *outcome, struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_asset_remove(void *impl, struct dlcs_asset *removed,
                                          struct dlcs_error *err);

/* The outbox (sqlite_outbox.c). */
/* Queue job 'j' in the outbox, dropping the asset's older ones ('receipt' ignored). */
enum dlcs_status dlcs_sql_job_put(struct sql_conn *c, const struct dlcs_job *j,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;
enum dlcs_status dlcs_sql_job_add(struct sql_conn *c, const struct dlcs_asset *a, bool priority,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;
enum dlcs_status dlcs_sql_op_lease(void *impl, const struct dlcs_store_lease *lease, bool *held,
                                   struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_requeue_stalled(void *impl, const struct dlcs_stalled_requeue *q,
                                             size_t *count, struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_batch_requeue_errors(void *impl, int64_t customer, int64_t batch,
                                                  int64_t *count, struct dlcs_error *err);
/* Reserve 'n' generations: the last of them into '*last'. Never reused, even after deletes. */
enum dlcs_status dlcs_sql_reserve_generations(struct sql_conn *c, size_t n, int64_t *last,
                                              struct dlcs_error *err) DLCS_WARN_UNUSED;
enum dlcs_status dlcs_sql_op_outbox_claim(void *impl, const struct dlcs_outbox_claim *q,
                                          size_t *count, struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_outbox_reclaim(void *impl, const struct dlcs_outbox_lease *lease,
                                            int64_t *count, struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_outbox_add(void *impl, const struct dlcs_job *jobs, size_t count,
                                        struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_outbox_remove(void *impl, const int64_t *receipts, size_t count,
                                           struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_outbox_retry(void *impl, int64_t receipt, int64_t not_before,
                                          struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_outbox_count(void *impl, int64_t *count, struct dlcs_error *err);
enum dlcs_status dlcs_sql_op_usage(void *impl, int64_t customer, int64_t space,
                                   struct dlcs_usage *out, struct dlcs_error *err);

#endif /* DLCS_SQLITE_INTERNAL_H */
