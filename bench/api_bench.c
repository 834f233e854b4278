/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/api: queue TOTAL registrations in batches of BATCH against a running dlcs (workers
 * paused with DLCS_WORKERS=0, so this measures the API and the store) over CONC connections;
 * prints registrations accepted per second and p50/p99 per batch.
 * Usage: api_bench URL KEY:SECRET SPACE TOTAL BATCH CONC   (bench/api.sh runs it)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "dlcs/clock.h"
#include "dlcs/mem.h"

struct lane {
    const char *url, *auth;
    long space;
    int first, count, size; /* batches [first, first+count) of 'size' members */
    double *latency_ms;
    int failures;
};

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

static char *batch_body(int batch, int size, long space)
{
    size_t cap = (size_t)size * 220 + 64, len = 0;
    char *b = dlcs_xmalloc(cap);

    len += (size_t)snprintf(b + len, cap - len, "{\"@type\":\"Collection\",\"member\":[");
    for (int i = 0; i < size; i++)
        len += (size_t)snprintf(
            b + len, cap - len,
            "%s{\"id\":\"b%06d_%04d\",\"space\":%ld,\"origin\":\"https://example.org/"
            "m/b%06d_%04d.tif\",\"mediaType\":\"image/tiff\",\"string1\":\"b%06d\","
            "\"number1\":%d}",
            i ? "," : "", batch, i, space, batch, i, batch, i);
    (void)snprintf(b + len, cap - len, "]}");
    return b;
}

static void *run_lane(void *arg)
{
    struct lane *l = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");

    curl_easy_setopt(c, CURLOPT_URL, l->url);
    curl_easy_setopt(c, CURLOPT_USERPWD, l->auth);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    for (int k = 0; k < l->count; k++) {
        char *body = batch_body(l->first + k, l->size, l->space);
        int64_t t0 = dlcs_time_mono_ms();
        long status = 0;

        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        if (curl_easy_perform(c) != CURLE_OK)
            l->failures++;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status != 201)
            l->failures++;
        l->latency_ms[k] = (double)(dlcs_time_mono_ms() - t0);
        free(body);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int total, size, conc, batches, failures = 0;
    double *lat, secs;
    struct lane *lanes;
    pthread_t *t;
    char *url;
    int64_t t0;

    if (argc != 7) {
        fprintf(stderr, "usage: api_bench URL KEY:SECRET SPACE TOTAL BATCH CONC\n");
        return 2;
    }
    total = (int)strtol(argv[4], NULL, 10);
    size = (int)strtol(argv[5], NULL, 10);
    conc = (int)strtol(argv[6], NULL, 10);
    batches = total / size;
    url = dlcs_xasprintf("%s/queue", argv[1]);
    lat = dlcs_xcalloc((size_t)batches, sizeof *lat);
    lanes = dlcs_xcalloc((size_t)conc, sizeof *lanes);
    t = dlcs_xcalloc((size_t)conc, sizeof *t);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    t0 = dlcs_time_mono_ms();
    for (int i = 0, first = 0; i < conc; i++) {
        int n = batches / conc + (i < batches % conc);

        lanes[i] =
            (struct lane){url, argv[2], strtol(argv[3], NULL, 10), first, n, size, lat + first, 0};
        first += n;
        pthread_create(&t[i], NULL, run_lane, &lanes[i]);
    }
    for (int i = 0; i < conc; i++) {
        pthread_join(t[i], NULL);
        failures += lanes[i].failures;
    }
    secs = (double)(dlcs_time_mono_ms() - t0) / 1000.0;
    qsort(lat, (size_t)batches, sizeof *lat, cmp);
    printf("registrations %d in %d batches of %d over %d connections: %.0f registrations/s "
           "(%.1f s); per batch p50 %.0f ms, p99 %.0f ms; failures %d (target >= 20000/s)\n",
           batches * size, batches, size, conc, batches * size / secs, secs, lat[batches / 2],
           lat[(int)(batches * 0.99) < batches ? (int)(batches * 0.99) : batches - 1], failures);
    curl_global_cleanup();
    free(t);
    free(lanes);
    free(lat);
    free(url);
    return failures ? 1 : 0;
}
