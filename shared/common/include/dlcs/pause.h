/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pause that a background loop (worker threads, the outbox relay) takes between rounds and
 * that another thread can cut short: wake (one round now) or stop (for good).
 */
#ifndef DLCS_PAUSE_H
#define DLCS_PAUSE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct dlcs_pause {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool stopping;
    bool woken;
};

void dlcs_pause_init(struct dlcs_pause *p);
void dlcs_pause_destroy(struct dlcs_pause *p);

/* Wait up to 'ms', or until woken (the wake is used up) or stopped. */
void dlcs_pause_for(struct dlcs_pause *p, int64_t ms);

/* Cut the current (or the next) pause short. */
void dlcs_pause_wake(struct dlcs_pause *p);

/* Every pause from now on returns at once, and dlcs_pause_stopping says so. */
void dlcs_pause_stop(struct dlcs_pause *p);
bool dlcs_pause_stopping(struct dlcs_pause *p);

#endif /* DLCS_PAUSE_H */
