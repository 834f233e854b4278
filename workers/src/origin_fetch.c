/* SPDX-License-Identifier: Apache-2.0 */
/* Fetching origins with libcurl: limits, address policy, error classification, retries. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dlcs/fs.h"
#include "dlcs/mem.h"
#include "dlcs/origin.h"
#include "dlcs/stop.h"

#include "origin_internal.h"

/* State of one transfer, shared with curl's callbacks. */
struct transfer {
    FILE *out;
    int64_t bytes, max_bytes;
    bool over_limit;
    bool allow_private;
    char refused_addr[INET6_ADDRSTRLEN]; /* set when the address policy refused a connect */
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    struct transfer *t = arg;
    size_t len = size * n;

    if (t->bytes + (int64_t)len > t->max_bytes) {
        t->over_limit = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (fwrite(data, 1, len, t->out) != len)
        return 0;
    t->bytes += (int64_t)len;
    return len;
}

/* Called with the resolved address of every connection, redirects included. */
static curl_socket_t on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct transfer *t = arg;

    (void)purpose;
    if (!t->allow_private && dlcs_origin_addr_is_private(&a->addr)) {
        dlcs_origin_addr_text(&a->addr, t->refused_addr, sizeof t->refused_addr);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static enum dlcs_status classify_http(const char *origin, long status, struct dlcs_error *err)
{
    if (status == 429)
        return dlcs_error_set(err, DLCS_EBUSY, "origin '%s' answered 429 (too many requests)",
                              origin);
    if (status >= 500 || status == 408)
        return dlcs_error_set(err, DLCS_EUPSTREAM, "origin '%s' answered %ld", origin, status);
    if (status == 401)
        return dlcs_error_set(err, DLCS_EAUTH, "origin '%s' answered 401: credentials refused",
                              origin);
    if (status == 403)
        return dlcs_error_set(err, DLCS_EFORBIDDEN, "origin '%s' answered 403", origin);
    if (status == 404 || status == 410)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "origin '%s' answered %ld: not found", origin,
                              status);
    return dlcs_error_set(err, DLCS_EINVAL, "origin '%s' answered %ld", origin, status);
}

static enum dlcs_status classify_curl(const char *origin, CURLcode rc, const struct transfer *t,
                                      const struct dlcs_origin_limits *lim, struct dlcs_error *err)
{
    if (t->refused_addr[0])
        return dlcs_error_set(err, DLCS_EFORBIDDEN,
                              "origin '%s' resolves to %s, a loopback, link-local or private "
                              "address: refused (DLCS_ORIGIN_ALLOW_PRIVATE=1 allows it)",
                              origin, t->refused_addr);
    if (t->over_limit || rc == CURLE_FILESIZE_EXCEEDED)
        return dlcs_error_set(err, DLCS_ETOOLARGE, "origin '%s' is larger than %lld bytes", origin,
                              (long long)lim->max_bytes);
    switch (rc) {
    case CURLE_ABORTED_BY_CALLBACK: /* on_progress: the process is stopping */
        return dlcs_error_set(err, DLCS_EBUSY,
                              "origin '%s': the fetch was stopped (the server is shutting down)",
                              origin);
    case CURLE_OPERATION_TIMEDOUT:
        return dlcs_error_set(err, DLCS_ETIMEOUT, "origin '%s' timed out (%ld ms)", origin,
                              lim->timeout_ms);
    case CURLE_TOO_MANY_REDIRECTS:
        return dlcs_error_set(err, DLCS_EINVAL, "origin '%s' redirects more than %ld times", origin,
                              lim->max_redirects);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return dlcs_error_set(err, DLCS_EINVAL, "origin '%s' uses an unsupported scheme", origin);
    case CURLE_URL_MALFORMAT:
        return dlcs_error_set(err, DLCS_EINVAL, "origin '%s' is not a valid URL", origin);
    case CURLE_LOGIN_DENIED:
        return dlcs_error_set(err, DLCS_EAUTH, "origin '%s': login denied", origin);
    case CURLE_REMOTE_FILE_NOT_FOUND:
        return dlcs_error_set(err, DLCS_ENOTFOUND, "origin '%s': no such file", origin);
    case CURLE_REMOTE_ACCESS_DENIED:
        return dlcs_error_set(err, DLCS_EFORBIDDEN, "origin '%s': access denied", origin);
    default:
        return dlcs_error_set(err, DLCS_EUPSTREAM, "origin '%s': %s", origin,
                              curl_easy_strerror(rc));
    }
}

static void set_auth(CURL *c, const struct dlcs_origin_auth *auth)
{
    const char *user = auth ? auth->user : NULL;
    const char *password = auth ? auth->password : NULL;

    if (user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, password ? password : "");
    }
}

/* Called about once a second even when no bytes flow: a stopping process gives up the fetch. */
static int on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)data;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return dlcs_stop_requested() ? 1 : 0;
}

static void set_limits(CURL *c, const struct dlcs_origin_limits *lim, struct transfer *t)
{
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, lim->max_redirects);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, lim->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, lim->timeout_ms);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)lim->max_bytes);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*"); /* a proxy would hide the address we check */
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dlcs/0.1");
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
}

/* One attempt over curl. */
static enum dlcs_status fetch_once(const char *origin, const char *url,
                                   const struct dlcs_origin_auth *auth,
                                   const struct dlcs_origin_limits *lim, FILE *out,
                                   struct dlcs_fetch_result *res, struct dlcs_error *err)
{
    struct transfer t = {
        .out = out, .max_bytes = lim->max_bytes, .allow_private = lim->allow_private};
    CURL *c = curl_easy_init();
    const char *ctype = NULL;
    enum dlcs_status st = DLCS_OK;
    CURLcode rc;

    if (!c)
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot create a curl handle");
    curl_easy_setopt(c, CURLOPT_URL, url);
    set_limits(c, lim, &t);
    set_auth(c, auth);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->http_status);
    if (rc == CURLE_HTTP_RETURNED_ERROR)
        st = classify_http(origin, res->http_status, err);
    else if (rc != CURLE_OK)
        st = classify_curl(origin, rc, &t, lim, err);
    if (st == DLCS_OK && curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype)
        (void)snprintf(res->content_type, sizeof res->content_type, "%s", ctype);
    res->bytes = t.bytes;
    curl_easy_cleanup(c);
    return st;
}

/* A backoff pause, cut short when the process stops. */
static void sleep_ms(long ms)
{
    for (long left = ms; left > 0 && !dlcs_stop_requested(); left -= 100) {
        struct timespec ts = {0, (left < 100 ? left : 100) * 1000000L};

        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}

/* Attempts with backoff; each attempt starts the file afresh. */
static enum dlcs_status fetch_with_retries(const char *origin, const char *url,
                                           const struct dlcs_origin_auth *auth,
                                           const struct dlcs_origin_limits *lim, const char *dest,
                                           struct dlcs_fetch_result *res, struct dlcs_error *err)
{
    enum dlcs_status st = DLCS_EINTERNAL;
    long backoff = lim->retry_base_ms;

    for (int attempt = 0; attempt <= lim->retries; attempt++) {
        struct dlcs_error e = {0};
        FILE *out = fopen(dest, "wb");

        if (!out)
            return dlcs_error_set(err, DLCS_EINTERNAL,
                                  "cannot write the origin's bytes to scratch");
        res->attempts = attempt + 1;
        st = fetch_once(origin, url, auth, lim, out, res, &e);
        if (fclose(out) != 0 && st == DLCS_OK)
            st = dlcs_error_set(&e, DLCS_EINTERNAL, "cannot write the origin's bytes to scratch");
        if (st == DLCS_OK || !dlcs_status_is_transient(st) || attempt == lim->retries ||
            dlcs_stop_requested()) {
            if (st != DLCS_OK)
                (void)dlcs_error_set(err, st, "%s", e.message);
            break;
        }
        sleep_ms(backoff);
        backoff = backoff * 2 > 30000 ? 30000 : backoff * 2;
    }
    if (st != DLCS_OK)
        unlink(dest);
    if (st != DLCS_OK && res->attempts > 1)
        dlcs_error_prefix(err, "after %d attempts", res->attempts);
    return st;
}

enum dlcs_status dlcs_origin_fetch(const char *origin, const struct dlcs_origin_auth *auth,
                                   const struct dlcs_origin_limits *lim, const char *dest,
                                   struct dlcs_fetch_result *res, struct dlcs_error *err)
{
    memset(res, 0, sizeof *res);
    if (strncmp(origin, "file://", 7) == 0)
        return dlcs_origin_fetch_file(origin, lim, dest, res, err);
    if (strncmp(origin, "s3://", 5) == 0)
        return dlcs_origin_fetch_s3(origin, auth, lim, dest, res, err);
    if (strncmp(origin, "http://", 7) != 0 && strncmp(origin, "https://", 8) != 0 &&
        strncmp(origin, "ftp://", 6) != 0 && strncmp(origin, "ftps://", 7) != 0)
        return dlcs_error_set(err, DLCS_EINVAL,
                              "origin '%s' must be http(s)://, ftp(s)://, s3:// or file://",
                              origin);
    return fetch_with_retries(origin, origin, auth, lim, dest, res, err);
}
