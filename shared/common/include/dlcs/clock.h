/* SPDX-License-Identifier: Apache-2.0 */
/* Wall-clock instants as int64 milliseconds since the Unix epoch, and their ISO 8601 form. */
#ifndef DLCS_CLOCK_H
#define DLCS_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "dlcs/error.h"

/* A buffer that holds any formatted instant ("2025-05-01T10:00:00.123Z" + NUL, with room). */
#define DLCS_TIME_BUF 64

/* Now, in milliseconds since the epoch. */
int64_t dlcs_time_now_ms(void);

/* A monotonic clock in milliseconds, for durations and deadlines. */
int64_t dlcs_time_mono_ms(void);

/* '*until' = 'ms' from now on the realtime clock (a deadline for pthread_cond_timedwait). */
struct timespec;
void dlcs_time_deadline(struct timespec *until, int64_t ms);

/* Format 'ms' as "YYYY-MM-DDTHH:MM:SS.mmmZ" into 'buf' (DLCS_TIME_BUF bytes). Returns 'buf'. */
char *dlcs_time_format(int64_t ms, char *buf);

/*
 * Parse an ISO 8601 UTC instant ("...Z", optional fraction of up to 9 digits) into '*ms'.
 * DLCS_EINVAL if 's' is not one.
 */
enum dlcs_status dlcs_time_parse(const char *s, int64_t *ms,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_CLOCK_H */
