/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MongoDB store: DLCS_STORE=mongodb://host[:port][,host2...]/dbname[?options]. The URI is
 * libmongoc's (replica sets, TLS and auth options pass through); one mongoc_client_pool_t is
 * shared by every thread. Indexes are created at open (idempotent). A server that cannot be
 * reached within serverSelectionTimeoutMS (2000 unless the URI says) is DLCS_EUPSTREAM.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/store_mongo.h"

#include "mongo_internal.h"

#define DEFAULT_SELECTION_MS 2000
#define DEFAULT_SOCKET_MS    30000

void dlcs_mongo_begin(struct mongo_call *c, struct mongo_store *s)
{
    c->s = s;
    c->client = mongoc_client_pool_pop(s->pool);
}

void dlcs_mongo_end(struct mongo_call *c)
{
    if (c->client)
        mongoc_client_pool_push(c->s->pool, c->client);
    c->client = NULL;
}

mongoc_collection_t *dlcs_mongo_coll(const struct mongo_call *c, const char *name)
{
    return mongoc_client_get_collection(c->client, c->s->db, name);
}

/* The field a duplicate-key message names: its index ("... index: NAME dup key ..."). */
static void index_of(const char *message, char *out, size_t len)
{
    const char *at = strstr(message, "index: ");
    size_t n = 0;

    out[0] = '\0';
    if (!at)
        return;
    at += 7;
    while (at[n] && at[n] != ' ' && n + 1 < len)
        n++;
    memcpy(out, at, n);
    out[n] = '\0';
}

enum dlcs_status dlcs_mongo_fail(const bson_error_t *e, const char *what, struct dlcs_error *err)
{
    if (e->code == 11000 || e->code == 11001) {
        char field[64];

        index_of(e->message, field, sizeof field);
        return dlcs_error_set(err, DLCS_ECONFLICT, "%s already exists: %s", what,
                              field[0] ? field : "key");
    }
    return dlcs_error_set(err, DLCS_EUPSTREAM, "mongodb %s: %s", what, e->message);
}

/* libmongoc's log lines join ours (logfmt, our levels); its trace level is left out. */
static void route_log(mongoc_log_level_t level, const char *domain, const char *message, void *data)
{
    enum dlcs_log_level to = level <= MONGOC_LOG_LEVEL_CRITICAL  ? DLCS_LOG_ERROR
                             : level == MONGOC_LOG_LEVEL_WARNING ? DLCS_LOG_WARN
                             : level <= MONGOC_LOG_LEVEL_INFO    ? DLCS_LOG_INFO
                                                                 : DLCS_LOG_DEBUG;

    (void)data;
    if (level == MONGOC_LOG_LEVEL_TRACE)
        return;
    dlcs_log(to, "mongoc %s: %s", domain, message);
}

static void store_close(void *impl)
{
    struct mongo_store *s = impl;

    if (!s)
        return;
    if (s->pool)
        mongoc_client_pool_destroy(s->pool);
    mongoc_uri_destroy(s->uri);
    free(s->db);
    free(s);
}

static enum dlcs_status store_ping(void *impl, struct dlcs_error *err)
{
    struct mongo_call c;
    bson_t *cmd = BCON_NEW("ping", BCON_INT32(1));
    bson_error_t e;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_begin(&c, impl);
    if (!mongoc_client_command_simple(c.client, c.s->db, cmd, NULL, NULL, &e))
        st = dlcs_mongo_fail(&e, "ping", err);
    dlcs_mongo_end(&c);
    bson_destroy(cmd);
    return st;
}

static const struct dlcs_store_ops mongo_ops = {
    .name = "mongodb",
    .close = store_close,
    .ping = store_ping,
    .insert = dlcs_mongo_op_insert,
    .get = dlcs_mongo_op_get,
    .update = dlcs_mongo_op_update,
    .remove = dlcs_mongo_op_remove,
    .list = dlcs_mongo_op_list,
    .count = dlcs_mongo_op_count,
    .space_remove = dlcs_mongo_op_space_remove,
    .register_assets = dlcs_mongo_op_register,
    .complete = dlcs_mongo_op_complete,
    .asset_remove = dlcs_mongo_op_asset_remove,
    .lease = dlcs_mongo_op_lease,
    .requeue_stalled = dlcs_mongo_op_requeue_stalled,
    .batch_requeue_errors = dlcs_mongo_op_batch_requeue_errors,
    .outbox_claim = dlcs_mongo_op_outbox_claim,
    .outbox_reclaim = dlcs_mongo_op_outbox_reclaim,
    .outbox_add = dlcs_mongo_op_outbox_add,
    .outbox_remove = dlcs_mongo_op_outbox_remove,
    .outbox_retry = dlcs_mongo_op_outbox_retry,
    .outbox_count = dlcs_mongo_op_outbox_count,
    .usage = dlcs_mongo_op_usage,
};

/* Timeouts a request can wait for: the driver's defaults (30 s selection) are too long. */
static void default_timeouts(mongoc_uri_t *uri)
{
    if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
        mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
                                       DEFAULT_SELECTION_MS);
    if (!mongoc_uri_has_option(uri, MONGOC_URI_SOCKETTIMEOUTMS))
        mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, DEFAULT_SOCKET_MS);
    if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS))
        mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, DEFAULT_SELECTION_MS);
}

static enum dlcs_status open_pool(const char *url, struct mongo_store *s, struct dlcs_error *err)
{
    bson_error_t e;
    const char *db;

    s->uri = mongoc_uri_new_with_error(url, &e);
    if (!s->uri)
        return dlcs_error_set(err, DLCS_EINVAL, "DLCS_STORE: not a MongoDB URI: %s", e.message);
    db = mongoc_uri_get_database(s->uri);
    if (!db || !db[0])
        return dlcs_error_set(err, DLCS_EINVAL,
                              "DLCS_STORE '%s' names no database (mongodb://host/dbname)", url);
    s->db = dlcs_xstrdup(db);
    default_timeouts(s->uri);
    s->pool = mongoc_client_pool_new_with_error(s->uri, &e);
    if (!s->pool)
        return dlcs_error_set(err, DLCS_EINVAL, "DLCS_STORE: %s", e.message);
    (void)mongoc_client_pool_set_error_api(s->pool, MONGOC_ERROR_API_VERSION_2);
    (void)mongoc_client_pool_set_appname(s->pool, "dlcs");
    return DLCS_OK;
}

static enum dlcs_status mongo_open(const char *url, const struct dlcs_config *cfg,
                                   struct dlcs_store *out, struct dlcs_error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct mongo_store *s = dlcs_xcalloc(1, sizeof *s);
    struct mongo_call c;
    enum dlcs_status st;

    (void)cfg;
    (void)pthread_once(&once, mongoc_init); /* never cleaned up: other stores may live on */
    mongoc_log_set_handler(route_log, NULL);
    st = open_pool(url, s, err);
    if (st == DLCS_OK) {
        dlcs_mongo_begin(&c, s);
        st = dlcs_mongo_indexes(&c, err);
        dlcs_mongo_end(&c);
    }
    if (st != DLCS_OK) {
        store_close(s);
        return st;
    }
    dlcs_log(DLCS_LOG_DEBUG, "mongodb store open on database '%s'", s->db);
    out->impl = s;
    out->ops = &mongo_ops;
    return DLCS_OK;
}

const struct dlcs_store_adapter dlcs_store_mongo_adapter = {
    {"mongodb", "mongodb://host[:port][,host...]/dbname[?options]", false},
    mongo_open,
};
