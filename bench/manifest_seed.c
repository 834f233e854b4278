/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seeds a store for bench/manifest.sh through the store port: customer 1 "bench", space 1,
 * COUNT finished images "p000001"... (string1 "book", number1 = page, 4000 x 3000) registered
 * in one batch, and the named query "book" = "assetOrder=n1&space=1&s1=p1". Records only: a
 * manifest needs no pixels (canvases without stored thumbnails paint the full image).
 * Usage: manifest_seed DATA_DIR COUNT
 */
#include <stdio.h>
#include <stdlib.h>

#include "dlcs/adapters.h"
#include "dlcs/mem.h"
#include "dlcs/store.h"

#include "bench_seed.h"

static int seed_pages(struct dlcs_store *s, long count, struct dlcs_error *err)
{
    struct dlcs_asset *pages = dlcs_xcalloc((size_t)count, sizeof *pages);
    struct dlcs_batch b;
    struct dlcs_registration reg = {pages, (size_t)count, &b, false, false, false, NULL};
    enum dlcs_completion outcome;
    int rc = 0;

    dlcs_entity_init(&dlcs_batch_entity, &b);
    b.customer = 1;
    for (long i = 0; i < count; i++) {
        dlcs_entity_init(&dlcs_asset_entity, &pages[i]);
        pages[i].customer = 1;
        pages[i].space = 1;
        pages[i].id = dlcs_xasprintf("p%06ld", i + 1);
        pages[i].origin = dlcs_xstrdup("file:///bench");
        pages[i].media_type = dlcs_xstrdup("image/jpeg");
        pages[i].string1 = dlcs_xstrdup("book");
        pages[i].number1 = i + 1;
    }
    if (dlcs_store_register(s, &reg, err) != DLCS_OK)
        rc = 1;
    for (long i = 0; i < count && rc == 0; i++) {
        struct dlcs_ingest_result r = {
            1, 1, pages[i].id, pages[i].generation, b.id, NULL, 4000, 3000, 0, 0, 0, NULL};

        if (dlcs_store_complete(s, &r, &outcome, err) != DLCS_OK)
            rc = 1;
    }
    for (long i = 0; i < count; i++)
        dlcs_entity_release(&dlcs_asset_entity, &pages[i]);
    dlcs_entity_release(&dlcs_batch_entity, &b);
    free(pages);
    return rc;
}

int main(int argc, char **argv)
{
    struct dlcs_error err = {0};
    struct dlcs_store *s = NULL;
    struct dlcs_named_query nq;
    char *url;
    long count;
    int rc = 1;

    if (argc != 3 || (count = strtol(argv[2], NULL, 10)) <= 0) {
        fprintf(stderr, "usage: manifest_seed DATA_DIR COUNT\n");
        return 2;
    }
    url = dlcs_xasprintf("sqlite://%s/dlcs.db", argv[1]);
    dlcs_entity_init(&dlcs_named_query_entity, &nq);
    nq.customer = 1;
    nq.name = dlcs_xstrdup("book");
    nq.template = dlcs_xstrdup("assetOrder=n1&space=1&s1=p1");
    if (dlcs_store_open(url, NULL, &s, &err) == DLCS_OK &&
        bench_seed_customer(s, "books", &err) == DLCS_OK &&
        dlcs_store_insert(s, &dlcs_named_query_entity, &nq, &err) == DLCS_OK)
        rc = seed_pages(s, count, &err);
    if (rc != 0)
        fprintf(stderr, "manifest_seed: %s\n", err.message);
    dlcs_store_free(s);
    dlcs_entity_release(&dlcs_named_query_entity, &nq);
    free(url);
    return rc;
}
