/* SPDX-License-Identifier: Apache-2.0 */
/* JSON helpers over jansson: bounded parsing with clear errors, and dumping. */
#ifndef DLCS_JSON_UTIL_H
#define DLCS_JSON_UTIL_H

#include <stddef.h>

#include <jansson.h>

#include "dlcs/error.h"

#define DLCS_JSON_MAX_DEPTH 32 /* request bodies nest far less; deeper is refused */

/*
 * Parse 'len' bytes of 'text' (need not be NUL-terminated) as one JSON value. Refused with
 * DLCS_ETOOLARGE when len > max_len, and DLCS_EINVAL (with line and column) when it is not
 * JSON or nests deeper than DLCS_JSON_MAX_DEPTH. On DLCS_OK '*out' is a new reference.
 */
enum dlcs_status dlcs_json_parse(const char *text, size_t len, size_t max_len, json_t **out,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Nesting depth of 'v' (a scalar is 1). */
size_t dlcs_json_depth(const json_t *v);

/* Compact (or indented when 'pretty') text of 'v'. Owned: free with free(). Never NULL. */
char *dlcs_json_dump(const json_t *v, int pretty);

#endif /* DLCS_JSON_UTIL_H */
