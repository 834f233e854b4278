/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process's stop flag (CONVENTIONS: one of the three mutable globals). Set once, when
 * SIGTERM/SIGINT arrives; long operations (origin fetches, backoff sleeps, conversions) poll
 * it and give up within a second, so that a drain ends in bounded time and the work goes
 * back to the queue instead of holding the process.
 */
#ifndef DLCS_STOP_H
#define DLCS_STOP_H

#include <stdbool.h>

/* Ask every long operation of the process to stop. Thread- and signal-safe. */
void dlcs_stop_request(void);

/* Whether a stop was asked for. */
bool dlcs_stop_requested(void);

#endif /* DLCS_STOP_H */
