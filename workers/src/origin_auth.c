/* SPDX-License-Identifier: Apache-2.0 */
/* Choosing an origin's credentials from the customer's origin strategies. */
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/mem.h"
#include "dlcs/origin.h"
#include "dlcs/regex_cost.h"

bool dlcs_status_is_transient(enum dlcs_status st)
{
    /* a full disk is freed again: a queued job waits for it rather than failing for good */
    return st == DLCS_EUPSTREAM || st == DLCS_EBUSY || st == DLCS_ETIMEOUT || st == DLCS_ENOSPACE;
}

void dlcs_origin_auth_release(struct dlcs_origin_auth *auth)
{
    if (!auth)
        return;
    free(auth->user);
    free(auth->password);
    memset(auth, 0, sizeof *auth);
}

/*
 * Compiled strategy patterns, kept: a batch of a million images from one customer compiles
 * each of its patterns once, not a million times. Keyed by the pattern text; a handful of
 * entries per customer, replaced round-robin when full. regexec runs under the lock (a match
 * over an origin URL takes microseconds). A process-wide table by design (a documented
 * exception to "no mutable globals"): every worker thread shares what one compiled.
 */
#define REGEX_CACHE 64

static struct {
    pthread_mutex_t mu;
    char *pattern[REGEX_CACHE];
    regex_t re[REGEX_CACHE];
    bool ok[REGEX_CACHE]; /* compiled (a stored pattern that does not compile never matches) */
    int next;
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int cache_slot(const char *regex)
{
    int i;

    for (i = 0; i < REGEX_CACHE; i++)
        if (cache.pattern[i] && strcmp(cache.pattern[i], regex) == 0)
            return i;
    i = cache.next;
    cache.next = (cache.next + 1) % REGEX_CACHE;
    if (cache.pattern[i] && cache.ok[i])
        regfree(&cache.re[i]);
    free(cache.pattern[i]);
    cache.pattern[i] = dlcs_xstrdup(regex);
    /* checked on input; checked again, so a pattern stored before the check cannot cost much */
    cache.ok[i] = dlcs_regex_cost_check(regex, "regex", NULL) == DLCS_OK &&
                  regcomp(&cache.re[i], regex, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0;
    return i;
}

static bool matches(const char *regex, const char *origin)
{
    bool hit;
    int i;

    pthread_mutex_lock(&cache.mu);
    i = cache_slot(regex);
    hit = cache.ok[i] && regexec(&cache.re[i], origin, 0, NULL, 0) == 0;
    pthread_mutex_unlock(&cache.mu);
    return hit;
}

/* First of two keys present in 'o' as a string. Borrowed. */
static const char *either(const json_t *o, const char *a, const char *b)
{
    const char *v = json_string_value(json_object_get(o, a));

    return v ? v : json_string_value(json_object_get(o, b));
}

static enum dlcs_status parse_credentials(const char *text, struct dlcs_origin_auth *auth,
                                          struct dlcs_error *err)
{
    json_t *o = json_loads(text, 0, NULL);
    const char *user = either(o, "user", "accessKey");
    const char *password = either(o, "password", "secretKey");
    enum dlcs_status st = DLCS_OK;

    if (!json_is_object(o) || !user || !password)
        st = dlcs_error_set(err, DLCS_EINVAL,
                            "origin strategy credentials must be a JSON object with 'user' and "
                            "'password' (or 'accessKey' and 'secretKey')");
    else {
        auth->user = dlcs_xstrdup(user);
        auth->password = dlcs_xstrdup(password);
    }
    json_decref(o);
    return st;
}

enum dlcs_status dlcs_origin_auth_for(const char *origin,
                                      const struct dlcs_origin_strategy *strategies, size_t count,
                                      struct dlcs_origin_auth *auth, struct dlcs_error *err)
{
    const struct dlcs_origin_strategy *best = NULL;

    memset(auth, 0, sizeof *auth);
    (void)snprintf(auth->strategy, sizeof auth->strategy, "default");
    for (size_t i = 0; i < count; i++) {
        const struct dlcs_origin_strategy *s = &strategies[i];

        if (s->regex && s->strategy && (!best || s->order < best->order) &&
            matches(s->regex, origin))
            best = s;
    }
    if (!best)
        return DLCS_OK;
    (void)snprintf(auth->strategy, sizeof auth->strategy, "%s", best->strategy);
    if (best->credentials && *best->credentials)
        return parse_credentials(best->credentials, auth, err);
    if (strcmp(best->strategy, "basic-http-authentication") == 0)
        return dlcs_error_set(err, DLCS_EINVAL,
                              "origin strategy 'basic-http-authentication' has no credentials");
    return DLCS_OK;
}
