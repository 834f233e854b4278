/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Hydra JSON-LD envelope of the API: resources (@context, @id, @type), paged Collections
 * with a PartialCollectionView, and the Error body that is also RFC 7807 problem+json.
 */
#ifndef DLCS_HYDRA_H
#define DLCS_HYDRA_H

#include <stdint.h>

#include <jansson.h>

#include "dlcs/entity.h"
#include "dlcs/error.h"

#define DLCS_HYDRA_CONTEXT "http://www.w3.org/ns/hydra/context.jsonld"
#define DLCS_VOCAB_CONTEXT "https://dlcs.github.io/vocab/context/future.json"
#define DLCS_PAGE_SIZE_MAX 1000

/* Paging of a collection request: a page number (1-based) or a cursor, and a size. */
struct dlcs_page {
    int64_t page; /* 0 when the request pages by cursor */
    int64_t page_size;
    const char *cursor; /* borrowed: ?cursor (a 'next' link's), NULL = none */
};

/*
 * Read ?page, ?pageSize and ?cursor (each NULL = absent). Absent values take page 1 (none with
 * a cursor) and 'default_size'. DLCS_EINVAL naming the parameter for a non-integer, page < 1, a
 * page size outside 1..DLCS_PAGE_SIZE_MAX, an empty cursor, or both a page and a cursor.
 */
enum dlcs_status dlcs_hydra_page_parse(const char *page_s, const char *size_s, const char *cursor_s,
                                       int64_t default_size, struct dlcs_page *out,
                                       struct dlcs_error *err) DLCS_WARN_UNUSED;

/* What a page of a collection holds beyond its members. */
struct dlcs_hydra_view {
    struct dlcs_page page;   /* what the request asked */
    int64_t total;           /* matches over all pages; -1 when not counted */
    const char *next_cursor; /* the next page's cursor; NULL when no page follows */
};

/*
 * Set @context, @id and @type ("vocab:<type>") on 'obj', placing them first. 'obj' is borrowed
 * and modified; 'id' may be NULL (no @id). Returns 'obj'.
 */
json_t *dlcs_hydra_envelope(json_t *obj, const char *id, const char *type);

/* dlcs_entity_to_json + dlcs_hydra_envelope with the entity's type. New reference. */
json_t *dlcs_hydra_resource(const struct dlcs_entity *e, const void *obj, const char *id);

/*
 * A Collection: 'members' (stolen; an array) and a PartialCollectionView made from 'base' (the
 * collection URL, which may already carry a query string) and 'v': first, previous (numbered
 * pages), next (by cursor: a deep page costs what the first costs) and, when the total was
 * counted, totalItems, totalPages and last. New reference.
 */
json_t *dlcs_hydra_collection(const char *base, json_t *members, const struct dlcs_hydra_view *v);

/* A Collection of every member at once (one page of them all). New reference. */
json_t *dlcs_hydra_whole(const char *base, json_t *members);

/*
 * The Error body: {"@context","@type":"Error","type","title","status","detail","instance"}.
 * 'instance' may be NULL. New reference.
 */
json_t *dlcs_hydra_error(unsigned status, const char *title, const char *detail,
                         const char *instance);

/* dlcs_hydra_error for a recorded error, its HTTP status from dlcs_status_http. */
json_t *dlcs_hydra_error_from(const struct dlcs_error *err, const char *instance);

#endif /* DLCS_HYDRA_H */
