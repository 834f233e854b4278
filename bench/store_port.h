/* SPDX-License-Identifier: Apache-2.0 */
/* bench/store's measures of one store adapter through the port (store_port.c). */
#ifndef DLCS_BENCH_STORE_PORT_H
#define DLCS_BENCH_STORE_PORT_H

#include "dlcs/store.h"

#define PER_BATCH  1000 /* assets per registration (a batch each, as the queue API writes them) */
#define BOOK_PAGES 5000 /* pages per book: string1 "book-<k>", number1 the page */
#define PAGE_SIZE  100  /* a listing's page */

struct port_figures {
    double insert, by_key, by_book;         /* seconds for all n */
    double page1, deep_cursor, deep_offset; /* ms for one page */
    long deep_page;                         /* which page 'deep' is */
    long round_trips; /* commands one registration of 1,000 sent; -1 unknown */
};

/* Register n assets in 'url''s store (emptied first by the caller), read them back, page. */
void bench_port(const char *url, long n, struct port_figures *out);

/* The id of asset j and its book and page. */
void bench_asset_id(long j, char *buf, size_t len);

#endif /* DLCS_BENCH_STORE_PORT_H */
