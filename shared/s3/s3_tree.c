/* SPDX-License-Identifier: Apache-2.0 */
/* Deleting a tree of objects: ListObjectsV2 pages, each deleted by one DeleteObjects. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "dlcs/mem.h"
#include "dlcs/s3_objects.h"
#include "dlcs/s3_xml.h"

/* The base64 MD5 of 'data', which DeleteObjects requires. New string. */
static char *content_md5(const char *data, size_t len)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_MD5);
    guint8 digest[16];
    gsize n = sizeof digest;
    gchar *b64;
    char *out;

    g_checksum_update(sum, (const guchar *)data, (gssize)len);
    g_checksum_get_digest(sum, digest, &n);
    g_checksum_free(sum);
    b64 = g_base64_encode(digest, n);
    out = dlcs_xstrdup(b64);
    g_free(b64);
    return out;
}

/* Append <Object><Key>k</Key></Object> for each <Key> of a listing into 'doc'. */
static int add_listed_keys(GString *doc, const char *listing)
{
    const char *pos = NULL;
    char *key;
    int count = 0;

    while ((key = dlcs_s3_xml_next(listing, "Key", &pos))) {
        char *esc = dlcs_s3_xml_escape(key);

        g_string_append_printf(doc, "<Object><Key>%s</Key></Object>", esc);
        free(esc);
        free(key);
        count++;
    }
    return count;
}

static enum dlcs_status delete_objects(struct dlcs_s3_client *c, GString *doc,
                                       struct dlcs_error *err)
{
    char *md5;
    struct dlcs_s3_request r = {.method = "POST", .query = "delete=", .sink = {.max = 1 << 20}};
    struct dlcs_s3_response res;
    enum dlcs_status st;
    char *failed;

    g_string_append(doc, "</Delete>");
    md5 = content_md5(doc->str, doc->len);
    r.body = (struct dlcs_s3_body){.data = doc->str,
                                   .len = (int64_t)doc->len,
                                   .content_type = "application/xml",
                                   .content_md5 = md5};
    st = dlcs_s3_send(c, &r, &res, err);
    failed = st == DLCS_OK ? dlcs_s3_xml_first(res.body, "Error") : NULL;
    if (failed) {
        char *code = dlcs_s3_xml_first(failed, "Code");

        st = dlcs_error_set(err, DLCS_EUPSTREAM, "S3 DeleteObjects in %s: %s",
                            dlcs_s3_client_bucket(c), code ? code : "an object was not deleted");
        free(code);
        free(failed);
    }
    dlcs_s3_response_release(&res);
    free(md5);
    return st;
}

/* One page of the listing of 'prefix' + "/" (after 'token', or the first): its XML. */
static enum dlcs_status list_page(struct dlcs_s3_client *c, const char *prefix, const char *token,
                                  struct dlcs_s3_response *res, struct dlcs_error *err)
{
    char *p = dlcs_xasprintf("%s/", prefix);
    char *ep = dlcs_s3_encode(p, false), *et = token ? dlcs_s3_encode(token, false) : NULL;
    /* canonical: names sorted */
    /* the first page leaves room for 'prefix' itself in its DeleteObjects (at most 1,000) */
    char *query = et ? dlcs_xasprintf("continuation-token=%s&list-type=2&prefix=%s", et, ep)
                     : dlcs_xasprintf("list-type=2&max-keys=999&prefix=%s", ep);
    struct dlcs_s3_request r = {.method = "GET", .query = query, .sink = {.max = 16 << 20}};
    enum dlcs_status st = dlcs_s3_send(c, &r, res, err);

    free(query);
    free(et);
    free(ep);
    free(p);
    return st;
}

enum dlcs_status dlcs_s3_delete_tree(struct dlcs_s3_client *c, const char *prefix,
                                     struct dlcs_error *err)
{
    char *token = NULL;
    enum dlcs_status st = DLCS_OK;

    for (bool first = true; st == DLCS_OK; first = false) {
        struct dlcs_s3_response res;
        GString *doc = g_string_new("<Delete><Quiet>true</Quiet>");
        char *truncated;
        int count = 0;

        if (first) { /* the object 'prefix' itself rides with the first page: no DELETE of its own
                      */
            char *esc = dlcs_s3_xml_escape(prefix);

            g_string_append_printf(doc, "<Object><Key>%s</Key></Object>", esc);
            free(esc);
            count++;
        }
        st = list_page(c, prefix, token, &res, err);
        free(token);
        token = NULL;
        count += st == DLCS_OK ? add_listed_keys(doc, res.body ? res.body : "") : 0;
        if (st == DLCS_OK && count > 0)
            st = delete_objects(c, doc, err);
        truncated = st == DLCS_OK ? dlcs_s3_xml_first(res.body, "IsTruncated") : NULL;
        if (truncated && strcmp(truncated, "true") == 0)
            token = dlcs_s3_xml_first(res.body, "NextContinuationToken");
        free(truncated);
        dlcs_s3_response_release(&res);
        g_string_free(doc, TRUE);
        if (!token)
            break;
    }
    free(token);
    return st;
}
