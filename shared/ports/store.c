/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store port: argument checks that every adapter would otherwise repeat (query terms,
 * sort keys, duplicate registrations, timestamps), then a call through the adapter's ops.
 */
#include "dlcs/store.h"

#include <stdlib.h>
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/ids.h"
#include "dlcs/mem.h"

#include "store_seek.h"

bool dlcs_field_nullable(const struct dlcs_field *f)
{
    return f->type == DLCS_FT_STRING || f->type == DLCS_FT_TIME;
}

void *dlcs_list_at(const struct dlcs_list *l, size_t i)
{
    DLCS_ASSERT(i < l->count);
    return (char *)l->items + i * l->entity->size;
}

void *dlcs_list_push(struct dlcs_list *l, size_t *cap)
{
    const struct dlcs_entity *e = l->entity;

    if (l->count == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        l->items = dlcs_xrealloc(l->items, *cap * e->size);
    }
    dlcs_entity_init(e, (char *)l->items + l->count * e->size);
    return dlcs_list_at(l, l->count++);
}

void dlcs_asset_renew(struct dlcs_asset *a, const struct dlcs_asset *old,
                      const struct dlcs_renewal *r)
{
    a->generation = r->generation;
    a->created = old ? old->created : r->now;
    /* what is served stays served (and counted) until the new generation completes */
    a->width = old ? old->width : 0;
    a->height = old ? old->height : 0;
    a->duration = old ? old->duration : 0;
    a->size = old ? old->size : 0;
    a->thumbnail_size = old ? old->thumbnail_size : 0;
    a->served = old ? old->served : 0;
    if (old && old->origin && a->origin && strcmp(old->origin, a->origin) == 0 &&
        a->origin_size == 0)
        a->origin_size = old->origin_size; /* the same upload, ingested again */
    a->batch = r->batch;
    a->ingesting = true;
    a->finished = 0;
    a->modified = r->now;
    dlcs_str_replace(&a->error, NULL);
    dlcs_str_replace(&a->family, dlcs_asset_family_for(a->media_type));
}

void dlcs_list_release(struct dlcs_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        dlcs_entity_release(l->entity, dlcs_list_at(l, i));
    free(l->items);
    l->items = NULL;
    l->count = 0;
    l->total = -1;
    free(l->next_cursor);
    l->next_cursor = NULL;
}

static struct dlcs_term *next_term(struct dlcs_query *q)
{
    DLCS_ASSERT(q->term_count < DLCS_QUERY_TERMS_MAX);
    return &q->terms[q->term_count++];
}

void dlcs_query_eq_int(struct dlcs_query *q, const char *field, int64_t value)
{
    *next_term(q) = (struct dlcs_term){field, DLCS_TERM_EQ, value, NULL};
}

void dlcs_query_eq_str(struct dlcs_query *q, const char *field, const char *value)
{
    *next_term(q) = (struct dlcs_term){field, DLCS_TERM_EQ, 0, value};
}

void dlcs_query_term(struct dlcs_query *q, const char *field, enum dlcs_term_op op)
{
    *next_term(q) = (struct dlcs_term){field, op, 0, NULL};
}

void dlcs_query_has(struct dlcs_query *q, const char *field, const char *value)
{
    *next_term(q) = (struct dlcs_term){field, DLCS_TERM_HAS, 0, value};
}

void dlcs_query_order(struct dlcs_query *q, const char *field, bool desc)
{
    DLCS_ASSERT(q->order_count < DLCS_QUERY_ORDER_MAX);
    q->order[q->order_count++] = (struct dlcs_order){field, desc};
}

void dlcs_query_batch_member(struct dlcs_query *q, int64_t batch)
{
    DLCS_ASSERT(q->batch_member_count < DLCS_QUERY_BATCHES_MAX);
    q->batch_members[q->batch_member_count++] = batch;
}

static int is_numeric(enum dlcs_field_type t)
{
    return t == DLCS_FT_INT64 || t == DLCS_FT_INT || t == DLCS_FT_BOOL || t == DLCS_FT_TIME;
}

static enum dlcs_status check_term(const struct dlcs_entity *e, const struct dlcs_term *t,
                                   struct dlcs_error *err)
{
    int idx = dlcs_entity_field_index(e, t->field);
    const struct dlcs_field *f = idx >= 0 ? &e->fields[idx] : NULL;

    if (!f)
        return dlcs_error_set(err, DLCS_EINVAL, "unknown field '%s' in query", t->field);
    switch (t->op) {
    case DLCS_TERM_EQ:
        if (!(f->flags & DLCS_FF_FILTER))
            return dlcs_error_set(err, DLCS_EINVAL, "field '%s' cannot be filtered on", t->field);
        if (f->type == DLCS_FT_STRING ? !t->str : !is_numeric(f->type))
            return dlcs_error_set(err, DLCS_EINVAL, "filter on '%s' has the wrong type", t->field);
        return DLCS_OK;
    case DLCS_TERM_UNSET:
    case DLCS_TERM_SET:
        if (f->type != DLCS_FT_STRING && f->type != DLCS_FT_TIME)
            return dlcs_error_set(err, DLCS_EINVAL, "field '%s' is never unset", t->field);
        return DLCS_OK;
    case DLCS_TERM_POSITIVE:
        if (!(f->flags & DLCS_FF_FILTER) || !is_numeric(f->type) || f->type == DLCS_FT_TIME)
            return dlcs_error_set(err, DLCS_EINVAL, "field '%s' is not a filterable number",
                                  t->field);
        return DLCS_OK;
    case DLCS_TERM_HAS:
        if (f->type != DLCS_FT_STRLIST || !t->str)
            return dlcs_error_set(err, DLCS_EINVAL, "field '%s' is not a list", t->field);
        return DLCS_OK;
    }
    return dlcs_error_set(err, DLCS_EINVAL, "bad query operator on '%s'", t->field);
}

static enum dlcs_status check_query(const struct dlcs_entity *e, const struct dlcs_query *q,
                                    struct dlcs_error *err)
{
    for (size_t i = 0; i < q->term_count; i++) {
        if (check_term(e, &q->terms[i], err) != DLCS_OK)
            return DLCS_EINVAL;
    }
    for (size_t i = 0; i < q->order_count; i++) {
        int idx = dlcs_entity_field_index(e, q->order[i].field);

        if (idx < 0 || !(e->fields[idx].flags & DLCS_FF_SORTABLE))
            return dlcs_error_set(err, DLCS_EINVAL, "cannot order by '%s'", q->order[i].field);
    }
    if (q->limit < 0 || q->offset < 0 || (q->offset > 0 && q->after))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "a page is a limit and either an offset or a "
                              "cursor");
    if (q->batch_member_count > 0 && e != &dlcs_asset_entity)
        return dlcs_error_set(err, DLCS_EINVAL, "batch membership applies to assets only");
    return DLCS_OK;
}

void dlcs_store_free(struct dlcs_store *store)
{
    if (!store)
        return;
    store->ops->close(store->impl);
    free(store);
}

enum dlcs_status dlcs_store_ping(struct dlcs_store *store, struct dlcs_error *err)
{
    return store->ops->ping(store->impl, err);
}

static void stamp(const struct dlcs_entity *e, void *obj, unsigned flag, int only_unset)
{
    int64_t now = dlcs_time_now_ms();

    for (size_t i = 0; i < e->field_count; i++) {
        const struct dlcs_field *f = &e->fields[i];
        int64_t *t = dlcs_entity_field_ptr(f, obj);

        if (f->type == DLCS_FT_TIME && (f->flags & flag) && (!only_unset || *t == 0))
            *t = now;
    }
}

enum dlcs_status dlcs_store_insert(struct dlcs_store *store, const struct dlcs_entity *e, void *obj,
                                   struct dlcs_error *err)
{
    stamp(e, obj, DLCS_FF_NOW_INSERT, 1);
    return store->ops->insert(store->impl, e, obj, err);
}

enum dlcs_status dlcs_store_get(struct dlcs_store *store, const struct dlcs_entity *e, void *obj,
                                struct dlcs_error *err)
{
    return store->ops->get(store->impl, e, obj, err);
}

enum dlcs_status dlcs_store_update(struct dlcs_store *store, const struct dlcs_entity *e, void *obj,
                                   uint64_t fields, struct dlcs_error *err)
{
    stamp(e, obj, DLCS_FF_NOW_UPDATE, 0);
    fields |= dlcs_entity_mask(e, DLCS_FF_NOW_UPDATE);
    fields &= ~dlcs_entity_mask(e, DLCS_FF_KEY);
    return store->ops->update(store->impl, e, obj, fields, err);
}

enum dlcs_status dlcs_store_remove(struct dlcs_store *store, const struct dlcs_entity *e,
                                   const void *key, struct dlcs_error *err)
{
    DLCS_ASSERT(e != &dlcs_space_entity && e != &dlcs_asset_entity);
    return store->ops->remove(store->impl, e, key, err);
}

/* Keep the first 'limit' rows of 'out' and say where the next page starts if a row is left. */
static void cut_page(const struct dlcs_query *q, int64_t limit, struct dlcs_list *out)
{
    if (limit == 0 || out->count <= (size_t)limit)
        return;
    for (size_t i = (size_t)limit; i < out->count; i++)
        dlcs_entity_release(out->entity, dlcs_list_at(out, i));
    out->count = (size_t)limit;
    out->next_cursor = dlcs_seek_cursor(&q->seek, dlcs_list_at(out, out->count - 1));
}

enum dlcs_status dlcs_store_list(struct dlcs_store *store, const struct dlcs_entity *e,
                                 const struct dlcs_query *q, struct dlcs_list *out,
                                 struct dlcs_error *err)
{
    struct dlcs_query page = *q;
    json_t *hold = NULL;
    enum dlcs_status st;

    *out = (struct dlcs_list){.entity = e, .total = -1};
    if (check_query(e, q, err) != DLCS_OK)
        return DLCS_EINVAL;
    dlcs_seek_order(e, &page);
    if (dlcs_seek_decode(&page, &hold, err) != DLCS_OK)
        return DLCS_EINVAL;
    if (page.limit > 0)
        page.limit++; /* one row more says whether a next page exists */
    st = store->ops->list(store->impl, e, &page, out, err);
    if (st == DLCS_OK)
        cut_page(&page, q->limit, out);
    if (!q->count_total)
        out->total = -1;
    json_decref(hold);
    return st;
}

enum dlcs_status dlcs_store_count(struct dlcs_store *store, const struct dlcs_entity *e,
                                  const struct dlcs_query *q, int64_t *out, struct dlcs_error *err)
{
    *out = 0;
    if (check_query(e, q, err) != DLCS_OK)
        return DLCS_EINVAL;
    return store->ops->count(store->impl, e, q, out, err);
}

enum dlcs_status dlcs_store_find_one(struct dlcs_store *store, const struct dlcs_entity *e,
                                     const struct dlcs_query *q, void *obj, struct dlcs_error *err)
{
    struct dlcs_query one = *q;
    struct dlcs_list l;
    enum dlcs_status st;

    one.limit = 1;
    one.count_total = false;
    st = dlcs_store_list(store, e, &one, &l, err);
    if (st != DLCS_OK)
        return st;
    if (l.count == 0) {
        dlcs_list_release(&l);
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no matching %s", e->type);
    }
    dlcs_entity_release(e, obj);
    memcpy(obj, dlcs_list_at(&l, 0), e->size); /* move the item out of the list */
    dlcs_entity_init(e, dlcs_list_at(&l, 0));
    dlcs_list_release(&l);
    return DLCS_OK;
}

enum dlcs_status dlcs_store_space_remove(struct dlcs_store *store, int64_t customer, int64_t space,
                                         struct dlcs_error *err)
{
    return store->ops->space_remove(store->impl, customer, space, err);
}

static int compare_asset_keys(const void *a, const void *b)
{
    const struct dlcs_asset *x = *(struct dlcs_asset *const *)a;
    const struct dlcs_asset *y = *(struct dlcs_asset *const *)b;

    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->space != y->space)
        return x->space < y->space ? -1 : 1;
    return strcmp(x->id, y->id);
}

static enum dlcs_status check_registration(const struct dlcs_registration *reg,
                                           struct dlcs_error *err)
{
    struct dlcs_asset **sorted = dlcs_xmalloc(reg->count * sizeof *sorted);
    enum dlcs_status st = DLCS_OK;

    for (size_t i = 0; i < reg->count && st == DLCS_OK; i++) {
        const struct dlcs_asset *a = &reg->assets[i];

        sorted[i] = &reg->assets[i];
        if (!a->id || dlcs_id_check_asset(a->id, "id", err) != DLCS_OK || a->space < 1 ||
            a->customer < 1)
            st = dlcs_error_set(err, DLCS_EINVAL, "asset %zu has no valid customer/space/id", i);
        else if (reg->batch && a->customer != reg->batch->customer)
            st = dlcs_error_set(err, DLCS_EINVAL,
                                "asset %zu belongs to another customer than its "
                                "batch",
                                i);
    }
    if (st == DLCS_OK && reg->count > 1) {
        qsort(sorted, reg->count, sizeof *sorted, compare_asset_keys);
        for (size_t i = 1; i < reg->count && st == DLCS_OK; i++) {
            if (compare_asset_keys(&sorted[i - 1], &sorted[i]) == 0)
                st = dlcs_error_set(err, DLCS_EINVAL, "asset '%lld/%lld/%s' is listed twice",
                                    (long long)sorted[i]->customer, (long long)sorted[i]->space,
                                    sorted[i]->id);
        }
    }
    free(sorted);
    return st;
}

enum dlcs_status dlcs_store_register(struct dlcs_store *store, struct dlcs_registration *reg,
                                     struct dlcs_error *err)
{
    enum dlcs_status st;

    if (reg->previous_origins)
        memset(reg->previous_origins, 0, reg->count * sizeof *reg->previous_origins);
    if (check_registration(reg, err) != DLCS_OK)
        return DLCS_EINVAL;
    st = store->ops->register_assets(store->impl, reg, err);
    for (size_t i = 0; st != DLCS_OK && reg->previous_origins && i < reg->count; i++) {
        free(reg->previous_origins[i]); /* read in a write that did not happen */
        reg->previous_origins[i] = NULL;
    }
    return st;
}

enum dlcs_status dlcs_store_complete(struct dlcs_store *store, const struct dlcs_ingest_result *r,
                                     enum dlcs_completion *outcome, struct dlcs_error *err)
{
    *outcome = DLCS_COMPLETION_STALE;
    return store->ops->complete(store->impl, r, outcome, err);
}

enum dlcs_status dlcs_store_asset_remove(struct dlcs_store *store, struct dlcs_asset *removed,
                                         struct dlcs_error *err)
{
    return store->ops->asset_remove(store->impl, removed, err);
}

enum dlcs_status dlcs_store_outbox_claim(struct dlcs_store *store,
                                         const struct dlcs_outbox_claim *claim, size_t *count,
                                         struct dlcs_error *err)
{
    *count = 0;
    if (claim->max == 0)
        return dlcs_error_set(err, DLCS_EINVAL, "an outbox claim takes at least one entry");
    return store->ops->outbox_claim(store->impl, claim, count, err);
}

enum dlcs_status dlcs_store_outbox_reclaim(struct dlcs_store *store,
                                           const struct dlcs_outbox_lease *lease, int64_t *count,
                                           struct dlcs_error *err)
{
    *count = 0;
    return store->ops->outbox_reclaim(store->impl, lease, count, err);
}

enum dlcs_status dlcs_store_outbox_add(struct dlcs_store *store, const struct dlcs_job *jobs,
                                       size_t count, struct dlcs_error *err)
{
    for (size_t i = 0; i < count; i++)
        if (dlcs_id_check_asset(jobs[i].asset, "asset", err) != DLCS_OK)
            return DLCS_EINVAL;
    return count ? store->ops->outbox_add(store->impl, jobs, count, err) : DLCS_OK;
}

enum dlcs_status dlcs_store_outbox_remove(struct dlcs_store *store, const int64_t *receipts,
                                          size_t count, struct dlcs_error *err)
{
    return count ? store->ops->outbox_remove(store->impl, receipts, count, err) : DLCS_OK;
}

enum dlcs_status dlcs_store_outbox_retry(struct dlcs_store *store, int64_t receipt,
                                         int64_t not_before, struct dlcs_error *err)
{
    return store->ops->outbox_retry(store->impl, receipt, not_before, err);
}

enum dlcs_status dlcs_store_outbox_count(struct dlcs_store *store, int64_t *count,
                                         struct dlcs_error *err)
{
    *count = 0;
    return store->ops->outbox_count(store->impl, count, err);
}

enum dlcs_status dlcs_store_usage(struct dlcs_store *store, int64_t customer, int64_t space,
                                  struct dlcs_usage *out, struct dlcs_error *err)
{
    memset(out, 0, sizeof *out);
    return store->ops->usage(store->impl, customer, space, out, err);
}

enum dlcs_status dlcs_store_lease(struct dlcs_store *store, const struct dlcs_store_lease *lease,
                                  bool *held, struct dlcs_error *err)
{
    *held = false;
    if (!lease->name || !lease->name[0] || !lease->holder || !lease->holder[0])
        return dlcs_error_set(err, DLCS_EINVAL, "a lease needs a name and a holder");
    return store->ops->lease(store->impl, lease, held, err);
}

enum dlcs_status dlcs_store_requeue_stalled(struct dlcs_store *store,
                                            const struct dlcs_stalled_requeue *q, size_t *count,
                                            struct dlcs_error *err)
{
    *count = 0;
    if (q->max == 0)
        return DLCS_OK;
    return store->ops->requeue_stalled(store->impl, q, count, err);
}

enum dlcs_status dlcs_store_batch_requeue_errors(struct dlcs_store *store, int64_t customer,
                                                 int64_t batch, int64_t *count,
                                                 struct dlcs_error *err)
{
    *count = 0;
    return store->ops->batch_requeue_errors(store->impl, customer, batch, count, err);
}
