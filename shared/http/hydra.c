/* SPDX-License-Identifier: Apache-2.0 */
/* Hydra envelope, collections with views, and error bodies. */
#include "dlcs/hydra.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

static enum dlcs_status parse_int_param(const char *name, const char *s, int64_t min, int64_t max,
                                        int64_t *out, struct dlcs_error *err)
{
    char *end = NULL;
    long long n;

    errno = 0;
    n = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return dlcs_error_set(err, DLCS_EINVAL, "parameter '%s' must be an integer, not '%s'", name,
                              s);
    if (n < min || n > max)
        return dlcs_error_set(err, DLCS_EINVAL, "parameter '%s' must be between %lld and %lld",
                              name, (long long)min, (long long)max);
    *out = (int64_t)n;
    return DLCS_OK;
}

enum dlcs_status dlcs_hydra_page_parse(const char *page_s, const char *size_s, const char *cursor_s,
                                       int64_t default_size, struct dlcs_page *out,
                                       struct dlcs_error *err)
{
    *out = (struct dlcs_page){.page = cursor_s ? 0 : 1, .page_size = default_size};
    if (page_s && cursor_s)
        return dlcs_error_set(err, DLCS_EINVAL,
                              "parameter 'cursor' cannot be combined with 'page': follow the "
                              "'next' link as it is");
    if (cursor_s && !cursor_s[0])
        return dlcs_error_set(err, DLCS_EINVAL, "parameter 'cursor' is empty");
    out->cursor = cursor_s;
    if (page_s && parse_int_param("page", page_s, 1, INT32_MAX, &out->page, err) != DLCS_OK)
        return DLCS_EINVAL;
    if (size_s &&
        parse_int_param("pageSize", size_s, 1, DLCS_PAGE_SIZE_MAX, &out->page_size, err) != DLCS_OK)
        return DLCS_EINVAL;
    return DLCS_OK;
}

json_t *dlcs_hydra_envelope(json_t *obj, const char *id, const char *type)
{
    json_t *head = json_object();
    char *t = dlcs_xasprintf("vocab:%s", type);

    /* jansson keeps insertion order: build the head, then move the other members after it */
    json_object_set_new(head, "@context", json_string(DLCS_VOCAB_CONTEXT));
    if (id)
        json_object_set_new(head, "@id", json_string(id));
    json_object_set_new(head, "@type", json_string(t));
    json_object_update_missing(head, obj);
    json_object_clear(obj);
    json_object_update(obj, head);
    json_decref(head);
    free(t);
    return obj;
}

json_t *dlcs_hydra_resource(const struct dlcs_entity *e, const void *obj, const char *id)
{
    return dlcs_hydra_envelope(dlcs_entity_to_json(e, obj), id, e->type);
}

static json_t *page_link(const char *base, int64_t page, int64_t size)
{
    char *s = dlcs_xasprintf("%s%cpage=%lld&pageSize=%lld", base, strchr(base, '?') ? '&' : '?',
                             (long long)page, (long long)size);
    json_t *v = json_string(s);

    free(s);
    return v;
}

/* Cursors are base64url (the port's): they go into the query string as they are. */
static json_t *cursor_link(const char *base, const char *cursor, int64_t size)
{
    char *s = dlcs_xasprintf("%s%ccursor=%s&pageSize=%lld", base, strchr(base, '?') ? '&' : '?',
                             cursor, (long long)size);
    json_t *v = json_string(s);

    free(s);
    return v;
}

json_t *dlcs_hydra_collection(const char *base, json_t *members, const struct dlcs_hydra_view *v)
{
    json_t *c = json_object();
    json_t *view = json_object();
    const struct dlcs_page *p = &v->page;
    int64_t size = p->page_size > 0 ? p->page_size : 1;
    int64_t pages = v->total > 0 ? (v->total + size - 1) / size : 1;

    json_object_set_new(c, "@context", json_string(DLCS_HYDRA_CONTEXT));
    json_object_set_new(c, "@id", json_string(base));
    json_object_set_new(c, "@type", json_string("Collection"));
    if (v->total >= 0)
        json_object_set_new(c, "totalItems", json_integer((json_int_t)v->total));
    json_object_set_new(c, "pageSize", json_integer((json_int_t)size));
    json_object_set_new(c, "member", members);

    json_object_set_new(view, "@id",
                        p->cursor ? cursor_link(base, p->cursor, size)
                                  : page_link(base, p->page, size));
    json_object_set_new(view, "@type", json_string("PartialCollectionView"));
    json_object_set_new(view, "first", page_link(base, 1, size));
    if (!p->cursor && p->page > 1)
        json_object_set_new(
            view, "previous",
            page_link(base, v->total < 0 || p->page <= pages ? p->page - 1 : pages, size));
    if (v->next_cursor)
        json_object_set_new(view, "next", cursor_link(base, v->next_cursor, size));
    if (v->total >= 0) {
        json_object_set_new(view, "last", page_link(base, pages, size));
        json_object_set_new(view, "totalPages", json_integer((json_int_t)pages));
    }
    if (!p->cursor)
        json_object_set_new(view, "page", json_integer((json_int_t)p->page));
    json_object_set_new(view, "pageSize", json_integer((json_int_t)size));
    json_object_set_new(c, "view", view);
    return c;
}

json_t *dlcs_hydra_whole(const char *base, json_t *members)
{
    int64_t n = (int64_t)json_array_size(members);
    struct dlcs_hydra_view v = {{.page = 1, .page_size = n > 0 ? n : 1}, n, NULL};

    return dlcs_hydra_collection(base, members, &v);
}

json_t *dlcs_hydra_error(unsigned status, const char *title, const char *detail,
                         const char *instance)
{
    json_t *e = json_object();
    char *type = dlcs_xasprintf("https://dlcs.io/errors/%s", title);

    json_object_set_new(e, "@context", json_string(DLCS_HYDRA_CONTEXT));
    json_object_set_new(e, "@type", json_string("Error"));
    json_object_set_new(e, "type", json_string(type));
    json_object_set_new(e, "title", json_string(title));
    json_object_set_new(e, "status", json_integer(status));
    json_object_set_new(e, "detail", json_string(detail));
    if (instance)
        json_object_set_new(e, "instance", json_string(instance));
    free(type);
    return e;
}

json_t *dlcs_hydra_error_from(const struct dlcs_error *err, const char *instance)
{
    return dlcs_hydra_error(dlcs_status_http(err->code), dlcs_status_name(err->code), err->message,
                            instance);
}
