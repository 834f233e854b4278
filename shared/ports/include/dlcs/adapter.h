/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How a port names its adapters: by the URL scheme of its setting (DLCS_STORE, DLCS_STORAGE,
 * DLCS_QUEUE). Each port has a table of descriptors (shared/adapters/adapters.c); these helpers
 * pick one and word the error that lists the others, so no port compares strings itself.
 */
#ifndef DLCS_ADAPTER_H
#define DLCS_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>

#include "dlcs/error.h"

/* What every adapter descriptor starts with. */
struct dlcs_adapter_name {
    const char
        *scheme;      /* "sqlite" answers "sqlite://..."; a bare word ("embedded") also the word */
    const char *form; /* how its URL is written, for the error that lists the adapters */
    bool paths;       /* a plain path (no "://") means this adapter */
};

/*
 * The index of the adapter in 'table' ('count' pointers to descriptors whose first member is a
 * struct dlcs_adapter_name) that 'url' names; DLCS_EINVAL naming 'setting' and every adapter of
 * this build otherwise.
 */
enum dlcs_status dlcs_adapter_pick(const char *setting, const char *url, const void *const *table,
                                   size_t count, size_t *index,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The part of 'url' after "scheme://" (the whole of it for a plain path). Borrowed. */
const char *dlcs_adapter_rest(const struct dlcs_adapter_name *name, const char *url);

/*
 * Walks an adapter URL's query ("?a=1&b=2"): each call copies the next name and value into the
 * buffers (no percent-decoding: adapters take numbers and words). DLCS_OK with a pair,
 * DLCS_ENOTFOUND after the last, DLCS_EINVAL for a pair without '=' or too long.
 */
struct dlcs_url_params {
    const char *next; /* NULL when there is no query left */
};
void dlcs_url_params_init(struct dlcs_url_params *p, const char *url);
enum dlcs_status dlcs_url_params_next(struct dlcs_url_params *p, char *name, size_t name_len,
                                      char *value, size_t value_len, struct dlcs_error *err);

/* 'url' up to its query (a new string, free()). */
char *dlcs_url_without_query(const char *url);

#endif /* DLCS_ADAPTER_H */
