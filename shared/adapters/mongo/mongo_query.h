/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The queries the MongoDB adapter sends for a listing, apart so that unit tests can compare
 * them with their expected canonical extended JSON (tests/unit/mongo_query_test.c): the fake
 * server is lenient, the BSON is not.
 */
#ifndef DLCS_MONGO_QUERY_H
#define DLCS_MONGO_QUERY_H

#include <stdbool.h>

#include <bson/bson.h>

#include "dlcs/store.h"

/*
 * The filter of 'q' on 'e' into 'out' (initialised here): every term and the batch history
 * under one $and, and with 'seek' the rows after q->seek's start values (keyset).
 */
void dlcs_mongo_query_filter(const struct dlcs_entity *e, const struct dlcs_query *q, bool seek,
                             bson_t *out);

/* The find options of 'q' into 'out' (initialised here): sort by q->seek, limit, skip. */
void dlcs_mongo_query_opts(const struct dlcs_entity *e, const struct dlcs_query *q, bson_t *out);

#endif /* DLCS_MONGO_QUERY_H */
