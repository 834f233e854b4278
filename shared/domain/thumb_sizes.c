/* SPDX-License-Identifier: Apache-2.0 */
/* Thumbnail sizes in IIIF syntax, and policies of them. */
#include "dlcs/thumb_sizes.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/mem.h"

/* A positive decimal of at most 6 digits at *p (advanced); 0 when there is none. */
static int read_dim(const char **p)
{
    char *end = NULL;
    long v;

    if (**p < '0' || **p > '9')
        return 0;
    errno = 0;
    v = strtol(*p, &end, 10);
    if (errno != 0 || end - *p > 6 || v <= 0)
        return -1;
    *p = end;
    return (int)v;
}

enum dlcs_status dlcs_thumb_size_parse(const char *s, struct dlcs_thumb_size *out,
                                       struct dlcs_error *err)
{
    const char *p = s;

    memset(out, 0, sizeof *out);
    if (*p == '^')
        p++;
    if (*p == '!') {
        out->confined = true;
        p++;
    }
    out->w = read_dim(&p);
    if (*p != ',' || out->w < 0)
        goto bad;
    p++;
    out->h = read_dim(&p);
    if (*p != '\0' || out->h < 0 || (out->w == 0 && out->h == 0) ||
        (out->confined && (out->w == 0 || out->h == 0)))
        goto bad;
    return DLCS_OK;
bad:
    return dlcs_error_set(err, DLCS_EINVAL,
                          "thumbnail size '%s' is not w, ,h !w,h or w,h (optionally with ^)", s);
}

static int scaled(double v)
{
    long r = lround(v);

    return r < 1 ? 1 : (int)r;
}

bool dlcs_thumb_size_apply(const struct dlcs_thumb_size *size, int width, int height, int *tw,
                           int *th)
{
    double scale;

    if (width <= 0 || height <= 0)
        return false;
    if (size->confined) {
        scale = fmin((double)size->w / width, (double)size->h / height);
        *tw = scaled(width * scale);
        *th = scaled(height * scale);
    } else if (size->w && size->h) {
        *tw = size->w;
        *th = size->h;
    } else if (size->w) {
        *tw = size->w;
        *th = scaled((double)height * size->w / width);
    } else {
        *th = size->h;
        *tw = scaled((double)width * size->h / height);
    }
    return *tw <= width && *th <= height;
}

static enum dlcs_status add_size(const char *text, struct dlcs_thumb_size *out, size_t cap,
                                 size_t *count, struct dlcs_error *err)
{
    if (*count >= cap)
        return dlcs_error_set(err, DLCS_EINVAL, "a thumbnail policy has at most %zu sizes", cap);
    if (dlcs_thumb_size_parse(text, &out[*count], err) != DLCS_OK)
        return DLCS_EINVAL;
    (*count)++;
    return DLCS_OK;
}

enum dlcs_status dlcs_thumb_policy_parse(const char *policy, struct dlcs_thumb_size *out,
                                         size_t cap, size_t *count, struct dlcs_error *err)
{
    json_t *arr = json_loads(policy, 0, NULL);
    enum dlcs_status st = DLCS_OK;
    char *copy, *save = NULL;

    *count = 0;
    if (json_is_array(arr)) {
        const json_t *v;
        size_t i;

        json_array_foreach(arr, i, v)
        {
            if (st == DLCS_OK)
                st = json_is_string(v)
                         ? add_size(json_string_value(v), out, cap, count, err)
                         : dlcs_error_set(err, DLCS_EINVAL, "thumbnail sizes must be strings");
        }
        json_decref(arr);
        return st;
    }
    json_decref(arr);
    copy = dlcs_xstrdup(policy);
    for (char *tok = strtok_r(copy, " \t", &save); tok && st == DLCS_OK;
         tok = strtok_r(NULL, " \t", &save))
        st = add_size(tok, out, cap, count, err);
    free(copy);
    return st;
}
