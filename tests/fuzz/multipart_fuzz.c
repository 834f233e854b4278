/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target of the multipart parser. The input's first line is the Content-Type header value
 * (which carries the boundary), the rest is the body, so the fuzzer varies both. Every input
 * must be answered (OK or EINVAL with a reason) without reading outside the body, and an
 * accepted body's parts must lie inside it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parts(const struct dlcs_multipart *m, const uint8_t *body, size_t len)
{
    size_t i;

    if (m->count > DLCS_MULTIPART_MAX_PARTS)
        abort();
    for (i = 0; i < m->count; i++) {
        const struct dlcs_part *p = &m->parts[i];
        if (p->len > 0 && (p->data < body || p->data + p->len > body + len))
            abort();
        if (p->name[0] == '\0' || memchr(p->name, '\0', sizeof p->name) == NULL)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t ct_len = nl ? (size_t)(nl - data) : size;
    char content_type[512];
    /* The body gets its own allocation of exactly its length, so ASan sees any overread. */
    size_t body_len = nl ? size - ct_len - 1 : 0;
    uint8_t *body = malloc(body_len ? body_len : 1);
    struct dlcs_multipart m;
    struct dlcs_error err = {0};
    enum dlcs_status st;

    if (body == NULL)
        return 0;
    if (ct_len >= sizeof content_type)
        ct_len = sizeof content_type - 1;
    memcpy(content_type, data, ct_len);
    content_type[ct_len] = '\0';
    if (body_len)
        memcpy(body, nl + 1, body_len);
    st = dlcs_multipart_parse(content_type, body, body_len, &m, &err);
    if (st == DLCS_OK)
        check_parts(&m, body, body_len);
    else if (st != DLCS_EINVAL || err.message[0] == '\0')
        abort();
    free(body);
    return 0;
}
