/* SPDX-License-Identifier: Apache-2.0 */
/* The stop flag: an atomic set once. */
#include "dlcs/stop.h"

#include <stdatomic.h>

static atomic_bool stop_flag;

void dlcs_stop_request(void)
{
    atomic_store(&stop_flag, true);
}

bool dlcs_stop_requested(void)
{
    return atomic_load(&stop_flag);
}
