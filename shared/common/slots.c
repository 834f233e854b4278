/* SPDX-License-Identifier: Apache-2.0 */
/* Counting semaphore with a bounded wait. */
#include "dlcs/slots.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>

#include "dlcs/mem.h"

#define KEYS 64 /* keys holding or waiting for slots at once, tracked for fairness */

struct dlcs_slots {
    sem_t free;
    int wait_ms;
    pthread_mutex_t mu;
    struct {
        uint64_t key;
        int held; /* taken or being waited for */
    } keys[KEYS];
};

struct dlcs_slots *dlcs_slots_new(int count, int wait_ms)
{
    struct dlcs_slots *s = dlcs_xcalloc(1, sizeof *s);

    sem_init(&s->free, 0, (unsigned)(count > 0 ? count : 1));
    s->wait_ms = wait_ms;
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

void dlcs_slots_free(struct dlcs_slots *s)
{
    if (!s)
        return;
    sem_destroy(&s->free);
    pthread_mutex_destroy(&s->mu);
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

/* Reserve one of 'key''s shares (true), or say it holds its 'per_key' already (false). */
static bool reserve(struct dlcs_slots *s, uint64_t key, int per_key)
{
    int free_row = -1;
    bool ok = false;

    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < KEYS; i++) {
        if (s->keys[i].held > 0 && s->keys[i].key == key) {
            ok = s->keys[i].held < per_key;
            s->keys[i].held += ok;
            pthread_mutex_unlock(&s->mu);
            return ok;
        }
        if (s->keys[i].held == 0 && free_row < 0)
            free_row = i;
    }
    if (free_row >= 0) { /* a full table (64 keys at once) refuses: the slots are busy anyway */
        s->keys[free_row].key = key;
        s->keys[free_row].held = 1;
        ok = true;
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

static void unreserve(struct dlcs_slots *s, uint64_t key)
{
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < KEYS; i++) {
        if (s->keys[i].held > 0 && s->keys[i].key == key) {
            s->keys[i].held--;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
}

bool dlcs_slots_take_for(struct dlcs_slots *s, uint64_t key, int per_key)
{
    if (!reserve(s, key, per_key > 0 ? per_key : 1))
        return false;
    if (dlcs_slots_take(s))
        return true;
    unreserve(s, key);
    return false;
}

void dlcs_slots_give_for(struct dlcs_slots *s, uint64_t key)
{
    unreserve(s, key);
    dlcs_slots_give(s);
}

bool dlcs_slots_key_full(struct dlcs_slots *s, uint64_t key, int per_key)
{
    bool full = false;

    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < KEYS && !full; i++)
        full = s->keys[i].held > 0 && s->keys[i].key == key &&
               s->keys[i].held >= (per_key > 0 ? per_key : 1);
    pthread_mutex_unlock(&s->mu);
    return full;
}
