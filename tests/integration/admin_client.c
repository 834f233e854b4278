/* SPDX-License-Identifier: Apache-2.0 */
/* The integration suites' admin client (admin_client.h). */
#include "admin_client.h"

#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

long admin_call_bytes(const struct harness_proc *p, const char *method, const char *path,
                      const char *type, const void *body, size_t len, json_t **out)
{
    struct harness_response *r = calloc(1, sizeof *r);
    char content_type[128];
    const char *const headers[] = {ADMIN_AUTH, content_type, NULL};
    long status = -1;

    (void)snprintf(content_type, sizeof content_type, "Content-Type: %s", type);
    if (harness_http_bytes(p, method, path, headers, body, len, r) == 0)
        status = r->status;
    if (out)
        *out = status < 0 ? NULL : json_loads(r->body, 0, NULL);
    free(r);
    return status;
}

long admin_call(const struct harness_proc *p, const char *method, const char *path,
                const char *body, json_t **out)
{
    return admin_call_bytes(p, method, path, "application/json", body, body ? strlen(body) : 0,
                            out);
}

int64_t jnum(const json_t *j, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(j, k));
}

const char *jstr(const json_t *j, const char *k)
{
    return json_string_value(json_object_get(j, k));
}

json_t *admin_wait_finished(const struct harness_proc *p, int64_t batch, int seconds)
{
    char path[128];
    struct timespec pause = {0, 200 * 1000000L};

    (void)snprintf(path, sizeof path, "/customers/2/queue/batches/%lld", (long long)batch);
    for (int i = 0; i < seconds * 5; i++) {
        json_t *j = NULL;

        if (admin_call(p, "GET", path, NULL, &j) == 200 && json_object_get(j, "finished"))
            return j;
        json_decref(j);
        nanosleep(&pause, NULL);
    }
    fail_msg("batch %lld did not finish in %d s", (long long)batch, seconds);
    return NULL;
}

int admin_make_acme(const struct harness_proc *p)
{
    json_t *j = NULL;
    long st =
        admin_call(p, "POST", "/customers", "{\"name\":\"acme\",\"displayName\":\"Acme\"}", &j);

    json_decref(j);
    if (st != 201)
        return -1;
    st = admin_call(p, "POST", "/customers/2/spaces", "{\"name\":\"books\"}", &j);
    json_decref(j);
    return st == 201 ? 0 : -1;
}

int64_t admin_queue_book(const struct harness_proc *p, const struct admin_book *book)
{
    json_t *members = json_array(), *doc, *j = NULL;
    char *text;
    int64_t batch;

    for (int i = 0; i < book->n; i++) {
        char id[64];

        (void)snprintf(id, sizeof id, "%s-%03d", book->name, i);
        json_array_append_new(members, json_pack("{s:s,s:i,s:s}", "id", id, "space", 1, "origin",
                                                 i < book->nbad ? book->bad_origin : book->origin));
    }
    doc = json_pack("{s:s,s:o}", "@type", "Collection", "member", members);
    text = json_dumps(doc, 0);
    json_decref(doc);
    assert_int_equal(admin_call(p, "POST", "/customers/2/queue", text, &j), 201);
    batch = jnum(j, "id");
    json_decref(j);
    free(text);
    return batch;
}
