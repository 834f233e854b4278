/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the store port: a listing's full sort order and its page cursors. A cursor is the
 * sort keys of the last row of a page and their values, as base64url of a JSON array of
 * [name, value] pairs ("-name" descending): opaque to clients, checked against the listing it
 * is used on, and the same for every adapter.
 */
#ifndef DLCS_STORE_SEEK_H
#define DLCS_STORE_SEEK_H

#include <jansson.h>

#include "dlcs/store.h"

/*
 * Set q->seek's keys to the full sort order of 'q' on 'e' (no values): its orders, then the key
 * fields, leaving out those an equality term holds to one value (they order nothing, and a
 * seek over what is left is one index range: customer = 2 AND space = 5 AND id > ?).
 */
void dlcs_seek_order(const struct dlcs_entity *e, struct dlcs_query *q);

/*
 * Read q->after into q->seek's values (after dlcs_seek_order). '*hold' receives what the
 * strings point into (json_decref it after the call; NULL when there is nothing). DLCS_EINVAL
 * naming 'cursor' for text that is not a cursor of this order.
 */
enum dlcs_status dlcs_seek_decode(struct dlcs_query *q, json_t **hold,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The cursor of the page after row 'obj' in the order of 'seek'. New string. */
char *dlcs_seek_cursor(const struct dlcs_seek *seek, const void *obj);

#endif /* DLCS_STORE_SEEK_H */
