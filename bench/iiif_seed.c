/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seeds a store for bench/iiif.sh through the store port: customer 1 "bench", space 1, and a
 * finished asset 'id' of 'width' x 'height'. Prints the blob prefix of its served generation,
 * where the script then has `dlcs ingest` write the derivative (so no registration API and no
 * origin server are part of the measurement).
 * Usage: iiif_seed DATA_DIR ID WIDTH HEIGHT
 */
#include <stdio.h>
#include <stdlib.h>

#include "dlcs/adapters.h"
#include "dlcs/asset_blobs.h"
#include "dlcs/mem.h"
#include "dlcs/store.h"

#include "bench_seed.h"

int main(int argc, char **argv)
{
    struct dlcs_error err = {0};
    struct dlcs_store *s = NULL;
    struct dlcs_asset a;
    struct dlcs_registration reg = {&a, 1, NULL, false, false, false, NULL};
    struct dlcs_ingest_result r = {1, 1, NULL, 1, 0, NULL, 0, 0, 0, 0, 0, NULL};
    enum dlcs_completion outcome;
    char *url;

    if (argc != 5) {
        fprintf(stderr, "usage: iiif_seed DATA_DIR ID WIDTH HEIGHT\n");
        return 2;
    }
    url = dlcs_xasprintf("sqlite://%s/dlcs.db", argv[1]);
    dlcs_entity_init(&dlcs_asset_entity, &a);
    a.customer = 1;
    a.space = 1;
    a.id = dlcs_xstrdup(argv[2]);
    a.origin = dlcs_xstrdup("file:///bench");
    a.media_type = dlcs_xstrdup("image/jpeg");
    r.id = argv[2];
    r.width = strtol(argv[3], NULL, 10);
    r.height = strtol(argv[4], NULL, 10);
    if (dlcs_store_open(url, NULL, &s, &err) != DLCS_OK ||
        bench_seed_customer(s, "images", &err) != DLCS_OK ||
        dlcs_store_register(s, &reg, &err) != DLCS_OK) {
        fprintf(stderr, "iiif_seed: %s\n", err.message);
        return 1;
    }
    r.generation = a.generation;
    if (dlcs_store_complete(s, &r, &outcome, &err) != DLCS_OK) {
        fprintf(stderr, "iiif_seed: %s\n", err.message);
        return 1;
    }
    {
        char *prefix = dlcs_asset_blob_prefix(&a, a.generation);

        printf("%s\n", prefix);
        free(prefix);
    }
    dlcs_store_free(s);
    dlcs_entity_release(&dlcs_asset_entity, &a);
    free(url);
    return 0;
}
