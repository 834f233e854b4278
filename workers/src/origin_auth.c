/* SPDX-License-Identifier: Apache-2.0 */
/* Choosing an origin's credentials from the customer's origin strategies. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/mem.h"
#include "dlcs/origin.h"

bool dlcs_status_is_transient(enum dlcs_status st)
{
    return st == DLCS_EUPSTREAM || st == DLCS_EBUSY || st == DLCS_ETIMEOUT;
}

void dlcs_origin_auth_release(struct dlcs_origin_auth *auth)
{
    if (!auth)
        return;
    free(auth->user);
    free(auth->password);
    memset(auth, 0, sizeof *auth);
}

static bool matches(const char *regex, const char *origin)
{
    regex_t re;
    bool hit;

    if (regcomp(&re, regex, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
        return false; /* validated on input; a stored bad regex simply never matches */
    hit = regexec(&re, origin, 0, NULL, 0) == 0;
    regfree(&re);
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
