/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Failpoints: named places inside multi-step writes where a test makes the call stop as a
 * crash there would (the adapter returns DLCS_EUPSTREAM and writes nothing more), to prove
 * that what a crash leaves is repaired. Off unless a test arms one: then one atomic load.
 * The table is process-global (a documented exception to "no mutable globals": tests only).
 *
 * Places: "store.register.after_assets" (the assets are written, not yet their batch and
 * jobs), "store.complete.after_asset" (the result is on the asset, not yet in its batch).
 */
#ifndef DLCS_FAILPOINT_H
#define DLCS_FAILPOINT_H

#include <stdbool.h>

/* Make the next 'times' passes through 'name' fail (a borrowed, long-lived string). */
void dlcs_failpoint_arm(const char *name, int times);

/* Disarm every failpoint. */
void dlcs_failpoint_clear(void);

/* Whether this pass through 'name' is to fail (counting one down). Thread-safe. */
bool dlcs_failpoint_hit(const char *name);

#endif /* DLCS_FAILPOINT_H */
