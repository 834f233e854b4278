/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Schema migrations of the embedded store. Each migration runs once, in order, in its own
 * transaction, recorded in schema_version. Never edit a migration that has shipped: add one.
 */
#include <stdio.h>

#include "dlcs/log.h"

#include "sqlite_internal.h"

static const char *const migrations[] = {
    /* 1: the first complete model */
    "CREATE TABLE customers ("
    " \"id\" INTEGER PRIMARY KEY, \"name\" TEXT NOT NULL COLLATE NOCASE UNIQUE,"
    " \"displayName\" TEXT NOT NULL UNIQUE, \"administrator\" INTEGER NOT NULL DEFAULT 0,"
    " \"acceptedAgreement\" INTEGER NOT NULL DEFAULT 0, \"created\" INTEGER);"
    "CREATE TABLE keys ("
    " \"key\" TEXT PRIMARY KEY, \"customer\" INTEGER NOT NULL, \"secretHash\" TEXT NOT NULL,"
    " \"created\" INTEGER);"
    "CREATE INDEX keys_customer ON keys(\"customer\");"
    "CREATE TABLE spaces ("
    " \"customer\" INTEGER NOT NULL, \"id\" INTEGER NOT NULL, \"name\" TEXT NOT NULL,"
    " \"created\" INTEGER, \"defaultTags\" TEXT, \"defaultRoles\" TEXT,"
    " \"maxUnauthorised\" INTEGER NOT NULL DEFAULT -1, \"thumbnailPolicy\" TEXT,"
    " PRIMARY KEY (\"customer\", \"id\"), UNIQUE (\"customer\", \"name\"));"
    "CREATE TABLE assets ("
    " \"customer\" INTEGER NOT NULL, \"space\" INTEGER NOT NULL, \"id\" TEXT NOT NULL,"
    " \"origin\" TEXT, \"mediaType\" TEXT, \"family\" TEXT,"
    " \"string1\" TEXT, \"string2\" TEXT, \"string3\" TEXT,"
    " \"number1\" INTEGER NOT NULL DEFAULT 0, \"number2\" INTEGER NOT NULL DEFAULT 0,"
    " \"number3\" INTEGER NOT NULL DEFAULT 0, \"tags\" TEXT, \"roles\" TEXT,"
    " \"maxUnauthorised\" INTEGER NOT NULL DEFAULT -1, \"deliveryChannels\" TEXT,"
    " \"width\" INTEGER NOT NULL DEFAULT 0, \"height\" INTEGER NOT NULL DEFAULT 0,"
    " \"duration\" INTEGER NOT NULL DEFAULT 0, \"ingesting\" INTEGER NOT NULL DEFAULT 0,"
    " \"error\" TEXT, \"created\" INTEGER, \"finished\" INTEGER,"
    " \"batch\" INTEGER NOT NULL DEFAULT 0, \"generation\" INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (\"customer\", \"space\", \"id\"));"
    "CREATE INDEX assets_s1 ON assets(\"customer\", \"string1\", \"number1\");"
    /* partial indexes: most assets leave string2/3 unset and number1..3 at 0, and a full
     * index over those rows costs every insert while serving no query (sqlite_query.c adds
     * the matching "<> 0" term to a filter on a non-zero number so the planner uses them) */
    "CREATE INDEX assets_s2 ON assets(\"customer\", \"string2\") WHERE \"string2\" IS NOT NULL;"
    "CREATE INDEX assets_s3 ON assets(\"customer\", \"string3\") WHERE \"string3\" IS NOT NULL;"
    "CREATE INDEX assets_n1 ON assets(\"customer\", \"number1\") WHERE \"number1\" <> 0;"
    "CREATE INDEX assets_n2 ON assets(\"customer\", \"number2\") WHERE \"number2\" <> 0;"
    "CREATE INDEX assets_n3 ON assets(\"customer\", \"number3\") WHERE \"number3\" <> 0;"
    "CREATE INDEX assets_created ON assets(\"customer\", \"space\", \"created\");"
    "CREATE INDEX assets_batch ON assets(\"batch\");"
    "CREATE TABLE batches ("
    " \"id\" INTEGER PRIMARY KEY, \"customer\" INTEGER NOT NULL,"
    " \"count\" INTEGER NOT NULL DEFAULT 0, \"completed\" INTEGER NOT NULL DEFAULT 0,"
    " \"errors\" INTEGER NOT NULL DEFAULT 0, \"superseded\" INTEGER NOT NULL DEFAULT 0,"
    " \"submitted\" INTEGER, \"finished\" INTEGER, \"priority\" INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX batches_customer ON batches(\"customer\", \"finished\");"
    /* status: 0 waiting, 1 completed, 2 error, 3 superseded (re-registered or deleted) */
    "CREATE TABLE batch_assets ("
    " \"batch\" INTEGER NOT NULL, \"customer\" INTEGER NOT NULL, \"space\" INTEGER NOT NULL,"
    " \"asset\" TEXT NOT NULL, \"status\" INTEGER NOT NULL DEFAULT 0, \"error\" TEXT,"
    " \"finished\" INTEGER, PRIMARY KEY (\"batch\", \"customer\", \"space\", \"asset\"))"
    " WITHOUT ROWID;"
    "CREATE INDEX batch_assets_asset ON batch_assets(\"customer\", \"space\", \"asset\");"
    "CREATE TABLE named_queries ("
    " \"id\" TEXT PRIMARY KEY, \"customer\" INTEGER NOT NULL, \"name\" TEXT NOT NULL,"
    " \"template\" TEXT NOT NULL, \"global\" INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE (\"customer\", \"name\"));"
    "CREATE TABLE origin_strategies ("
    " \"id\" TEXT PRIMARY KEY, \"customer\" INTEGER NOT NULL, \"regex\" TEXT NOT NULL,"
    " \"strategy\" TEXT NOT NULL, \"credentials\" TEXT, \"optimised\" INTEGER NOT NULL DEFAULT 0,"
    " \"order\" INTEGER NOT NULL DEFAULT 0, UNIQUE (\"customer\", \"regex\"));"
    "CREATE TABLE delivery_channel_policies ("
    " \"customer\" INTEGER NOT NULL, \"channel\" TEXT NOT NULL, \"name\" TEXT NOT NULL,"
    " \"displayName\" TEXT, \"policyData\" TEXT NOT NULL, \"policyCreated\" INTEGER,"
    " \"policyModified\" INTEGER, PRIMARY KEY (\"customer\", \"channel\", \"name\"));",
    /* 2: the embedded ingest queue, written in the registration's transaction */
    "CREATE TABLE jobs ("
    " id INTEGER PRIMARY KEY, customer INTEGER NOT NULL, space INTEGER NOT NULL,"
    " asset TEXT NOT NULL, generation INTEGER NOT NULL, batch INTEGER NOT NULL DEFAULT 0,"
    " priority INTEGER NOT NULL DEFAULT 0, available INTEGER NOT NULL,"
    " lease_until INTEGER, attempts INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX jobs_next ON jobs(priority DESC, available, id);"
    "CREATE INDEX jobs_asset ON jobs(customer, space, asset);",
    /* 3: stored bytes per asset, for storage usage (parenthesised: one element, two statements) */
    ("ALTER TABLE assets ADD COLUMN \"size\" INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE assets ADD COLUMN \"thumbnailSize\" INTEGER NOT NULL DEFAULT 0;"),
    /* 4: when an asset last changed (manifest validators) */
    ("ALTER TABLE assets ADD COLUMN \"modified\" INTEGER NOT NULL DEFAULT 0;"
     "UPDATE assets SET \"modified\" = MAX(COALESCE(\"created\", 0), COALESCE(\"finished\", 0));"),
    /* 5: who holds a job's lease (a restarted worker reclaims its dead predecessor's) */
    ("ALTER TABLE jobs ADD COLUMN lease_owner TEXT;"
     "ALTER TABLE jobs ADD COLUMN lease_token TEXT;"),
    /* 6: each generation's derivatives apart (the served one named), uploads counted, and
     * generations unique across deletes (a stale job can never complete a new record) */
    ("ALTER TABLE assets ADD COLUMN \"served\" INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE assets ADD COLUMN \"originSize\" INTEGER NOT NULL DEFAULT 0;"
     "CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
     "INSERT INTO sequences VALUES ('generation', MAX("
     " (SELECT COALESCE(MAX(generation), 0) FROM assets),"
     " (SELECT COALESCE(MAX(generation), 0) FROM jobs)));"),
    /* 7: the reconciler: one at a time (a lease), stalled assets found by their last change
     * among those ingesting, each requeued at most once per deadline */
    ("CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL);"
     "ALTER TABLE assets ADD COLUMN \"requeued\" INTEGER NOT NULL DEFAULT 0;"
     "CREATE INDEX assets_ingesting ON assets(\"modified\") WHERE \"ingesting\" = 1;"),
    /* 8: integer ids from counters (one atomic upsert, never reused after a delete), not
     * MAX(id)+1 under the process's write lock; the counters start past the ids in use */
    ("CREATE TABLE id_counters (collection TEXT NOT NULL, scope INTEGER NOT NULL,"
     " last INTEGER NOT NULL, PRIMARY KEY (collection, scope)) WITHOUT ROWID;"
     "INSERT INTO id_counters SELECT 'customers', 0, MAX(id) FROM customers HAVING COUNT(*) > 0;"
     "INSERT INTO id_counters SELECT 'spaces', customer, MAX(id) FROM spaces GROUP BY customer;"
     "INSERT INTO id_counters SELECT 'batches', 0, MAX(id) FROM batches HAVING COUNT(*) > 0;"),
};

static enum dlcs_status current_version(struct sql_conn *c, int *version, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = DLCS_OK;

    *version = 0;
    if (dlcs_sql_exec(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                      err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (sqlite3_prepare_v2(c->db, "SELECT COALESCE(MAX(version),0) FROM schema_version", -1, &st,
                           NULL) != SQLITE_OK)
        return dlcs_sql_fail(c, "schema version", err);
    if (sqlite3_step(st) == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    else
        rc = dlcs_sql_fail(c, "schema version", err);
    sqlite3_finalize(st);
    return rc;
}

static enum dlcs_status apply_pending(struct sql_conn *c, struct dlcs_error *err)
{
    const int latest = (int)DLCS_ARRAY_LEN(migrations);
    char record[96];
    int have = 0;

    if (current_version(c, &have, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (have > latest)
        return dlcs_error_set(err, DLCS_EUPSTREAM,
                              "the database has schema version %d, newer than this build's %d",
                              have, latest);
    for (int v = have + 1; v <= latest; v++) {
        (void)snprintf(record, sizeof record, "INSERT INTO schema_version VALUES (%d)", v);
        if (dlcs_sql_exec(c, migrations[v - 1], err) != DLCS_OK ||
            dlcs_sql_exec(c, record, err) != DLCS_OK) {
            dlcs_error_prefix(err, "schema migration %d", v);
            return DLCS_EUPSTREAM;
        }
        dlcs_log(DLCS_LOG_INFO, "applied store schema migration %d", v);
    }
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_migrate(struct sql_conn *c, struct dlcs_error *err)
{
    enum dlcs_status st;

    /* one write transaction: two processes starting together cannot both apply a migration */
    st = dlcs_sql_exec(c, "BEGIN IMMEDIATE", err);
    if (st != DLCS_OK)
        return st;
    st = apply_pending(c, err);
    if (st == DLCS_OK)
        st = dlcs_sql_exec(c, "COMMIT", err);
    if (st != DLCS_OK)
        (void)sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}
