/* SPDX-License-Identifier: Apache-2.0 */
/* One registered asset's ingest, its customer's origin strategies, its outcome recorded. */
#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"
#include "dlcs/worker.h"

/* The customer's origin strategies (a customer has a handful: no paging). */
static enum dlcs_status strategies(struct dlcs_store *store, int64_t customer,
                                   struct dlcs_list *out, struct dlcs_error *err)
{
    struct dlcs_query q = {0};

    dlcs_query_eq_int(&q, "customer", customer);
    return dlcs_store_list(store, &dlcs_origin_strategy_entity, &q, out, err);
}

enum dlcs_status dlcs_ingest_asset(const struct dlcs_ingest_env *env, const struct dlcs_asset *a,
                                   bool record_transient, struct dlcs_error *err)
{
    struct dlcs_list list = {0};
    struct dlcs_origin_auth auth;
    struct dlcs_ingest_report rep;
    struct dlcs_error why = {0};
    struct dlcs_ingest_result r = {
        a->customer, a->space, a->id, a->generation, a->batch, NULL, 0, 0, 0, 0, 0};
    char *prefix =
        dlcs_xasprintf("%lld/%lld/%s", (long long)a->customer, (long long)a->space, a->id);
    enum dlcs_completion outcome;
    enum dlcs_status st;

    memset(&auth, 0, sizeof auth);
    st = strategies(env->store, a->customer, &list, &why);
    if (st == DLCS_OK)
        st = dlcs_origin_auth_for(a->origin ? a->origin : "", list.items, list.count, &auth, &why);
    if (st == DLCS_OK)
        st = dlcs_ingest_one(env->settings, a->origin ? a->origin : "", &auth, env->blobs, prefix,
                             &rep, &why);
    dlcs_origin_auth_release(&auth);
    dlcs_list_release(&list);
    free(prefix);
    if (st != DLCS_OK && dlcs_status_is_transient(st) && !record_transient)
        return dlcs_error_set(err, st, "%s", why.message); /* for the caller to retry */
    if (st == DLCS_OK) {
        r.width = rep.convert.width;
        r.height = rep.convert.height;
        r.size = rep.derivative_bytes;
        r.thumbnail_size = rep.thumbnail_bytes;
    } else {
        r.error = why.message; /* recorded on the asset: the client sees why */
    }
    return dlcs_store_complete(env->store, &r, &outcome, err);
}
