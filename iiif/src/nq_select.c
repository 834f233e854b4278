/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a named query selects: the query found by name (the customer's own before a global
 * one), its template bound to the URL's arguments, and the customer's deliverable images
 * (ingested without error) that match, in the template's order, read page by page so that a
 * book of any length is walked in bounded memory.
 */
#include "nq_select.h"

#include <stdlib.h>
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
    struct dlcs_query own = {.limit = 1}, global = {.limit = 1};
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
    struct dlcs_query q = {.limit = 1};
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
    for (size_t i = 0; i < plan->batch_count; i++)
        dlcs_query_batch_member(q, plan->batches[i]);
    /* only what can be shown: an image with a served set (a re-ingest in progress, or one that
     * failed, leaves the previous set served), never a first ingest unfinished or failed */
    dlcs_query_term(q, "width", DLCS_TERM_POSITIVE);
    for (size_t i = 0; i < plan->order_count; i++)
        dlcs_query_order(q, plan->order[i].field, plan->order[i].descending);
    return DLCS_OK;
}

/* Read the next page when the current one is used up. */
static enum dlcs_status fill(struct dlcs_nq_cursor *c, struct dlcs_error *err)
{
    enum dlcs_status st;

    if (c->next < c->page.count || c->done)
        return DLCS_OK;
    if (c->started && !c->page.next_cursor) {
        c->done = true;
        return DLCS_OK;
    }
    free(c->after);
    c->after = c->page.next_cursor; /* taken from the page before it is released */
    c->page.next_cursor = NULL;
    dlcs_list_release(&c->page);
    c->q.after = c->after;
    c->next = 0;
    c->started = true;
    st = dlcs_store_list(c->store, &dlcs_asset_entity, &c->q, &c->page, err);
    if (st == DLCS_OK && c->page.count == 0)
        c->done = true;
    return st;
}

enum dlcs_status dlcs_nq_open(struct dlcs_store *store, int64_t customer, const char *name,
                              const char *const *args, size_t nargs, struct dlcs_nq_cursor *c,
                              struct dlcs_error *err)
{
    struct dlcs_named_query nq;
    enum dlcs_status st;

    memset(c, 0, sizeof *c); /* closed by the caller whatever happens */
    c->store = store;
    dlcs_entity_init(&dlcs_named_query_entity, &nq);
    st = find_query(store, customer, name, &nq, err);
    if (st == DLCS_OK) {
        c->query_id = dlcs_xstrdup(nq.id);
        c->template = dlcs_xstrdup(nq.template);
        st = dlcs_nq_resolve(nq.template, args, nargs, &c->plan, err);
    }
    if (st == DLCS_OK)
        st = to_query(store, customer, &c->plan, &c->q, err);
    dlcs_entity_release(&dlcs_named_query_entity, &nq);
    c->q.limit = PAGE;
    c->next = c->page.count; /* empty: the first dlcs_nq_next reads page 1 */
    if (st == DLCS_OK)
        st = fill(c, err); /* the first page: an empty selection is a 404, not an empty book */
    if (st == DLCS_OK && c->done)
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "named query '%s' matches no image", name);
    return st;
}

enum dlcs_status dlcs_nq_next(struct dlcs_nq_cursor *c, const struct dlcs_asset **a,
                              struct dlcs_error *err)
{
    enum dlcs_status st = fill(c, err);

    *a = NULL;
    if (st == DLCS_OK && !c->done)
        *a = dlcs_list_at(&c->page, c->next++);
    return st;
}

enum dlcs_status dlcs_nq_validators(const struct dlcs_nq_cursor *c, int64_t *count,
                                    int64_t *modified, struct dlcs_error *err)
{
    struct dlcs_query q = c->q;
    struct dlcs_list l = {0};
    enum dlcs_status st;

    q.order_count = 0;
    dlcs_query_order(&q, "modified", true);
    q.limit = 1;
    q.offset = 0;
    q.after = NULL;
    q.count_total = true;
    st = dlcs_store_list(c->store, &dlcs_asset_entity, &q, &l, err);
    *count = st == DLCS_OK ? l.total : 0;
    *modified = st == DLCS_OK && l.count > 0
                    ? ((const struct dlcs_asset *)dlcs_list_at(&l, 0))->modified
                    : 0;
    dlcs_list_release(&l);
    return st;
}

void dlcs_nq_close(struct dlcs_nq_cursor *c)
{
    free(c->query_id);
    free(c->template);
    free(c->after);
    dlcs_list_release(&c->page);
    dlcs_nq_plan_release(&c->plan);
}

enum dlcs_status dlcs_nq_select(struct dlcs_store *store, int64_t customer, const char *name,
                                const char *const *args, size_t nargs, dlcs_nq_each_fn each,
                                void *arg, struct dlcs_error *err)
{
    struct dlcs_nq_cursor c;
    const struct dlcs_asset *a = NULL;
    enum dlcs_status st = dlcs_nq_open(store, customer, name, args, nargs, &c, err);

    while (st == DLCS_OK && (st = dlcs_nq_next(&c, &a, err)) == DLCS_OK && a)
        st = each(arg, a, err);
    dlcs_nq_close(&c);
    return st;
}
