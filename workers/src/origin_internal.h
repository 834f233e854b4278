/* SPDX-License-Identifier: Apache-2.0 */
/* Private to workers/: pieces of the origin fetcher. */
#ifndef DLCS_ORIGIN_INTERNAL_H
#define DLCS_ORIGIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "dlcs/origin.h"

/* True for loopback, unspecified, link-local, private, CGNAT, multicast and reserved
 * addresses, IPv4 or IPv6 (IPv4-mapped and NAT64 forms judged by their IPv4 address). */
bool dlcs_origin_addr_is_private(const struct sockaddr *sa);

/* The address as text (no port). */
void dlcs_origin_addr_text(const struct sockaddr *sa, char *buf, size_t len);

/* file:// origins: a copy of a file inside limits->file_root, refused elsewhere. */
enum dlcs_status dlcs_origin_fetch_file(const char *origin, const struct dlcs_origin_limits *lim,
                                        const char *dest, struct dlcs_fetch_result *res,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;

/* s3://bucket/key through the S3 client at the configured endpoint, into 'dest'. */
enum dlcs_status dlcs_origin_fetch_s3(const char *origin, const struct dlcs_origin_auth *auth,
                                      const struct dlcs_origin_limits *lim, const char *dest,
                                      struct dlcs_fetch_result *res,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_ORIGIN_INTERNAL_H */
