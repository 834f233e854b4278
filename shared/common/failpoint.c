/* SPDX-License-Identifier: Apache-2.0 */
#include "dlcs/failpoint.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define FAILPOINTS_MAX 8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int armed; /* how many are armed: 0 is the fast path of every pass */
static struct {
    const char *name;
    int times;
} points[FAILPOINTS_MAX];

void dlcs_failpoint_arm(const char *name, int times)
{
    pthread_mutex_lock(&mu);
    for (int i = 0; i < FAILPOINTS_MAX; i++) {
        if (!points[i].name || strcmp(points[i].name, name) == 0) {
            if (!points[i].name)
                atomic_fetch_add(&armed, 1);
            points[i].name = name;
            points[i].times = times;
            break;
        }
    }
    pthread_mutex_unlock(&mu);
}

void dlcs_failpoint_clear(void)
{
    pthread_mutex_lock(&mu);
    memset(points, 0, sizeof points);
    atomic_store(&armed, 0);
    pthread_mutex_unlock(&mu);
}

bool dlcs_failpoint_hit(const char *name)
{
    bool hit = false;

    if (atomic_load(&armed) == 0)
        return false;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < FAILPOINTS_MAX && !hit; i++) {
        if (points[i].name && strcmp(points[i].name, name) == 0 && points[i].times > 0) {
            points[i].times--;
            hit = true;
        }
    }
    pthread_mutex_unlock(&mu);
    return hit;
}
