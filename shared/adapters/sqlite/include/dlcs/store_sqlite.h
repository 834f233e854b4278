/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedded store adapter: one SQLite file (DLCS_STORE=sqlite:///path/dlcs.db or a plain
 * path; settings DLCS_SQLITE_POOL and DLCS_SQLITE_BUSY_MS, or ?pool=N&busy_ms=N in the URL).
 * Several processes may share the file on one machine.
 */
#ifndef DLCS_STORE_SQLITE_H
#define DLCS_STORE_SQLITE_H

#include "dlcs/store.h"

extern const struct dlcs_store_adapter dlcs_store_sqlite_adapter;

#endif /* DLCS_STORE_SQLITE_H */
