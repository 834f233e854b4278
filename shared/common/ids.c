/* SPDX-License-Identifier: Apache-2.0 */
/* Validation of ids and names, and random ids from getrandom(2). */
#include "dlcs/ids.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static int is_segment_char(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("-._~!$&'()*+,;=:@", c) != NULL;
}

enum dlcs_status dlcs_id_check_asset(const char *id, const char *field, struct dlcs_error *err)
{
    size_t len = strlen(id);

    if (len == 0)
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must not be empty", field);
    if (len > DLCS_ASSET_ID_MAX)
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' is longer than %d bytes", field,
                              DLCS_ASSET_ID_MAX);
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must not be '.' or '..'", field);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];

        if (!is_segment_char(c))
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "field '%s' has character 0x%02x at position %zu, which is not "
                                  "allowed in a URL path segment",
                                  field, c, i);
    }
    return DLCS_OK;
}

static int is_all_digits(const char *s)
{
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
    }
    return 1;
}

enum dlcs_status dlcs_id_check_customer_name(const char *name, const char *field,
                                             struct dlcs_error *err)
{
    size_t len = strlen(name);

    if (len == 0 || len > DLCS_CUSTOMER_NAME_MAX)
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must be 1 to %d characters", field,
                              DLCS_CUSTOMER_NAME_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (i > 0 && (c == '-' || c == '_' || c == '.'));

        if (!ok)
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "field '%s' may hold only a-z, 0-9 and (not first) '-', '_', "
                                  "'.'; found '%c' at position %zu",
                                  field, c, i);
    }
    if (is_all_digits(name))
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must not be all digits", field);
    if (name[0] == 'v' && len > 1 && is_all_digits(name + 1))
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must not look like a version ('%s')",
                              field, name);
    return DLCS_OK;
}

void dlcs_id_random(void *buf, size_t len)
{
    unsigned char *p = buf;

    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);

        DLCS_ASSERT(n > 0);
        p += n;
        len -= (size_t)n;
    }
}

void dlcs_id_random_hex(char *out, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[64];

    while (len > 0) {
        size_t chunk = len < sizeof b ? len : sizeof b;

        dlcs_id_random(b, chunk);
        for (size_t i = 0; i < chunk; i++) {
            *out++ = hex[b[i] >> 4];
            *out++ = hex[b[i] & 15];
        }
        len -= chunk;
    }
    *out = '\0';
}

void dlcs_id_uuid(char *buf)
{
    unsigned char b[16];

    dlcs_id_random(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    (void)snprintf(buf, DLCS_UUID_BUF,
                   "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                   b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                   b[14], b[15]);
}
