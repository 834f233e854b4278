/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded JSON parsing and dumping. */
#include "dlcs/json_util.h"

#include <stdlib.h>

#include "dlcs/mem.h"

size_t dlcs_json_depth(const json_t *v)
{
    size_t deepest = 0, d, i;
    const char *key;
    const json_t *child;

    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, child)
        {
            d = dlcs_json_depth(child);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, child)
        {
            d = dlcs_json_depth(child);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    }
    return 1;
}

enum dlcs_status dlcs_json_parse(const char *text, size_t len, size_t max_len, json_t **out,
                                 struct dlcs_error *err)
{
    json_error_t jerr;
    json_t *v;

    *out = NULL;
    if (len > max_len)
        return dlcs_error_set(err, DLCS_ETOOLARGE, "the body is %zu bytes, over the limit of %zu",
                              len, max_len);
    if (len == 0)
        return dlcs_error_set(err, DLCS_EINVAL, "the body is empty; a JSON document is required");
    v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        return dlcs_error_set(err, DLCS_EINVAL,
                              "the body is not valid JSON: %s at line %d column %d", jerr.text,
                              jerr.line, jerr.column);
    if (dlcs_json_depth(v) > DLCS_JSON_MAX_DEPTH) {
        json_decref(v);
        return dlcs_error_set(err, DLCS_EINVAL, "the body nests deeper than %d levels",
                              DLCS_JSON_MAX_DEPTH);
    }
    *out = v;
    return DLCS_OK;
}

char *dlcs_json_dump(const json_t *v, int pretty)
{
    char *s = json_dumps(v, pretty ? JSON_INDENT(2) : JSON_COMPACT);
    char *copy;

    if (!s)
        return dlcs_xstrdup("null");
    copy = dlcs_xstrdup(s);
    free(s);
    return copy;
}
