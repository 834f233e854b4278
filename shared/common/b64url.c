/* SPDX-License-Identifier: Apache-2.0 */
#include "dlcs/b64url.h"

#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *dlcs_b64url_encode(const void *data, size_t len)
{
    const unsigned char *in = data;
    char *out = dlcs_xmalloc(len / 3 * 4 + 5), *p = out;

    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        size_t n = len - i < 3 ? len - i : 3;

        if (n > 1)
            v |= (unsigned)in[i + 1] << 8;
        if (n > 2)
            v |= in[i + 2];
        *p++ = ALPHABET[(v >> 18) & 63];
        *p++ = ALPHABET[(v >> 12) & 63];
        if (n > 1)
            *p++ = ALPHABET[(v >> 6) & 63];
        if (n > 2)
            *p++ = ALPHABET[v & 63];
    }
    *p = '\0';
    return out;
}

static int sextet(char c)
{
    const char *at = c ? strchr(ALPHABET, c) : NULL;

    return at ? (int)(at - ALPHABET) : -1;
}

enum dlcs_status dlcs_b64url_decode(const char *text, const char *field, unsigned char **out,
                                    size_t *len, struct dlcs_error *err)
{
    size_t n = strlen(text), o = 0;
    unsigned char *buf;

    *out = NULL;
    *len = 0;
    if (n % 4 == 1)
        return dlcs_error_set(err, DLCS_EINVAL, "'%s' is not base64url: wrong length", field);
    buf = dlcs_xmalloc(n / 4 * 3 + 3);
    for (size_t i = 0; i < n; i += 4) {
        unsigned v = 0;
        size_t k = n - i < 4 ? n - i : 4;

        for (size_t j = 0; j < 4; j++) {
            int s = j < k ? sextet(text[i + j]) : 0;

            if (s < 0) {
                free(buf);
                return dlcs_error_set(err, DLCS_EINVAL,
                                      "'%s' is not base64url: character %zu is not in its alphabet",
                                      field, i + j + 1);
            }
            v = v << 6 | (unsigned)s;
        }
        buf[o++] = (unsigned char)(v >> 16);
        if (k > 2)
            buf[o++] = (unsigned char)(v >> 8);
        if (k > 3)
            buf[o++] = (unsigned char)v;
    }
    buf[o] = '\0';
    *out = buf;
    *len = o;
    return DLCS_OK;
}
