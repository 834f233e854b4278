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

/* Paging of a collection request, 1-based. */
struct dlcs_page {
    int64_t page;
    int64_t page_size;
};

/*
 * Read ?page and ?pageSize ('page_s'/'size_s' may be NULL = absent). Absent values take 1 and
 * 'default_size'. DLCS_EINVAL naming the parameter for a non-integer, page < 1, or a page size
 * outside 1..DLCS_PAGE_SIZE_MAX.
 */
enum dlcs_status dlcs_hydra_page_parse(const char *page_s, const char *size_s, int64_t default_size,
                                       struct dlcs_page *out,
                                       struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Set @context, @id and @type ("vocab:<type>") on 'obj', placing them first. 'obj' is borrowed
 * and modified; 'id' may be NULL (no @id). Returns 'obj'.
 */
json_t *dlcs_hydra_envelope(json_t *obj, const char *id, const char *type);

/* dlcs_entity_to_json + dlcs_hydra_envelope with the entity's type. New reference. */
json_t *dlcs_hydra_resource(const struct dlcs_entity *e, const void *obj, const char *id);

/*
 * A Collection: 'members' (stolen; an array), 'total' items overall, and a view with
 * first/previous/next/last links made from 'base' (the collection URL, which may already carry
 * a query string) and 'page'. New reference.
 */
json_t *dlcs_hydra_collection(const char *base, json_t *members, int64_t total,
                              const struct dlcs_page *page);

/*
 * The Error body: {"@context","@type":"Error","type","title","status","detail","instance"}.
 * 'instance' may be NULL. New reference.
 */
json_t *dlcs_hydra_error(unsigned status, const char *title, const char *detail,
                         const char *instance);

/* dlcs_hydra_error for a recorded error, its HTTP status from dlcs_status_http. */
json_t *dlcs_hydra_error_from(const struct dlcs_error *err, const char *instance);

#endif /* DLCS_HYDRA_H */
