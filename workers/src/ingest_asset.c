/* SPDX-License-Identifier: Apache-2.0 */
/* One registered asset's ingest, its customer's origin strategies, its outcome recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/asset_blobs.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/stop.h"
#include "dlcs/worker.h"

/* The customer's origin strategies (a customer has a handful: no paging). */
static enum dlcs_status strategies(struct dlcs_store *store, int64_t customer,
                                   struct dlcs_list *out, struct dlcs_error *err)
{
    struct dlcs_query q = {0};

    dlcs_query_eq_int(&q, "customer", customer);
    return dlcs_store_list(store, &dlcs_origin_strategy_entity, &q, out, err);
}

/* The thumbs policy 'a' names (its thumbs channel's), or NULL for the configured default. */
static const char *thumbs_policy_name(const struct dlcs_asset *a)
{
    for (size_t i = 0; i < a->delivery_channels.count; i++)
        if (strcmp(a->delivery_channels.items[i].channel, "thumbs") == 0)
            return a->delivery_channels.items[i].policy;
    return NULL;
}

/*
 * The settings for 'a': the configured ones, with the thumbnail sizes of the customer's thumbs
 * policy when the asset names one (or the customer stores its own "default"). 'sizes' holds
 * them. A named policy that no longer exists is a permanent error, said plainly.
 */
static enum dlcs_status settings_for(const struct dlcs_ingest_env *env, const struct dlcs_asset *a,
                                     struct dlcs_ingest_settings *out,
                                     struct dlcs_thumb_size *sizes, struct dlcs_error *err)
{
    const char *name = thumbs_policy_name(a);
    struct dlcs_delivery_channel_policy p;
    struct dlcs_error get_err = {0}; /* "not found" is an answer here, not the error */
    size_t n = 0;
    enum dlcs_status st;

    *out = *env->settings;
    dlcs_entity_init(&dlcs_delivery_channel_policy_entity, &p);
    p.customer = a->customer;
    p.channel = dlcs_xstrdup("thumbs");
    p.name = dlcs_xstrdup(name ? name : "default");
    st = dlcs_store_get(env->store, &dlcs_delivery_channel_policy_entity, &p, &get_err);
    if (st != DLCS_OK && st != DLCS_ENOTFOUND)
        (void)dlcs_error_set(err, st, "%s", get_err.message);
    if (st == DLCS_ENOTFOUND && strcmp(p.name, "default") == 0) {
        st = DLCS_OK; /* the configured sizes */
    } else if (st == DLCS_ENOTFOUND) {
        st = dlcs_error_set(err, DLCS_EINVAL, "thumbs policy '%s' does not exist (any more)",
                            p.name);
    } else if (st == DLCS_OK) {
        st = dlcs_thumb_policy_parse(p.policy_data, sizes, DLCS_THUMB_POLICY_MAX, &n, err);
        out->convert.thumbs = sizes;
        out->convert.thumb_count = n;
        if (st != DLCS_OK)
            dlcs_error_prefix(err, "thumbs policy '%s'", p.name);
    }
    dlcs_entity_release(&dlcs_delivery_channel_policy_entity, &p);
    return st;
}

/* One logfmt line per outcome: what operators grep for when a batch looks slow or wrong. */
static void log_outcome(const struct dlcs_ingest_job *job, const struct dlcs_ingest_report *rep,
                        enum dlcs_status st, const struct dlcs_error *why)
{
    const struct dlcs_asset *a = job->asset;
    char fields[512];

    (void)snprintf(fields, sizeof fields,
                   "asset=%lld/%lld/%s batch=%lld attempt=%d status=%s bytes=%lld "
                   "ms_fetch=%.0f ms_convert=%.0f ms_thumbs=%.0f ms_store=%.0f ms_total=%.0f",
                   (long long)a->customer, (long long)a->space, a->id, (long long)a->batch,
                   job->attempt, dlcs_status_name(st), (long long)rep->fetch.bytes, rep->ms_fetch,
                   rep->convert.ms_decode_and_pyramid, rep->convert.ms_thumbs, rep->ms_store,
                   rep->ms_total);
    if (st == DLCS_OK)
        dlcs_log_kv(DLCS_LOG_INFO, fields, "ingested %dx%d", rep->convert.width,
                    rep->convert.height);
    else
        dlcs_log_kv(DLCS_LOG_WARN, fields, "ingest failed: %s", why->message);
}

/*
 * After the outcome is recorded, remove the set no record serves any more: the one a success
 * replaced, or this generation's own after a failure or when it was superseded or deleted
 * meanwhile. A duplicate delivery of a completed generation removes nothing: its set is the
 * served one.
 */
static void remove_unserved(const struct dlcs_ingest_env *env, const struct dlcs_asset *a, bool ok,
                            enum dlcs_completion outcome)
{
    struct dlcs_asset now;
    struct dlcs_error err = {0};
    int64_t gone = -1;
    enum dlcs_status st;

    if (outcome == DLCS_COMPLETION_RECORDED && ok && dlcs_asset_is_served(a) &&
        a->served != a->generation)
        gone = a->served;
    else if (outcome == DLCS_COMPLETION_RECORDED && !ok)
        gone = a->generation;
    if (outcome == DLCS_COMPLETION_STALE) { /* served sets only move forward: read it again */
        dlcs_entity_init(&dlcs_asset_entity, &now);
        now.customer = a->customer;
        now.space = a->space;
        now.id = dlcs_xstrdup(a->id);
        st = dlcs_store_get(env->store, &dlcs_asset_entity, &now, &err);
        if (st == DLCS_ENOTFOUND || (st == DLCS_OK && now.served != a->generation))
            gone = a->generation;
        dlcs_entity_release(&dlcs_asset_entity, &now);
    }
    if (gone < 0)
        return;
    if (dlcs_asset_blobs_remove_generation(env->blobs, a, gone, &err) != DLCS_OK)
        dlcs_log(DLCS_LOG_WARN, "asset %lld/%lld/%s: cannot remove generation %lld: %s",
                 (long long)a->customer, (long long)a->space, a->id, (long long)gone, err.message);
}

enum dlcs_status dlcs_ingest_asset(const struct dlcs_ingest_env *env,
                                   const struct dlcs_ingest_job *job, struct dlcs_error *err)
{
    const struct dlcs_asset *a = job->asset;
    struct dlcs_list list = {0};
    struct dlcs_origin_auth auth;
    struct dlcs_ingest_report rep;
    struct dlcs_ingest_settings settings;
    struct dlcs_thumb_size sizes[DLCS_THUMB_POLICY_MAX];
    struct dlcs_error why = {0};
    struct dlcs_ingest_result r = {
        a->customer, a->space, a->id, a->generation, a->batch, NULL, 0, 0, 0, 0, 0, NULL};
    char *prefix = dlcs_asset_blob_prefix(a, a->generation);
    enum dlcs_completion outcome;
    enum dlcs_status st, recorded;

    memset(&auth, 0, sizeof auth);
    memset(&rep, 0, sizeof rep);
    st = settings_for(env, a, &settings, sizes, &why);
    if (st == DLCS_OK)
        st = strategies(env->store, a->customer, &list, &why);
    if (st == DLCS_OK)
        st = dlcs_origin_auth_for(a->origin ? a->origin : "", list.items, list.count, &auth, &why);
    if (st == DLCS_OK)
        st = dlcs_ingest_one(&settings, a->origin ? a->origin : "", &auth, env->blobs, prefix, &rep,
                             &why);
    dlcs_origin_auth_release(&auth);
    dlcs_list_release(&list);
    free(prefix);
    log_outcome(job, &rep, st, &why);
    if (st != DLCS_OK && dlcs_status_is_transient(st) &&
        (!job->record_transient || (job->queued && dlcs_stop_requested()))) {
        if (job->failure)
            *job->failure = why;
        return dlcs_error_set(err, st, "%s", why.message); /* for the caller to retry */
    }
    if (st == DLCS_OK) {
        r.width = rep.convert.width;
        r.height = rep.convert.height;
        r.size = rep.derivative_bytes;
        r.thumbnail_size = rep.thumbnail_bytes;
        r.media_type = dlcs_image_format_mime(rep.convert.format);
    } else {
        r.error = why.message; /* recorded on the asset: the client sees why */
    }
    recorded = dlcs_store_complete(env->store, &r, &outcome, err);
    if (recorded != DLCS_OK)
        return recorded;
    remove_unserved(env, a, st == DLCS_OK, outcome);
    /* a superseded (or deleted) generation's failure is nobody's answer */
    if (job->failure && outcome != DLCS_COMPLETION_STALE)
        *job->failure = why;
    return DLCS_OK;
}
