/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/store: N assets (default 1,000,000) through the store port in registrations of 1,000
 * (each a batch, as the queue API will write them), then read back by (customer, space, id)
 * and by string1 (one query per book of 1,000 pages, ordered by number1). The peer is bare
 * SQLite in the same run: the same rows into a minimal 7-column table with the same key and
 * string1 index, prepared statements, one transaction per 1,000. dlcs writes more per asset
 * (25 columns, 9 indexes, batch membership, the generation read), so the ratio is the cost of
 * the port and of that model over the least a SQLite store could do.
 * Usage: store_bench [N] [DIR]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#include "dlcs/clock.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"
#include "dlcs/store.h"

#include "bench_seed.h"

#define PER_BATCH 1000

static double secs_since(int64_t start)
{
    return (double)(dlcs_time_mono_ms() - start) / 1000.0;
}

static void die(const char *what, const struct dlcs_error *err)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

static void port_insert(struct dlcs_store *s, long n)
{
    struct dlcs_asset *assets = dlcs_xcalloc(PER_BATCH, sizeof *assets);
    struct dlcs_error err = {0};

    for (long base = 0; base < n; base += PER_BATCH) {
        struct dlcs_batch b;
        struct dlcs_registration reg = {assets, PER_BATCH, &b, false, false, false, NULL};

        dlcs_entity_init(&dlcs_batch_entity, &b);
        b.customer = 1;
        for (long i = 0; i < PER_BATCH; i++) {
            struct dlcs_asset *a = &assets[i];

            dlcs_entity_init(&dlcs_asset_entity, a);
            a->customer = 1;
            a->space = 1;
            a->id = dlcs_xasprintf("b%ld_%04ld.tif", base / PER_BATCH, i);
            a->origin = dlcs_xasprintf("https://example.org/masters/%s", a->id);
            a->media_type = dlcs_xstrdup("image/tiff");
            a->string1 = dlcs_xasprintf("book-%ld", base / PER_BATCH);
            a->number1 = i;
        }
        if (dlcs_store_register(s, &reg, &err) != DLCS_OK)
            die("register", &err);
        for (long i = 0; i < PER_BATCH; i++)
            dlcs_entity_release(&dlcs_asset_entity, &assets[i]);
    }
    free(assets);
}

static void port_read_by_key(struct dlcs_store *s, long n)
{
    struct dlcs_asset a;
    struct dlcs_error err = {0};

    dlcs_entity_init(&dlcs_asset_entity, &a);
    for (long k = 0; k < n; k++) {
        long j = (k * 7919) % n; /* a stride walk: not in insertion order */
        char id[64];

        (void)snprintf(id, sizeof id, "b%ld_%04ld.tif", j / PER_BATCH, j % PER_BATCH);
        a.customer = 1;
        a.space = 1;
        dlcs_str_replace(&a.id, id);
        if (dlcs_store_get(s, &dlcs_asset_entity, &a, &err) != DLCS_OK)
            die("get", &err);
    }
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

static long port_read_by_string1(struct dlcs_store *s, long n)
{
    struct dlcs_error err = {0};
    long seen = 0;

    for (long book = 0; book < n / PER_BATCH; book++) {
        struct dlcs_query q = {.page = 1, .page_size = PER_BATCH};
        struct dlcs_list l;
        char s1[32];

        (void)snprintf(s1, sizeof s1, "book-%ld", book);
        dlcs_query_eq_int(&q, "customer", 1);
        dlcs_query_eq_str(&q, "string1", s1);
        dlcs_query_order(&q, "number1", false);
        if (dlcs_store_list(s, &dlcs_asset_entity, &q, &l, &err) != DLCS_OK)
            die("list", &err);
        seen += (long)l.count;
        dlcs_list_release(&l);
    }
    return seen;
}

/* ---- the peer: bare SQLite ----------------------------------------------------------------- */

static sqlite3 *peer_open(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE a (customer INTEGER, space INTEGER, id TEXT, origin TEXT,"
                     " mediaType TEXT, string1 TEXT, number1 INTEGER,"
                     " PRIMARY KEY (customer, space, id));"
                     "CREATE INDEX a_s1 ON a(customer, string1, number1);",
                     NULL, NULL, NULL) != SQLITE_OK)
        die("peer open", NULL);
    return db;
}

static void peer_insert(sqlite3 *db, long n)
{
    sqlite3_stmt *st = NULL;
    char id[64], origin[128], s1[32];

    sqlite3_prepare_v2(db, "INSERT INTO a VALUES (1, 1, ?1, ?2, 'image/tiff', ?3, ?4)", -1, &st,
                       NULL);
    for (long base = 0; base < n; base += PER_BATCH) {
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        for (long i = 0; i < PER_BATCH; i++) {
            (void)snprintf(id, sizeof id, "b%ld_%04ld.tif", base / PER_BATCH, i);
            (void)snprintf(origin, sizeof origin, "https://example.org/masters/%s", id);
            (void)snprintf(s1, sizeof s1, "book-%ld", base / PER_BATCH);
            sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, origin, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, s1, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 4, i);
            if (sqlite3_step(st) != SQLITE_DONE)
                die("peer insert", NULL);
            sqlite3_reset(st);
        }
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    sqlite3_finalize(st);
}

static void peer_read_by_key(sqlite3 *db, long n)
{
    sqlite3_stmt *st = NULL;
    char id[64];

    sqlite3_prepare_v2(db, "SELECT * FROM a WHERE customer=1 AND space=1 AND id=?1", -1, &st, NULL);
    for (long k = 0; k < n; k++) {
        long j = (k * 7919) % n;

        (void)snprintf(id, sizeof id, "b%ld_%04ld.tif", j / PER_BATCH, j % PER_BATCH);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_ROW)
            die("peer get", NULL);
        for (int c = 0; c < sqlite3_column_count(st); c++)
            (void)sqlite3_column_text(st, c);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

static long peer_read_by_string1(sqlite3 *db, long n)
{
    sqlite3_stmt *st = NULL;
    char s1[32];
    long seen = 0;

    sqlite3_prepare_v2(db,
                       "SELECT * FROM a WHERE customer=1 AND string1=?1 ORDER BY number1 LIMIT "
                       "1000",
                       -1, &st, NULL);
    for (long book = 0; book < n / PER_BATCH; book++) {
        (void)snprintf(s1, sizeof s1, "book-%ld", book);
        sqlite3_bind_text(st, 1, s1, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++)
                (void)sqlite3_column_text(st, c); /* read every value, as the port does */
            seen++;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return seen;
}

static void remove_db(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char p[600];

    for (size_t i = 0; i < DLCS_ARRAY_LEN(suffixes); i++) {
        (void)snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static void report(const char *what, long n, double dlcs_s, double peer_s)
{
    printf("%-22s dlcs %9.0f assets/s (%6.2f s)   bare sqlite %9.0f assets/s (%6.2f s)   "
           "ratio dlcs/bare %.2f\n",
           what, (double)n / dlcs_s, dlcs_s, (double)n / peer_s, peer_s, peer_s / dlcs_s);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char url[512], peer_path[512];
    struct dlcs_store *s = NULL;
    struct dlcs_error err = {0};
    struct rusage ru;
    double t_ins, t_key, t_s1, p_ins, p_key, p_s1;
    int64_t t;
    sqlite3 *db;

    dlcs_log_set_level(DLCS_LOG_WARN);
    n = n < PER_BATCH ? PER_BATCH : n - n % PER_BATCH;
    (void)snprintf(url, sizeof url, "sqlite://%s/store_bench_%d.db", dir, (int)getpid());
    (void)snprintf(peer_path, sizeof peer_path, "%s/store_bench_peer_%d.db", dir, (int)getpid());
    if (dlcs_store_open(url, 4, 10000, &s, &err) != DLCS_OK)
        die("open", &err);
    if (bench_seed_customer(s, "books", &err) != DLCS_OK)
        die("setup", &err);
    printf("bench/store: %ld assets, registrations of %d, customer 1 space 1\n", n, PER_BATCH);
    t = dlcs_time_mono_ms();
    port_insert(s, n);
    t_ins = secs_since(t);
    t = dlcs_time_mono_ms();
    port_read_by_key(s, n);
    t_key = secs_since(t);
    t = dlcs_time_mono_ms();
    if (port_read_by_string1(s, n) != n)
        die("by string1: wrong count", NULL);
    t_s1 = secs_since(t);
    dlcs_store_free(s);

    db = peer_open(peer_path);
    t = dlcs_time_mono_ms();
    peer_insert(db, n);
    p_ins = secs_since(t);
    t = dlcs_time_mono_ms();
    peer_read_by_key(db, n);
    p_key = secs_since(t);
    t = dlcs_time_mono_ms();
    if (peer_read_by_string1(db, n) != n)
        die("peer by string1: wrong count", NULL);
    p_s1 = secs_since(t);
    sqlite3_close(db);

    report("insert (batched)", n, t_ins, p_ins);
    report("read by key", n, t_key, p_key);
    report("read by string1", n, t_s1, p_s1);
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %ld MiB\n", ru.ru_maxrss / 1024);
    remove_db(url + strlen("sqlite://"));
    remove_db(peer_path);
    return 0;
}
