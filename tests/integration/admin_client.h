/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The integration suites' client: JSON requests to a harness process as the bootstrap admin
 * (ADMIN, sent as ADMIN_AUTH), fields of the answers, and waiting for a batch to finish.
 * Failures are cmocka failures of the calling test.
 */
#ifndef DLCS_TEST_ADMIN_CLIENT_H
#define DLCS_TEST_ADMIN_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "harness.h"

#define ADMIN "0123456789abcdef:fedcba9876543210fedcba9876543210"
#define ADMIN_AUTH                                                                                 \
    "Authorization: Basic MDEyMzQ1Njc4OWFiY2RlZjpmZWRjYmE5ODc2NTQzMjEwZmVkY2JhOTg3NjU0MzIxMA=="

/* 'len' bytes of type 'type' as the admin; the parsed answer into '*out' (NULL-safe). -1 when
   the request could not be made. */
long admin_call_bytes(const struct harness_proc *p, const char *method, const char *path,
                      const char *type, const void *body, size_t len, json_t **out);

/* A JSON body (or none) as the admin. */
long admin_call(const struct harness_proc *p, const char *method, const char *path,
                const char *body, json_t **out);

/* An integer field (0 when absent). */
int64_t jnum(const json_t *j, const char *k);

/* A string field (NULL when absent). */
const char *jstr(const json_t *j, const char *k);

/* Customer 2 "acme" with its space 1 "books", as every queue suite starts. 0 on success. */
int admin_make_acme(const struct harness_proc *p);

/* A queued batch of 'n' images "<name>-<iii>" in acme's space 1: each from 'origin', but the
   first 'nbad' from 'bad_origin'. */
struct admin_book {
    const char *name;
    int n;
    const char *origin;
    int nbad;
    const char *bad_origin;
};

/* POST the book to customer 2's queue (201 asserted); the batch's id. */
int64_t admin_queue_book(const struct harness_proc *p, const struct admin_book *book);

/* Poll customer 2's batch until it has 'finished' (at most 'seconds'); its JSON (decref it). */
json_t *admin_wait_finished(const struct harness_proc *p, int64_t batch, int seconds);

#endif /* DLCS_TEST_ADMIN_CLIENT_H */
