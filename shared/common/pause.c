/* SPDX-License-Identifier: Apache-2.0 */
#include "dlcs/pause.h"

#include <time.h>

#include "dlcs/clock.h"

void dlcs_pause_init(struct dlcs_pause *p)
{
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->stopping = false;
    p->woken = false;
}

void dlcs_pause_destroy(struct dlcs_pause *p)
{
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->mu);
}

void dlcs_pause_for(struct dlcs_pause *p, int64_t ms)
{
    struct timespec until;

    dlcs_time_deadline(&until, ms);
    pthread_mutex_lock(&p->mu);
    if (!p->stopping && !p->woken)
        pthread_cond_timedwait(&p->cond, &p->mu, &until);
    p->woken = false;
    pthread_mutex_unlock(&p->mu);
}

void dlcs_pause_wake(struct dlcs_pause *p)
{
    pthread_mutex_lock(&p->mu);
    p->woken = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

void dlcs_pause_stop(struct dlcs_pause *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

bool dlcs_pause_stopping(struct dlcs_pause *p)
{
    bool s;

    pthread_mutex_lock(&p->mu);
    s = p->stopping;
    pthread_mutex_unlock(&p->mu);
    return s;
}
