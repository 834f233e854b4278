/* SPDX-License-Identifier: Apache-2.0 */
/* Request bodies: their SHA-256 for the signature, and curl's callbacks that send them. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "dlcs/mem.h"
#include "dlcs/s3_sign.h"

#include "s3_internal.h"

/* pread of the whole span, retrying short reads; false on an error or an early end. */
static bool read_span(int fd, int64_t off, void *buf, size_t len)
{
    char *p = buf;

    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        off += n;
        len -= (size_t)n;
    }
    return true;
}

enum dlcs_status dlcs_s3_body_sha256(const struct dlcs_s3_body *b, char **hex,
                                     struct dlcs_error *err)
{
    GChecksum *sum;
    char *buf;
    int64_t done = 0;

    *hex = NULL;
    if (b->len <= 0) {
        *hex = dlcs_xstrdup(DLCS_S3_EMPTY_SHA256);
        return DLCS_OK;
    }
    if (b->data) {
        gchar *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, b->data, (gsize)b->len);

        *hex = dlcs_xstrdup(h);
        g_free(h);
        return DLCS_OK;
    }
    sum = g_checksum_new(G_CHECKSUM_SHA256);
    buf = dlcs_xmalloc(1 << 16);
    while (done < b->len) {
        size_t n = b->len - done < (1 << 16) ? (size_t)(b->len - done) : (1 << 16);

        if (!read_span(b->fd, b->offset + done, buf, n))
            break;
        g_checksum_update(sum, (const guchar *)buf, (gssize)n);
        done += (int64_t)n;
    }
    if (done == b->len)
        *hex = dlcs_xstrdup(g_checksum_get_string(sum));
    g_checksum_free(sum);
    free(buf);
    return *hex ? DLCS_OK : dlcs_error_set(err, DLCS_EINTERNAL, "cannot read the file to upload");
}

size_t dlcs_s3_upload_read(char *buf, size_t size, size_t n, void *data)
{
    struct s3_upload *u = data;
    int64_t left = u->body->len - u->pos;
    size_t want = size * n < (size_t)left ? size * n : (size_t)left;

    if (want == 0)
        return 0;
    if (u->body->data) {
        memcpy(buf, (const char *)u->body->data + u->pos, want);
    } else if (!read_span(u->body->fd, u->body->offset + u->pos, buf, want)) {
        u->failed = true;
        return CURL_READFUNC_ABORT;
    }
    u->pos += (int64_t)want;
    return want;
}

int dlcs_s3_upload_seek(void *data, curl_off_t offset, int origin)
{
    struct s3_upload *u = data;

    if (origin != SEEK_SET || offset < 0 || offset > u->body->len)
        return CURL_SEEKFUNC_FAIL;
    u->pos = offset;
    return CURL_SEEKFUNC_OK;
}
