/* SPDX-License-Identifier: Apache-2.0 */
/* A bound on concurrent work: N slots; a caller waits a limited time for one, else is busy. */
#ifndef DLCS_SLOTS_H
#define DLCS_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

struct dlcs_slots;

/* 'count' slots; a take waits at most 'wait_ms' (0 = only if one is free now). Free with
 * dlcs_slots_free. */
struct dlcs_slots *dlcs_slots_new(int count, int wait_ms);
void dlcs_slots_free(struct dlcs_slots *s);

/* Take a slot (true) or give up after the wait (false). Thread-safe. */
bool dlcs_slots_take(struct dlcs_slots *s);

/* Give back a slot taken with dlcs_slots_take. */
void dlcs_slots_give(struct dlcs_slots *s);

/*
 * Take a slot on behalf of 'key' (a customer, a client address), which may hold at most
 * 'per_key' at once: past that it is refused at once, so that one key never holds every
 * slot and starves the others. Give back with dlcs_slots_give_for and the same key.
 */
bool dlcs_slots_take_for(struct dlcs_slots *s, uint64_t key, int per_key);
void dlcs_slots_give_for(struct dlcs_slots *s, uint64_t key);

/*
 * True when 'key' holds its 'per_key' share now: a take_for would be refused. A hint for
 * refusing early (before a request body is read); the take itself decides.
 */
bool dlcs_slots_key_full(struct dlcs_slots *s, uint64_t key, int per_key);

#endif /* DLCS_SLOTS_H */
