/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a named query selects: the query found by name (the customer's own before a global
 * one), its template bound to the URL's arguments, and the customer's deliverable images
 * (ingested without error) that match, in the template's order, read page by page so that a
 * book of any length is walked in bounded memory.
 */
#include "nq_select.h"

#include <string.h>

#include "dlcs/mem.h"
#include "dlcs/model.h"

#define PAGE 500 /* assets read per store call */

/* find_one where "not found" is an answer: only other failures are recorded in 'err'. */
static enum dlcs_status find_one(struct dlcs_store *store, const struct dlcs_entity *e,
                                 const struct dlcs_query *q, void *out, struct dlcs_error *err)
{
    struct dlcs_error mine = {0};
    enum dlcs_status st = dlcs_store_find_one(store, e, q, out, &mine);

    if (st != DLCS_OK && st != DLCS_ENOTFOUND)
        (void)dlcs_error_set(err, st, "%s", mine.message);
    return st;
}

/* The named query 'name' of customer 'customer', else a global one of that name. */
static enum dlcs_status find_query(struct dlcs_store *store, int64_t customer, const char *name,
                                   struct dlcs_named_query *out, struct dlcs_error *err)
{
    struct dlcs_query own = {.page = 1, .page_size = 1}, global = {.page = 1, .page_size = 1};
    enum dlcs_status st;

    dlcs_query_eq_int(&own, "customer", customer);
    dlcs_query_eq_str(&own, "name", name);
    st = find_one(store, &dlcs_named_query_entity, &own, out, err);
    if (st != DLCS_ENOTFOUND)
        return st;
    dlcs_query_eq_int(&global, "global", 1);
    dlcs_query_eq_str(&global, "name", name);
    st = find_one(store, &dlcs_named_query_entity, &global, out, err);
    return st == DLCS_ENOTFOUND ? dlcs_error_set(err, DLCS_ENOTFOUND, "no named query '%s'", name)
                                : st;
}

/* A space given by name becomes its id; no such space selects nothing. */
static enum dlcs_status space_by_name(struct dlcs_store *store, int64_t customer, const char *name,
                                      int64_t *id, struct dlcs_error *err)
{
    struct dlcs_query q = {.page = 1, .page_size = 1};
    struct dlcs_space sp;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_space_entity, &sp);
    dlcs_query_eq_int(&q, "customer", customer);
    dlcs_query_eq_str(&q, "name", name);
    st = find_one(store, &dlcs_space_entity, &q, &sp, err);
    *id = sp.id;
    dlcs_entity_release(&dlcs_space_entity, &sp);
    return st == DLCS_ENOTFOUND ? dlcs_error_set(err, DLCS_ENOTFOUND, "no space named '%s'", name)
                                : st;
}

/* The store query of a bound plan (strings borrowed from 'plan'). */
static enum dlcs_status to_query(struct dlcs_store *store, int64_t customer,
                                 const struct dlcs_nq_plan *plan, struct dlcs_query *q,
                                 struct dlcs_error *err)
{
    static const char *const strings[] = {"string1", "string2", "string3"};
    static const char *const numbers[] = {"number1", "number2", "number3"};
    int64_t space = plan->space;

    if (!plan->has_space && plan->space_name &&
        space_by_name(store, customer, plan->space_name, &space, err) != DLCS_OK)
        return err->code;
    if (plan->batch_count > 1)
        return dlcs_error_set(err, DLCS_EUNSUPPORTED,
                              "'batch' with more than one id is not supported yet");
    dlcs_query_eq_int(q, "customer", customer);
    if (plan->has_space || plan->space_name)
        dlcs_query_eq_int(q, "space", space);
    for (int i = 0; i < 3; i++) {
        if (plan->string[i])
            dlcs_query_eq_str(q, strings[i], plan->string[i]);
        if (plan->has_number[i])
            dlcs_query_eq_int(q, numbers[i], plan->number[i]);
    }
    if (plan->tag)
        dlcs_query_has(q, "tags", plan->tag);
    if (plan->batch_count == 1)
        q->batch_member = plan->batches[0];
    dlcs_query_eq_int(q, "ingesting", 0);         /* only what can be shown: */
    dlcs_query_term(q, "error", DLCS_TERM_UNSET); /* no broken images in a manifest */
    for (size_t i = 0; i < plan->order_count; i++)
        dlcs_query_order(q, plan->order[i].field, plan->order[i].descending);
    return DLCS_OK;
}

enum dlcs_status dlcs_nq_select(struct dlcs_store *store, int64_t customer, const char *name,
                                const char *const *args, size_t nargs, struct dlcs_nq_plan *plan,
                                dlcs_nq_each_fn each, void *arg, struct dlcs_error *err)
{
    struct dlcs_named_query nq;
    struct dlcs_query q = {0};
    struct dlcs_list l = {0};
    enum dlcs_status st;
    int64_t seen = 0;

    memset(plan, 0, sizeof *plan); /* released by the caller whatever happens */
    dlcs_entity_init(&dlcs_named_query_entity, &nq);
    st = find_query(store, customer, name, &nq, err);
    if (st == DLCS_OK)
        st = dlcs_nq_resolve(nq.template, args, nargs, plan, err);
    if (st == DLCS_OK)
        st = to_query(store, customer, plan, &q, err);
    q.page_size = PAGE;
    for (q.page = 1; st == DLCS_OK; q.page++) {
        st = dlcs_store_list(store, &dlcs_asset_entity, &q, &l, err);
        for (size_t i = 0; st == DLCS_OK && i < l.count; i++, seen++)
            st = each(arg, dlcs_list_at(&l, i), err);
        dlcs_list_release(&l);
        if (st != DLCS_OK || l.count < PAGE)
            break;
    }
    if (st == DLCS_OK && seen == 0)
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "named query '%s' matches no image", name);
    dlcs_entity_release(&dlcs_named_query_entity, &nq);
    return st;
}
