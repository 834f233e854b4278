/* SPDX-License-Identifier: Apache-2.0 */
/* One attempt of an S3 request: the signed curl transfer, its sinks, and the classification. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dlcs/mem.h"
#include "dlcs/s3_sign.h"
#include "dlcs/s3_xml.h"
#include "dlcs/stop.h"

#include "s3_internal.h"

#define ERROR_BODY_MAX 8192

/* What the response's callbacks collect. */
struct receive {
    struct s3_attempt *a;
    char *error_body; /* a non-2xx answer's body, bounded */
    size_t error_len;
    size_t cap;
    int64_t skip;        /* a ranged GET answered whole (200): bytes before the range */
    int64_t range_start; /* where a 206's Content-Range says its bytes start */
    bool too_large;      /* the sink's bound was passed */
    bool write_error;    /* the sink file could not be written */
};

static bool is_success(long status)
{
    return status >= 200 && status < 300;
}

/* Bytes into the sink the request named (a new buffer, the caller's, or a file). */
static bool sink_put(struct receive *rc, const char *p, size_t n)
{
    struct dlcs_s3_response *res = rc->a->res;
    const struct dlcs_s3_sink *s = &rc->a->req->sink;

    if (res->len + n > s->max) {
        rc->too_large = true;
        return false;
    }
    if (s->into) {
        memcpy((char *)s->into + res->len, p, n);
    } else if (s->fd > 0) {
        for (size_t done = 0; done < n;) {
            ssize_t w = write(s->fd, p + done, n - done);

            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rc->write_error = true;
                return false;
            }
            done += (size_t)w;
        }
    } else {
        if (res->len + n + 1 > rc->cap) {
            rc->cap = (res->len + n + 1) * 2 < s->max + 1 ? (res->len + n + 1) * 2 : s->max + 1;
            res->body = dlcs_xrealloc(res->body, rc->cap);
        }
        memcpy(res->body + res->len, p, n);
        res->body[res->len + n] = '\0';
    }
    res->len += n;
    return true;
}

static size_t on_data(char *p, size_t size, size_t n, void *data)
{
    struct receive *rc = data;
    long status = 0;
    size_t len = size * n, skip;

    curl_easy_getinfo(rc->a->handle, CURLINFO_RESPONSE_CODE, &status);
    if (!is_success(status)) { /* kept to read S3's error code */
        size_t take = ERROR_BODY_MAX - rc->error_len < len ? ERROR_BODY_MAX - rc->error_len : len;

        if (!rc->error_body)
            rc->error_body = dlcs_xcalloc(1, ERROR_BODY_MAX + 1);
        memcpy(rc->error_body + rc->error_len, p, take);
        rc->error_len += take;
        return len;
    }
    if (rc->a->req->range_len > 0) {
        size_t room = (size_t)rc->a->req->range_len - rc->a->res->len;

        if (status == 200) { /* Range ignored: the whole object, cut the range out */
            skip = rc->skip < (int64_t)len ? (size_t)rc->skip : len;
            rc->skip -= (int64_t)skip;
            p += skip;
            len -= skip;
        }
        /* never more than asked for (s3rver 3.7 answers "bytes=0-0" with the whole object) */
        return sink_put(rc, p, len < room ? len : room) ? size * n : 0;
    }
    return sink_put(rc, p, len) ? len : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *data)
{
    struct receive *rc = data;
    size_t len = size * n;
    char line[256];

    if (len >= sizeof line)
        return len;
    memcpy(line, p, len);
    line[len] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strncasecmp(line, "etag:", 5) == 0) {
        const char *v = line + 5 + strspn(line + 5, " \t");

        (void)snprintf(rc->a->res->etag, sizeof rc->a->res->etag, "%s", v);
    } else if (strncasecmp(line, "content-range:", 14) == 0) {
        const char *slash = strrchr(line, '/');

        const char *bytes = strstr(line, "bytes ");

        if (slash && slash[1] != '*')
            rc->a->res->total_size = strtoll(slash + 1, NULL, 10);
        if (bytes)
            rc->range_start = strtoll(bytes + 6, NULL, 10);
    }
    return len;
}

static int on_progress(void *data, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)data;
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    return dlcs_stop_requested() ? 1 : 0;
}

static struct curl_slist *add_header(struct curl_slist *h, const char *name, const char *value)
{
    char *line = dlcs_xasprintf("%s: %s", name, value);
    struct curl_slist *out = curl_slist_append(h, line);

    free(line);
    return out;
}

/* The method and body. curl signs every header given here (never a removal entry). */
static struct curl_slist *set_method(struct s3_attempt *a, struct s3_upload *up,
                                     struct curl_slist *h)
{
    const struct dlcs_s3_request *r = a->req;
    CURL *c = a->handle;
    bool has_body = strcmp(r->method, "PUT") == 0 || strcmp(r->method, "POST") == 0;

    if (strcmp(r->method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(r->method, "PUT") == 0)
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    else if (strcmp(r->method, "POST") == 0)
        curl_easy_setopt(c, CURLOPT_POST, 1L);
    else if (strcmp(r->method, "GET") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    if (has_body) {
        curl_off_t len = r->body.len > 0 ? (curl_off_t)r->body.len : 0;

        curl_easy_setopt(c, CURLOPT_READFUNCTION, dlcs_s3_upload_read);
        curl_easy_setopt(c, CURLOPT_READDATA, up);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, dlcs_s3_upload_seek);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, up);
        if (strcmp(r->method, "PUT") == 0)
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, len);
        else
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, len);
        h = add_header(h, "Content-Type",
                       r->body.content_type ? r->body.content_type : "application/octet-stream");
        if (r->body.content_md5)
            h = add_header(h, "Content-MD5", r->body.content_md5);
    }
    if (r->range_len > 0) {
        char range[80];

        (void)snprintf(range, sizeof range, "bytes=%" PRId64 "-%" PRId64, r->range_from,
                       r->range_from + r->range_len - 1);
        h = add_header(h, "Range", range);
    }
    return h;
}

static void set_transfer(struct s3_attempt *a, struct receive *rc)
{
    CURL *c = a->handle;

    curl_easy_setopt(c, CURLOPT_URL, a->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dlcs/0.1");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     a->req->timeout_ms > 0 && a->req->timeout_ms < a->client->connect_timeout_ms
                         ? a->req->timeout_ms
                         : a->client->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     a->req->timeout_ms > 0 ? a->req->timeout_ms : a->client->timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, rc);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, rc);
    if (a->req->stop_aware) {
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    }
}

/* What S3 said, as a status for callers (see dlcs/s3_client.h). */
static enum dlcs_status classify_http(struct s3_attempt *a, const struct receive *rc,
                                      struct dlcs_error *err)
{
    long status = a->res->status;
    char *code = dlcs_s3_xml_first(rc->error_body, "Code");
    const char *what = code ? code : "";
    const char *key = a->req->key ? a->req->key : "";
    const char *bucket = a->client->target.bucket;
    enum dlcs_status st;

    a->transient = status >= 500 || status == 429 || strcmp(what, "SlowDown") == 0 ||
                   strcmp(what, "InternalError") == 0 || strcmp(what, "RequestTimeout") == 0;
    if (a->transient)
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "S3 %s %s/%s: HTTP %ld %s", a->req->method, bucket,
                            key, status, what);
    else if (status == 404 && strcmp(what, "NoSuchBucket") != 0 && strcmp(what, "NoSuchUpload"))
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no S3 object %s/%s", bucket, key);
    else if (status == 403 || status == 401 || status == 404)
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "S3 %s %s/%s refused: HTTP %ld %s (permanent)",
                            a->req->method, bucket, key, status, what);
    else if (strcmp(what, "EntityTooLarge") == 0 || status == 413)
        st = dlcs_error_set(err, DLCS_ETOOLARGE, "S3 %s/%s: the object is too large", bucket, key);
    else
        st = dlcs_error_set(err, DLCS_EINTERNAL, "S3 %s %s/%s: HTTP %ld %s", a->req->method, bucket,
                            key, status, what);
    free(code);
    return st;
}

static enum dlcs_status classify_curl(struct s3_attempt *a, CURLcode rc, const struct receive *rv,
                                      struct dlcs_error *err)
{
    const char *key = a->req->key ? a->req->key : "";

    a->transient = false;
    if (rv->too_large)
        return dlcs_error_set(err, DLCS_ETOOLARGE, "S3 object %s is over %zu bytes", key,
                              a->req->sink.max);
    if (rv->write_error)
        return dlcs_error_set(err, DLCS_ENOSPACE, "cannot write S3 object %s locally", key);
    if (rc == CURLE_ABORTED_BY_CALLBACK && a->req->stop_aware && dlcs_stop_requested())
        return dlcs_error_set(err, DLCS_EBUSY, "S3 %s %s: stopped", a->req->method, key);
    a->transient = true;
    return dlcs_error_set(err, rc == CURLE_OPERATION_TIMEDOUT ? DLCS_ETIMEOUT : DLCS_EUPSTREAM,
                          "S3 %s %s/%s: %s", a->req->method, a->client->target.bucket, key,
                          curl_easy_strerror(rc));
}

enum dlcs_status dlcs_s3_attempt(struct s3_attempt *a, struct dlcs_error *err)
{
    struct receive rc = {
        .a = a, .skip = a->req->range_len > 0 ? a->req->range_from : 0, .range_start = -1};
    struct s3_upload up = {.body = &a->req->body};
    const struct dlcs_s3_key key = {a->client->access_key, a->client->secret_key,
                                    a->client->target.region};
    struct curl_slist *headers = NULL;
    enum dlcs_status st = DLCS_OK;
    curl_off_t length = -1;
    CURLcode code;

    a->transient = false;
    set_transfer(a, &rc);
    headers = set_method(a, &up, headers);
    if (a->client->session_token)
        headers = add_header(headers, "x-amz-security-token", a->client->session_token);
    dlcs_s3_sign(a->handle, &key, a->payload_sha256, &headers);
    curl_easy_setopt(a->handle, CURLOPT_HTTPHEADER, headers);
    code = curl_easy_perform(a->handle);
    curl_easy_getinfo(a->handle, CURLINFO_RESPONSE_CODE, &a->res->status);
    if (curl_easy_getinfo(a->handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK)
        a->res->content_length = length;
    if (up.failed)
        st = dlcs_error_set(err, DLCS_EINTERNAL, "cannot read the file to upload");
    else if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && !is_success(a->res->status)))
        st = classify_curl(a, code, &rc, err);
    else if (a->res->status == 206 && rc.range_start != a->req->range_from)
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "S3 GET %s: a range from %lld, not %lld",
                            a->req->key ? a->req->key : "", (long long)rc.range_start,
                            (long long)a->req->range_from);
    else if (a->res->status == 416 && a->req->range_len > 0)
        a->res->len = 0; /* the range starts past the end: no bytes, not an error */
    else if (!is_success(a->res->status))
        st = classify_http(a, &rc, err);
    curl_slist_free_all(headers);
    free(rc.error_body);
    return st;
}
