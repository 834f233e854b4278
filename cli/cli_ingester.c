/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wires the API's immediate registration to the ingest workers' library: the customer's
 * origin strategies, one isolated conversion, then the outcome recorded exactly once.
 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

#include "cli.h"

enum dlcs_status dlcs_cli_ingester_init(struct cli_ingester *ing, const struct dlcs_config *cfg,
                                        struct dlcs_store *store, struct dlcs_blobstore *blobs,
                                        struct dlcs_error *err)
{
    memset(ing, 0, sizeof *ing);
    ing->store = store;
    ing->blobs = blobs;
    if (dlcs_ingest_settings_init(&ing->settings, cfg, err) != DLCS_OK)
        return DLCS_EINVAL;
    ing->settings.convert_helper = "/proc/self/exe"; /* decoders run in a child process */
    return DLCS_OK;
}

void dlcs_cli_ingester_release(struct cli_ingester *ing)
{
    dlcs_ingest_settings_release(&ing->settings);
}

/* The customer's origin strategies (a customer has a handful: no paging). */
static enum dlcs_status strategies(struct dlcs_store *store, int64_t customer,
                                   struct dlcs_list *out, struct dlcs_error *err)
{
    struct dlcs_query q = {0};

    dlcs_query_eq_int(&q, "customer", customer);
    return dlcs_store_list(store, &dlcs_origin_strategy_entity, &q, out, err);
}

enum dlcs_status dlcs_cli_ingest_asset(void *ctx, const struct dlcs_asset *a,
                                       struct dlcs_error *err)
{
    struct cli_ingester *ing = ctx;
    struct dlcs_list list = {0};
    struct dlcs_origin_auth auth;
    struct dlcs_ingest_report rep;
    struct dlcs_error why = {0};
    struct dlcs_ingest_result r = {a->customer, a->space, a->id, a->generation, a->batch, NULL,
                                   0,           0,        0};
    char *prefix =
        dlcs_xasprintf("%lld/%lld/%s", (long long)a->customer, (long long)a->space, a->id);
    enum dlcs_completion outcome;
    enum dlcs_status st;

    memset(&auth, 0, sizeof auth);
    st = strategies(ing->store, a->customer, &list, &why);
    if (st == DLCS_OK)
        st = dlcs_origin_auth_for(a->origin, list.items, list.count, &auth, &why);
    if (st == DLCS_OK)
        st = dlcs_ingest_one(&ing->settings, a->origin, &auth, ing->blobs, prefix, &rep, &why);
    if (st == DLCS_OK) {
        r.width = rep.convert.width;
        r.height = rep.convert.height;
    } else {
        r.error = why.message; /* recorded on the asset: the client sees why */
    }
    dlcs_origin_auth_release(&auth);
    dlcs_list_release(&list);
    free(prefix);
    return dlcs_store_complete(ing->store, &r, &outcome, err);
}
