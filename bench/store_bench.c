/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/store: N assets (default 1,000,000) through the store port in registrations of 1,000
 * (each a batch, as the queue API will write them), then read back by (customer, space, id),
 * by string1 (one query per book of 5,000 pages, ordered by number1), and a space listing's
 * page 1 against its last page by cursor and by offset (store_port.c). The peer is bare
 * SQLite in the same run: the same rows into a minimal 7-column table with the same key and
 * string1 index, prepared statements, one transaction per 1,000. dlcs writes more per asset
 * (25 columns, 9 indexes, batch membership, the generation read), so the ratio is the cost of
 * the port and of that model over the least a SQLite store could do. With a MongoDB URL the
 * same measures run on it too (M assets, default 5,000: the fake scans a collection per
 * command, so it is no performance peer; what counts there is that the deep page costs what
 * page 1 costs, and the round trips of one registration).
 * Usage: store_bench [N] [DIR] [mongodb://host:port/db [M]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#include "dlcs/adapters.h"
#include "dlcs/clock.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"
#include "dlcs/store.h"

#include "bench_seed.h"
#include "store_port.h"

static double secs_since(int64_t start)
{
    return (double)(dlcs_time_mono_ms() - start) / 1000.0;
}

static void die(const char *what, const struct dlcs_error *err)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, err ? err->message : "");
    exit(1);
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
            bench_asset_id(base + i, id, sizeof id);
            (void)snprintf(origin, sizeof origin, "https://example.org/masters/%s", id);
            (void)snprintf(s1, sizeof s1, "book-%ld", (base + i) / BOOK_PAGES);
            sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, origin, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, s1, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 4, (base + i) % BOOK_PAGES);
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
        bench_asset_id((k * 7919) % n, id, sizeof id);
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

    sqlite3_prepare_v2(db, "SELECT * FROM a WHERE customer=1 AND string1=?1 ORDER BY number1", -1,
                       &st, NULL);
    for (long book = 0; book < n / BOOK_PAGES; book++) {
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

static void report_port(const char *name, long n, const struct port_figures *f)
{
    printf("%-8s %8ld assets: insert %8.0f/s  by key %8.0f/s  books of %d by string1 %8.0f "
           "assets/s  page 1 %.2f ms, page %ld by cursor %.2f ms (x%.2f), by offset %.2f ms "
           "(x%.1f)",
           name, n, (double)n / f->insert, (double)n / f->by_key, BOOK_PAGES,
           (double)n / f->by_book, f->page1, f->deep_page, f->deep_cursor,
           f->deep_cursor / (f->page1 > 0 ? f->page1 : 1), f->deep_offset,
           f->deep_offset / (f->page1 > 0 ? f->page1 : 1));
    if (f->round_trips >= 0)
        printf("  round trips per registration of %d: %ld", PER_BATCH, f->round_trips);
    printf("\n");
}

static long whole_books(long n)
{
    return n < BOOK_PAGES ? BOOK_PAGES : n - n % BOOK_PAGES;
}

int main(int argc, char **argv)
{
    long n = whole_books(argc > 1 ? strtol(argv[1], NULL, 10) : 1000000);
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    const char *mongo_url = argc > 3 ? argv[3] : NULL;
    long mongo_n = whole_books(argc > 4 ? strtol(argv[4], NULL, 10) : 5000);
    char url[512], peer_path[512];
    struct port_figures sqlite_f, mongo_f;
    struct rusage ru;
    double p_ins, p_key, p_s1;
    int64_t t;
    sqlite3 *db;

    dlcs_log_set_level(DLCS_LOG_WARN);
    (void)snprintf(url, sizeof url, "sqlite://%s/store_bench_%d.db?pool=4&busy_ms=10000", dir,
                   (int)getpid());
    (void)snprintf(peer_path, sizeof peer_path, "%s/store_bench_peer_%d.db", dir, (int)getpid());
    printf("bench/store: registrations of %d, books of %d pages, pages of %d, customer 1 space "
           "1\n",
           PER_BATCH, BOOK_PAGES, PAGE_SIZE);
    bench_port(url, n, &sqlite_f);
    if (mongo_url)
        bench_port(mongo_url, mongo_n, &mongo_f);

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

    report("insert (batched)", n, sqlite_f.insert, p_ins);
    report("read by key", n, sqlite_f.by_key, p_key);
    report("read by string1", n, sqlite_f.by_book, p_s1);
    report_port("sqlite", n, &sqlite_f);
    if (mongo_url)
        report_port("mongodb", mongo_n, &mongo_f);
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %ld MiB\n", ru.ru_maxrss / 1024);
    remove_db(url + strlen("sqlite://"));
    remove_db(peer_path);
    return 0;
}
