/* SPDX-License-Identifier: Apache-2.0 */
/* One status enum and one error struct for the whole project; status maps to HTTP in one place. */
#ifndef DLCS_ERROR_H
#define DLCS_ERROR_H

#define DLCS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define DLCS_WARN_UNUSED  __attribute__((warn_unused_result))
#define DLCS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum dlcs_status {
    DLCS_OK = 0,
    DLCS_EINVAL,         /* the caller's input is wrong                 -> 400 */
    DLCS_EAUTH,          /* no or wrong credentials                     -> 401 */
    DLCS_EFORBIDDEN,     /* authenticated, but not allowed              -> 403 */
    DLCS_ENOTFOUND,      /* the named thing does not exist              -> 404 */
    DLCS_ECONFLICT,      /* current state forbids the change            -> 409 */
    DLCS_ETOOLARGE,      /* a body, a batch or an image is over a limit -> 413 */
    DLCS_EUNSUPPORTED,   /* valid, but not implemented                  -> 501 */
    DLCS_EBUSY,          /* saturated: try again later                  -> 503 */
    DLCS_EUPSTREAM,      /* a store, queue, storage or origin failed:
                            transient                                   -> 503 + Retry-After */
    DLCS_EINTERNAL,      /* a bug in our code                           -> 500 */
    DLCS_EMETHOD,        /* the path exists, the method does not        -> 405 */
    DLCS_ENOSPACE,       /* storage is full                             -> 507 */
    DLCS_ETIMEOUT,       /* an upstream did not answer in time          -> 504 */
    DLCS_EUNPROCESSABLE, /* well-formed, but its content cannot be used -> 422 */
    DLCS_EORIGIN,        /* the client's origin failed (an answer about it, not about us) -> 502 */
};

struct dlcs_error {
    enum dlcs_status code;
    char message[256]; /* one line, lowercase, no trailing period */
};

/*
 * Record a failure in 'err' and return 'code', so that callers can write
 * `return dlcs_error_set(err, DLCS_EINVAL, "...");`. 'err' may be NULL.
 * The first failure recorded wins; later calls only return 'code'.
 * Thread-safe as long as each thread uses its own 'err'.
 */
enum dlcs_status dlcs_error_set(struct dlcs_error *err, enum dlcs_status code, const char *fmt, ...)
    DLCS_PRINTF(3, 4);

/* Prepend "<context>: " to the recorded message. 'err' may be NULL; no-op if nothing recorded. */
void dlcs_error_prefix(struct dlcs_error *err, const char *fmt, ...) DLCS_PRINTF(2, 3);

/* Forget any recorded failure, so that 'err' can be reused. */
void dlcs_error_clear(struct dlcs_error *err);

/* Replace every 'needle' in err's message by 'with' (server paths out of client-facing text). */
void dlcs_error_redact(struct dlcs_error *err, const char *needle, const char *with);

/* The HTTP status a handler answers with for 'code'; the only place this mapping lives. */
unsigned dlcs_status_http(enum dlcs_status code);

/* A stable machine-readable name for 'code', e.g. "not_found". Borrowed, static. */
const char *dlcs_status_name(enum dlcs_status code);

/* Programmer errors abort in every build type; never used to validate input. */
#define DLCS_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            dlcs_assert_fail(#cond, __FILE__, __LINE__);                                           \
    } while (0)

/* A state that cannot happen unless our code is wrong: aborts with 'msg'. */
#define DLCS_BUG(msg) dlcs_assert_fail((msg), __FILE__, __LINE__)

_Noreturn void dlcs_assert_fail(const char *expr, const char *file, int line);

#endif /* DLCS_ERROR_H */
