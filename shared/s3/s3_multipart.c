/* SPDX-License-Identifier: Apache-2.0 */
/* Uploading a file: one PUT, or a multipart upload sent part by part from the file. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "dlcs/mem.h"
#include "dlcs/s3_objects.h"
#include "dlcs/s3_xml.h"

struct upload {
    struct dlcs_s3_client *c;
    const struct dlcs_s3_file_put *p;
    int fd;
    int64_t size;
    char *id; /* the upload id, encoded for a query */
};

static enum dlcs_status create_upload(struct upload *u, struct dlcs_error *err)
{
    struct dlcs_s3_request r = {.method = "POST",
                                .key = u->p->key,
                                .query = "uploads=",
                                .body = {.content_type = u->p->content_type},
                                .sink = {.max = 1 << 16}};
    struct dlcs_s3_response res;
    enum dlcs_status st = dlcs_s3_send(u->c, &r, &res, err);
    char *id = st == DLCS_OK ? dlcs_s3_xml_first(res.body, "UploadId") : NULL;

    if (st == DLCS_OK && !id)
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "S3 CreateMultipartUpload %s: no UploadId",
                            u->p->key);
    if (id)
        u->id = dlcs_s3_encode(id, false);
    free(id);
    dlcs_s3_response_release(&res);
    return st;
}

/* Send part 'n' (1-based); append its <Part> to 'doc'. */
static enum dlcs_status send_part(struct upload *u, int n, GString *doc, struct dlcs_error *err)
{
    int64_t off = (int64_t)(n - 1) * u->p->part_size;
    int64_t len = u->size - off < u->p->part_size ? u->size - off : u->p->part_size;
    char *query = dlcs_xasprintf("partNumber=%d&uploadId=%s", n, u->id);
    struct dlcs_s3_request r = {.method = "PUT",
                                .key = u->p->key,
                                .query = query,
                                .body = {.fd = u->fd, .offset = off, .len = len}};
    struct dlcs_s3_response res;
    enum dlcs_status st = dlcs_s3_send(u->c, &r, &res, err);

    if (st == DLCS_OK && !res.etag[0])
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "S3 UploadPart %s #%d: no ETag", u->p->key, n);
    if (st == DLCS_OK) {
        char *etag = dlcs_s3_xml_escape(res.etag);

        g_string_append_printf(doc, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n,
                               etag);
        free(etag);
    }
    dlcs_s3_response_release(&res);
    free(query);
    return st;
}

/* CompleteMultipartUpload; S3 may answer 200 and still put an <Error> in the body. */
static enum dlcs_status complete(struct upload *u, GString *doc, struct dlcs_error *err)
{
    char *query = dlcs_xasprintf("uploadId=%s", u->id);
    struct dlcs_s3_request r = {
        .method = "POST", .key = u->p->key, .query = query, .sink = {.max = 1 << 16}};
    struct dlcs_s3_response res;
    enum dlcs_status st;
    char *code;

    g_string_append(doc, "</CompleteMultipartUpload>");
    r.body = (struct dlcs_s3_body){
        .data = doc->str, .len = (int64_t)doc->len, .content_type = "application/xml"};
    st = dlcs_s3_send(u->c, &r, &res, err);
    code = st == DLCS_OK && res.body && strstr(res.body, "<Error>")
               ? dlcs_s3_xml_first(res.body, "Code")
               : NULL;
    if (code)
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "S3 CompleteMultipartUpload %s: %s", u->p->key,
                            code);
    free(code);
    dlcs_s3_response_release(&res);
    free(query);
    return st;
}

static void abort_upload(struct upload *u)
{
    char *query = dlcs_xasprintf("uploadId=%s", u->id);
    struct dlcs_s3_request r = {.method = "DELETE", .key = u->p->key, .query = query};
    struct dlcs_s3_response res;

    (void)!dlcs_s3_send(u->c, &r, &res, NULL); /* best effort: a lifecycle rule cleans up */
    dlcs_s3_response_release(&res);
    free(query);
}

static enum dlcs_status multipart(struct upload *u, struct dlcs_error *err)
{
    GString *doc = g_string_new("<CompleteMultipartUpload>");
    int parts = (int)((u->size + u->p->part_size - 1) / u->p->part_size);
    enum dlcs_status st = create_upload(u, err);

    for (int n = 1; st == DLCS_OK && n <= parts; n++)
        st = send_part(u, n, doc, err);
    if (st == DLCS_OK)
        st = complete(u, doc, err);
    if (st != DLCS_OK && u->id)
        abort_upload(u);
    g_string_free(doc, TRUE);
    return st;
}

enum dlcs_status dlcs_s3_put_file(struct dlcs_s3_client *c, const struct dlcs_s3_file_put *p,
                                  struct dlcs_error *err)
{
    struct upload u = {.c = c, .p = p, .fd = open(p->path, O_RDONLY | O_CLOEXEC)};
    struct stat sb;
    enum dlcs_status st;

    if (u.fd < 0 || fstat(u.fd, &sb) != 0) {
        if (u.fd >= 0)
            close(u.fd);
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot read the file for %s", p->key);
    }
    u.size = (int64_t)sb.st_size;
    if (u.size <= p->part_size || p->part_size <= 0) {
        struct dlcs_s3_request r = {
            .method = "PUT",
            .key = p->key,
            .body = {.fd = u.fd, .len = u.size, .content_type = p->content_type}};
        struct dlcs_s3_response res;

        if (u.size == 0) { /* an empty file: an empty body, sent from memory */
            r.body.data = "";
        }
        st = dlcs_s3_send(c, &r, &res, err);
        dlcs_s3_response_release(&res);
    } else {
        st = multipart(&u, err);
    }
    free(u.id);
    close(u.fd);
    return st;
}
