/* SPDX-License-Identifier: Apache-2.0 */
/* multipart/form-data: boundary, part headers (Content-Disposition, Content-Type), bodies. */
#define _GNU_SOURCE /* memmem, strcasestr */
#include "dlcs/multipart.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_BOUNDARY 70 /* RFC 2046 */

/* The boundary parameter of 'content_type', unquoted, into 'out'. */
static enum dlcs_status boundary_of(const char *content_type, char *out, size_t cap,
                                    struct dlcs_error *err)
{
    const char *p = content_type ? strcasestr(content_type, "boundary=") : NULL;
    size_t n;

    if (!p)
        return dlcs_error_set(err, DLCS_EINVAL, "multipart body: Content-Type has no boundary");
    p += strlen("boundary=");
    if (*p == '"') {
        p++;
        n = strcspn(p, "\"");
    } else {
        n = strcspn(p, "; \t");
    }
    if (n == 0 || n > MAX_BOUNDARY || n >= cap)
        return dlcs_error_set(err, DLCS_EINVAL,
                              "multipart body: the boundary must be 1 to %d "
                              "characters",
                              MAX_BOUNDARY);
    memcpy(out, p, n);
    out[n] = '\0';
    return DLCS_OK;
}

/* Copy the value of parameter 'param' (e.g. name="x") from a header line into 'out'. */
static void header_param(const char *line, size_t len, const char *param, char *out, size_t cap)
{
    char key[32];
    const char *p = line, *end = line + len;
    size_t klen = (size_t)snprintf(key, sizeof key, "%s=", param), n = 0;

    out[0] = '\0';
    for (; p + klen <= end; p++) {
        if ((p == line || p[-1] == ' ' || p[-1] == ';') && strncasecmp(p, key, klen) == 0)
            break;
    }
    if (p + klen > end)
        return;
    p += klen;
    if (p < end && *p == '"') {
        for (p++; p + n < end && p[n] != '"'; n++)
            ;
    } else {
        for (; p + n < end && p[n] != ';'; n++)
            ;
    }
    n = n < cap - 1 ? n : cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static bool header_is(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);

    return len > n && strncasecmp(line, name, n) == 0 && line[n] == ':';
}

/* The header block [h, h+len): fill the part's name, filename and content type. */
static void part_headers(const char *h, size_t len, struct dlcs_part *part)
{
    const char *end = h + len;

    while (h < end) {
        const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);
        size_t n = eol ? (size_t)(eol - h) : (size_t)(end - h);

        if (header_is(h, n, "Content-Disposition")) {
            header_param(h, n, "name", part->name, sizeof part->name);
            header_param(h, n, "filename", part->filename, sizeof part->filename);
        } else if (header_is(h, n, "Content-Type")) {
            const char *v = h + strlen("Content-Type:");
            size_t vn = n - strlen("Content-Type:");

            while (vn > 0 && (*v == ' ' || *v == '\t'))
                v++, vn--;
            vn = vn < sizeof part->content_type - 1 ? vn : sizeof part->content_type - 1;
            memcpy(part->content_type, v, vn);
            part->content_type[vn] = '\0';
        }
        h += n + 2;
    }
}

static enum dlcs_status malformed(struct dlcs_error *err, size_t index, const char *why)
{
    return dlcs_error_set(err, DLCS_EINVAL, "multipart body: part %zu %s", index + 1, why);
}

enum dlcs_status dlcs_multipart_parse(const char *content_type, const void *body, size_t len,
                                      struct dlcs_multipart *out, struct dlcs_error *err)
{
    char delim[MAX_BOUNDARY + 8];
    const char *b = body, *end, *p, *hdr_end, *next;
    size_t dlen;
    enum dlcs_status st;

    memset(out, 0, sizeof *out);
    delim[0] = '\r';
    delim[1] = '\n';
    delim[2] = delim[3] = '-';
    st = boundary_of(content_type, delim + 4, sizeof delim - 4, err);
    if (st != DLCS_OK)
        return st;
    dlen = strlen(delim);
    if (!body || len == 0)
        return dlcs_error_set(err, DLCS_EINVAL, "multipart body: the body is empty");
    end = b + len;
    /* the first delimiter may open the body (no CRLF before it) */
    if (len >= dlen - 2 && memcmp(b, delim + 2, dlen - 2) == 0)
        p = b + dlen - 2;
    else if ((p = memmem(b, len, delim, dlen)) != NULL)
        p += dlen;
    else
        return dlcs_error_set(err, DLCS_EINVAL, "multipart body: no boundary delimiter found");
    for (;;) {
        struct dlcs_part *part;

        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break; /* the close delimiter */
        if (out->count == DLCS_MULTIPART_MAX_PARTS)
            return dlcs_error_set(err, DLCS_EINVAL, "multipart body: more than %d parts",
                                  DLCS_MULTIPART_MAX_PARTS);
        while (p < end && (*p == ' ' || *p == '\t')) /* transport padding */
            p++;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return malformed(err, out->count, "does not start with CRLF after its boundary");
        p += 2;
        hdr_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hdr_end)
            return malformed(err, out->count, "has no end of headers");
        part = &out->parts[out->count];
        part_headers(p, (size_t)(hdr_end - p) + 2, part);
        if (!part->name[0])
            return malformed(err, out->count, "has no Content-Disposition name");
        p = hdr_end + 4;
        next = memmem(p, (size_t)(end - p), delim, dlen);
        if (!next)
            return malformed(err, out->count, "is not closed by a boundary");
        part->data = (const unsigned char *)p;
        part->len = (size_t)(next - p);
        out->count++;
        p = next + dlen;
    }
    return DLCS_OK;
}

const struct dlcs_part *dlcs_multipart_get(const struct dlcs_multipart *m, const char *name)
{
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->parts[i].name, name) == 0)
            return &m->parts[i];
    return NULL;
}
