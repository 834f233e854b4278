/* SPDX-License-Identifier: Apache-2.0 */
#include "store_fixtures.h"

#include <pthread.h>
#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dlcs/mem.h"

static const struct store_contract_adapter *adapter;

void store_fixtures_use(const struct store_contract_adapter *a)
{
    adapter = a;
}

int store_fixtures_jobs(void)
{
    return adapter->concurrent_jobs > 0 ? adapter->concurrent_jobs : 10000;
}

int store_setup(void **state)
{
    *state = adapter->open_empty();
    return *state ? 0 : -1;
}

int store_teardown(void **state)
{
    dlcs_store_free(*state);
    adapter->cleanup();
    return 0;
}

int64_t make_customer(struct dlcs_store *s, const char *name)
{
    struct dlcs_customer c;
    int64_t id;

    dlcs_entity_init(&dlcs_customer_entity, &c);
    c.name = dlcs_xstrdup(name);
    c.display_name = dlcs_xasprintf("The %s", name);
    OK(dlcs_store_insert(s, &dlcs_customer_entity, &c, NULL));
    id = c.id;
    dlcs_entity_release(&dlcs_customer_entity, &c);
    return id;
}

int64_t make_space(struct dlcs_store *s, int64_t customer, int64_t id, const char *name)
{
    struct dlcs_space sp;

    dlcs_entity_init(&dlcs_space_entity, &sp);
    sp.customer = customer;
    sp.id = id;
    sp.name = dlcs_xstrdup(name);
    OK(dlcs_store_insert(s, &dlcs_space_entity, &sp, NULL));
    id = sp.id;
    dlcs_entity_release(&dlcs_space_entity, &sp);
    return id;
}

void fill_asset(struct dlcs_asset *a, int64_t customer, int64_t space, const char *id,
                const char *s1, int64_t n1)
{
    dlcs_entity_init(&dlcs_asset_entity, a);
    a->customer = customer;
    a->space = space;
    a->id = dlcs_xstrdup(id);
    a->origin = dlcs_xasprintf("https://example.org/%s.jpg", id);
    a->media_type = dlcs_xstrdup("image/jpeg");
    a->string1 = dlcs_xstrdup_or_null(s1);
    a->number1 = n1;
}

/* Register 'n' assets "<prefix><i>" with string1 = s1 and number1 = i (+ a batch if asked). */
void register_many(struct dlcs_store *s, int64_t customer, int64_t space, const char *prefix,
                   const char *s1, size_t n, struct dlcs_batch *b)
{
    struct dlcs_asset *assets = dlcs_xcalloc(n, sizeof *assets);
    struct dlcs_registration reg = {assets, n, b, false, false, false, NULL};
    struct dlcs_error err = {0};

    for (size_t i = 0; i < n; i++) {
        char id[64];

        (void)snprintf(id, sizeof id, "%s%zu", prefix, i);
        fill_asset(&assets[i], customer, space, id, s1, (int64_t)i);
    }
    if (b) {
        dlcs_entity_init(&dlcs_batch_entity, b);
        b->customer = customer;
    }
    if (dlcs_store_register(s, &reg, &err) != DLCS_OK)
        fail_msg("register: %s", err.message);
    for (size_t i = 0; i < n; i++)
        dlcs_entity_release(&dlcs_asset_entity, &assets[i]);
    free(assets);
}

enum dlcs_completion complete(struct dlcs_store *s, int64_t customer, int64_t space, const char *id,
                              int64_t generation, int64_t batch, const char *error)
{
    const struct dlcs_ingest_result r = {customer, space, id, generation, batch, error,
                                         640,      480,   0,  1000,       100,   NULL};
    enum dlcs_completion outcome;

    OK(dlcs_store_complete(s, &r, &outcome, NULL));
    return outcome;
}

/* The asset's current generation (what its ingest job carries). */
int64_t generation_of(struct dlcs_store *s, int64_t customer, int64_t space, const char *id)
{
    struct dlcs_asset a;
    int64_t g;

    get_asset(s, customer, space, id, &a);
    g = a.generation;
    dlcs_entity_release(&dlcs_asset_entity, &a);
    return g;
}

/* Complete the asset's current generation. */
enum dlcs_completion complete_now(struct dlcs_store *s, int64_t customer, int64_t space,
                                  const char *id, int64_t batch, const char *error)
{
    return complete(s, customer, space, id, generation_of(s, customer, space, id), batch, error);
}

void get_asset(struct dlcs_store *s, int64_t customer, int64_t space, const char *id,
               struct dlcs_asset *out)
{
    dlcs_entity_init(&dlcs_asset_entity, out);
    out->customer = customer;
    out->space = space;
    out->id = dlcs_xstrdup(id);
    OK(dlcs_store_get(s, &dlcs_asset_entity, out, NULL));
}

struct minter {
    struct dlcs_store *s;
    int64_t customer;
    int each;
    int64_t *ids;
};

static void *mint_spaces(void *arg)
{
    struct minter *m = arg;

    for (int i = 0; i < m->each; i++) {
        struct dlcs_space sp;

        dlcs_entity_init(&dlcs_space_entity, &sp);
        sp.customer = m->customer;
        sp.name = dlcs_xasprintf("s%p-%d", arg, i);
        m->ids[i] = dlcs_store_insert(m->s, &dlcs_space_entity, &sp, NULL) == DLCS_OK ? sp.id : -1;
        dlcs_entity_release(&dlcs_space_entity, &sp);
    }
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

void expect_distinct_mints(struct dlcs_store *const *stores, size_t nstores, int64_t customer,
                           int threads, int each)
{
    struct minter *m = dlcs_xcalloc((size_t)threads, sizeof *m);
    pthread_t *tid = dlcs_xcalloc((size_t)threads, sizeof *tid);
    int64_t *all = dlcs_xcalloc((size_t)(threads * each), sizeof *all);

    for (int t = 0; t < threads; t++) {
        m[t] = (struct minter){stores[(size_t)t % nstores], customer, each, &all[t * each]};
        assert_int_equal(pthread_create(&tid[t], NULL, mint_spaces, &m[t]), 0);
    }
    for (int t = 0; t < threads; t++)
        pthread_join(tid[t], NULL);
    qsort(all, (size_t)(threads * each), sizeof *all, by_value);
    for (int i = 0; i < threads * each; i++)
        assert_int_equal(all[i], (int64_t)i + 1); /* every insert got one, none twice */
    free(all);
    free(tid);
    free(m);
}
