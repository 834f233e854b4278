/* SPDX-License-Identifier: Apache-2.0 */
/* Private to shared/: the constructors of the store adapters that dlcs_store_open chooses. */
#ifndef DLCS_STORE_ADAPTERS_H
#define DLCS_STORE_ADAPTERS_H

#include "dlcs/store.h"

extern const struct dlcs_store_ops dlcs_store_sqlite_ops;

/* Open (creating and migrating) the SQLite database at 'path'. '*impl' is freed by ops->close. */
enum dlcs_status dlcs_store_sqlite_open(const char *path, int pool, int busy_ms, void **impl,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_STORE_ADAPTERS_H */
