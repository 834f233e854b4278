/* SPDX-License-Identifier: Apache-2.0 */
/* A bound on concurrent work: N slots; a caller waits a limited time for one, else is busy. */
#ifndef DLCS_SLOTS_H
#define DLCS_SLOTS_H

#include <stdbool.h>

struct dlcs_slots;

/* 'count' slots; a take waits at most 'wait_ms' (0 = only if one is free now). Free with
 * dlcs_slots_free. */
struct dlcs_slots *dlcs_slots_new(int count, int wait_ms);
void dlcs_slots_free(struct dlcs_slots *s);

/* Take a slot (true) or give up after the wait (false). Thread-safe. */
bool dlcs_slots_take(struct dlcs_slots *s);

/* Give back a slot taken with dlcs_slots_take. */
void dlcs_slots_give(struct dlcs_slots *s);

#endif /* DLCS_SLOTS_H */
