/* SPDX-License-Identifier: Apache-2.0 */
/* Counting semaphore with a bounded wait. */
#include "dlcs/slots.h"

#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>

#include "dlcs/mem.h"

struct dlcs_slots {
    sem_t free;
    int wait_ms;
};

struct dlcs_slots *dlcs_slots_new(int count, int wait_ms)
{
    struct dlcs_slots *s = dlcs_xcalloc(1, sizeof *s);

    sem_init(&s->free, 0, (unsigned)(count > 0 ? count : 1));
    s->wait_ms = wait_ms;
    return s;
}

void dlcs_slots_free(struct dlcs_slots *s)
{
    if (!s)
        return;
    sem_destroy(&s->free);
    free(s);
}

bool dlcs_slots_take(struct dlcs_slots *s)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += s->wait_ms / 1000;
    until.tv_nsec += (long)(s->wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (sem_timedwait(&s->free, &until) != 0) {
        if (errno != EINTR)
            return false;
    }
    return true;
}

void dlcs_slots_give(struct dlcs_slots *s)
{
    sem_post(&s->free);
}
