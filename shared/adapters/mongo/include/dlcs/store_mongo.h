/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MongoDB store adapter (DLCS_STORE=mongodb://host[:port][,host...]/dbname[?options]):
 * several api, worker and iiif processes on different machines share one database. The URI is
 * libmongoc's: replica sets, TLS and authentication options pass through. No multi-document
 * transactions are needed (docs/architecture.md says how each op stays exact without them).
 */
#ifndef DLCS_STORE_MONGO_H
#define DLCS_STORE_MONGO_H

#include "dlcs/store.h"

extern const struct dlcs_store_adapter dlcs_store_mongo_adapter;

#endif /* DLCS_STORE_MONGO_H */
