/* SPDX-License-Identifier: Apache-2.0 */
/* The S3 client: settings, a pool of kept-alive curl handles, and requests with retries. */
#include "dlcs/s3_client.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dlcs/config.h"
#include "dlcs/mem.h"
#include "dlcs/stop.h"

#include "s3_internal.h"

#define IDLE_MAX 32

struct dlcs_s3_client {
    struct dlcs_s3_settings s; /* strings owned */
    pthread_mutex_t mu;
    CURL *idle[IDLE_MAX];
    int idle_count;
    atomic_uint_fast64_t requests;
};

static const char *first_set(const char *a, const char *env1, const char *env2)
{
    const char *v = a && *a ? a : getenv(env1);

    if ((!v || !*v) && env2)
        v = getenv(env2);
    return v && *v ? v : NULL;
}

void dlcs_s3_settings_ambient(const struct dlcs_config *cfg, struct dlcs_s3_settings *out)
{
    memset(out, 0, sizeof *out);
    out->target.endpoint =
        first_set(cfg ? cfg->s3_endpoint : NULL, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    out->target.region = first_set(cfg ? cfg->s3_region : NULL, "AWS_REGION", "AWS_DEFAULT_REGION");
    if (!out->target.region)
        out->target.region = "us-east-1";
    out->access_key = first_set(cfg ? cfg->s3_access_key : NULL, "AWS_ACCESS_KEY_ID", NULL);
    /* a secret from the same place as the key: never DLCS_'s key with AWS_'s secret */
    out->secret_key = cfg && cfg->s3_access_key && *cfg->s3_access_key
                          ? cfg->s3_secret_key
                          : first_set(NULL, "AWS_SECRET_ACCESS_KEY", NULL);
    out->session_token = cfg && cfg->s3_access_key && *cfg->s3_access_key
                             ? NULL
                             : first_set(NULL, "AWS_SESSION_TOKEN", NULL);
    out->timeout_ms = cfg ? cfg->s3_timeout_ms : 0;
    out->retries = cfg ? cfg->s3_retries : 4;
    out->retry_base_ms = cfg ? cfg->s3_retry_base_ms : 0;
}

static void settings_copy(struct dlcs_s3_settings *to, const struct dlcs_s3_settings *from)
{
    *to = *from;
    to->target.endpoint = dlcs_xstrdup_or_null(from->target.endpoint);
    to->target.region = dlcs_xstrdup(from->target.region ? from->target.region : "us-east-1");
    to->target.bucket = dlcs_xstrdup(from->target.bucket);
    to->access_key = dlcs_xstrdup_or_null(from->access_key);
    to->secret_key = dlcs_xstrdup_or_null(from->secret_key);
    to->session_token = dlcs_xstrdup_or_null(from->session_token);
    to->connect_timeout_ms = from->connect_timeout_ms > 0 ? from->connect_timeout_ms : 5000;
    to->timeout_ms = from->timeout_ms > 0 ? from->timeout_ms : 60000;
    to->retry_base_ms = from->retry_base_ms > 0 ? from->retry_base_ms : 100;
}

enum dlcs_status dlcs_s3_client_new(const struct dlcs_s3_settings *s, struct dlcs_s3_client **out,
                                    struct dlcs_error *err)
{
    struct dlcs_s3_client *c;
    char *probe = NULL;

    *out = NULL;
    if (dlcs_s3_url(&s->target, NULL, NULL, &probe, err) != DLCS_OK)
        return DLCS_EINVAL;
    free(probe);
    c = dlcs_xcalloc(1, sizeof *c);
    settings_copy(&c->s, s);
    pthread_mutex_init(&c->mu, NULL);
    *out = c;
    return DLCS_OK;
}

void dlcs_s3_client_free(struct dlcs_s3_client *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->idle_count; i++)
        curl_easy_cleanup(c->idle[i]);
    pthread_mutex_destroy(&c->mu);
    free((char *)c->s.target.endpoint);
    free((char *)c->s.target.region);
    free((char *)c->s.target.bucket);
    free((char *)c->s.access_key);
    free((char *)c->s.secret_key);
    free((char *)c->s.session_token);
    free(c);
}

const char *dlcs_s3_client_bucket(const struct dlcs_s3_client *c)
{
    return c->s.target.bucket;
}

uint64_t dlcs_s3_client_requests(const struct dlcs_s3_client *c)
{
    return atomic_load(&c->requests);
}

/* A handle from the pool (its connections kept alive) or a new one. */
static CURL *handle_take(struct dlcs_s3_client *c)
{
    CURL *h = NULL;

    pthread_mutex_lock(&c->mu);
    if (c->idle_count > 0)
        h = c->idle[--c->idle_count];
    pthread_mutex_unlock(&c->mu);
    if (h)
        curl_easy_reset(h); /* options cleared; live connections kept */
    else
        h = curl_easy_init();
    return h;
}

static void handle_give(struct dlcs_s3_client *c, CURL *h)
{
    pthread_mutex_lock(&c->mu);
    if (c->idle_count < IDLE_MAX) {
        c->idle[c->idle_count++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (h)
        curl_easy_cleanup(h);
}

void dlcs_s3_response_release(struct dlcs_s3_response *res)
{
    free(res->body);
    res->body = NULL;
}

/* A backoff pause: base x 2^attempt, capped at 5 s, jittered to 50-100 %, cut by a stop. */
static void backoff(const struct dlcs_s3_client *c, int attempt, bool stop_aware)
{
    long ms = c->s.retry_base_ms << (attempt < 10 ? attempt : 10);
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)attempt ^ (unsigned)(uintptr_t)&ms;

    ms = ms > 5000 ? 5000 : ms;
    ms = ms / 2 + (long)((unsigned)rand_r(&seed) % (unsigned)(ms / 2 + 1));
    for (long left = ms; left > 0 && !(stop_aware && dlcs_stop_requested()); left -= 100) {
        struct timespec ts = {0, (left < 100 ? left : 100) * 1000000L};

        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}

enum dlcs_status dlcs_s3_send(struct dlcs_s3_client *c, const struct dlcs_s3_request *r,
                              struct dlcs_s3_response *res, struct dlcs_error *err)
{
    char *url = NULL, *sha = NULL;
    enum dlcs_status st;
    struct s3_attempt a = {.client = &c->s, .req = r, .res = res};

    memset(res, 0, sizeof *res);
    res->content_length = res->total_size = -1;
    st = dlcs_s3_url(&c->s.target, r->key, r->query, &url, err);
    if (st == DLCS_OK)
        st = dlcs_s3_body_sha256(&r->body, &sha, err);
    a.url = url;
    a.payload_sha256 = sha;
    for (int attempt = 0; st == DLCS_OK; attempt++) {
        struct dlcs_error e = {0};
        CURL *h = handle_take(c);

        if (!h) {
            st = dlcs_error_set(err, DLCS_EINTERNAL, "cannot create a curl handle");
            break;
        }
        atomic_fetch_add(&c->requests, 1);
        res->attempts = attempt + 1;
        a.handle = h;
        st = dlcs_s3_attempt(&a, &e);
        handle_give(c, h);
        if (st == DLCS_OK)
            break;
        if (!a.transient || attempt >= c->s.retries || r->once ||
            (r->stop_aware && dlcs_stop_requested())) {
            (void)dlcs_error_set(err, st, "%s%s", e.message, attempt > 0 ? " (after retries)" : "");
            break;
        }
        backoff(c, attempt, r->stop_aware);
        st = DLCS_OK; /* try again, from the start of the sink */
        if (!r->sink.into && r->sink.fd > 0 &&
            (ftruncate(r->sink.fd, 0) != 0 || lseek(r->sink.fd, 0, SEEK_SET) != 0)) {
            st = dlcs_error_set(err, DLCS_ENOSPACE, "cannot rewind the local copy of %s",
                                r->key ? r->key : "");
            break;
        }
        dlcs_s3_response_release(res);
        res->content_length = res->total_size = -1;
        res->len = 0;
    }
    free(sha);
    free(url);
    return st;
}
