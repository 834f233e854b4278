/* SPDX-License-Identifier: Apache-2.0 */
/* A job as a Kafka message: key "customer/space/id", value a small JSON object. */
#include <string.h>

#include <jansson.h>

#include "dlcs/json_util.h"
#include "dlcs/mem.h"

#include "kafka_internal.h"

char *dlcs_kafka_job_key(const struct dlcs_job *job)
{
    return dlcs_xasprintf("%lld/%lld/%s", (long long)job->customer, (long long)job->space,
                          job->asset);
}

char *dlcs_kafka_job_encode(const struct dlcs_job *job, const char *reason)
{
    json_t *o = json_pack("{sI sI ss sI sI si sI}", "customer", (json_int_t)job->customer, "space",
                          (json_int_t)job->space, "id", job->asset, "generation",
                          (json_int_t)job->generation, "batch", (json_int_t)job->batch, "attempt",
                          job->attempt, "notBefore", (json_int_t)job->not_before);
    char *text;

    if (o == NULL)
        return NULL;
    if (reason)
        json_object_set_new(o, "reason", json_string(reason));
    text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

enum dlcs_status dlcs_kafka_job_decode(const void *value, size_t len, struct dlcs_job *out,
                                       struct dlcs_error *err)
{
    json_t *o = NULL;
    json_int_t c = 0, s = 0, g = 0, b = 0, nb = 0;
    int attempt = 1;
    const char *id = NULL;
    json_error_t je = {0};
    enum dlcs_status st = dlcs_json_parse((const char *)value, len, 4096, &o, err);

    if (st != DLCS_OK)
        return st;
    memset(out, 0, sizeof *out);
    if (json_unpack_ex(o, &je, 0, "{sI sI ss sI s?I s?i s?I}", "customer", &c, "space", &s, "id",
                       &id, "generation", &g, "batch", &b, "attempt", &attempt, "notBefore",
                       &nb) != 0 ||
        strlen(id) == 0 || strlen(id) >= sizeof out->asset || attempt < 1) {
        st = dlcs_error_set(err, DLCS_EINVAL, "not a job: %s", je.text[0] ? je.text : "bad id");
        goto out;
    }
    out->customer = c;
    out->space = s;
    memcpy(out->asset, id, strlen(id) + 1);
    out->generation = g;
    out->batch = b;
    out->attempt = attempt;
    out->not_before = nb;
out:
    json_decref(o);
    return st;
}
