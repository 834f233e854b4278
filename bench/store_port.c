/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One adapter through the store port: registrations of 1,000, reads by key in a stride walk,
 * every book of 5,000 pages by string1 ordered by number1, and a space listing's page 1 against
 * a deep page, reached by its cursor (keyset) and by offset (?page=N). On MongoDB also the
 * commands one registration of 1,000 sends, as the project's fake counts them.
 */
#include "store_port.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

#include "dlcs/adapters.h"
#include "dlcs/clock.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "bench_seed.h"

static void die(const char *what, const struct dlcs_error *err)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

static double secs_since(int64_t start)
{
    return (double)(dlcs_time_mono_ms() - start) / 1000.0;
}

void bench_asset_id(long j, char *buf, size_t len)
{
    (void)snprintf(buf, len, "b%ld_%04ld.tif", j / PER_BATCH, j % PER_BATCH);
}

static void register_from(struct dlcs_store *s, long base, const char *book_prefix)
{
    struct dlcs_asset assets[PER_BATCH];
    struct dlcs_batch b;
    struct dlcs_registration reg = {assets, PER_BATCH, &b, false, false, false, NULL};
    struct dlcs_error err = {0};
    char id[64];

    dlcs_entity_init(&dlcs_batch_entity, &b);
    b.customer = 1;
    for (long i = 0; i < PER_BATCH; i++) {
        struct dlcs_asset *a = &assets[i];

        dlcs_entity_init(&dlcs_asset_entity, a);
        bench_asset_id(base + i, id, sizeof id);
        a->customer = 1;
        a->space = 1;
        a->id = dlcs_xasprintf("%s%s", book_prefix, id);
        a->origin = dlcs_xasprintf("https://example.org/masters/%s", a->id);
        a->media_type = dlcs_xstrdup("image/tiff");
        a->string1 = dlcs_xasprintf("%sbook-%ld", book_prefix, (base + i) / BOOK_PAGES);
        a->number1 = (base + i) % BOOK_PAGES;
    }
    if (dlcs_store_register(s, &reg, &err) != DLCS_OK)
        die("register", &err);
    for (long i = 0; i < PER_BATCH; i++)
        dlcs_entity_release(&dlcs_asset_entity, &assets[i]);
}

static void read_by_key(struct dlcs_store *s, long n)
{
    struct dlcs_asset a;
    struct dlcs_error err = {0};
    char id[64];

    dlcs_entity_init(&dlcs_asset_entity, &a);
    for (long k = 0; k < n; k++) {
        bench_asset_id((k * 7919) % n, id, sizeof id); /* a stride walk: not in insertion order */
        a.customer = 1;
        a.space = 1;
        dlcs_str_replace(&a.id, id);
        if (dlcs_store_get(s, &dlcs_asset_entity, &a, &err) != DLCS_OK)
            die("get", &err);
    }
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

static void read_books(struct dlcs_store *s, long n)
{
    struct dlcs_error err = {0};
    long seen = 0;

    for (long book = 0; book < n / BOOK_PAGES; book++) {
        struct dlcs_query q = {0};
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
    if (seen != n)
        die("by string1: wrong count", NULL);
}

/* ms for the page of the space listing 'q' (offset or cursor set) */
static double one_page(struct dlcs_store *s, struct dlcs_query q, char **next)
{
    struct dlcs_list l;
    struct dlcs_error err = {0};
    int64_t t = dlcs_time_mono_ms();
    double ms;

    dlcs_query_eq_int(&q, "customer", 1);
    dlcs_query_eq_int(&q, "space", 1);
    q.limit = PAGE_SIZE;
    if (dlcs_store_list(s, &dlcs_asset_entity, &q, &l, &err) != DLCS_OK || l.count == 0)
        die("page", &err);
    ms = (double)(dlcs_time_mono_ms() - t);
    if (next) {
        *next = l.next_cursor;
        l.next_cursor = NULL;
    }
    dlcs_list_release(&l);
    return ms;
}

/* Page 1, then the deep page by cursor (made from the row before it) and by offset. */
static void paging(struct dlcs_store *s, long n, struct port_figures *f)
{
    char *cursor = NULL;
    const int tries = 20;

    f->deep_page = n / PAGE_SIZE;
    f->page1 = f->deep_cursor = f->deep_offset = 0;
    (void)one_page(s, (struct dlcs_query){.offset = (f->deep_page - 1) * PAGE_SIZE - 1}, &cursor);
    for (int i = 0; i < tries; i++) {
        f->page1 += one_page(s, (struct dlcs_query){0}, NULL) / tries;
        f->deep_cursor += one_page(s, (struct dlcs_query){.after = cursor}, NULL) / tries;
        f->deep_offset +=
            one_page(s, (struct dlcs_query){.offset = (f->deep_page - 1) * PAGE_SIZE}, NULL) /
            tries;
    }
    free(cursor);
}

/* The fake's count of commands (round trips); -1 on a real server, which does not keep it. */
static long commands(mongoc_client_t *c)
{
    bson_t *cmd = BCON_NEW("serverStatus", BCON_INT32(1));
    bson_t reply;
    bson_iter_t it;
    long n = -1;

    if (c && mongoc_client_command_simple(c, "admin", cmd, NULL, &reply, NULL)) {
        if (bson_iter_init(&it, &reply) && bson_iter_find_descendant(&it, "dlcsFake.commands", &it))
            n = (long)bson_iter_as_int64(&it);
        bson_destroy(&reply);
    }
    bson_destroy(cmd);
    return n;
}

void bench_port(const char *url, long n, struct port_figures *f)
{
    struct dlcs_store *s = NULL;
    struct dlcs_error err = {0};
    bool mongo = strncmp(url, "mongodb://", 10) == 0;
    int64_t t;
    long before;

    if (dlcs_store_open(url, NULL, &s, &err) != DLCS_OK)
        die("open", &err);
    if (bench_seed_customer(s, "books", &err) != DLCS_OK)
        die("setup", &err);
    t = dlcs_time_mono_ms();
    for (long base = 0; base < n; base += PER_BATCH)
        register_from(s, base, "");
    f->insert = secs_since(t);
    t = dlcs_time_mono_ms();
    read_by_key(s, n);
    f->by_key = secs_since(t);
    t = dlcs_time_mono_ms();
    read_books(s, n);
    f->by_book = secs_since(t);
    paging(s, n, f);
    f->round_trips = -1;
    if (mongo) { /* one more registration of 1,000, its commands counted by the fake */
        mongoc_client_t *c = mongoc_client_new(url);

        if (c && (before = commands(c)) >= 0) {
            register_from(s, 0, "rt-");
            f->round_trips = commands(c) - before;
        }
        mongoc_client_destroy(c);
    }
    dlcs_store_free(s);
}
