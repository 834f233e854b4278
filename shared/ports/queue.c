/* SPDX-License-Identifier: Apache-2.0 */
/* The queue port: argument checks every adapter would otherwise repeat, then the adapter's op. */
#include "dlcs/queue.h"

#include <stdlib.h>
#include <string.h>

void dlcs_queue_free(struct dlcs_queue *q)
{
    if (!q)
        return;
    q->ops->close(q->impl);
    free(q);
}

enum dlcs_status dlcs_queue_ping(struct dlcs_queue *q, struct dlcs_error *err)
{
    return q->ops->ping(q->impl, err);
}

enum dlcs_status dlcs_queue_publish(struct dlcs_queue *q, const struct dlcs_job *jobs, size_t count,
                                    struct dlcs_error *err)
{
    for (size_t i = 0; i < count; i++)
        if (dlcs_id_check_asset(jobs[i].asset, "asset", err) != DLCS_OK)
            return DLCS_EINVAL;
    return count ? q->ops->publish(q->impl, jobs, count, err) : DLCS_OK;
}

enum dlcs_status dlcs_queue_claim(struct dlcs_queue *q, struct dlcs_job *job,
                                  struct dlcs_error *err)
{
    memset(job, 0, sizeof *job);
    return q->ops->claim(q->impl, job, err);
}

enum dlcs_status dlcs_queue_done(struct dlcs_queue *q, const struct dlcs_job *job,
                                 struct dlcs_error *err)
{
    return q->ops->done(q->impl, job, err);
}

enum dlcs_status dlcs_queue_retry(struct dlcs_queue *q, const struct dlcs_job *job,
                                  int64_t delay_ms, struct dlcs_error *err)
{
    return q->ops->retry(q->impl, job, delay_ms < 0 ? 0 : delay_ms, err);
}

enum dlcs_status dlcs_queue_dead(struct dlcs_queue *q, const struct dlcs_job *job,
                                 const char *reason, struct dlcs_error *err)
{
    return q->ops->dead(q->impl, job, reason ? reason : "", err);
}

enum dlcs_status dlcs_queue_waiting(struct dlcs_queue *q, int64_t *count, struct dlcs_error *err)
{
    *count = 0;
    return q->ops->waiting(q->impl, count, err);
}

enum dlcs_status dlcs_queue_stats(struct dlcs_queue *q, struct dlcs_queue_stats *out,
                                  struct dlcs_error *err)
{
    memset(out, 0, sizeof *out);
    if (q->ops->stats) {
        q->ops->stats(q->impl, out);
        return DLCS_OK;
    }
    return q->ops->waiting(q->impl, &out->lag, err);
}
